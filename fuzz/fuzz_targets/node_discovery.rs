//! Fuzzes the discovery core as a whole node: a `DiscoveryCommunity` fed a script of signed and
//! unsigned datagrams from four fixed keys (introduction requests and responses in both
//! versions, puncture requests, punctures, similarity, ping and pong; the harness signs them),
//! replies that reuse bytes the node sent, and time passing. The node never panics, counts every
//! packet, and its tables stay bounded: peers only among the four signers, walkable addresses
//! within the table's limit.
#![no_main]

use std::time::Instant;

use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{CommunityId, Node};
use ipv8_fuzz::script::{self, Run, SENDERS, Target};

/// Message ids of the discovery core and of the DiscoveryCommunity.
const MSG_IDS: [u8; 12] = [245, 246, 231, 232, 249, 250, 233, 234, 1, 2, 3, 4];

fn check(node: &Node) {
    assert!(node.network().len() <= SENDERS, "a peer without a signer");
    assert!(node.network().walkable_for(DiscoveryCommunity::ID).len() <= 500);
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let mut node = script::node(start);
    if DiscoveryCommunity::new().install(&mut node, start).is_err() {
        return;
    }
    let stranger = CommunityId(*b"a stranger community").prefix();
    let target =
        Target { prefixes: &[DiscoveryCommunity::ID.prefix(), stranger], msg_ids: &MSG_IDS };
    Run::new(node, start).play(&target, data, check);
});
