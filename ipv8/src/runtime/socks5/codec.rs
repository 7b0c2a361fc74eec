//! The SOCKS5 bytes both ends share (RFC 1928): addresses, the header of UDP datagrams to and from
//! a relay, and reads and writes of exact lengths on a TCP control connection.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpStream;

use crate::wire::format::Address;

/// The protocol version, first byte of every message on the control connection.
pub(super) const VERSION: u8 = 5;
/// Address types (`ATYP`).
pub(super) const ATYP_IPV4: u8 = 1;
pub(super) const ATYP_NAME: u8 = 3;
pub(super) const ATYP_IPV6: u8 = 4;
/// The `UDP ASSOCIATE` command.
pub(super) const UDP_ASSOCIATE: u8 = 3;
/// The "no authentication required" method.
pub(super) const NO_AUTHENTICATION: u8 = 0;
/// The longest UDP header: `RSV(2) FRAG ATYP`, an IPv6 address and a port.
const MAX_IP_HEADER: usize = 4 + 16 + 2;

/// Why a UDP datagram does not carry a usable SOCKS5 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HeaderError {
    /// Shorter than the header it announces.
    #[error("the datagram ends inside its SOCKS5 header")]
    Truncated,
    /// The reserved bytes are not zero.
    #[error("the reserved bytes of the SOCKS5 header are not zero")]
    Reserved,
    /// A fragment (`FRAG` not zero); fragmentation is not supported.
    #[error("SOCKS5 fragments are not supported")]
    Fragment,
    /// An address type other than IPv4, a name or IPv6.
    #[error("unknown SOCKS5 address type {0}")]
    AddressType(u8),
    /// A host name where an IP address is needed, or a name that is not UTF-8.
    #[error("the SOCKS5 header names a host where an IP address is needed")]
    Name,
}

/// Appends `ATYP ADDR PORT` for `address` (an IPv4-mapped IPv6 address as IPv4).
pub(super) fn push_address(out: &mut Vec<u8>, address: SocketAddr) {
    match address.ip().to_canonical() {
        IpAddr::V4(ip) => {
            out.push(ATYP_IPV4);
            out.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            out.push(ATYP_IPV6);
            out.extend_from_slice(&ip.octets());
        }
    }
    out.extend_from_slice(&address.port().to_be_bytes());
}

/// The UDP datagram `RSV(2) FRAG(0) ATYP ADDR PORT DATA` for `address`.
pub(crate) fn wrap(address: SocketAddr, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_IP_HEADER + data.len());
    out.extend_from_slice(&[0, 0, 0]);
    push_address(&mut out, address);
    out.extend_from_slice(data);
    out
}

/// The address and data of a SOCKS5 UDP datagram (the address may be a host name).
pub(super) fn unwrap(datagram: &[u8]) -> Result<(Address, &[u8]), HeaderError> {
    let (&[r1, r2, frag, atyp], rest) =
        datagram.split_first_chunk::<4>().ok_or(HeaderError::Truncated)?;
    if (r1, r2) != (0, 0) {
        return Err(HeaderError::Reserved);
    }
    if frag != 0 {
        return Err(HeaderError::Fragment);
    }
    let (host, rest): (Result<IpAddr, String>, &[u8]) = match atyp {
        ATYP_IPV4 => {
            let (ip, rest) = rest.split_first_chunk::<4>().ok_or(HeaderError::Truncated)?;
            (Ok(Ipv4Addr::from(*ip).into()), rest)
        }
        ATYP_IPV6 => {
            let (ip, rest) = rest.split_first_chunk::<16>().ok_or(HeaderError::Truncated)?;
            (Ok(Ipv6Addr::from(*ip).into()), rest)
        }
        ATYP_NAME => {
            let (&len, rest) = rest.split_first().ok_or(HeaderError::Truncated)?;
            let (name, rest) =
                rest.split_at_checked(usize::from(len)).ok_or(HeaderError::Truncated)?;
            let name = String::from_utf8(name.to_vec()).map_err(|_| HeaderError::Name)?;
            (Err(name), rest)
        }
        other => return Err(HeaderError::AddressType(other)),
    };
    let (port, data) = rest.split_first_chunk::<2>().ok_or(HeaderError::Truncated)?;
    let port = u16::from_be_bytes(*port);
    let address = match host {
        Ok(ip) => Address::Ip(SocketAddr::new(ip, port)),
        Err(host) => Address::Host { host, port },
    };
    Ok((address, data))
}

/// The IP address and data of a SOCKS5 UDP datagram; a host name is refused.
pub(crate) fn unwrap_ip(datagram: &[u8]) -> Result<(SocketAddr, &[u8]), HeaderError> {
    match unwrap(datagram)? {
        (Address::Ip(address), data) => Ok((address, data)),
        (Address::Host { .. }, _) => Err(HeaderError::Name),
    }
}

/// Reads exactly `len` bytes (tokio's `io-util` is not among this crate's features).
pub(super) async fn read_exact(stream: &TcpStream, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    let mut filled = 0;
    while filled < len {
        stream.readable().await?;
        match stream.try_read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(buf)
}

/// Reads one byte.
pub(super) async fn read_u8(stream: &TcpStream) -> io::Result<u8> {
    let byte = read_exact(stream, 1).await?;
    byte.first().copied().ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

/// Writes all of `data`.
pub(super) async fn write_all(stream: &TcpStream, data: &[u8]) -> io::Result<()> {
    let mut written = 0;
    while written < data.len() {
        stream.writable().await?;
        match stream.try_write(data.get(written..).unwrap_or_default()) {
            Ok(n) => written += n,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Reads the `ATYP ADDR PORT` of a request or reply (`ATYP` given): the address, `None` for a host
/// name; an unknown type is [`io::ErrorKind::InvalidData`].
pub(super) async fn read_address(stream: &TcpStream, atyp: u8) -> io::Result<Option<SocketAddr>> {
    let len = match atyp {
        ATYP_IPV4 => 4,
        ATYP_IPV6 => 16,
        ATYP_NAME => usize::from(read_u8(stream).await?),
        _ => return Err(io::ErrorKind::InvalidData.into()),
    };
    let bytes = read_exact(stream, len + 2).await?;
    let (host, port) = bytes.split_at(len);
    let port = u16::from_be_bytes([port[0], port[1]]);
    let ip: IpAddr = match (atyp, <[u8; 4]>::try_from(host), <[u8; 16]>::try_from(host)) {
        (ATYP_IPV4, Ok(v4), _) => v4.into(),
        (ATYP_IPV6, _, Ok(v6)) => v6.into(),
        _ => return Ok(None),
    };
    Ok(Some(SocketAddr::new(ip, port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_round_trip_with_each_address_type() {
        let origin: SocketAddr = "10.1.2.3:6881".parse().unwrap();
        let datagram = wrap(origin, b"payload");
        assert_eq!(datagram[..10], [0, 0, 0, 1, 10, 1, 2, 3, 0x1a, 0xe1]);
        assert_eq!(unwrap(&datagram), Ok((Address::Ip(origin), &b"payload"[..])));
        assert_eq!(unwrap_ip(&datagram), Ok((origin, &b"payload"[..])));
        let v6: SocketAddr = "[2001:db8::1]:53".parse().unwrap();
        assert_eq!(wrap(v6, b"").len(), MAX_IP_HEADER);
        assert_eq!(unwrap_ip(&wrap(v6, b"")), Ok((v6, &b""[..])));
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:9".parse().unwrap();
        assert_eq!(wrap(mapped, b"x")[3], ATYP_IPV4, "a mapped address goes as IPv4");
        let named = [&[0, 0, 0, 3, 4][..], b"host", &[0, 80], b"x"].concat();
        let host = Address::Host { host: "host".into(), port: 80 };
        assert_eq!(unwrap(&named), Ok((host, &b"x"[..])));
        assert_eq!(unwrap_ip(&named), Err(HeaderError::Name), "a relay must name IP addresses");
    }

    #[test]
    fn malformed_headers_are_refused_and_never_panic() {
        let datagram = wrap("127.0.0.1:8090".parse().unwrap(), b"data");
        let mut fragment = datagram.clone();
        fragment[2] = 1;
        assert_eq!(unwrap_ip(&fragment), Err(HeaderError::Fragment));
        let mut reserved = datagram.clone();
        reserved[0] = 1;
        assert_eq!(unwrap_ip(&reserved), Err(HeaderError::Reserved));
        assert_eq!(unwrap_ip(&[0, 0, 0, 9, 1, 2]), Err(HeaderError::AddressType(9)));
        assert_eq!(unwrap_ip(&[0, 0, 0, 3, 200, b'a']), Err(HeaderError::Truncated));
        assert_eq!(unwrap_ip(&[0, 0, 0, 3, 1, 0xff, 0, 1]), Err(HeaderError::Name));
        for len in 0..10 {
            assert_eq!(unwrap_ip(&datagram[..len]), Err(HeaderError::Truncated), "{len} bytes");
        }
        assert_eq!(unwrap_ip(&datagram[..10]), Ok(("127.0.0.1:8090".parse().unwrap(), &[][..])));
        // Every prefix and every byte value in each header position: an answer, never a panic.
        for at in 0..10 {
            for byte in 0..=255 {
                let mut changed = datagram.clone();
                changed[at] = byte;
                for len in 0..=changed.len() {
                    let _ = unwrap(&changed[..len]);
                }
            }
        }
    }
}
