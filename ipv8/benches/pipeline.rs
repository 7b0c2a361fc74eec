//! The in-process receive pipeline: `Node::handle_datagram` (prefix routing, decode, signature check,
//! dispatch to a handler) for unsigned and signed messages, beside a bare signature verification.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;

#[path = "support/sink.rs"]
mod sink;

use sink::{Clock, Sink, UnsignedClock};

fn node(now: Instant) -> Node {
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).expect("key"), 1, now);
    node.add_community(now, Sink::default()).expect("added");
    node
}

fn pipeline(c: &mut Criterion) {
    let now = Instant::now();
    let from: SocketAddr = "127.0.0.1:8090".parse().expect("address");
    let mut sender = node(now);
    let (signed, unsigned) = sender
        .with_community::<Sink, _>(now, |_, ctx| {
            ctx.try_ez_send(from, &Clock { clock: 1 }).expect("encodes");
            ctx.ez_send_unsigned(from, &UnsignedClock { clock: 1 });
        })
        .map(|()| {
            (
                sender.poll_transmit().expect("signed").contents,
                sender.poll_transmit().expect("unsigned").contents,
            )
        })
        .expect("running");
    let key = sender.public_key().clone();
    let (body, signature) = signed.split_at(signed.len() - 64);

    let mut receiver = node(now);
    let mut group = c.benchmark_group("receive");
    group.throughput(Throughput::Elements(1));
    group.bench_function("unsigned", |b| {
        b.iter(|| receiver.handle_datagram(now, from, black_box(&unsigned)));
    });
    group.bench_function("signed", |b| {
        b.iter(|| receiver.handle_datagram(now, from, black_box(&signed)));
    });
    let batch: Vec<(SocketAddr, &[u8])> = (0..64).map(|_| (from, signed.as_slice())).collect();
    group.throughput(Throughput::Elements(64));
    group.bench_function("signed_batch_of_64", |b| {
        b.iter(|| receiver.handle_datagrams(now, black_box(&batch)));
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_only", |b| {
        b.iter(|| key.verify(black_box(body), black_box(signature)));
    });
    group.finish();
    assert!(receiver.community::<Sink>().is_some_and(|sink| sink.total > 0));
    assert_eq!(receiver.stats().dropped.values().sum::<u64>(), 0, "no packet was dropped");
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
