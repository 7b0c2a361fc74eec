//! Port of the seed's custom packet handling idea: a community that handles its own raw packet
//! format next to ordinary `#[payload]` messages.
//!
//! `Community::on_packet` sees every packet under the community's prefix first. This community
//! takes the packets with its own message id, `RAW_ID`, apart by hand and lets `self.dispatch`
//! hand everything else to the `#[lazy_handler]`s. A raw packet is
//!
//! ```text
//! prefix (22) | RAW_ID (1) | key length (u16) | key | text length (u16) | text | signature
//! ```
//!
//! and the signature, made with the sender's `PrivateKey`, covers everything before it. Node 0
//! sends node 1 a raw packet, a tampered copy, a cut-off copy and an ordinary message; node 1
//! prints what arrived and what it refused. Senders are named by node index: keys are random.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_raw_packets
//! ```

use std::time::Duration;

use ipv8::crypto::{PrivateKey, PublicKey};
use ipv8::proto::{
    Community, CommunityId, Context, Dispatch, DropReason, Incoming, PREFIX_LEN, Peer,
};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

/// The message id of the hand-made format; any id without a handler and outside discovery's.
const RAW_ID: u8 = 42;

/// An ordinary message, signed and decoded by the generated code.
#[payload(msg_id = 1)]
struct Note {
    text: String,
}

/// What arrived, in order.
enum Arrival {
    Raw(PublicKey, String),
    Note(Peer, String),
}

/// The community: it signs its raw packets with `signer` and records what arrives.
#[derive(Default)]
struct RawPackets {
    signer: Option<PrivateKey>,
    arrivals: Vec<Arrival>,
}

#[community]
impl RawPackets {
    #[lazy_handler]
    fn on_note(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Note) {
        self.arrivals.push(Arrival::Note(peer.clone(), payload.text));
    }
}

impl Community for RawPackets {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"raw packets tutorial")
    }

    fn on_packet(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        if incoming.msg_id() != RAW_ID {
            return self.dispatch(ctx, incoming);
        }
        let (key, text) = parse_raw(incoming.data())?;
        self.arrivals.push(Arrival::Raw(key, text));
        Ok(())
    }
}

impl RawPackets {
    /// A signed raw packet carrying `text`.
    fn build_raw(&self, ctx: &Context<'_, Self>, text: &str) -> Vec<u8> {
        let signer = self.signer.as_ref().expect("a signing key");
        let mut packet = ctx.prefix().to_vec();
        packet.push(RAW_ID);
        put_field(&mut packet, signer.public_key().to_bin());
        put_field(&mut packet, text.as_bytes());
        let signature = signer.sign(&packet);
        packet.extend_from_slice(&signature);
        packet
    }
}

/// Appends a `u16` big-endian length and then `bytes`.
fn put_field(packet: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).expect("a short field");
    packet.extend_from_slice(&len.to_be_bytes());
    packet.extend_from_slice(bytes);
}

/// Splits a length-prefixed field off the front of `rest`.
fn take_field<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], DropReason> {
    let (len, tail) = rest.split_first_chunk::<2>().ok_or(DropReason::TooShort)?;
    let len = usize::from(u16::from_be_bytes(*len));
    let (field, tail) = tail.split_at_checked(len).ok_or(DropReason::TooShort)?;
    *rest = tail;
    Ok(field)
}

/// Checks a raw packet's signature and returns its sender's key and text. Nothing is trusted
/// before the signature verifies.
fn parse_raw(data: &[u8]) -> Result<(PublicKey, String), DropReason> {
    let mut rest = data.get(PREFIX_LEN + 1..).ok_or(DropReason::TooShort)?;
    let key = PublicKey::from_bin(take_field(&mut rest)?).map_err(|_| DropReason::InvalidKey)?;
    let text = take_field(&mut rest)?;
    if rest.len() != key.signature_len() {
        return Err(DropReason::TooShort);
    }
    let signed = &data[..data.len() - rest.len()];
    if !key.verify(signed, rest) {
        return Err(DropReason::BadSignature);
    }
    let text = String::from_utf8(text.to_vec()).map_err(|_| DropReason::Refused("not utf-8"))?;
    Ok((key, text))
}

/// Node 0 sends `packet` to node 1 as it is, and the network delivers it.
fn send_raw(net: &mut TestNetwork<RawPackets>, packet: Vec<u8>) {
    let to = net.address(1);
    net.with_overlay(0, |_, ctx| ctx.send_raw(to, packet));
    net.advance(Duration::from_millis(10));
}

/// Print what node 1 received since the last report, naming senders by node index, and what it
/// refused so far.
fn report(net: &mut TestNetwork<RawPackets>) {
    let arrivals = net.with_overlay(1, |community, _| std::mem::take(&mut community.arrivals));
    let name = |key: &PublicKey| match (0..net.len()).position(|j| net.public_key(j) == key) {
        Some(j) => format!("node {j}"),
        None => "an unknown key".to_owned(),
    };
    for arrival in arrivals {
        match arrival {
            Arrival::Raw(key, text) => println!("raw packet from {}: {text:?}", name(&key)),
            Arrival::Note(peer, text) => {
                println!("Note message from {}: {text:?}", name(peer.key()));
            }
        }
    }
    let dropped = &net.node(1).stats().dropped;
    println!("refused so far: {dropped:?}");
}

fn main() {
    let mut net = TestNetwork::with_config(SimConfig::new(5), 2, |_| RawPackets::default());
    // Each community signs its raw packets with its node's identity key.
    for i in 0..net.len() {
        let key = net.private_key(i).clone();
        net.with_overlay(i, |community, _| community.signer = Some(key));
    }

    let packet = net.with_overlay(0, |community, ctx| community.build_raw(ctx, "hello, raw world"));
    let mut tampered = packet.clone();
    let last_text_byte = tampered.len() - net.public_key(0).signature_len() - 1;
    tampered[last_text_byte] ^= b'd' ^ b'D';
    let cut_off = packet[..packet.len() - 1].to_vec();

    println!("-- node 0 sends a raw packet --");
    send_raw(&mut net, packet);
    report(&mut net);

    println!("-- node 0 sends a tampered copy and a cut-off copy --");
    send_raw(&mut net, tampered);
    send_raw(&mut net, cut_off);
    report(&mut net);

    println!("-- node 0 sends an ordinary message --");
    let peer1 = net.peer(1);
    net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &Note { text: "hello, handler".into() }));
    net.advance(Duration::from_millis(10));
    report(&mut net);
}
