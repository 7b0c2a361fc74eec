//! Discovery under packet loss: a community without peers retries bootstrapping with backoff
//! (py-ipv8 waits out its 30 s bootstrap timeout after a lost first exchange), and never asks a
//! bootstrap server more than six times a minute.

use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::proto::discovery::{
    Bootstrapper, DispersyBootstrapper, MAX_BOOTSTRAPS_PER_MINUTE, RandomWalk,
};
use ipv8::proto::{Community, CommunityId, Network};
use ipv8::testing::{SimConfig, TestNetwork};

const ID: CommunityId = CommunityId(*b"discovery loss tests");

#[derive(Default)]
struct Walking;

#[community]
impl Walking {}

impl Community for Walking {
    fn community_id(&self) -> CommunityId {
        ID
    }
}

#[test]
fn every_node_finds_a_peer_early_despite_loss() {
    const NODES: usize = 300;
    let config = SimConfig::new(21)
        .with_connect_all(false)
        .with_latency(Duration::from_millis(40))
        .with_jitter(Duration::from_millis(20))
        .with_loss(0.1);
    let mut net = TestNetwork::with_config(config, NODES, |_| Walking);
    let tracker = net.add_tracker();
    let tracker_address = net.address(tracker);
    for i in 0..NODES {
        let node = net.node_mut(i);
        node.add_bootstrapper::<Walking>(DispersyBootstrapper::new(vec![tracker_address]))
            .expect("running");
        node.add_strategy::<Walking>(RandomWalk::new(), Some(20)).expect("running");
        net.flush(i);
    }
    net.advance(Duration::from_secs(15));
    let lonely = (0..NODES).filter(|&i| net.network(i).peers_for(ID).is_empty()).count();
    // With 10% loss a first exchange (request, response, puncture) fails for about one node in
    // four; waiting 30 s to retry, as py-ipv8 does, leaves them alone for half a minute.
    assert_eq!(lonely, 0, "nodes without a peer after 15 s");
    let received = net.node(tracker).stats().received;
    assert!(
        received < (NODES * MAX_BOOTSTRAPS_PER_MINUTE) as u64,
        "the tracker got {received} datagrams from {NODES} nodes"
    );
}

#[test]
fn retries_back_off_and_stay_within_the_bound_per_minute() {
    let tracker = "127.0.0.1:6421".parse().expect("an address");
    let mut bootstrapper = DispersyBootstrapper::new(vec![tracker]);
    let mut network = Network::default();
    let start = Instant::now();
    // A community with no peer asks every walker step (0.5 s) for a minute.
    let asked: Vec<u64> = (0..120_u64)
        .filter(|step| {
            let now = start + Duration::from_millis(500 * step);
            !bootstrapper.bootstrap(now, &mut network).is_empty()
        })
        .map(|step| step / 2)
        .collect();
    assert_eq!(asked, [0, 1, 3, 7, 15, 31], "seconds of the bootstraps");
    assert!(asked.len() <= MAX_BOOTSTRAPS_PER_MINUTE);
    // Then every 30 s (the timeout caps the backoff).
    let next = start + Duration::from_secs(61);
    assert_eq!(bootstrapper.bootstrap(next, &mut network), [tracker]);
    // After a quiet spell (the community had peers), a new need is met at once and backs off anew.
    let later = next + Duration::from_secs(120);
    assert_eq!(bootstrapper.bootstrap(later, &mut network), [tracker]);
    assert!(bootstrapper.bootstrap(later + Duration::from_millis(500), &mut network).is_empty());
    assert_eq!(bootstrapper.bootstrap(later + Duration::from_secs(1), &mut network), [tracker]);
}
