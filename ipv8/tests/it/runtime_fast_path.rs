//! The tunnel data plane's fast path on real UDP sockets: a two-hop circuit through a relay
//! and an exit on loopback carries data to an echo server and back; the relay's driver moves
//! the cells from its receive buffers straight out, and once its socket is open the exit's
//! driver sends the data out of it, past the handlers (both counted as fast-forwarded).
#![cfg(feature = "runtime")]

use crate::runtime_support::{echo, node};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::proto::Event;
use ipv8::proto::tunnel::{CreateCircuit, PeerFlags, TunnelCommunity, TunnelData, TunnelEvent};
use ipv8::runtime::{Events, NodeHandle};
use ipv8::wire::format::Address;

/// A BitTorrent-looking datagram (an exit with `EXIT_BT` lets it out).
const BT: &[u8] = b"d1:ad2:id20:fast-path-over-udp!!1:q4:ping1:t2:aa1:y1:qe";

async fn walk(from: &NodeHandle, to: SocketAddr) {
    from.with_node(move |node, now| node.walk_to::<TunnelCommunity>(now, to))
        .await
        .unwrap()
        .unwrap();
}

/// A two-hop circuit whose first hop is `relay` (the exit is the only other node); its id.
async fn circuit(originator: &NodeHandle, relay: SocketAddr) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Ok(info)) = originator.ask::<TunnelCommunity, _>(CreateCircuit::new(2)).await
            && info.hops.first().is_some_and(|hop| hop.address() == relay)
        {
            return info.id;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no two-hop circuit through the relay to the exit");
}

/// Sends `BT` to `to` through `circuit` until it comes back.
async fn echo_through(originator: &NodeHandle, events: &mut Events, circuit: u32, to: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let data = TunnelData { circuit, destination: Address::Ip(to), data: BT.to_vec() };
        originator
            .with_community::<TunnelCommunity, _>(move |tunnels, ctx| {
                tunnels.tunnel_data(ctx, data).unwrap();
            })
            .await
            .unwrap();
        let wait = Duration::from_millis(500);
        while let Ok(Some(event)) = tokio::time::timeout(wait, events.recv()).await {
            if let Event::Community { event, .. } = event
                && let Ok(event) = event.downcast::<TunnelEvent>()
                && let TunnelEvent::Data { data, .. } = *event
            {
                assert_eq!(data, BT);
                return;
            }
        }
    }
    panic!("no echo through the circuit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_and_exits_move_cells_on_the_fast_path() {
    let (exit, _exit_events, exit_address) = node(PeerFlags::RELAY | PeerFlags::EXIT_BT);
    let (relay, _relay_events, relay_address) = node(PeerFlags::RELAY);
    let (originator, mut events, _) = node(PeerFlags(0));
    walk(&relay, exit_address).await;
    walk(&originator, relay_address).await;
    walk(&originator, exit_address).await;
    let circuit = circuit(&originator, relay_address).await;
    let forwarded = |handle: &NodeHandle| {
        let handle = handle.clone();
        async move { handle.with_node(|node, _| node.stats().fast_forwarded).await.unwrap() }
    };
    let server = echo();
    let before = forwarded(&relay).await;
    echo_through(&originator, &mut events, circuit, server).await;
    let after = forwarded(&relay).await;
    assert!(
        after >= before + 2,
        "the relay passed the cell out and its echo back: {before} -> {after}"
    );
    let relay_stats = relay.stats().await.unwrap();
    assert!(relay_stats.datagrams_sent >= after, "the driver sent what it forwarded");
    // The exit's socket is open now: the next data leaves it on the fast path.
    let exited = forwarded(&exit).await;
    echo_through(&originator, &mut events, circuit, server).await;
    assert!(forwarded(&exit).await > exited, "the exit let the data out on its fast path");
}
