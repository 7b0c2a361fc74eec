//! Hostile input at tunnel hops: cells for circuits that do not exist, malformed cells, replayed
//! cells, create floods past `max_joined_circuits`, relay-early floods and destroys from the wrong
//! neighbour. Each is dropped and counted under its reason; the circuits that exist go on.
#![cfg(feature = "test-util")]

use crate::tunnel_support;

use ipv8::messages::tunnel::{CreatePayload, DestroyPayload};
use ipv8::proto::tunnel::{COMMUNITY_ID, Cell, EphemeralKey, TunnelCommunity, cell_message};
use ipv8::wire::Payload;
use tunnel_support::{BT, circuit, data_events, dropped, index_of, network, network_with, send};

fn create_cell(circuit_id: u32, key_bin: &[u8], seed: u8) -> Vec<u8> {
    let create = CreatePayload {
        circuit_id,
        identifier: 1,
        node_public_key: key_bin.to_vec(),
        key: EphemeralKey::from_secret([seed; 32]).public().to_vec(),
    };
    let message = cell_message(2, &create.to_bytes().expect("encodes"));
    Cell { circuit_id, plaintext: true, relay_early: false, message }.encode(COMMUNITY_ID)
}

#[test]
fn cells_for_unknown_circuits_and_malformed_cells_are_dropped() {
    let (mut net, _) = network(0, 1);
    let to = net.address(1);
    let unknown =
        Cell { circuit_id: 77, plaintext: false, relay_early: false, message: vec![1; 40] };
    let mut bad_flag = unknown.encode(COMMUNITY_ID);
    bad_flag[27] = 2;
    net.with_overlay(0, |_, ctx| {
        ctx.send_direct(to, unknown.encode(COMMUNITY_ID));
        ctx.send_direct(to, bad_flag);
    });
    net.deliver_messages();
    assert_eq!(dropped(&net, 1, "tunnel_unknown_circuit"), 1);
    assert_eq!(dropped(&net, 1, "tunnel_bad_cell"), 1);
}

#[test]
fn a_replayed_cell_is_refused_and_does_not_leave_the_exit_twice() {
    let (mut net, echo) = network(0, 1);
    let info = circuit(&mut net, 1);
    net.node_mut(1).record_received(true);
    let to = net.address(echo);
    send(&mut net, info.id, to, BT).expect("sent");
    let received = net.node_mut(1).take_received();
    let cell = received.iter().find(|m| m.msg_id == 0).expect("the data cell").packet.clone();
    let exit = net.address(1);
    net.with_overlay(0, |_, ctx| ctx.send_direct(exit, cell));
    net.deliver_messages();
    assert_eq!(dropped(&net, 1, "tunnel_replayed"), 1);
    assert_eq!(data_events(&mut net, 0).len(), 1, "one echo: the original");
}

#[test]
fn creates_beyond_max_joined_circuits_are_refused() {
    let (mut net, _) = network_with(1, 0, 1, |i, s| {
        if i == 1 {
            s.max_joined_circuits = 10;
        }
    });
    let (exit, key) = (net.address(1), net.key_bin(0));
    net.with_overlay(0, |_, ctx| {
        for n in 0..15_u8 {
            ctx.send_direct(exit, create_cell(1000 + u32::from(n), &key, n + 1));
        }
        // The same circuit id again: refused, not a second exit.
        ctx.send_direct(exit, create_cell(1000, &key, 99));
    });
    net.deliver_messages();
    assert_eq!(net.community::<TunnelCommunity>(1).exit_count(), 10);
    assert_eq!(dropped(&net, 1, "tunnel_too_many_joined"), 5);
    assert_eq!(dropped(&net, 1, "tunnel_duplicate_create"), 1);
}

#[test]
fn one_peer_cannot_take_every_slot() {
    let (mut net, _) = network_with(1, 1, 1, |i, s| {
        if i == 2 {
            s.max_joined_per_peer = 4;
        }
    });
    let exit = net.address(2);
    for sender in [0, 1] {
        let key = net.key_bin(sender);
        net.with_overlay(sender, |_, ctx| {
            for n in 0..6_u8 {
                let id = 2000 + 10 * u32::try_from(sender).unwrap() + u32::from(n);
                ctx.send_direct(exit, create_cell(id, &key, n + 1));
            }
        });
    }
    net.deliver_messages();
    assert_eq!(net.community::<TunnelCommunity>(2).exit_count(), 8, "four from each peer");
    assert_eq!(dropped(&net, 2, "tunnel_too_many_from_peer"), 4);
}

#[test]
fn relays_stop_passing_relay_early_cells_past_the_limit() {
    let echoes = |max_relay_early: u32| {
        let (mut net, echo) = network_with(1, 2, 1, |i, s| {
            if i == 0 {
                s.max_relay_early = max_relay_early;
            }
        });
        let info = circuit(&mut net, 3);
        let to = net.address(echo);
        for _ in 0..20 {
            send(&mut net, info.id, to, BT).expect("sent");
        }
        let first = index_of(&net, info.hops[0].key());
        (data_events(&mut net, 0).len(), dropped(&net, first, "tunnel_relay_early"))
    };
    assert_eq!(echoes(8), (20, 0), "an honest originator flags its first 8 cells only");
    let (back, refused) = echoes(100);
    assert!(refused > 0 && back < 20, "{back} echoes, {refused} refused");
}

#[test]
fn only_the_neighbour_on_a_link_may_destroy_it() {
    let (mut net, echo) = network(2, 1);
    let info = circuit(&mut net, 3);
    let first = index_of(&net, info.hops[0].key());
    let stranger = 3;
    let to = net.address(first);
    net.with_overlay(stranger, |_, ctx| {
        ctx.ez_send(to, &DestroyPayload { circuit_id: info.id, reason: 1 });
    });
    net.deliver_messages();
    assert_eq!(dropped(&net, first, "tunnel_destroy_unauthorized"), 1);
    assert_eq!(net.community::<TunnelCommunity>(first).relay_count(), 2);
    let echo = net.address(echo);
    send(&mut net, info.id, echo, BT).expect("sent");
    assert_eq!(data_events(&mut net, 0).len(), 1, "the circuit still works");
}
