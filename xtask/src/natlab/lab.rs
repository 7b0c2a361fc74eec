//! One lab: five network namespaces that are the internet, two NAT routers and a host behind
//! each, made by [`Lab::new`] and removed (with every process still in them) when dropped.
//!
//! ```text
//! pub (tracker 10.0.0.1 on lo) ─ wan1 10.0.1.1 ── 10.0.1.2 wan ─ nat1 ─ lan 192.168.1.1 ── 192.168.1.2 host1
//!                              ─ wan2 10.0.2.1 ── 10.0.2.2 wan ─ nat2 ─ lan 192.168.2.1 ── 192.168.2.2 host2
//! ```
//!
//! The veth pairs are made inside the namespaces (`ip -n NS link add … peer … netns NS2`), so
//! nothing is ever added to the machine's own namespace and no datagram can leave the lab.

use std::io::Write as _;
use std::process::{Command, Stdio};

use anyhow::{Context, bail, ensure};

use super::nat::{LAN_DEV, Nat, WAN_DEV};

/// The tracker's address: on the loopback interface of the "pub" namespace.
pub(crate) const TRACKER_IP: &str = "10.0.0.1";
/// Another address of the "pub" namespace: an internet host nobody behind a NAT talked to.
pub(crate) const STRANGER_IP: &str = "10.0.0.2";
/// The tracker's UDP port.
pub(crate) const TRACKER_PORT: u16 = 8090;
/// The UDP port each peer binds on its host.
pub(crate) const PEER_PORT: u16 = 8091;

/// The namespaces of one lab, removed on drop.
pub(crate) struct Lab {
    /// The prefix of every namespace name of this lab.
    prefix: String,
    /// The namespaces made so far, in order.
    made: Vec<String>,
}

/// Runs `ip ARGS`, failing with its error output.
pub(crate) fn ip(args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("ip").args(args).output().context("running `ip` (iproute2)")?;
    ensure!(
        output.status.success(),
        "ip {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// Runs `program ARGS` inside namespace `ns`, with `input` on its standard input.
fn in_ns(ns: &str, program: &str, args: &[&str], input: &str) -> anyhow::Result<()> {
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, program])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {program} in {ns}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).with_context(|| format!("feeding {program} in {ns}"))?;
    }
    let output = child.wait_with_output().with_context(|| format!("waiting for {program}"))?;
    if !output.status.success() {
        bail!(
            "{program} {} in {ns} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Kills every process in namespace `ns` and removes it (errors are ignored: this cleans up).
pub(crate) fn remove_namespace(ns: &str) {
    if let Ok(output) = Command::new("ip").args(["netns", "pids", ns]).output() {
        for pid in String::from_utf8_lossy(&output.stdout).split_whitespace() {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }
    let _ = Command::new("ip").args(["netns", "del", ns]).status();
}

/// The names of the namespaces on this machine that start with `prefix`.
pub(crate) fn namespaces_with(prefix: &str) -> Vec<String> {
    let Ok(output) = Command::new("ip").args(["netns", "list"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| name.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

/// The address of the host behind router `side` (1 or 2).
pub(crate) fn host_ip(side: u8) -> String {
    format!("192.168.{side}.2")
}

/// The outside address of router `side` (1 or 2): where the host's traffic comes from.
pub(crate) fn wan_ip(side: u8) -> String {
    format!("10.0.{side}.2")
}

impl Lab {
    /// Makes the namespaces of a lab whose names start with `prefix`: NAT `a` on side 1, `b` on
    /// side 2. On error, what was made is removed again.
    pub(crate) fn new(prefix: &str, a: Nat, b: Nat) -> anyhow::Result<Lab> {
        let mut lab = Lab { prefix: prefix.to_owned(), made: Vec::new() };
        let public = lab.add_namespace("pub")?;
        for address in [TRACKER_IP, STRANGER_IP] {
            ip(&["-n", &public, "addr", "add", &format!("{address}/32"), "dev", "lo"])?;
        }
        forward(&public)?;
        lab.add_side(1, a)?;
        lab.add_side(2, b)?;
        Ok(lab)
    }

    /// The full name of the lab's namespace `name` (`pub`, `nat1`, `host1`, `nat2`, `host2`).
    pub(crate) fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Adds namespace `name` with its loopback interface up; returns its full name.
    fn add_namespace(&mut self, name: &str) -> anyhow::Result<String> {
        let full = self.ns(name);
        ip(&["netns", "add", &full])?;
        self.made.push(full.clone());
        ip(&["-n", &full, "link", "set", "lo", "up"])?;
        Ok(full)
    }

    /// Adds router `nat{side}` with NAT `nat` and host `host{side}` behind it.
    fn add_side(&mut self, side: u8, nat: Nat) -> anyhow::Result<()> {
        let public = self.ns("pub");
        let router = self.add_namespace(&format!("nat{side}"))?;
        let host = self.add_namespace(&format!("host{side}"))?;
        let (pub_dev, pub_ip) = (format!("wan{side}"), format!("10.0.{side}.1"));
        link(
            (&public, &pub_dev, &format!("{pub_ip}/24")),
            (&router, WAN_DEV, &format!("{}/24", wan_ip(side))),
        )?;
        let lan_gateway = format!("192.168.{side}.1");
        link(
            (&router, LAN_DEV, &format!("{lan_gateway}/24")),
            (&host, "eth0", &format!("{}/24", host_ip(side))),
        )?;
        ip(&["-n", &router, "route", "add", "default", "via", &pub_ip])?;
        ip(&["-n", &host, "route", "add", "default", "via", &lan_gateway])?;
        forward(&router)?;
        in_ns(&router, "nft", &["-f", "-"], &nat.rules(&wan_ip(side), &host_ip(side)))
            .with_context(|| format!("loading the {nat} rules"))
    }
}

/// Turns IPv4 forwarding on in namespace `ns`.
fn forward(ns: &str) -> anyhow::Result<()> {
    in_ns(ns, "sysctl", &["-qw", "net.ipv4.ip_forward=1"], "")
}

/// A veth pair between two namespaces, each end given as (namespace, device, address/prefix),
/// made inside the first namespace, addressed and up.
fn link(a: (&str, &str, &str), b: (&str, &str, &str)) -> anyhow::Result<()> {
    ip(&["-n", a.0, "link", "add", a.1, "type", "veth", "peer", "name", b.1, "netns", b.0])?;
    for (ns, dev, address) in [a, b] {
        ip(&["-n", ns, "addr", "add", address, "dev", dev])?;
        ip(&["-n", ns, "link", "set", dev, "up"])?;
    }
    Ok(())
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.made.iter().rev() {
            remove_namespace(ns);
        }
    }
}
