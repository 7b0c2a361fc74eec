//! The receive pipeline as an instruction count, which repeats exactly on a busy machine where
//! wall-clock benchmarks do not: run it under callgrind with a mode and a count, once with count 0
//! for the setup, and divide the difference by the count.
//!
//! ```sh
//! cargo build --release -p ipv8 --example pipeline_icount
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/pipeline_icount unsigned 20000   # and: unsigned 0, signed 500, signed 0
//! ```
use std::net::SocketAddr;
use std::time::Instant;

use ipv8::crypto::PrivateKey;
use ipv8::proto::Node;

#[path = "../benches/support/sink.rs"]
mod sink;

use sink::{Clock, Sink, UnsignedClock};

fn key(byte: u8) -> PrivateKey {
    let bin = [b"LibNaCLSK:".as_slice(), &[byte; 64]].concat();
    PrivateKey::from_bin(&bin).expect("64 bytes after LibNaCLSK: are a curve25519 key")
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let count: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    let now = Instant::now();
    let from = SocketAddr::from(([127, 0, 0, 1], 8090));
    let mut sender = Node::new(key(7), 1, now);
    sender.add_community(now, Sink::default()).expect("a fresh node");
    sender.with_community::<Sink, _>(now, |_, ctx| {
        ctx.ez_send(from, &Clock { clock: 1 });
        ctx.ez_send_unsigned(from, &UnsignedClock { clock: 1 });
    });
    let signed = sender.poll_transmit().expect("the signed clock").contents;
    let unsigned = sender.poll_transmit().expect("the unsigned clock").contents;
    let mut receiver = Node::new(key(9), 2, now);
    receiver.add_community(now, Sink::default()).expect("a fresh node");
    let packet = if mode == "signed" { &signed } else { &unsigned };
    for _ in 0..count {
        receiver.handle_datagram(now, from, std::hint::black_box(packet));
    }
    println!("{}", receiver.community::<Sink>().map_or(0, |sink| sink.total));
}
