//! The REST API next to a running node: the options of `ipv8 run` that ask for it, folded into the
//! configuration's `[rest]` table, and the server bound before the node starts and served after.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use ipv8::config::{Config, Rest};
use ipv8::rest::{BindError, RestServer};
use ipv8::runtime::{NodeHandle, Pseudonyms};

/// The REST options of `ipv8 run`; they win over the configuration's `[rest]` table, and any of
/// them serves the API even when the configuration has no such table.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Serve the REST API at this port (on 127.0.0.1 unless --rest-ip says otherwise).
    #[arg(long, value_name = "PORT")]
    rest_port: Option<u16>,
    /// The address of the REST API (default 127.0.0.1). One that is not a loopback address
    /// needs --api-key, or --rest-allow-remote-without-key.
    #[arg(long, value_name = "IP")]
    rest_ip: Option<IpAddr>,
    /// Ask every REST request for this key, in the X-Api-Key header or the apikey query
    /// parameter (port 8085 unless --rest-port).
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Serve the REST API over HTTPS with the certificate and private key in this PEM file
    /// (port 8085 unless --rest-port).
    #[arg(long, value_name = "FILE")]
    cert_file: Option<PathBuf>,
    /// Serve the REST API on an --rest-ip that is not a loopback address without an API key,
    /// to anyone who reaches it.
    #[arg(long)]
    rest_allow_remote_without_key: bool,
}

impl Options {
    /// Folds the options into `config.rest`.
    pub(crate) fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        let asked = self.rest_port.is_some()
            || self.rest_ip.is_some()
            || self.api_key.is_some()
            || self.cert_file.is_some()
            || self.rest_allow_remote_without_key;
        if !asked {
            return Ok(());
        }
        let rest = config.rest.get_or_insert_with(Rest::default);
        rest.port = self.rest_port.unwrap_or(rest.port);
        rest.ip = self.rest_ip.unwrap_or(rest.ip);
        if let Some(key) = &self.api_key {
            rest.api_key = Some(key.clone());
        }
        if let Some(file) = &self.cert_file {
            // Taken from where the command runs, not from the working directory.
            let file = std::path::absolute(file)
                .with_context(|| format!("--cert-file {}", file.display()))?;
            rest.cert_file = Some(file);
        }
        rest.allow_remote_without_key |= self.rest_allow_remote_without_key;
        Ok(())
    }
}

/// The REST server a configuration asks for, bound and waiting for the node.
pub(crate) struct Bound {
    server: RestServer,
    scheme: &'static str,
}

/// Binds the REST API of `config.rest`, if any; before the node starts, so that a refused
/// address or an unusable certificate stops everything.
pub(crate) async fn bind(config: &Config) -> anyhow::Result<Option<Bound>> {
    let Some(rest) = &config.rest else { return Ok(None) };
    let server =
        RestServer::bind_configured(rest, &config.working_directory).await.map_err(explain)?;
    let remote = !rest.ip.to_canonical().is_loopback();
    if remote && rest.api_key.is_none() {
        eprintln!(
            "warning: the REST API on {} has no API key: anyone who reaches it can use it",
            rest.ip
        );
    } else if remote && rest.cert_file.is_none() {
        eprintln!(
            "warning: the REST API on {} is plain HTTP: its API key crosses the network readable (add --cert-file)",
            rest.ip
        );
    }
    let scheme = if rest.cert_file.is_some() { "https" } else { "http" };
    Ok(Some(Bound { server, scheme }))
}

/// The error of a refused REST API, with what to do about a remote address.
fn explain(error: BindError) -> anyhow::Error {
    match error {
        BindError::NotLoopback(address) => anyhow!(
            "refusing to serve the REST API on {address} without an API key, as it is not a \
             loopback address: give --api-key (or api_key in [rest]), or \
             --rest-allow-remote-without-key (allow_remote_without_key) to serve anyone who \
             reaches it"
        ),
        other => anyhow::Error::new(other).context("starting the REST API"),
    }
}

impl Bound {
    /// Serves the node behind `handle` and its `pseudonyms` in the background.
    pub(crate) fn start(
        self,
        handle: NodeHandle,
        pseudonyms: std::sync::Arc<Pseudonyms>,
    ) -> anyhow::Result<()> {
        let address = self.server.local_addr().context("reading the REST API's address")?;
        println!("REST API on {}://{address}", self.scheme);
        tokio::spawn(async move {
            if let Err(error) = self.server.with_pseudonyms(pseudonyms).run(handle).await {
                eprintln!("REST API stopped: {error}");
            }
        });
        Ok(())
    }
}
