"""Interoperability scenarios: real py-ipv8 peers against the rust-ipv8 binary, on loopback only.

Usage: interop.py --ipv8-bin PATH --peer-bin PATH [--scenario NAME ...]

Every socket binds 127.0.0.1 and every bootstrap address is on 127.0.0.1. py-ipv8 guesses its LAN
address from the host's interfaces; that guess is patched to 127.0.0.1 before anything starts, so no
packet leaves the loopback interface. Each scenario prints one JSON line and the script exits non-zero
if any scenario fails.
"""

import argparse
import hashlib
from dataclasses import dataclass  # py-ipv8 reads the field types, so no postponed annotations here
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

import ipv8.messaging.interfaces.endpoint as py_endpoint

LOOPBACK = "127.0.0.1"


def patch_lan_guess() -> None:
    """Make py-ipv8 believe its only LAN address is 127.0.0.1 (the project's loopback rule)."""
    py_endpoint.get_lan_addresses = lambda: [LOOPBACK]


patch_lan_guess()

from ipv8.community import Community  # noqa: E402  (imported after the patch on purpose)
from ipv8.configuration import (  # noqa: E402
    Bootstrapper,
    BootstrapperDefinition,
    ConfigBuilder,
    Strategy,
    WalkerDefinition,
)
from ipv8.lazy_community import lazy_wrapper  # noqa: E402
from ipv8.messaging.payload_dataclass import DataClassPayload  # noqa: E402
from ipv8_service import IPv8  # noqa: E402

INTEROP_COMMUNITY_ID = bytes.fromhex("6970763820696e7465726f702074657374000001")


class InteropCommunity(Community):
    """A community with the interop id and no messages of its own: discovery only."""

    community_id = INTEROP_COMMUNITY_ID


@dataclass
class Clock(DataClassPayload[1]):
    """py-ipv8's side of the interop `Clock` message (spec V20)."""

    clock: int


@dataclass
class Text(DataClassPayload[2]):
    """py-ipv8's side of the interop `Text` message (spec V21)."""

    text: str
    blob: bytes
    nums: list[int]


class AppCommunity(Community):
    """The interop application community: greets each peer once and records what arrives."""

    community_id = INTEROP_COMMUNITY_ID

    def __init__(self, settings) -> None:  # noqa: ANN001
        super().__init__(settings)
        # py-ipv8 3.2.1 fills a DataClassPayload's format list when the class is first instantiated,
        # so a peer that receives a message before it ever built one cannot decode it. Build each once.
        Clock(0)
        Text("", b"", [])
        self.received: list[tuple] = []
        self.greeted: set[bytes] = set()
        self.add_message_handler(Clock, self.on_clock)
        self.add_message_handler(Text, self.on_text)
        self.register_task("greet", self.greet, interval=0.1, delay=0)

    def greet(self) -> None:
        """Send one Clock and one Text to every peer not greeted yet."""
        for peer in self.get_peers():
            key = peer.public_key.key_to_bin()
            if key not in self.greeted:
                self.greeted.add(key)
                self.ez_send(peer, Clock(1700000001))
                self.ez_send(peer, Text("h\u00e9llo from python", b"\x00\x01\xff", [4, -5, 6]))

    @lazy_wrapper(Clock)
    def on_clock(self, peer, payload: Clock) -> None:  # noqa: ANN001
        """Record a Clock."""
        self.received.append(("clock", peer.mid.hex(), payload.clock))

    @lazy_wrapper(Text)
    def on_text(self, peer, payload: Text) -> None:  # noqa: ANN001
        """Record a Text."""
        self.received.append(("text", peer.mid.hex(), payload.text, payload.blob.hex(), list(payload.nums)))


def free_port() -> int:
    """A UDP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def rest_get(port: int, path: str) -> dict:
    """GET a JSON document from a REST API on 127.0.0.1."""
    with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{path}", timeout=5) as response:
        return json.load(response)


def py_config(workdir: Path, name: str, bootstrap_port: int, classes: tuple[str, ...] = ("InteropCommunity",)) -> dict:
    """A py-ipv8 configuration bound to loopback, running `classes`, bootstrapping only from
    127.0.0.1:bootstrap_port."""
    builder = ConfigBuilder().clear_keys().clear_overlays()
    builder.set_address(LOOPBACK)
    builder.set_port(free_port())
    builder.set_working_directory(str(workdir))
    builder.add_key(name, "curve25519", str(workdir / f"{name}.pem"))
    bootstrap = BootstrapperDefinition(
        Bootstrapper.DispersyBootstrapper,
        {"ip_addresses": [(LOOPBACK, bootstrap_port)], "dns_addresses": []},
    )
    walker = WalkerDefinition(Strategy.RandomWalk, 20, {"timeout": 3.0})
    for overlay_class in classes:
        builder.add_overlay(overlay_class, name, [walker], [bootstrap], {}, [])
    return builder.finalize()


async def wait_until(predicate, timeout: float) -> float | None:
    """Poll `predicate` until it holds; return the seconds it took, or None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    return None


def start_tracker(ipv8_bin: str, port: int) -> subprocess.Popen:
    """Start `ipv8 tracker` on 127.0.0.1:port and wait for its first line."""
    process = subprocess.Popen(
        [ipv8_bin, "tracker", "--ip", LOOPBACK, "--listen-port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if f"{LOOPBACK}:{port}" not in line:
        process.kill()
        raise RuntimeError(f"tracker did not start on {LOOPBACK}:{port}: {line!r}")
    return process


async def scenario_tracker(ipv8_bin: str) -> dict:
    """Two py-ipv8 peers find each other through `ipv8 tracker`."""
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    instances = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("alice", "bob"):
                workdir = Path(tmp) / name
                workdir.mkdir()
                instance = IPv8(py_config(workdir, name, port), extra_communities={"InteropCommunity": InteropCommunity})
                await instance.start()
                instances.append(instance)
            overlays = [instance.get_overlay(InteropCommunity) for instance in instances]
            keys = [overlay.my_peer.public_key.key_to_bin() for overlay in overlays]

            def met() -> bool:
                seen = [{p.public_key.key_to_bin() for p in overlay.get_peers()} for overlay in overlays]
                return keys[1] in seen[0] and keys[0] in seen[1]

            took = await wait_until(met, 30.0)
            return {"scenario": "tracker", "ok": took is not None, "seconds": took}
    finally:
        for instance in instances:
            await instance.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


class RustNode:
    """`ipv8 run` on 127.0.0.1, bootstrapping only from a loopback tracker; reads its status lines."""

    def __init__(self, ipv8_bin: str, workdir: Path, bootstrap_port: int) -> None:
        self.args = [ipv8_bin, "run", "--ip", LOOPBACK, "--port", str(free_port()),
                     "--bootstrap", f"{LOOPBACK}:{bootstrap_port}", "--working-directory", str(workdir),
                     "--status-interval", "0.1", "--rest-port", str(free_tcp_port())]
        self.rest_port = int(self.args[-1])
        self.mid: str | None = None
        self.discovery_peers = 0
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(*self.args, stdout=asyncio.subprocess.PIPE)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode().strip()
            if line.startswith("node "):
                self.mid = line.split()[1]
            for part in line.removeprefix("peers: ").split():
                name, _, count = part.partition("=")
                if name == "DiscoveryCommunity" and count.isdigit():
                    self.discovery_peers = int(count)

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(2)
            await asyncio.wait_for(self.process.wait(), 10)
        if self.reader:
            self.reader.cancel()


async def scenario_discovery(ipv8_bin: str) -> dict:
    """Our node and a py-ipv8 peer meet through a rendezvous (our tracker) and list each other."""
    from ipv8.peerdiscovery.community import DiscoveryCommunity

    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    py = None
    rust = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rust = RustNode(ipv8_bin, Path(tmp), port)
            await rust.start()
            workdir = Path(tmp) / "py"
            workdir.mkdir()
            py = IPv8(py_config(workdir, "py", port, ("DiscoveryCommunity",)))
            await py.start()
            overlay = py.get_overlay(DiscoveryCommunity)

            def met() -> bool:
                mids = {p.mid.hex() for p in overlay.get_peers()}
                return rust.mid in mids and rust.discovery_peers >= 1

            took = await wait_until(met, 30.0)
            py_mid = b64encode(overlay.my_peer.mid).decode()
            listed = took is not None and py_mid in rest_get(rust.rest_port, "/network")["peers"]
            return {"scenario": "discovery", "ok": listed, "seconds": took, "rest_lists_py_peer": listed}
    finally:
        if py is not None:
            await py.stop()
        if rust is not None:
            await rust.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


class RustPeer:
    """The `interop_peer` example on 127.0.0.1: an app community; its JSON lines are collected."""

    def __init__(self, peer_bin: str, bootstrap_port: int) -> None:
        self.args = [peer_bin, f"{LOOPBACK}:{bootstrap_port}"]
        self.events: list[dict] = []
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(*self.args, stdout=asyncio.subprocess.PIPE)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            self.events.append(json.loads(raw))

    def mid(self) -> str | None:
        return next((e["mid"] for e in self.events if e["event"] == "started"), None)

    def handled(self) -> dict:
        stats = [e for e in self.events if e["event"] == "stats"]
        return stats[-1]["handled"] if stats else {}

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(2)
            await asyncio.wait_for(self.process.wait(), 10)
        if self.reader:
            self.reader.cancel()


async def scenario_messages(ipv8_bin: str, peer_bin: str) -> dict:
    """Signed app messages (int, UTF-8 text, bytes, list of ints) both ways, over new-style discovery."""
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    py = None
    rust = RustPeer(peer_bin, port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await rust.start()
            workdir = Path(tmp) / "py"
            workdir.mkdir()
            config = py_config(workdir, "py", port, ("DiscoveryCommunity", "AppCommunity"))
            py = IPv8(config, extra_communities={"AppCommunity": AppCommunity})
            await py.start()
            app = py.get_overlay(AppCommunity)
            py_mid = app.my_peer.mid.hex()

            def exchanged() -> bool:
                rust_mid = rust.mid()
                from_rust = {
                    ("clock", rust_mid, 1700000000),
                    ("text", rust_mid, "h\u00e9llo from rust", "0001ff", (1, -2, 3)),
                }
                got_py = {tuple(tuple(x) if isinstance(x, list) else x for x in r) for r in app.received}
                from_py = [e for e in rust.events if e.get("from") == py_mid]
                rust_ok = any(e["event"] == "clock" and e["clock"] == 1700000001 for e in from_py) and any(
                    e["event"] == "text" and e["text"] == "h\u00e9llo from python" and e["blob"] == "0001ff"
                    and e["nums"] == [4, -5, 6] for e in from_py)
                return from_rust <= got_py and rust_ok

            took = await wait_until(exchanged, 30.0)
            # py-ipv8 switches to the new-style (23x) messages with a peer whose 245 says it can; its
            # next walk to us is a 234 that our node must handle.
            new_style = await wait_until(lambda: any(str(i) in rust.handled() for i in (233, 234)), 15.0) is not None
            ok = took is not None and new_style
            return {"scenario": "messages", "ok": ok, "seconds": took, "rust_handled_new_style": new_style}
    finally:
        if py is not None:
            await py.stop()
        await rust.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


FIRST_ID = bytes.fromhex("6970763820696e7465726f702074657374000011")
SECOND_ID = bytes.fromhex("6970763820696e7465726f702074657374000012")


class MarkedCommunity(Community):
    """Piggybacks `mark` on its introductions (py-ipv8's documented way: override the two
    `create_introduction_*` methods) and records the extra bytes peers send, by their mid."""

    mark = b""

    def __init__(self, settings) -> None:  # noqa: ANN001
        super().__init__(settings)
        self.extra: list[tuple[str, bytes]] = []

    def create_introduction_request(self, socket_address, extra_bytes=b"", new_style=False, prefix=None):  # noqa: ANN001, ANN201
        return super().create_introduction_request(socket_address, self.mark, new_style, prefix)

    def create_introduction_response(self, lan_socket_address, socket_address, identifier,  # noqa: ANN001, ANN201, PLR0913
                                     introduction=None, extra_bytes=b"", prefix=None, new_style=False):
        return super().create_introduction_response(lan_socket_address, socket_address, identifier,
                                                    introduction, self.mark, prefix, new_style)

    def introduction_request_callback(self, peer, dist, payload) -> None:  # noqa: ANN001
        self.extra.append((peer.mid.hex(), payload.extra_bytes))

    def introduction_response_callback(self, peer, dist, payload) -> None:  # noqa: ANN001
        self.extra.append((peer.mid.hex(), payload.extra_bytes))


class FirstCommunity(MarkedCommunity):
    community_id = FIRST_ID
    mark = b"py 1"


class SecondCommunity(MarkedCommunity):
    community_id = SECOND_ID
    mark = b"py 2"


async def scenario_identities(ipv8_bin: str, identities_bin: str) -> dict:
    """Two overlays of one Rust node appear to a py-ipv8 peer under two public keys, and
    introduction extra bytes travel both ways in each."""
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    py = None
    rust = RustPeer(identities_bin, port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await rust.start()
            workdir = Path(tmp) / "py"
            workdir.mkdir()
            config = py_config(workdir, "py", port, ("FirstCommunity", "SecondCommunity"))
            py = IPv8(config, extra_communities={"FirstCommunity": FirstCommunity,
                                                 "SecondCommunity": SecondCommunity})
            await py.start()
            overlays = {FIRST_ID: py.get_overlay(FirstCommunity), SECOND_ID: py.get_overlay(SecondCommunity)}
            marks = {FIRST_ID: (b"rust 1", b"py 1"), SECOND_ID: (b"rust 2", b"py 2")}
            py_mid = overlays[FIRST_ID].my_peer.mid.hex()

            def done() -> bool:
                started = next((e for e in rust.events if e["event"] == "started"), None)
                if started is None:
                    return False
                for cid, overlay in overlays.items():
                    mid = started["mids"].get(cid.hex())
                    if mid not in {p.mid.hex() for p in overlay.get_peers()}:
                        return False
                    rust_mark, py_mark = marks[cid]
                    if (mid, rust_mark) not in overlay.extra:
                        return False
                    if not any(e["event"] == "extra" and e["community"] == cid.hex() and e["from"] == py_mid
                               and e["bytes"] == py_mark.hex() for e in rust.events):
                        return False
                return len(set(started["mids"].values())) == 2

            took = await wait_until(done, 30.0)
            return {"scenario": "identities", "ok": took is not None, "seconds": took}
    finally:
        if py is not None:
            await py.stop()
        await rust.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


RUST_KEY = b"rust-ipv8 dht key r!"
PY_KEY = b"py-ipv8 dht key p!!!"


async def scenario_dht(ipv8_bin: str, dht_bin: str) -> dict:
    """A py-ipv8 DHTCommunity and our DhtCommunity store values and find each other's."""
    from ipv8.dht.community import DHTCommunity

    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    py = None
    rust = RustPeer(dht_bin, port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await rust.start()
            workdir = Path(tmp) / "py"
            workdir.mkdir()
            py = IPv8(py_config(workdir, "py", port, ("DHTCommunity",)), extra_communities={"DHTCommunity": DHTCommunity})
            await py.start()
            dht = py.get_overlay(DHTCommunity)
            py_mid = dht.my_peer.mid.hex()
            state = {"stored": False, "found": None}

            async def step() -> bool:
                if not state["stored"]:
                    try:
                        state["stored"] = bool(await dht.store_value(PY_KEY, b"from python", sign=True))
                    except Exception:  # noqa: BLE001 (no nodes yet)
                        pass
                if state["found"] is None:
                    try:
                        values = await dht.find_values(RUST_KEY)
                        state["found"] = [v for v in values if v[0] == b"from rust"] or None
                    except Exception:  # noqa: BLE001 (no nodes yet)
                        pass
                rust_found = any(e["event"] == "found" and e["data"] == "from python" and e["signer"] == py_mid
                                 for e in rust.events)
                return state["stored"] and state["found"] is not None and rust_found

            start = time.monotonic()
            done = False
            while time.monotonic() - start < 30.0 and not done:
                done = await step()
                if not done:
                    # Both sides stop answering a node that queries them ten times in five seconds.
                    await asyncio.sleep(1.0)
            took = time.monotonic() - start if done else None
            rust_mid = rust.mid()
            signer = state["found"][0][1] if done else None
            signer_ok = signer is not None and hashlib.sha1(signer).hexdigest() == rust_mid
            return {"scenario": "dht", "ok": bool(done and signer_ok), "seconds": took,
                    "py_found_rust_value": state["found"] is not None, "py_stored": state["stored"]}
    finally:
        if py is not None:
            await py.stop()
        await rust.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


SCENARIOS = {"tracker": scenario_tracker, "discovery": scenario_discovery, "messages": scenario_messages,
             "identities": scenario_identities, "dht": scenario_dht}


async def main() -> int:
    """Run the chosen scenarios and report each as a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipv8-bin", required=True)
    parser.add_argument("--peer-bin", required=True, help="the interop_peer example binary")
    parser.add_argument("--identities-bin", required=True, help="the interop_identities example binary")
    parser.add_argument("--dht-bin", required=True, help="the interop_dht example binary")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    failed = 0
    for name in args.scenario or sorted(SCENARIOS):
        scenario = SCENARIOS[name]
        if name == "identities":
            result = await scenario(args.ipv8_bin, args.identities_bin)
        elif name == "dht":
            result = await scenario(args.ipv8_bin, args.dht_bin)
        elif scenario.__code__.co_argcount == 2:
            result = await scenario(args.ipv8_bin, args.peer_bin)
        else:
            result = await scenario(args.ipv8_bin)
        print(json.dumps(result), flush=True)
        failed += not result["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
