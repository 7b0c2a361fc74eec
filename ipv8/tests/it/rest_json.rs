//! The REST bodies have py-ipv8's shapes (spec `rest-api.md` §6): `/network` keys peers by base64
//! mid with base64 keys and services; `/overlays` lists communities with hex ids and keys.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ipv8::community;
use ipv8::proto::discovery::RandomWalk;
use ipv8::proto::{Community, CommunityId};
use ipv8::rest::{network_json, overlays_json};
use ipv8::testing::TestNetwork;
use serde_json::json;

struct Rest;

#[community]
impl Rest {}

impl Community for Rest {
    fn community_id(&self) -> CommunityId {
        CommunityId([0x11; 20])
    }
}

#[test]
fn network_lists_peers_by_base64_mid() {
    let net = TestNetwork::initialize(3, |_| Rest);
    let body = network_json(net.node(0));
    let peers = body["peers"].as_object().expect("an object");
    assert_eq!(peers.len(), 2);
    for i in [1, 2] {
        let entry = &peers[&STANDARD.encode(net.mid(i).0)];
        assert_eq!(
            *entry,
            json!({
                "ip": net.address(i).ip().to_string(),
                "port": net.address(i).port(),
                "public_key": STANDARD.encode(net.key_bin(i)),
                "services": [STANDARD.encode([0x11; 20])],
            })
        );
    }
}

#[test]
fn overlays_describe_each_community() {
    let mut net = TestNetwork::initialize(2, |_| Rest);
    net.node_mut(0).add_strategy::<Rest>(RandomWalk::new(), Some(20)).expect("running");
    let body = overlays_json(net.node(0));
    let overlay = &body["overlays"][0];
    assert_eq!(overlay["id"], "11".repeat(20));
    assert_eq!(overlay["overlay_name"], "Rest");
    let key_hex: String = net
        .key_bin(0)
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .map(|n| char::from_digit(n.into(), 16).unwrap_or('?'))
        .collect();
    assert_eq!(overlay["my_peer"], key_hex);
    assert_eq!(overlay["peers"][0]["port"], net.address(1).port());
    assert_eq!(overlay["max_peers"], 30);
    assert_eq!(overlay["strategies"], json!([{ "name": "RandomWalk", "target_peers": 20 }]));
    assert_eq!(
        overlay["my_estimated_lan"],
        json!({ "ip": net.address(0).ip().to_string(), "port": 8090 })
    );
    let keys: Vec<_> = overlay.as_object().expect("object").keys().cloned().collect();
    let mut expected = [
        "id",
        "my_peer",
        "global_time",
        "peers",
        "overlay_name",
        "statistics",
        "max_peers",
        "is_isolated",
        "my_estimated_wan",
        "my_estimated_lan",
        "strategies",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected, "exactly py-ipv8's fields");
}

#[test]
fn overlays_report_traffic_per_community() {
    use ipv8::wire::Message as _;

    #[ipv8::payload(msg_id = 5)]
    struct Note {
        n: i64,
    }

    let mut net = TestNetwork::initialize(2, |_| Rest);
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| {
        ctx.ez_send(&peer1, &Note { n: 1 });
        ctx.ez_send(&peer1, &Note { n: 2 });
    });
    net.deliver_messages();
    let id = CommunityId([0x11; 20]);
    let sent = net.node(0).stats().communities[&id][&Note::MSG_ID];
    let received = net.node(1).stats().communities[&id][&Note::MSG_ID];
    assert_eq!((sent.num_up, received.num_down), (2, 2));
    assert_eq!(sent.bytes_up, received.bytes_down);
    let statistics = &overlays_json(net.node(1))["overlays"][0]["statistics"];
    assert_eq!(statistics["num_down"], 2);
    assert_eq!(statistics["bytes_down"], received.bytes_down);
    assert_eq!(statistics["num_up"], 0, "the handler sent nothing back");
}
