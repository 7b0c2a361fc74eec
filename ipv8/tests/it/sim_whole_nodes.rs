//! Whole nodes on the simulator, built from configurations as `launch` builds them: several
//! communities per node, each under its own key, bootstrapping through a simulated tracker; the
//! shortcuts work for any community type.
#![cfg(feature = "config")]

use std::time::Duration;

use ipv8::config::{Bootstrapper, Builder, Config, KeySpec, Overlay, Walker};
use ipv8::crypto::Curve;
use ipv8::launch::OverlayRegistry;
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

const SETTLED: CommunityId = CommunityId(*b"whole node test app!");

#[payload(msg_id = 1)]
struct Hello {
    text: String,
}

#[derive(Default)]
struct App {
    heard: Vec<String>,
}

#[community]
impl App {
    #[lazy_handler]
    fn on_hello(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Hello) {
        self.heard.push(payload.text);
    }
}

impl Community for App {
    fn community_id(&self) -> CommunityId {
        SETTLED
    }
}

fn config(tracker: std::net::SocketAddr) -> Config {
    let overlay = |class: &str, key: &str| {
        Overlay::new(class, key)
            .with_walker(Walker::new("RandomWalk", 20))
            .with_bootstrapper(Bootstrapper::dispersy(&[tracker]))
    };
    Builder::from(Config::loopback(0))
        .clear_keys()
        .add_key_spec(KeySpec::generate("discovery", Curve::Curve25519))
        .add_key_spec(KeySpec::generate("app", Curve::Curve25519))
        .clear_overlays()
        .add_overlay_spec(overlay("DiscoveryCommunity", "discovery"))
        .add_overlay_spec(overlay("App", "app"))
        .finalize()
        .expect("a valid configuration")
}

#[test]
fn nodes_built_from_configurations_meet_in_every_community_under_each_key() {
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("App", |setup| setup.add(App::default()));
    let mut net = TestNetwork::<DiscoveryCommunity>::empty(SimConfig::new(11));
    let tracker = net.add_tracker();
    let config = config(net.address(tracker));
    let nodes: Vec<usize> =
        (0..4).map(|_| net.add_node_from_config(&config, &registry).expect("a node")).collect();

    net.advance(Duration::from_secs(20));

    for &i in &nodes {
        let app_key = net.node(i).community_key::<App>().expect("runs App").clone();
        let discovery_key = net.node(i).community_key::<DiscoveryCommunity>().unwrap().clone();
        assert_ne!(app_key, discovery_key, "node {i}: one key per overlay");
        for &j in nodes.iter().filter(|&&j| j != i) {
            let other_app = net.node(j).community_key::<App>().unwrap();
            let app_peers = net.node(i).network_of(SETTLED).unwrap().peers_for(SETTLED);
            assert!(app_peers.iter().any(|p| p.key() == other_app), "node {i} met {j} in App");
            let other = net.node(j).community_key::<DiscoveryCommunity>().unwrap();
            let peers = net.network(i).peers_for(DiscoveryCommunity::ID);
            assert!(peers.iter().any(|p| p.key() == other), "node {i} met {j} in discovery");
            assert!(
                peers.iter().all(|p| p.key() != other_app),
                "node {i}: an App key never shows in the discovery identity's table"
            );
        }
    }

    // The shortcuts serve any community type.
    let to_key = net.node(nodes[1]).community_key::<App>().unwrap().clone();
    let to = Peer::new(to_key, net.address(nodes[1]));
    net.expect_received(nodes[1], [1]).in_community(SETTLED).during(|net| {
        net.with_community::<App, _>(nodes[0], |_, ctx| {
            ctx.ez_send(&to, &Hello { text: "hi".into() });
        });
        net.deliver_messages();
    });
    assert_eq!(net.community::<App>(nodes[1]).heard, ["hi"]);
    assert_eq!(net.overlay(nodes[0]).max_peers(), 30, "`C` is the DiscoveryCommunity");
}
