"""A py-ipv8 node that answers introduction-requests for the bootstrap benchmark's community.

Usage: bootstrap_server.py --port PORT

`cargo xtask bench-bootstrap` loads it with the `bootstrap_load` example, as it loads our tracker and
our node. It binds 127.0.0.1, has no bootstrap servers and no walker (it only answers), and its LAN
guess is patched to 127.0.0.1, so nothing leaves the loopback interface. It prints
{"listening": "127.0.0.1:PORT"} once it is up and runs until killed.
"""

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

import ipv8.messaging.interfaces.endpoint as py_endpoint

LOOPBACK = "127.0.0.1"
py_endpoint.get_lan_addresses = lambda: [LOOPBACK]

import ipv8.configuration  # noqa: E402  (imported after the patch on purpose)
from ipv8.community import Community  # noqa: E402
from ipv8.configuration import ConfigBuilder  # noqa: E402
from ipv8_service import IPv8  # noqa: E402

# Nothing here bootstraps, but no default may point at the public servers either.
ipv8.configuration.DISPERSY_BOOTSTRAPPER["init"] = {"ip_addresses": [], "dns_addresses": []}

# The community id of `ipv8/examples/bootstrap_load.rs`.
COMMUNITY_ID = b"bootstrap-load-bench"


class BenchCommunity(Community):
    """Discovery only: the node answers introduction-requests with py-ipv8's own handlers."""

    community_id = COMMUNITY_ID


async def main(port: int) -> None:
    """Start the node and keep it running."""
    with tempfile.TemporaryDirectory() as workdir:
        builder = ConfigBuilder().clear_keys().clear_overlays()
        builder.set_address(LOOPBACK)
        builder.set_port(port)
        builder.set_working_directory(workdir)
        builder.add_key("bench", "curve25519", str(Path(workdir) / "bench.pem"))
        # The load comes from 16 peers; py-ipv8's default of 30 peers would not limit it, but
        # keep the limit out of the way anyway.
        builder.add_overlay("BenchCommunity", "bench", [], [], {"max_peers": 1000}, [])
        instance = IPv8(builder.finalize(), extra_communities={"BenchCommunity": BenchCommunity})
        await instance.start()
        address = instance.endpoint.get_address()
        print(json.dumps({"listening": f"{address[0]}:{address[1]}"}), flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
