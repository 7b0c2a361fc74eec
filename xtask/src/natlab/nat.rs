//! The four NAT kinds of the lab, each an nftables rule set loaded into a router namespace.

use clap::ValueEnum;
use serde::Serialize;

/// A kind of NAT, as RFC 4787 describes them by mapping and filtering. Every kind masquerades
/// the host's traffic on the router's outside interface and refuses new inbound connections to
/// the router itself; they differ in how outbound UDP is mapped and which inbound UDP reaches
/// the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Nat {
    /// Endpoint-independent mapping and filtering: `masquerade` (which keeps the host's port when
    /// it is free, for every destination alike) and, in `prerouting`, a DNAT of every inbound UDP
    /// datagram to ports 1024–65535 on the outside interface to the host, same port. Anyone who
    /// knows the mapped address reaches the host.
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering: `masquerade`; the forward chain
    /// puts every destination IP the host sends to into a dynamic set (`update @contacted`, two
    /// minutes' timeout); `prerouting` DNATs inbound UDP to the host only from IPs in that set,
    /// and the forward chain drops new inbound connections from any other IP.
    AddressRestricted,
    /// Endpoint-independent mapping, address- and port-dependent filtering: plain `masquerade`
    /// and `ct state new drop` on the outside interface in `input` and `forward`: only replies
    /// from the exact IP and port the host sent to come in (the `dht_nat_netns` test's NAT).
    PortRestricted,
    /// Address- and port-dependent mapping and filtering: `masquerade random` (a random port for
    /// each new destination; plain masquerade would keep the host's port for all of them) and
    /// the port-restricted filter.
    Symmetric,
    /// Address- and port-dependent mapping with ports handed out in sequence, as many home
    /// routers and carrier-grade NATs do: UDP is `snat`ed to the outside address with port
    /// `numgen inc mod 256 map { 0 : 20000, 1 : 20001, … }` (the next one for each new flow; a
    /// map, because nftables 1.0.6 would put `numgen … offset 20000` into the port in host byte
    /// order), other protocols are masqueraded, and the port-restricted filter. The port toward
    /// a new destination is predictable from the last one seen.
    SymmetricSequential,
}

/// The outside interface of a router, toward the "pub" namespace.
pub(crate) const WAN_DEV: &str = "wan";
/// The inside interface of a router, toward its host.
pub(crate) const LAN_DEV: &str = "lan";
/// The first port of [`Nat::SymmetricSequential`].
const SEQUENTIAL_BASE: u32 = 20_000;
/// How many ports [`Nat::SymmetricSequential`] hands out before it starts over.
const SEQUENTIAL_PORTS: u32 = 256;

/// What the self-check expects of a kind: whether its mapping is endpoint-independent or
/// sequential, and which of three inbound probes reach the host after it sent to one endpoint: from that
/// endpoint, from another port of the same IP, from another IP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Behaviour {
    /// The host keeps one mapped port for every destination.
    pub(crate) endpoint_independent: bool,
    /// The host's second destination got the port after its first one's.
    pub(crate) sequential: bool,
    /// Which probes reach the host: same endpoint, same IP other port, other IP.
    pub(crate) inbound: [bool; 3],
}

impl Nat {
    /// Every kind, in table order.
    pub(crate) const ALL: [Nat; 5] = [
        Nat::FullCone,
        Nat::AddressRestricted,
        Nat::PortRestricted,
        Nat::Symmetric,
        Nat::SymmetricSequential,
    ];

    /// The kind's name on the command line and in the table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Nat::FullCone => "full-cone",
            Nat::AddressRestricted => "address-restricted",
            Nat::PortRestricted => "port-restricted",
            Nat::Symmetric => "symmetric",
            Nat::SymmetricSequential => "symmetric-sequential",
        }
    }

    /// How the kind behaves, by its definition.
    pub(crate) fn expected(self) -> Behaviour {
        let inbound = match self {
            Nat::FullCone => [true, true, true],
            Nat::AddressRestricted => [true, true, false],
            Nat::PortRestricted | Nat::Symmetric | Nat::SymmetricSequential => [true, false, false],
        };
        let endpoint_independent = !matches!(self, Nat::Symmetric | Nat::SymmetricSequential);
        Behaviour { endpoint_independent, sequential: self == Nat::SymmetricSequential, inbound }
    }

    /// The kind's nftables rule set for a router whose outside address is `wan_ip` and whose host
    /// is at `host` (see each variant).
    pub(crate) fn rules(self, wan_ip: &str, host: &str) -> String {
        let (wan, lan) = (WAN_DEV, LAN_DEV);
        let dnat = format!("iifname \"{wan}\" udp dport 1024-65535 dnat to {host}");
        let refuse_new = format!("iifname \"{wan}\" ct state new drop");
        let (set, prerouting, forward) = match self {
            Nat::FullCone => (String::new(), dnat, String::new()),
            Nat::AddressRestricted => (
                "set contacted { type ipv4_addr; flags dynamic, timeout; timeout 2m; }".to_owned(),
                format!(
                    "iifname \"{wan}\" ip saddr @contacted udp dport 1024-65535 dnat to {host}"
                ),
                format!(
                    "iifname \"{lan}\" oifname \"{wan}\" update @contacted {{ ip daddr }}\n\
                     iifname \"{wan}\" ct state new ip saddr != @contacted drop"
                ),
            ),
            Nat::PortRestricted | Nat::Symmetric | Nat::SymmetricSequential => {
                (String::new(), String::new(), refuse_new.clone())
            }
        };
        let masquerade = match self {
            Nat::Symmetric => format!("oifname \"{wan}\" masquerade random"),
            Nat::SymmetricSequential => {
                let ports: Vec<String> = (0..SEQUENTIAL_PORTS)
                    .map(|i| format!("{i} : {}", SEQUENTIAL_BASE + i))
                    .collect();
                format!(
                    "oifname \"{wan}\" meta l4proto udp snat ip to {wan_ip} : \
                     numgen inc mod {SEQUENTIAL_PORTS} map {{ {} }}\n\
                     oifname \"{wan}\" masquerade",
                    ports.join(", ")
                )
            }
            _ => format!("oifname \"{wan}\" masquerade"),
        };
        format!(
            "table ip natlab {{\n\
             {set}\n\
             chain prerouting {{ type nat hook prerouting priority dstnat; policy accept;\n{prerouting}\n}}\n\
             chain postrouting {{ type nat hook postrouting priority srcnat; policy accept;\n{masquerade}\n}}\n\
             chain forward {{ type filter hook forward priority filter; policy accept;\n{forward}\n}}\n\
             chain input {{ type filter hook input priority filter; policy accept;\n{refuse_new}\n}}\n\
             }}\n"
        )
    }
}

impl std::fmt::Display for Nat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}
