//! Anonymized pseudonyms on loopback (py-ipv8's `TunnelEndpoint` under a pseudonym's identity and
//! attestation overlays): a pseudonym's node sends everything through the main node's SOCKS5
//! server, which puts it on a one-hop circuit of its own to an exit with `EXIT_IPV8`. Its peers
//! and the tracker see it at that exit's socket, never at its own port or the main node's; its
//! packets are IPv8 packets, and an exit without `EXIT_IPV8` carries none of them; and the identity tutorial's attestation and
//! verification work between two anonymized pseudonyms.
#![cfg(feature = "runtime")]

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ipv8::attestation::IdFormat;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::identity::wallet::{
    Attest, AttestationCommunity, Consent, OutstandingAttestations, OutstandingVerifications,
    RequestAttestation, VerificationOutputs, Verify, WALLET_COMMUNITY_ID,
};
use ipv8::proto::identity::{COMMUNITY_ID as IDENTITY_ID, Credentials, IdentityCommunity};
use ipv8::proto::tunnel::{
    COMMUNITY_ID as TUNNEL_ID, PeerFlags, TunnelCommunity, TunnelSettings, could_be_ipv8,
    exit_allowed,
};
use ipv8::proto::{Node, Peer};
use ipv8::runtime::{
    self, Config, DatagramSocket, Endpoint, EndpointConfig, NodeHandle, Pseudonym, Pseudonyms,
    Socks5Server, Transport, UdpTransport,
};

/// How long anything may take to happen.
const PATIENCE: Duration = Duration::from_secs(60);

/// The addresses of the sockets a node's communities opened (an exit's sockets).
type Opened = Arc<Mutex<Vec<SocketAddr>>>;

/// UDP, noting the address of every socket it opens.
struct Recording(Opened);

impl Transport for Recording {
    fn bind(&self, address: SocketAddr) -> io::Result<Arc<dyn DatagramSocket>> {
        let socket = UdpTransport.bind(address)?;
        self.0.lock().expect("not poisoned").push(socket.local_addr()?);
        Ok(socket)
    }
}

/// A tunnel node on 127.0.0.1 with `flags`; the sockets its exits open.
fn tunnel_node(flags: PeerFlags, hidden: bool) -> (NodeHandle, runtime::Events, Opened) {
    let now = Instant::now();
    let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
    let mut node = Node::new(key, 1, now);
    let mut settings = TunnelSettings::default();
    settings.peer_flags = flags;
    let tunnels =
        if hidden { TunnelCommunity::hidden(settings) } else { TunnelCommunity::new(settings) };
    node.add_community(now, tunnels).expect("the tunnel community runs");
    let opened = Opened::default();
    let config = Config::new().with_transport(Recording(Arc::clone(&opened)));
    let (handle, events, _) =
        runtime::spawn_with(&config, node, Endpoint::bind(&loopback()).unwrap());
    (handle, events, opened)
}

fn loopback() -> EndpointConfig {
    EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"))
}

fn address(handle: &NodeHandle) -> SocketAddr {
    handle.local_addrs().ipv4().expect("an IPv4 socket")
}

/// The network around the pseudonyms: a tracker, an exit for IPv8 packets, an exit for
/// BitTorrent-like data only, and the main node (a `HiddenTunnelCommunity` that knows both
/// exits) with its SOCKS5 server.
struct Network {
    tracker: NodeHandle,
    main: NodeHandle,
    socks5: SocketAddr,
    ipv8_exit: (NodeHandle, Opened),
    bt_exit: (NodeHandle, Opened),
}

impl Network {
    async fn start() -> Self {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
        let mut node = Node::new(key, 1, Instant::now());
        node.enable_tracker(Instant::now());
        let (tracker, _, _) = runtime::spawn(node, Endpoint::bind(&loopback()).expect("bound"));
        let (ipv8_exit, _, ipv8_opened) =
            tunnel_node(PeerFlags::RELAY | PeerFlags::EXIT_IPV8, false);
        let (bt_exit, _, bt_opened) = tunnel_node(PeerFlags::RELAY | PeerFlags::EXIT_BT, false);
        let (main, events, _) = tunnel_node(PeerFlags::DEFAULT, true);
        for exit in [address(&ipv8_exit), address(&bt_exit)] {
            main.with_node(move |node, now| node.walk_to::<TunnelCommunity>(now, exit))
                .await
                .expect("the main node runs")
                .expect("a tunnel community");
        }
        let server = Socks5Server::bind("127.0.0.1:0".parse().expect("an address"), 1)
            .await
            .expect("SOCKS5 bound");
        let socks5 = server.local_addr().expect("an address");
        tokio::spawn(server.run(main.clone(), events));
        Self {
            tracker,
            main,
            socks5,
            ipv8_exit: (ipv8_exit, ipv8_opened),
            bt_exit: (bt_exit, bt_opened),
        }
    }

    /// Pseudonyms in a new directory, bootstrapping from the tracker, anonymized or not.
    fn pseudonyms(&self, dir: &tempfile::TempDir, anonymized: bool) -> Arc<Pseudonyms> {
        let bootstrap = vec![address(&self.tracker)];
        if anonymized {
            Pseudonyms::anonymized(dir.path(), bootstrap, self.socks5)
        } else {
            Pseudonyms::new(dir.path(), "127.0.0.1".parse().expect("an address"), bootstrap)
        }
    }

    /// The exit sockets of the IPv8 exit.
    fn ipv8_exit_sockets(&self) -> Vec<SocketAddr> {
        self.ipv8_exit.1.lock().expect("not poisoned").clone()
    }

    /// Checks that `pseudonym`, seen at `seen`, was seen at an exit socket of the IPv8 exit and
    /// nowhere that leads to it, and that nothing reached its own port but the relay's datagrams.
    async fn assert_hidden(&self, pseudonym: &Pseudonym, seen: SocketAddr) {
        assert!(self.ipv8_exit_sockets().contains(&seen), "{seen} is an exit socket");
        assert_ne!(seen, address(&pseudonym.handle), "not the pseudonym's own port");
        assert_ne!(seen, address(&self.main), "not the main node");
        assert_ne!(seen, address(&self.ipv8_exit.0), "the exit's own socket is not used");
        let told = pseudonym.handle.with_node(|node, _| node.address()).await.expect("runs");
        assert_eq!(told, None, "the pseudonym's node does not know (nor tell) its address");
        let stats = pseudonym.handle.stats().await.expect("runs");
        assert_eq!(stats.proxy_dropped, 0, "only the relay sent to the pseudonym's port");
        assert!(stats.datagrams_received > 0, "it heard its peers through the relay");
    }

    /// Checks that no IPv8 packet went out of the exit without `EXIT_IPV8`.
    fn assert_bt_exit_unused(&self) {
        assert!(self.bt_exit.1.lock().expect("not poisoned").is_empty(), "no socket opened there");
        let _ = &self.bt_exit.0;
    }
}

/// Polls `probe` until it finds something.
async fn until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what} in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The peer `other` as `of`'s identity overlay knows it, once it does.
async fn met(of: &Pseudonym, other: &Pseudonym) -> Peer {
    let key = other.public_key.clone();
    until("the pseudonyms meet", || {
        let key = key.clone();
        async move {
            let peers = of.handle.with_community::<IdentityCommunity, _>(|_, ctx| ctx.peers());
            peers.await.expect("runs").into_iter().find(|p| p.key().to_bin() == key)
        }
    })
    .await
}

/// Both overlays' packets start with the version `00 02` and their community id: IPv8 packets,
/// which an exit lets out with `EXIT_IPV8` and not with `EXIT_BT` alone.
#[test]
fn a_pseudonyms_packets_are_ipv8_packets_to_an_exit() {
    let tunnel = TUNNEL_ID.prefix();
    for id in [IDENTITY_ID, WALLET_COMMUNITY_ID] {
        let packet = [&id.prefix()[..], &[2; 60]].concat();
        assert_eq!(packet[..2], [0, 2]);
        assert!(could_be_ipv8(&packet));
        assert!(exit_allowed(PeerFlags::EXIT_IPV8, &tunnel, &packet));
        assert!(!exit_allowed(PeerFlags::RELAY | PeerFlags::EXIT_BT, &tunnel, &packet));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymized_pseudonym_is_seen_at_an_ipv8_exit_never_at_its_own_port() {
    let net = Network::start().await;
    let dirs = [tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir")];
    let anonymized = net.pseudonyms(&dirs[0], true);
    let plain = net.pseudonyms(&dirs[1], false);
    let alice = anonymized.load("alice", None).await.expect("alice loads");
    let bob = plain.load("bob", None).await.expect("bob loads");

    let alice_at_bob = met(&bob, &alice).await.address();
    let bob_at_alice = met(&alice, &bob).await.address();
    net.assert_hidden(&alice, alice_at_bob).await;
    assert_eq!(bob_at_alice, address(&bob.handle), "a plain pseudonym is seen at its own port");
    net.assert_bt_exit_unused();

    let tracker_view = net
        .tracker
        .with_node(|node, _| node.network().verified_peers())
        .await
        .expect("the tracker runs");
    let at_tracker = tracker_view.iter().find(|p| p.key().to_bin() == alice.public_key);
    let at_tracker = at_tracker.expect("the tracker knows alice");
    assert!(net.ipv8_exit_sockets().contains(&at_tracker.address()), "the tracker saw the exit");
    anonymized.shutdown().await;
    plain.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_anonymized_pseudonyms_attest_and_verify_through_exits_of_their_own() {
    let net = Network::start().await;
    let dirs = [tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir")];
    let (first, second) = (net.pseudonyms(&dirs[0], true), net.pseudonyms(&dirs[1], true));
    let alice = first.load("alice", None).await.expect("alice loads");
    let bob = second.load("bob", None).await.expect("bob loads");
    let bob_at_alice = met(&alice, &bob).await;
    let alice_at_bob = met(&bob, &alice).await;
    net.assert_hidden(&alice, alice_at_bob.address()).await;
    net.assert_hidden(&bob, bob_at_alice.address()).await;
    assert_ne!(alice_at_bob.address(), bob_at_alice.address(), "a circuit each");
    net.assert_bt_exit_unused();

    attest(&alice, &bob, bob_at_alice).await;
    verify(&alice, &bob, alice_at_bob).await;
    first.shutdown().await;
    second.shutdown().await;
}

/// `attester` attests `subject`'s attribute `my_attribute` = "value".
async fn attest(subject: &Pseudonym, attester: &Pseudonym, attester_peer: Peer) {
    let request = RequestAttestation {
        attester: attester_peer,
        name: "my_attribute".into(),
        format: IdFormat::Metadata,
        metadata: Vec::new(),
    };
    subject.handle.ask::<AttestationCommunity, _>(request).await.expect("asked").expect("sent");
    until("the attester is asked", || async {
        let asked = attester.handle.ask::<AttestationCommunity, _>(OutstandingAttestations);
        asked.await.expect("answers").first().cloned()
    })
    .await;
    let attest = Attest {
        subject: subject.public_key.clone(),
        name: "my_attribute".into(),
        value: b"value".to_vec(),
    };
    attester.handle.ask::<AttestationCommunity, _>(attest).await.expect("asked").expect("done");
    let credential = until("the credential is attested", || async {
        let credentials = Credentials { subject: None };
        let asked = subject.handle.ask::<IdentityCommunity, _>(credentials);
        asked.await.expect("answers").into_iter().find(|c| !c.attesters.is_empty())
    })
    .await;
    assert_eq!(credential.attesters, std::slice::from_ref(&attester.public_key));
}

/// `verifier` checks `subject`'s attested attribute against the true value and another one.
async fn verify(subject: &Pseudonym, verifier: &Pseudonym, subject_peer: Peer) {
    let credentials = Credentials { subject: None };
    let credentials = subject.handle.ask::<IdentityCommunity, _>(credentials).await.expect("ok");
    let hash = credentials[0].hash.clone().try_into().expect("20 bytes");
    let verify = Verify {
        subject: subject_peer,
        hash,
        references: vec![b"value".to_vec(), b"other".to_vec()],
        format: IdFormat::Metadata,
    };
    verifier.handle.ask::<AttestationCommunity, _>(verify).await.expect("asked").expect("sent");
    until("the subject is asked", || async {
        let asked = subject.handle.ask::<AttestationCommunity, _>(OutstandingVerifications);
        asked.await.expect("answers").first().cloned()
    })
    .await;
    let consent =
        Consent { verifier: verifier.public_key.clone(), name: "my_attribute".into(), allow: true };
    subject.handle.ask::<AttestationCommunity, _>(consent).await.expect("asked").expect("done");
    let outputs = until("the proof ends", || async {
        let outputs = verifier.handle.ask::<AttestationCommunity, _>(VerificationOutputs);
        let outputs = outputs.await.expect("answers");
        (outputs.len() == 2 && outputs.iter().all(|o| o.matches.is_some())).then_some(outputs)
    })
    .await;
    let matches = |r: &[u8]| outputs.iter().find(|o| o.reference == r).and_then(|o| o.matches);
    assert!(matches(b"value").expect("an output") > 0.99, "{outputs:?}");
    assert!(matches(b"other").expect("an output") < 0.99, "{outputs:?}");
}
