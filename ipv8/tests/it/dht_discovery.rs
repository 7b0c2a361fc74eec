//! `DHTDiscoveryCommunity` on the simulator: nodes store themselves under their mids and are found
//! by key with `connect_peer` (the stored peer is asked to puncture toward the searcher); a plain
//! `DHTCommunity` refuses; bucket refreshes; and hostile input to the DHT is refused under a
//! counted reason without disturbing lookups.

use std::time::Duration;

use ipv8::crypto::{Curve, Mid, PrivateKey};
use ipv8::messages::dht::{
    ConnectPeerResponsePayload, FindResponsePayload, StorePeerRequestPayload, StoreRequestPayload,
};
use ipv8::proto::dht::{
    DhtCallError, DhtCommunity, DhtError, MAX_STORES_PER_PEER, RefreshBucket, STORE_PEER_INTERVAL,
    Value,
};
use ipv8::proto::{Community, Context, Peer};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::wire::Message as _;
use ipv8::wire::format::DhtNode;

fn network(n: usize) -> TestNetwork<DhtCommunity> {
    TestNetwork::with_config(SimConfig::new(11), n, |_| DhtCommunity::with_peer_discovery())
}

fn dropped(net: &TestNetwork<DhtCommunity>, i: usize, reason: &str) -> u64 {
    net.node(i).stats().dropped(reason)
}

#[test]
fn every_node_is_found_by_its_key_after_one_store_peer_round() {
    let mut net = network(25);
    net.advance(STORE_PEER_INTERVAL + Duration::from_secs(1));
    for i in 0..25 {
        assert!(net.overlay(i).storing_me().count() >= 1, "node {i} is stored somewhere");
    }
    for (searcher, wanted) in [(0, 13), (5, 24), (24, 0), (17, 3)] {
        let mid = net.mid(wanted);
        let found = net.dht(searcher).connect_peer(mid).expect("found");
        assert!(!found.is_empty());
        for peer in &found {
            assert_eq!(peer.key(), net.public_key(wanted), "only the wanted peer");
            assert_eq!(peer.address(), net.address(wanted));
        }
    }
}

#[test]
fn the_found_peer_is_asked_to_puncture_toward_the_searcher() {
    let mut net = network(15);
    net.advance(STORE_PEER_INTERVAL + Duration::from_secs(1));
    let handled = |net: &TestNetwork<DhtCommunity>, i: usize, id: u8| {
        net.node(i).stats().handled.get(&id).copied().unwrap_or_default()
    };
    let mid = net.mid(9);
    // A searcher that does not store the wanted peer itself (it would answer from its store).
    let searcher = (0..15)
        .find(|&i| i != 9 && !net.overlay(i).stored_peers().any(|(stored, _)| *stored == mid));
    let Some(searcher) = searcher else { panic!("a searcher") };
    let (requests, punctures) = (handled(&net, 9, 250), handled(&net, searcher, 249));
    net.dht(searcher).connect_peer(mid).expect("found");
    net.advance(Duration::from_secs(1));
    assert!(handled(&net, 9, 250) > requests, "a puncture-request reached the wanted peer");
    assert!(handled(&net, searcher, 249) > punctures, "which punctured toward the searcher");
}

#[test]
fn an_unknown_key_is_not_found_and_a_plain_dht_does_not_find_peers() {
    let mut net = network(10);
    net.advance(STORE_PEER_INTERVAL + Duration::from_secs(1));
    let nobody = Mid::from([0x5a; 20]);
    assert_eq!(net.dht(1).connect_peer(nobody), Err(DhtCallError::Dht(DhtError::PeerNotFound)));
    let mut plain = TestNetwork::with_config(SimConfig::new(3), 4, |_| DhtCommunity::new());
    let mid = plain.mid(2);
    assert_eq!(plain.dht(0).connect_peer(mid), Err(DhtCallError::Dht(DhtError::NoPeerDiscovery)));
    assert_eq!(plain.node(0).overlays()[0].name, "DHTCommunity");
    assert_eq!(net.node(0).overlays()[0].name, "DHTDiscoveryCommunity");
}

#[test]
fn a_peer_may_only_store_itself_and_only_with_a_token() {
    let mut net = network(6);
    net.advance(STORE_PEER_INTERVAL + Duration::from_secs(1));
    let to = net.peer(1);
    let other = net.mid(3);
    // Under another peer's mid, with a token node 1 handed out: refused.
    let token = net.with_overlay(0, |dht, _| dht.token_from(&to));
    let Some(token) = token else { panic!("node 0 holds a token of node 1") };
    net.with_overlay(0, |_, ctx| {
        let request = StorePeerRequestPayload { identifier: 1, token, target: *other.as_bytes() };
        ctx.ez_send(&to, &request);
    });
    // Under its own mid with a forged token: refused.
    let own = net.mid(0);
    net.with_overlay(0, |_, ctx| {
        let request =
            StorePeerRequestPayload { identifier: 2, token: [7; 20], target: *own.as_bytes() };
        ctx.ez_send(&to, &request);
    });
    net.deliver_messages();
    assert_eq!(dropped(&net, 1, "dht_store_peer_not_self"), 1);
    assert_eq!(dropped(&net, 1, "dht_bad_token"), 1);
    let stored_as_other = net
        .overlay(1)
        .stored_peers()
        .any(|(mid, peer)| *mid == other && peer.key() == net.public_key(0));
    assert!(!stored_as_other, "node 0 is not stored under node 3's mid");
}

#[test]
fn stored_peers_that_stop_pinging_are_forgotten() {
    let mut net = network(8);
    net.advance(STORE_PEER_INTERVAL + Duration::from_secs(1));
    let holder = (0..8).find(|&i| net.overlay(i).stored_peers().any(|(mid, _)| *mid == net.mid(5)));
    let Some(holder) = holder else { panic!("someone stores node 5") };
    net.set_online(5, false);
    net.advance(Duration::from_secs(90));
    assert!(
        !net.overlay(holder).stored_peers().any(|(mid, _)| *mid == net.mid(5)),
        "node 5 went quiet and was dropped"
    );
}

#[test]
fn buckets_are_refreshed_on_request() {
    let mut net = network(10);
    let table = net.overlay(0).routing_table().expect("a table");
    let prefix = table.buckets().last().expect("a bucket").prefix();
    let answer = net.ask_and_wait::<DhtCommunity, _>(0, RefreshBucket { prefix });
    assert_eq!(answer, Ok(Some(Ok(()))), "a bucket of the table");
    let answer =
        net.ask_and_wait::<DhtCommunity, _>(0, RefreshBucket { prefix: "0101010101".into() });
    assert_eq!(answer, Ok(None), "no such bucket");
}

#[test]
fn hostile_stores_are_refused_with_a_reason() {
    let mut net = network(3);
    let to = net.peer(1);
    net.dht(0).find_nodes([1; 20]).expect("a lookup that gets node 0 tokens");
    let Some(token) = net.with_overlay(0, |dht, _| dht.token_from(&to)) else { panic!("a token") };
    let send = |net: &mut TestNetwork<DhtCommunity>, target: u8, values: Vec<Vec<u8>>| {
        let to = to.clone();
        net.with_overlay(0, move |_, ctx| {
            let target = [target; 20];
            ctx.ez_send(&to, &StoreRequestPayload { identifier: 9, token, target, values });
        });
        net.deliver_messages();
        // Under the rate limit of 10 queries per 5 s.
        net.advance(Duration::from_secs(1));
    };
    send(&mut net, 0, vec![vec![0; 171]]);
    assert_eq!(dropped(&net, 1, "dht_value_too_large"), 1);
    send(&mut net, 0, vec![Value::unsigned(b"x").unwrap(); 9]);
    assert_eq!(dropped(&net, 1, "dht_too_many_values"), 1);
    // Flooding: the quota lets MAX_STORES_PER_PEER values through per period, then refuses.
    let rounds = MAX_STORES_PER_PEER / 8 + 3;
    for round in 0..rounds {
        let values = (0..8).map(|i| Value::unsigned(&[round as u8, i]).unwrap()).collect();
        send(&mut net, 100 + round as u8, values);
    }
    assert_eq!(dropped(&net, 1, "dht_rate_limited"), 0);
    assert_eq!(dropped(&net, 1, "dht_store_quota"), 3, "refused once the quota was used");
    let stored: usize = (0..rounds)
        .map(|round| net.overlay(1).storage().get(&[100 + round as u8; 20], 0, 8).len())
        .sum();
    assert_eq!(stored, MAX_STORES_PER_PEER);
}

#[test]
fn unsolicited_responses_are_refused() {
    let mut net = network(3);
    let to = net.peer(1);
    net.with_overlay(0, |_, ctx| {
        let response = FindResponsePayload {
            identifier: 77,
            token: [0; 20],
            values: vec![Value::unsigned(b"poison").unwrap()],
            nodes: Vec::new(),
        };
        ctx.ez_send(&to, &response);
        ctx.ez_send(&to, &ConnectPeerResponsePayload { identifier: 78, nodes: Vec::new() });
    });
    net.deliver_messages();
    assert_eq!(dropped(&net, 1, "dht_unexpected_response"), 2);
}

/// A DHT node that answers every find with the wanted number of bogus nodes (fresh keys at
/// addresses nobody listens on), as a poisoner would.
#[derive(Default)]
struct Poisoner;

#[ipv8::community]
impl Poisoner {
    #[lazy_handler]
    fn on_find(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: ipv8::messages::dht::FindRequestPayload,
    ) {
        let nodes = (0..200_u16)
            .map(|i| {
                let key = PrivateKey::generate(Curve::Curve25519).expect("a key").public_key();
                let address = std::net::SocketAddr::from(([10, 99, (i >> 8) as u8, i as u8], 9));
                DhtNode { address, public_key: key.to_bin().to_vec() }
            })
            .collect();
        let response = FindResponsePayload {
            identifier: p.identifier,
            token: [0; 20],
            values: Vec::new(),
            nodes,
        };
        ctx.ez_send(peer, &response);
    }
}

impl Community for Poisoner {
    fn community_id(&self) -> ipv8::proto::CommunityId {
        ipv8::proto::dht::COMMUNITY_ID
    }
}

#[test]
fn a_poisoner_stuffing_responses_cannot_derail_a_lookup() {
    let mut net = network(12);
    net.dht(0).store_unsigned_value([6; 20], b"real".to_vec()).expect("stored");
    let poisoner = net.add_node(|node, now| {
        node.add_community(now, Poisoner).expect("added");
    });
    for i in 0..12 {
        let poison = net.peer(poisoner);
        net.with_overlay(i, move |dht, ctx| {
            dht.learn(ctx, &poison);
        });
    }
    let found = net.dht(5).find_values([6; 20]).expect("a lookup");
    assert_eq!(found, [(b"real".to_vec(), None)], "the lookup still finds the value");
    assert!(dropped(&net, 5, "dht_oversized_response") >= 1, "the stuffed response was noticed");
}

#[test]
fn a_response_from_a_node_not_asked_is_refused_and_the_real_one_still_counts() {
    use ipv8::messages::dht::{PingRequestPayload, PingResponsePayload};
    use ipv8::proto::discovery::Ping as _;

    let mut net = network(3);
    let (asked, other) = (net.peer(1), net.peer(0));
    net.with_overlay(0, |dht, ctx| dht.ping(ctx, &asked));
    // Node 1 gets the ping; its answer is lost while node 0 is away.
    net.set_online(0, false);
    let received = net
        .expect_received(1, [PingRequestPayload::MSG_ID])
        .in_community(ipv8::proto::dht::COMMUNITY_ID)
        .during(|net| {
            net.deliver_messages();
        });
    net.set_online(0, true);
    let Some(ping) =
        received.first().and_then(ipv8::proto::Received::payload::<PingRequestPayload>)
    else {
        panic!("node 1 got the ping")
    };
    let answer = PingResponsePayload { identifier: ping.identifier };
    // Node 2 answers in node 1's place: refused, and the ping still waits for node 1.
    net.with_overlay(2, |_, ctx| ctx.ez_send(&other, &answer));
    net.deliver_messages();
    assert_eq!(dropped(&net, 0, "dht_response_from_elsewhere"), 1);
    net.with_overlay(1, |_, ctx| ctx.ez_send(&other, &answer));
    net.deliver_messages();
    assert_eq!(dropped(&net, 0, "dht_unexpected_response"), 0, "the real answer was awaited");
    let table = net.overlay(0).routing_table().expect("a table");
    let id = ipv8::proto::dht::NodeId::of(asked.address().ip(), &asked.mid());
    assert!(table.get(&id).is_some_and(|node| node.rtt.is_some()), "node 1's answer counted");
}
