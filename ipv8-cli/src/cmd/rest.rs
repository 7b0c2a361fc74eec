//! Starting the REST API next to a running node.

use anyhow::Context as _;
use ipv8::rest::RestServer;
use ipv8::runtime::NodeHandle;

/// Serves the REST API on 127.0.0.1:`port` in the background; returns once it listens.
pub(crate) async fn start(handle: NodeHandle, port: u16) -> anyhow::Result<()> {
    let server = RestServer::bind_loopback(port).await.context("binding the REST API")?;
    let address = server.local_addr().context("reading the REST API's address")?;
    println!("REST API on http://{address}");
    tokio::spawn(async move {
        if let Err(error) = server.run(handle).await {
            eprintln!("REST API stopped: {error}");
        }
    });
    Ok(())
}
