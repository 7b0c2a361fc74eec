//! Fuzzes a bootstrap server as a whole node: `Node::enable_tracker` fed a script of signed
//! introduction requests and responses (both versions) under three community prefixes and
//! stray ones, from four fixed keys (the harness signs them), replies to its liveness pings that
//! reuse bytes it sent, and time passing (its ping rounds and their timeouts). The node never
//! panics, counts every packet, and knows no more peers than signed to it.
#![no_main]

use std::time::Instant;

use ipv8::proto::CommunityId;
use ipv8_fuzz::script::{self, Run, SENDERS, Target};

/// The messages a tracker answers (introduction request, responses old and new), the
/// puncture messages and ping/pong it ignores.
const MSG_IDS: [u8; 8] = [246, 245, 232, 231, 249, 250, 3, 4];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let mut node = script::node(start);
    node.enable_tracker(start);
    let prefixes = [
        CommunityId(*b"first community id..").prefix(),
        CommunityId(*b"second community id.").prefix(),
        CommunityId(*b"third community id..").prefix(),
        [0xff; 22],
    ];
    let target = Target { prefixes: &prefixes, msg_ids: &MSG_IDS };
    Run::new(node, start).play(&target, data, |node| {
        let tracker = node.tracker().expect("the tracker runs");
        assert!(tracker.len() <= SENDERS, "a tracked peer without a signer");
        assert!(node.network().len() <= SENDERS, "a peer without a signer");
    });
});
