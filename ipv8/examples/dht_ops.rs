//! Our DHT data structures, timed the way `xtask/py/dht_ops.py` times py-ipv8's: adding 1000 nodes
//! to a fresh routing table, and the 8 closest nodes of a filled one (best of five rounds). Prints
//! one JSON line; `cargo xtask bench-dht` runs both and prints the ratios.
//!
//! ```sh
//! cargo run --release -p ipv8 --example dht_ops
//! ```

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Instant;

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::dht::{NodeId, RoutingNode, RoutingTable};
use ipv8::proto::{Peer, Rng};

/// Microseconds per call of `f`, the best of five rounds of `repeat` calls.
fn per_call(repeat: u32, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..repeat {
                f();
            }
            start.elapsed().as_secs_f64() / f64::from(repeat)
        })
        .fold(f64::INFINITY, f64::min)
        * 1e6
}

fn random_id(rng: &mut Rng) -> NodeId {
    let mut id = [0; 20];
    for byte in &mut id {
        *byte = rng.next_u64().to_be_bytes()[0];
    }
    NodeId::from(id)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng::new(1);
    let mut nodes = Vec::new();
    for i in 0..1000_u32 {
        let key = PrivateKey::generate(Curve::Curve25519)?.public_key();
        let address = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(0x0a00_0000 + i), 8090));
        nodes.push(RoutingNode::new(Peer::new(key, address)));
    }
    let me = random_id(&mut rng);
    let now = Instant::now();
    let fill = || {
        let mut table = RoutingTable::new(me);
        for node in &nodes {
            table.add(node.clone(), now);
        }
        table
    };
    let add = per_call(20, || {
        black_box(fill());
    });
    let table = fill();
    let targets: Vec<NodeId> = (0..64).map(|_| random_id(&mut rng)).collect();
    let mut next = 0;
    let closest = per_call(2000, || {
        next = (next + 1) % targets.len();
        black_box(table.closest_nodes(&targets[next], 8, None, now));
    });
    println!(
        "{{\"implementation\": \"rust-ipv8\", \"add_1000_us\": {add:.1}, \"table_size\": {}, \"closest_8_us\": {closest:.2}}}",
        table.len()
    );
    Ok(())
}
