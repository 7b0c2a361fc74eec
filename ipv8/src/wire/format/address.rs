//! Address formats: `ipv4`, `address` (IPv4, IPv6 or a host name) and `ip_address` (IPv4 or IPv6).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::{Format, VarlenHUtf8};
use crate::wire::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Reader};

const TYPE_IPV4: u8 = 1;
const TYPE_HOST: u8 = 2;
const TYPE_IPV6: u8 = 3;

/// `ipv4`: four address bytes and a `u16` port, 6 bytes in all.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4;

impl Format<SocketAddrV4> for Ipv4 {
    #[inline]
    fn encode(value: &SocketAddrV4, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&value.ip().octets());
        out.extend_from_slice(&value.port().to_be_bytes());
        Ok(())
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<SocketAddrV4, DecodeError> {
        let ip: [u8; 4] = reader.read_array()?;
        Ok(SocketAddrV4::new(Ipv4Addr::from(ip), reader.read_u16()?))
    }
    #[inline]
    fn encoded_len(_: &SocketAddrV4) -> usize {
        6
    }
}

/// An `address` value: an IP socket address or a host name with a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// An IPv4 or IPv6 socket address.
    Ip(SocketAddr),
    /// A host name to be resolved, with a port.
    Host {
        /// The host name.
        host: String,
        /// The UDP port.
        port: u16,
    },
}

impl From<SocketAddr> for Address {
    fn from(addr: SocketAddr) -> Self {
        Self::Ip(addr)
    }
}

/// `address`: a type byte (1 IPv4, 2 host name, 3 IPv6), then the address and a `u16` port.
#[derive(Debug, Clone, Copy)]
pub struct AddressFmt;

impl Format<Address> for AddressFmt {
    fn encode(value: &Address, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match value {
            Address::Ip(addr) => IpAddress::encode(addr, out),
            Address::Host { host, port } => {
                out.push(TYPE_HOST);
                VarlenHUtf8::encode(host, out)?;
                out.extend_from_slice(&port.to_be_bytes());
                Ok(())
            }
        }
    }
    fn decode(reader: &mut Reader<'_>) -> Result<Address, DecodeError> {
        match reader.read_u8()? {
            TYPE_HOST => {
                let host = VarlenHUtf8::decode(reader)?;
                Ok(Address::Host { host, port: reader.read_u16()? })
            }
            kind => decode_ip(kind, reader).map(Address::Ip),
        }
    }
    fn encoded_len(value: &Address) -> usize {
        match value {
            Address::Ip(addr) => IpAddress::encoded_len(addr),
            Address::Host { host, .. } => 1 + 2 + host.len() + 2,
        }
    }
}

impl Format<SocketAddr> for AddressFmt {
    fn encode(value: &SocketAddr, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        IpAddress::encode(value, out)
    }
    fn decode(reader: &mut Reader<'_>) -> Result<SocketAddr, DecodeError> {
        match <Self as Format<Address>>::decode(reader)? {
            Address::Ip(addr) => Ok(addr),
            Address::Host { .. } => Err(DecodeError::new(DecodeErrorKind::HostNameNotAllowed)),
        }
    }
    fn encoded_len(value: &SocketAddr) -> usize {
        IpAddress::encoded_len(value)
    }
}

/// `ip_address`: as `address`, but host names are refused; used by the new-style discovery messages.
#[derive(Debug, Clone, Copy)]
pub struct IpAddress;

impl Format<SocketAddr> for IpAddress {
    #[inline]
    fn encode(value: &SocketAddr, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match value {
            SocketAddr::V4(v4) => {
                out.push(TYPE_IPV4);
                Ipv4::encode(v4, out)
            }
            SocketAddr::V6(v6) => {
                out.push(TYPE_IPV6);
                out.extend_from_slice(&v6.ip().octets());
                out.extend_from_slice(&v6.port().to_be_bytes());
                Ok(())
            }
        }
    }
    #[inline]
    fn decode(reader: &mut Reader<'_>) -> Result<SocketAddr, DecodeError> {
        let kind = reader.read_u8()?;
        decode_ip(kind, reader)
    }
    #[inline]
    fn encoded_len(value: &SocketAddr) -> usize {
        if value.is_ipv4() { 7 } else { 19 }
    }
}

fn decode_ip(kind: u8, reader: &mut Reader<'_>) -> Result<SocketAddr, DecodeError> {
    match kind {
        TYPE_IPV4 => Ipv4::decode(reader).map(SocketAddr::V4),
        TYPE_IPV6 => {
            let ip: [u8; 16] = reader.read_array()?;
            let port = reader.read_u16()?;
            Ok(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, 0, 0)))
        }
        TYPE_HOST => Err(DecodeError::new(DecodeErrorKind::HostNameNotAllowed)),
        other => Err(DecodeError::new(DecodeErrorKind::UnknownAddressType(other))),
    }
}

impl Format<SocketAddr> for Ipv4 {
    fn encode(value: &SocketAddr, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match value {
            SocketAddr::V4(v4) => Self::encode(v4, out),
            SocketAddr::V6(_) => Err(EncodeError::new(EncodeErrorKind::NotIpv4(*value))),
        }
    }
    fn decode(reader: &mut Reader<'_>) -> Result<SocketAddr, DecodeError> {
        <Self as Format<SocketAddrV4>>::decode(reader).map(SocketAddr::V4)
    }
    fn encoded_len(_: &SocketAddr) -> usize {
        6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_address_refuses_host_names_both_ways() {
        let bytes = [2, 0, 1, b'a', 0, 53];
        let err = IpAddress::decode(&mut Reader::new(&bytes)).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::HostNameNotAllowed);
        let host = Address::Host { host: "a".into(), port: 53 };
        let decoded: Address = AddressFmt::decode(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(decoded, host);
    }

    #[test]
    fn unknown_address_type_is_an_error() {
        let err = IpAddress::decode(&mut Reader::new(&[9, 1, 2, 3, 4, 0, 80])).unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::UnknownAddressType(9));
    }

    #[test]
    fn ipv4_refuses_ipv6_on_encode() {
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        let err = <Ipv4 as Format<SocketAddr>>::encode(&v6, &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), &EncodeErrorKind::NotIpv4(v6));
    }
}
