//! The self-check: before measuring, each NAT kind is shown to map and filter as it claims
//! (`xtask/py/nat_probe.py` on the lab's internet and on a host, in a lab of its own).

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::lab::{Lab, STRANGER_IP, TRACKER_IP, host_ip};
use super::nat::{Behaviour, Nat};
use super::pair::Programs;
use super::process::{Line, Process};

/// The host's port for the probes.
const HOST_PORT: u16 = 7000;
/// The observer's ports: the two destinations, and the other port of the first one's IP.
const OBSERVER_PORTS: [u16; 3] = [9001, 9002, 9003];
/// How long one check may take.
const PATIENCE: Duration = Duration::from_secs(15);

/// Checks every kind of `nats`, at once, in labs named by `prefix`; fails unless each behaves as
/// [`Nat::expected`] says.
pub(crate) fn check(
    programs: &Programs,
    nats: &[Nat],
    prefix: &str,
    logs: &Path,
) -> anyhow::Result<()> {
    println!("==> checking that each NAT maps and filters as it claims");
    let results: Vec<anyhow::Result<(Behaviour, [u64; 2])>> = std::thread::scope(|scope| {
        let checks: Vec<_> = nats
            .iter()
            .map(|nat| {
                let prefix = format!("{prefix}{nat}-");
                scope.spawn(move || observe(programs, *nat, &prefix, logs))
            })
            .collect();
        checks
            .into_iter()
            .map(|c| c.join().unwrap_or_else(|_| bail!("the check panicked")))
            .collect()
    });
    for (nat, result) in nats.iter().zip(results) {
        let (seen, ports) = result.with_context(|| format!("checking the {nat} NAT"))?;
        let labels = ["same endpoint", "same IP, other port", "other IP"];
        let inbound: Vec<_> =
            labels.iter().zip(seen.inbound).filter(|(_, came)| *came).map(|(l, _)| *l).collect();
        let mapping = if seen.endpoint_independent { "one port" } else { "a port per destination" };
        let mapping =
            format!("{mapping} (host port {HOST_PORT} mapped to {} and {})", ports[0], ports[1]);
        println!(
            "{nat:>20}: {mapping}; inbound after an outbound datagram from: {}",
            inbound.join(", ")
        );
        if seen != nat.expected() {
            bail!(
                "the {nat} NAT does not behave as claimed: {seen:?}, expected {:?}",
                nat.expected()
            );
        }
    }
    Ok(())
}

/// Observes how `nat` maps and filters, in a lab of its own; also returns the two mapped ports.
fn observe(
    programs: &Programs,
    nat: Nat,
    prefix: &str,
    logs: &Path,
) -> anyhow::Result<(Behaviour, [u64; 2])> {
    let lab = Lab::new(prefix, nat, nat)?;
    let (sender, lines) = mpsc::channel();
    let ports = OBSERVER_PORTS.map(|p| p.to_string());
    let mut args = vec![programs.probe.to_string_lossy().into_owned(), "observe".to_owned()];
    args.extend([TRACKER_IP.to_owned(), STRANGER_IP.to_owned()]);
    args.extend(ports.iter().cloned());
    let log = |role: &str| logs.join(format!("check-{nat}-{role}.log"));
    let observer =
        Process::spawn(&lab.ns("pub"), &programs.python, &args, &log("observer"), 0, &sender)?;
    let deadline = Instant::now() + PATIENCE;
    wait_for(&lines, deadline, 0, "ready")?;
    let mut args = vec![programs.probe.to_string_lossy().into_owned(), "host".to_owned()];
    args.extend([host_ip(1), HOST_PORT.to_string(), TRACKER_IP.to_owned()]);
    args.extend(ports[..2].iter().cloned());
    let host = Process::spawn(&lab.ns("host1"), &programs.python, &args, &log("host"), 1, &sender)?;
    let mapped = wait_for(&lines, deadline, 0, "mapped")?;
    let received = wait_for(&lines, deadline, 1, "received")?;
    drop((host, observer, lab));
    let ports: Vec<u64> = mapped["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_u64)
        .collect();
    let [first, second] = ports[..] else { bail!("the observer saw no mapping: {mapped}") };
    if first == 0 || second == 0 {
        bail!("the observer did not hear the host on both ports: {mapped}");
    }
    let labels: Vec<&str> = received["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let inbound = ["same", "port", "ip"].map(|label| labels.contains(&label));
    let behaviour = Behaviour {
        endpoint_independent: first == second,
        sequential: second == first + 1,
        inbound,
    };
    Ok((behaviour, [first, second]))
}

/// Waits for the JSON line of process `tag` whose `event` is `event`.
fn wait_for(
    lines: &mpsc::Receiver<Line>,
    deadline: Instant,
    tag: usize,
    event: &str,
) -> anyhow::Result<serde_json::Value> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).with_context(|| format!("waiting for `{event}`"))?;
        let value: serde_json::Value = serde_json::from_str(&line.text).unwrap_or_default();
        if line.tag == tag && value["event"] == event {
            return Ok(value);
        }
    }
}
