//! [`Interface`]: a socket to bind, py-ipv8's `interfaces` entries.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use serde::{Deserialize, Serialize};

/// The kind of an interface, py-ipv8's `interface` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transport {
    /// UDP over IPv4, `"UDPIPv4"`.
    #[serde(rename = "UDPIPv4")]
    UdpIpv4,
    /// UDP over IPv6, `"UDPIPv6"`.
    #[serde(rename = "UDPIPv6")]
    UdpIpv6,
}

impl Transport {
    /// The transport for addresses of `ip`'s family.
    #[must_use]
    pub fn of(ip: IpAddr) -> Transport {
        if ip.is_ipv4() { Transport::UdpIpv4 } else { Transport::UdpIpv6 }
    }

    /// py-ipv8's name: `UDPIPv4` or `UDPIPv6`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Transport::UdpIpv4 => "UDPIPv4",
            Transport::UdpIpv6 => "UDPIPv6",
        }
    }

    /// The address py-ipv8 binds when none is given: `0.0.0.0` or `::`.
    #[must_use]
    pub fn unspecified(self) -> IpAddr {
        match self {
            Transport::UdpIpv4 => Ipv4Addr::UNSPECIFIED.into(),
            Transport::UdpIpv6 => Ipv6Addr::UNSPECIFIED.into(),
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A socket for the node to bind: `{interface, ip, port}`.
///
/// `ip` and `port` may be left out, as py-ipv8's `set_address` and `set_port` can leave them; the
/// node then binds the unspecified address of the family and port 0 (any free port). py-ipv8 tries up
/// to 10,000 ports above a busy one.
///
/// # Examples
///
/// ```
/// use ipv8::config::{Interface, Transport};
///
/// let interface = Interface::new("127.0.0.1:8090".parse()?);
/// assert_eq!(interface.transport, Transport::UdpIpv4);
/// assert_eq!(interface.bind_address().to_string(), "127.0.0.1:8090");
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Interface {
    /// The kind of socket (py-ipv8's `interface`).
    #[serde(rename = "interface")]
    pub transport: Transport,
    /// The address to bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// The port to try first; 0 means any free port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Interface {
    /// An interface binding `address`, of the transport of its family.
    #[must_use]
    pub fn new(address: SocketAddr) -> Interface {
        Interface {
            transport: Transport::of(address.ip()),
            ip: Some(address.ip()),
            port: Some(address.port()),
        }
    }

    /// An interface of `transport` with neither address nor port set yet.
    #[must_use]
    pub fn unset(transport: Transport) -> Interface {
        Interface { transport, ip: None, port: None }
    }

    /// The address to bind, with py-ipv8's defaults filled in (unspecified address, port 0).
    #[must_use]
    pub fn bind_address(&self) -> SocketAddr {
        SocketAddr::new(self.ip.unwrap_or(self.transport.unspecified()), self.port.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts_take_py_ipv8_defaults() {
        let interface = Interface::unset(Transport::UdpIpv6);
        assert_eq!(interface.bind_address(), "[::]:0".parse().unwrap());
    }

    #[test]
    fn the_transport_follows_the_family() {
        assert_eq!(Interface::new("[::1]:5".parse().unwrap()).transport, Transport::UdpIpv6);
        assert_eq!(Transport::UdpIpv6.to_string(), "UDPIPv6");
    }
}
