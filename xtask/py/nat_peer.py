"""py-ipv8's peer of the NAT traversal lab (`cargo xtask natlab`), the twin of `ipv8/examples/nat_peer.rs`.

Usage: nat_peer.py BIND_IP:PORT TRACKER_IP:PORT

It joins the lab's community, bootstraps from the lab's tracker only, and prints one JSON line when it
has verified another peer (the tracker is never a peer), with the milliseconds since it started. It runs
until it is killed. py-ipv8's default bootstrap servers are replaced by the tracker before anything
starts, and its LAN guess by the bind address (the host's address in its network namespace), so
nothing outside the lab's namespaces is ever contacted.
"""

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.monotonic()

import ipv8.configuration  # noqa: E402
import ipv8.messaging.interfaces.endpoint as py_endpoint  # noqa: E402

COMMUNITY_ID = b"ipv8 natlab test\x00\x00\x00\x01"


def parse(text: str) -> tuple[str, int]:
    """An `IP:PORT` argument."""
    ip, _, port = text.rpartition(":")
    return ip, int(port)


BIND = parse(sys.argv[1]) if len(sys.argv) == 3 else None  # noqa: PLR2004
TRACKER = parse(sys.argv[2]) if len(sys.argv) == 3 else None  # noqa: PLR2004
if BIND is None or TRACKER is None:
    sys.exit(__doc__)

# Before py-ipv8 starts: its LAN guess is the bind address, its default bootstrapper the tracker.
py_endpoint.get_lan_addresses = lambda: [BIND[0]]
ipv8.configuration.DISPERSY_BOOTSTRAPPER["init"] = {"ip_addresses": [TRACKER], "dns_addresses": []}

from ipv8.community import Community  # noqa: E402
from ipv8.configuration import (  # noqa: E402
    Bootstrapper,
    BootstrapperDefinition,
    ConfigBuilder,
    Strategy,
    WalkerDefinition,
)
from ipv8_service import IPv8  # noqa: E402


def emit(event: dict) -> None:
    """Print one JSON line at once."""
    print(json.dumps(event), flush=True)


class NatLab(Community):
    """The lab's community: no messages of its own, discovery does all the work."""

    community_id = COMMUNITY_ID

    def __init__(self, settings) -> None:  # noqa: ANN001
        super().__init__(settings)
        self.reported: set[bytes] = set()
        self.register_task("report", self.report, interval=0.05, delay=0)

    def report(self) -> None:
        """Print each verified peer once."""
        for peer in self.get_peers():
            key = peer.public_key.key_to_bin()
            if key not in self.reported:
                self.reported.add(key)
                ms = round((time.monotonic() - STARTED) * 1000)
                address = f"{peer.address[0]}:{peer.address[1]}"
                emit({"event": "verified", "impl": "py", "peer": address, "ms": ms})


def config(workdir: Path) -> dict:
    """Bind the host's address, one key, the lab's community with a random walk and only the tracker."""
    builder = ConfigBuilder().clear_keys().clear_overlays()
    builder.set_address(BIND[0])
    builder.set_port(BIND[1])
    builder.set_working_directory(str(workdir))
    builder.add_key("me", "curve25519", str(workdir / "me.pem"))
    bootstrap = BootstrapperDefinition(
        Bootstrapper.DispersyBootstrapper, {"ip_addresses": [TRACKER], "dns_addresses": []}
    )
    walker = WalkerDefinition(Strategy.RandomWalk, 20, {"timeout": 3.0})
    builder.add_overlay("NatLab", "me", [walker], [bootstrap], {}, [])
    return builder.finalize()


async def main() -> None:
    """Run the peer until killed."""
    with tempfile.TemporaryDirectory() as workdir:
        instance = IPv8(config(Path(workdir)), extra_communities={"NatLab": NatLab})
        await instance.start()
        emit({"event": "started", "impl": "py", "address": f"{BIND[0]}:{BIND[1]}"})
        await asyncio.Event().wait()


asyncio.run(main())
