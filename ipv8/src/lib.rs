//! IPv8 in Rust: identities that are public keys, overlays with typed messages, peer discovery, and
//! wire compatibility with py-ipv8.
//!
//! - [`wire`]: the codec, byte-exact with py-ipv8; `#[payload]` generates serializers at compile time.
//! - [`crypto`]: identities (curve25519 and the legacy curves), signatures, key files.
//! - [`attestation`]: the zero-knowledge attestation primitives (Boneh keys, exact-value proofs).
//! - [`proto`]: the sans-IO core: `#[community]` overlays, discovery, request caches, tasks, tracker.
//! - `testing` (feature `test-util`): the simulated network, py-ipv8's `TestBase`.
//! - `runtime`, `config`, `launch`, `rest`: running nodes on UDP from py-ipv8 configurations.
//!
//! Start with `docs/guide.md` in the repository: every py-ipv8 concept and its Rust form.
//!
//! # Examples
//!
//! ```
//! use ipv8::payload;
//! use ipv8::wire::{Message, Payload};
//!
//! #[payload(msg_id = 1)]
//! struct Clock {
//!     clock: i64,
//! }
//!
//! assert_eq!(Clock::MSG_ID, 1);
//! assert_eq!(Clock { clock: 1_700_000_000 }.to_bytes()?, [0, 0, 0, 0, 0x65, 0x53, 0xf1, 0]);
//! # Ok::<(), ipv8::wire::EncodeError>(())
//! ```
#![doc(test(attr(deny(warnings))))]
#![warn(missing_docs)]

extern crate self as ipv8;

pub mod attestation;
#[cfg(feature = "config")]
pub mod config;
pub mod crypto;
#[cfg(feature = "config")]
pub mod launch;
pub mod messages;
pub mod proto;
#[cfg(feature = "rest")]
pub mod rest;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod wire;

pub use ipv8_macros::{community, lazy_handler, payload};

/// Every Rust snippet of `docs/guide.md`, compiled as a doc-test so the guide stays true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide.md")]
pub struct GuideSnippets;

/// Every Rust snippet of `docs/identity.md`, compiled as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../../docs/identity.md")]
pub struct IdentitySnippets;

/// Paths used by macro-generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::proto::{Context, Dispatch, DropReason, Incoming};
    pub use crate::wire::fixup::{pack as fixup_pack, unpack as fixup_unpack};
    pub use crate::wire::format;
    pub use crate::wire::{DecodeError, EncodeError, Field, Format, Message, Payload, Reader};
    pub use std::result::Result;
    pub use std::vec::Vec;
}
