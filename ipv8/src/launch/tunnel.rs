//! The tunnel overlays of a configuration (`TunnelCommunity`, `HiddenTunnelCommunity`): their
//! `initialize` table read as py-ipv8's `TunnelSettings` fields (seconds as numbers, `peer_flags`
//! as a list of flag values) and their `build_tunnels` on-start call.

use std::time::Duration;

use serde::Deserialize;

use super::{LaunchError, OverlayRegistry, OverlaySetup};
use crate::proto::tunnel::{PeerFlags, TunnelCommunity, TunnelSettings};

/// The overlay classes that run a [`TunnelCommunity`].
pub const TUNNEL_CLASSES: [&str; 2] = ["TunnelCommunity", "HiddenTunnelCommunity"];

/// An `initialize` table of a tunnel overlay; keys it does not name are ignored, as py-ipv8 sets
/// them on its settings object without reading them (`dht_lookup_interval`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TunnelInit {
    min_circuits: Option<usize>,
    max_circuits: Option<usize>,
    max_joined_circuits: Option<usize>,
    max_joined_per_peer: Option<usize>,
    max_time: Option<f64>,
    max_time_ip: Option<f64>,
    max_time_inactive: Option<f64>,
    max_traffic: Option<u64>,
    circuit_timeout: Option<f64>,
    unstable_timeout: Option<f64>,
    next_hop_timeout: Option<f64>,
    remove_tunnel_delay: Option<f64>,
    swarm_lookup_interval: Option<f64>,
    swarm_connection_limit: Option<usize>,
    peer_flags: Option<Vec<u16>>,
    max_relay_early: Option<u32>,
}

/// The settings an overlay's `initialize` table describes, py-ipv8's defaults for the rest.
///
/// # Errors
///
/// [`LaunchError::Settings`] for a value of the wrong type or a negative time.
pub fn tunnel_settings(setup: &OverlaySetup<'_>) -> Result<TunnelSettings, LaunchError> {
    let init: TunnelInit = setup.settings()?;
    let class = &setup.overlay.class;
    let mut s = TunnelSettings::default();
    let seconds = |key: &str, value: Option<f64>, into: &mut Duration| {
        let Some(value) = value else { return Ok(()) };
        *into = Duration::try_from_secs_f64(value).map_err(|_| LaunchError::Settings {
            class: class.clone(),
            path: key.to_owned(),
            message: format!("{value} is not a number of seconds"),
        })?;
        Ok::<_, LaunchError>(())
    };
    seconds("max_time", init.max_time, &mut s.max_time)?;
    seconds("max_time_ip", init.max_time_ip, &mut s.max_time_ip)?;
    seconds("max_time_inactive", init.max_time_inactive, &mut s.max_time_inactive)?;
    seconds("circuit_timeout", init.circuit_timeout, &mut s.circuit_timeout)?;
    seconds("unstable_timeout", init.unstable_timeout, &mut s.unstable_timeout)?;
    seconds("next_hop_timeout", init.next_hop_timeout, &mut s.next_hop_timeout)?;
    seconds("remove_tunnel_delay", init.remove_tunnel_delay, &mut s.remove_tunnel_delay)?;
    seconds("swarm_lookup_interval", init.swarm_lookup_interval, &mut s.swarm_lookup_interval)?;
    s.min_circuits = init.min_circuits.unwrap_or(s.min_circuits);
    s.max_circuits = init.max_circuits.unwrap_or(s.max_circuits);
    s.max_joined_circuits = init.max_joined_circuits.unwrap_or(s.max_joined_circuits);
    s.max_joined_per_peer = init.max_joined_per_peer.unwrap_or(s.max_joined_per_peer);
    s.max_traffic = init.max_traffic.unwrap_or(s.max_traffic);
    s.swarm_connection_limit = init.swarm_connection_limit.unwrap_or(s.swarm_connection_limit);
    s.max_relay_early = init.max_relay_early.unwrap_or(s.max_relay_early);
    if let Some(flags) = init.peer_flags {
        s.peer_flags = flags.into_iter().fold(PeerFlags::default(), |all, f| all | PeerFlags(f));
    }
    Ok(s)
}

/// Hops of the circuits anonymized overlays send through (py-ipv8's `TunnelEndpoint` default).
pub const ANONYMITY_HOPS: usize = 1;

/// Whether an overlay's `initialize` asks for anonymity (py-ipv8's `"anonymize": true`).
pub(super) fn wants_anonymity(overlay: &crate::config::Overlay) -> bool {
    overlay.initialize.get("anonymize").and_then(serde_json::Value::as_bool) == Some(true)
}

/// Has the node's tunnel community carry the traffic of `communities` (each with the class that
/// asked, for the error), as py-ipv8's `TunnelEndpoint` does for overlays with `anonymize`.
///
/// # Errors
///
/// [`LaunchError::Settings`] when an overlay asks for anonymity and no tunnel overlay runs.
pub(super) fn anonymize(
    node: &mut crate::proto::Node,
    now: std::time::Instant,
    communities: &[(String, crate::proto::CommunityId)],
) -> Result<(), LaunchError> {
    let Some((class, _)) = communities.first() else { return Ok(()) };
    let ids: Vec<_> = communities.iter().map(|(_, id)| *id).collect();
    let carried = node.with_community::<TunnelCommunity, _>(now, |tunnels, ctx| {
        for id in ids {
            tunnels.anonymize(ctx, id, ANONYMITY_HOPS);
        }
    });
    carried.ok_or_else(|| LaunchError::Settings {
        class: class.clone(),
        path: "anonymize".into(),
        message: "anonymity needs a TunnelCommunity or HiddenTunnelCommunity overlay".into(),
    })
}

/// Registers the tunnel classes and their `build_tunnels` on-start call.
pub(super) fn register(registry: &mut OverlayRegistry) {
    registry.register("TunnelCommunity", |setup| {
        let settings = tunnel_settings(setup)?;
        setup.add(TunnelCommunity::new(settings))
    });
    registry.register("HiddenTunnelCommunity", |setup| {
        let settings = tunnel_settings(setup)?;
        setup.add(TunnelCommunity::hidden(settings))
    });
    registry.register_on_start::<TunnelCommunity>("build_tunnels", |tunnels, ctx, args| {
        let hops = args.first().and_then(serde_json::Value::as_u64).ok_or("a hop count")?;
        tunnels.build_tunnels(ctx, usize::try_from(hops).map_err(|_| "a hop count")?);
        Ok(())
    });
}
