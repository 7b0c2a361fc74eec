//! The DHT's data structures: adding nodes to a routing table, finding the closest nodes in a full
//! one, storing and reading values, and a crawl's bookkeeping per response.

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ipv8::crypto::{PrivateKey, PublicKey};
use ipv8::proto::dht::{Crawl, NodeId, RoutingNode, RoutingTable, Storage, Value};
use ipv8::proto::{Peer, Rng};

/// `n` peers with curve25519 keys from a seeded generator, at distinct addresses.
fn peers(n: u32, rng: &mut Rng) -> Vec<Peer> {
    (0..n)
        .map(|i| {
            let mut bin = b"LibNaCLSK:".to_vec();
            bin.extend((0..64).map(|_| rng.next_u64() as u8));
            let key: PublicKey = PrivateKey::from_bin(&bin).expect("a key").public_key();
            Peer::new(key, SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(0x0a00_0000 + i), 8090)))
        })
        .collect()
}

fn random_id(rng: &mut Rng) -> NodeId {
    let mut id = [0; 20];
    for byte in &mut id {
        *byte = rng.next_u64() as u8;
    }
    NodeId::from(id)
}

fn routing(c: &mut Criterion) {
    let mut rng = Rng::new(1);
    let nodes: Vec<RoutingNode> = peers(1000, &mut rng).into_iter().map(RoutingNode::new).collect();
    let me = random_id(&mut rng);
    let now = Instant::now();
    c.bench_function("routing table: add 1000 nodes", |b| {
        b.iter_batched(
            || RoutingTable::new(me),
            |mut table| {
                for node in &nodes {
                    table.add(node.clone(), now);
                }
                table
            },
            BatchSize::SmallInput,
        );
    });
    let mut table = RoutingTable::new(me);
    for node in &nodes {
        table.add(node.clone(), now);
    }
    let targets: Vec<NodeId> = (0..64).map(|_| random_id(&mut rng)).collect();
    let mut next = 0;
    c.bench_function(&format!("routing table: 8 closest of {}", table.len()), |b| {
        b.iter(|| {
            next = (next + 1) % targets.len();
            black_box(table.closest_nodes(&targets[next], 8, None, now).len())
        });
    });
}

fn storage(c: &mut Criterion) {
    let now = Instant::now();
    let hour = Duration::from_secs(3600);
    let values: Vec<Vec<u8>> =
        (0..1000_u32).map(|i| Value::unsigned(&i.to_be_bytes()).expect("a value")).collect();
    c.bench_function("storage: put 1000 values under 1000 keys", |b| {
        b.iter_batched(
            Storage::default,
            |mut storage| {
                for (i, value) in values.iter().enumerate() {
                    let mut key = [0; 20];
                    key[..8].copy_from_slice(&(i as u64).to_be_bytes());
                    let _ = storage.put(key, value.clone(), hour, now);
                }
                storage
            },
            BatchSize::SmallInput,
        );
    });
    let mut storage = Storage::default();
    for value in values.iter().take(64) {
        let _ = storage.put([1; 20], value.clone(), hour, now);
    }
    c.bench_function("storage: get 8 of 64 values", |b| {
        b.iter(|| black_box(storage.get(&[1; 20], 8, 8).len()));
    });
}

fn crawl(c: &mut Criterion) {
    let mut rng = Rng::new(2);
    let all = peers(200, &mut rng);
    let target = random_id(&mut rng);
    c.bench_function("crawl: 24 responses of 8 nodes", |b| {
        b.iter(|| {
            let mut crawl = Crawl::new(target, all.iter().take(8).cloned().collect());
            let mut offset = 8;
            while let Some(asked) = crawl.next_request() {
                let named = all.iter().cycle().skip(offset).take(8).cloned().collect();
                offset = (offset + 8) % all.len();
                crawl.on_nodes(&asked.id, named);
            }
            black_box(crawl.nodes().len())
        });
    });
}

criterion_group!(benches, routing, storage, crawl);
criterion_main!(benches);
