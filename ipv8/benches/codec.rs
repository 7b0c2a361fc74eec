//! Codec benchmarks: encode and decode of an introduction-request and of a 10-field application
//! payload, and a hand-written encoder/decoder of that same layout for comparison with generated code.
//! py-ipv8's numbers for the same operations: `cargo xtask bench-py`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ipv8::messages::IntroductionRequestPayload;
use ipv8::payload;
use ipv8::wire::{DecodeError, Payload, Reader};

/// The 10-field payload also measured in py-ipv8 (`xtask/py/bench_serializer.py`).
#[payload(msg_id = 1)]
#[derive(Debug, PartialEq)]
struct App10 {
    a: i64,
    b: i64,
    c: bool,
    d: f64,
    e: String,
    f: Vec<u8>,
    g: Vec<i64>,
    #[payload(format = "I")]
    h: u32,
    #[payload(format = "H")]
    i: u16,
    j: String,
}

fn app10() -> App10 {
    App10 {
        a: 1,
        b: -2,
        c: true,
        d: 0.5,
        e: "hello".into(),
        f: vec![0, 1, 2, 3],
        g: vec![1, 2, 3],
        h: 7,
        i: 9,
        j: "world".into(),
    }
}

/// What a careful person would write by hand for `App10`'s layout.
mod hand {
    use super::{App10, DecodeError, Reader};

    pub(crate) fn encode(p: &App10, out: &mut Vec<u8>) {
        out.reserve(
            8 + 8
                + 1
                + 8
                + 2
                + p.e.len()
                + 2
                + p.f.len()
                + 2
                + 8 * p.g.len()
                + 4
                + 2
                + 2
                + p.j.len(),
        );
        out.extend_from_slice(&p.a.to_be_bytes());
        out.extend_from_slice(&p.b.to_be_bytes());
        out.push(u8::from(p.c));
        out.extend_from_slice(&p.d.to_be_bytes());
        out.extend_from_slice(&(p.e.len() as u16).to_be_bytes());
        out.extend_from_slice(p.e.as_bytes());
        out.extend_from_slice(&(p.f.len() as u16).to_be_bytes());
        out.extend_from_slice(&p.f);
        out.extend_from_slice(&(p.g.len() as u16).to_le_bytes());
        for n in &p.g {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&p.h.to_be_bytes());
        out.extend_from_slice(&p.i.to_be_bytes());
        out.extend_from_slice(&(p.j.len() as u16).to_be_bytes());
        out.extend_from_slice(p.j.as_bytes());
    }

    fn string(r: &mut Reader<'_>) -> Result<String, DecodeError> {
        let len = usize::from(r.read_u16()?);
        String::from_utf8(r.take(len)?.to_vec()).map_err(DecodeError::custom)
    }

    #[allow(clippy::many_single_char_names, reason = "the fields are named a to j")]
    pub(crate) fn decode(bytes: &[u8]) -> Result<App10, DecodeError> {
        let mut r = Reader::new(bytes);
        let a = i64::from_be_bytes(r.read_array()?);
        let b = i64::from_be_bytes(r.read_array()?);
        let c = r.read_u8()? != 0;
        let d = f64::from_be_bytes(r.read_array()?);
        let e = string(&mut r)?;
        let f_len = usize::from(r.read_u16()?);
        let f = r.take(f_len)?.to_vec();
        let g_len = usize::from(u16::from_le_bytes(r.read_array()?));
        let g =
            (0..g_len).map(|_| r.read_array().map(i64::from_le_bytes)).collect::<Result<_, _>>()?;
        let h = r.read_u32()?;
        let i = r.read_u16()?;
        let j = string(&mut r)?;
        r.finish()?;
        Ok(App10 { a, b, c, d, e, f, g, h, i, j })
    }
}

fn intro_request() -> IntroductionRequestPayload {
    IntroductionRequestPayload {
        destination_address: "198.51.100.20:8091".parse().unwrap(),
        source_lan_address: "192.168.1.10:8090".parse().unwrap(),
        source_wan_address: "203.0.113.5:8090".parse().unwrap(),
        flags: 0x01,
        identifier: 1,
        extra_bytes: Vec::new(),
    }
}

fn codec(c: &mut Criterion) {
    let request = intro_request();
    let request_bytes = request.to_bytes().unwrap();
    let app = app10();
    let app_bytes = app.to_bytes().unwrap();
    let mut hand_bytes = Vec::new();
    hand::encode(&app, &mut hand_bytes);
    assert_eq!(hand_bytes, app_bytes, "hand-written and generated layouts differ");
    assert_eq!(hand::decode(&app_bytes).unwrap(), app);

    c.bench_function("introduction_request/encode", |b| b.iter(|| black_box(&request).to_bytes()));
    let mut buffer = Vec::with_capacity(256);
    c.bench_function("introduction_request/encode_reused_buffer", |b| {
        b.iter(|| {
            buffer.clear();
            black_box(&request).encode(&mut buffer)
        });
    });
    c.bench_function("introduction_request/decode", |b| {
        b.iter(|| IntroductionRequestPayload::from_bytes(black_box(&request_bytes)));
    });
    c.bench_function("app10/encode", |b| b.iter(|| black_box(&app).to_bytes()));
    c.bench_function("app10/encode_reused_buffer", |b| {
        b.iter(|| {
            buffer.clear();
            black_box(&app).encode(&mut buffer)
        });
    });
    c.bench_function("app10/decode", |b| b.iter(|| App10::from_bytes(black_box(&app_bytes))));
    c.bench_function("app10_hand_written/encode", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            hand::encode(black_box(&app), &mut out);
            out
        });
    });
    c.bench_function("app10_hand_written/decode", |b| {
        b.iter(|| hand::decode(black_box(&app_bytes)));
    });
}

criterion_group!(benches, codec);
criterion_main!(benches);
