//! The integration tests of the `ipv8` command, one module per subject, linked into one test
//! binary. `support` runs cargo on crates outside the workspace.

mod birthday_netns;
mod broadcast_netns;
mod cli_exit;
mod cli_identity;
mod cli_keys;
mod cli_pseudonyms;
mod cli_rest;
mod cli_stop;
mod dht_nat_netns;
mod keygen_interop;
mod nat_lab;
mod new;
mod support;
mod user_crate;
