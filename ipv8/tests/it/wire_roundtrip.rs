//! Property tests: for every wire format and every built-in payload, `decode(encode(x)) == x`, the
//! encoded length is what `encoded_len` promised, and no prefix of the bytes decodes without error
//! (a truncated packet is refused, never mis-read).

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use ipv8::messages::discovery::{
    PingPayload, PongPayload, SimilarityRequestPayload, SimilarityResponsePayload,
};
use ipv8::messages::{
    BinMemberAuthenticationPayload, GlobalTimeDistributionPayload, IntroductionRequestPayload,
    IntroductionResponsePayload, NewIntroductionRequestPayload, NewIntroductionResponsePayload,
    NewPuncturePayload, NewPunctureRequestPayload, PuncturePayload, PunctureRequestPayload,
};
use ipv8::wire::format::{self, Address};
use ipv8::wire::{Format, Payload, Reader};
use proptest::collection::vec;
use proptest::prelude::*;

fn check_format<F: Format<T>, T: PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let mut bytes = Vec::new();
    F::encode(value, &mut bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(bytes.len(), F::encoded_len(value));
    let mut reader = Reader::new(&bytes);
    prop_assert_eq!(
        &F::decode(&mut reader).map_err(|e| TestCaseError::fail(e.to_string()))?,
        value
    );
    prop_assert!(reader.is_empty());
    Ok(())
}

fn check_payload<P: Payload + PartialEq + std::fmt::Debug>(
    value: &P,
    last_is_raw: bool,
) -> Result<(), TestCaseError> {
    let bytes = value.to_bytes().map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(bytes.len(), value.encoded_len());
    prop_assert_eq!(&P::from_bytes(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?, value);
    if !last_is_raw {
        for cut in 0..bytes.len() {
            prop_assert!(
                P::from_bytes(&bytes[..cut]).is_err(),
                "{} decoded from a {cut}-byte prefix",
                P::NAME
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(P::from_bytes(&longer).is_err(), "{} accepted extra data", P::NAME);
    }
    Ok(())
}

fn v4() -> impl Strategy<Value = SocketAddrV4> {
    (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddrV4::new(ip.into(), port))
}

fn ip() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        v4().prop_map(SocketAddr::V4),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(ip),
            port,
            0,
            0
        ))),
    ]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

proptest! {
    #[test]
    fn fixed_formats(a: bool, b: u8, h: u16, i: u32, l: i32, q: i64, big: u64, t: (u8, u8, u16), six: (u64, u64, u16, u16, u8, u16)) {
        check_format::<format::Bool, _>(&a)?;
        check_format::<format::U8, _>(&b)?;
        check_format::<format::Char, _>(&b)?;
        check_format::<format::U16, _>(&h)?;
        check_format::<format::U32, _>(&i)?;
        check_format::<format::I32, _>(&l)?;
        check_format::<format::I64, _>(&q)?;
        check_format::<format::U64, _>(&big)?;
        check_format::<format::Bbh, _>(&t)?;
        check_format::<format::Bh, _>(&(t.0, t.2))?;
        check_format::<format::Hh, _>(&(h, t.2))?;
        check_format::<format::Ll, _>(&(i, i ^ 1))?;
        check_format::<format::Qh, _>(&(big, h))?;
        check_format::<format::Ql, _>(&(big, i))?;
        check_format::<format::Qqhhbh, _>(&six)?;
        check_format::<format::Ccb, _>(&(t.0, t.1, b))?;
        check_format::<format::Bits, _>(&b)?;
    }

    #[test]
    fn float_formats(f in any::<f32>().prop_filter("not NaN", |f| !f.is_nan()), d in any::<f64>().prop_filter("not NaN", |d| !d.is_nan())) {
        check_format::<format::F32, _>(&f)?;
        check_format::<format::F64, _>(&d)?;
        check_format::<format::ArrayD, _>(&vec![d, -d])?;
    }

    #[test]
    fn byte_string_formats(raw in bytes(300), id: [u8; 20], flags: [bool; 8], s4: [u8; 4], port: u16, list in vec(bytes(40), 0..20)) {
        check_format::<format::FixedBytes<20>, _>(&id)?;
        check_format::<format::C20s, _>(&(b'Y', id))?;
        check_format::<format::S4h, _>(&(s4, port))?;
        check_format::<format::Bits, _>(&flags)?;
        check_format::<format::Raw, _>(&raw)?;
        check_format::<format::VarlenH, _>(&raw)?;
        check_format::<format::VarlenI, _>(&raw)?;
        let even = raw[..raw.len() / 2 * 2].to_vec();
        check_format::<format::VarlenBx2, _>(&even)?;
        let ids = raw[..raw.len() / 20 * 20].to_vec();
        check_format::<format::VarlenHx20, _>(&ids)?;
        check_format::<format::VarlenHx20, _>(&vec![id, id])?;
        check_format::<format::VarlenHList, _>(&list)?;
    }

    #[test]
    fn string_and_array_formats(text in ".{0,40}", nums: Vec<i64>, flags: Vec<bool>) {
        check_format::<format::VarlenHUtf8, _>(&text)?;
        check_format::<format::VarlenIUtf8, _>(&text)?;
        check_format::<format::ArrayQ, _>(&nums)?;
        check_format::<format::ArrayBool, _>(&flags)?;
    }

    #[test]
    fn address_formats(v4 in v4(), ip in ip(), host in "[a-z0-9.-]{1,30}", port: u16) {
        check_format::<format::Ipv4, _>(&v4)?;
        check_format::<format::IpAddress, _>(&ip)?;
        check_format::<format::AddressFmt, Address>(&Address::Ip(ip))?;
        check_format::<format::AddressFmt, Address>(&Address::Host { host, port })?;
    }

    #[test]
    fn nested_formats(items in vec(any::<u64>(), 0..10)) {
        let items: Vec<_> = items.into_iter().map(|global_time| GlobalTimeDistributionPayload { global_time }).collect();
        check_format::<format::NestedList, _>(&items)?;
        for item in &items {
            check_format::<format::Nested, _>(item)?;
        }
    }

    #[test]
    fn core_payloads(key in bytes(200), gt: u64, a in v4(), b in v4(), c in v4(), d in v4(), e in v4(), flags: u8, id: u16, extra in bytes(30)) {
        check_payload(&BinMemberAuthenticationPayload { public_key_bin: key }, false)?;
        check_payload(&GlobalTimeDistributionPayload { global_time: gt }, false)?;
        check_payload(&IntroductionRequestPayload { destination_address: a, source_lan_address: b, source_wan_address: c, flags, identifier: id, extra_bytes: extra.clone() }, true)?;
        check_payload(&IntroductionResponsePayload { destination_address: a, source_lan_address: b, source_wan_address: c, lan_introduction_address: d, wan_introduction_address: e, flags, identifier: id, extra_bytes: extra }, true)?;
        check_payload(&PunctureRequestPayload { lan_walker_address: a, wan_walker_address: b, identifier: id }, false)?;
        check_payload(&PuncturePayload { source_lan_address: a, source_wan_address: b, identifier: id }, false)?;
    }

    #[test]
    fn new_style_payloads(a in ip(), b in ip(), c in ip(), d in ip(), e in ip(), flags: u8, id: u16, extra in bytes(30)) {
        check_payload(&NewIntroductionRequestPayload { destination_address: a, source_lan_address: b, source_wan_address: c, identifier: id, flags, extra_bytes: extra.clone() }, true)?;
        check_payload(&NewIntroductionResponsePayload { destination_address: a, source_lan_address: b, source_wan_address: c, lan_introduction_address: d, wan_introduction_address: e, identifier: id, flags, extra_bytes: extra }, true)?;
        check_payload(&NewPunctureRequestPayload { lan_walker_address: a, wan_walker_address: b, identifier: id }, false)?;
        check_payload(&NewPuncturePayload { source_lan_address: a, source_wan_address: b, identifier: id }, false)?;
    }

    #[test]
    fn discovery_payloads(id: u16, a in v4(), b in v4(), flags: u8, prefs in vec(any::<[u8; 20]>(), 0..10), overlap in bytes(48)) {
        check_payload(&SimilarityRequestPayload { identifier: id, lan_address: a, wan_address: b, flags, preference_list: prefs.concat() }, true)?;
        check_payload(&SimilarityResponsePayload { identifier: id, preference_list: prefs, tb_overlap: overlap }, true)?;
        check_payload(&PingPayload { identifier: id }, false)?;
        check_payload(&PongPayload { identifier: id }, false)?;
    }
}
