"""Measure, on loopback only: time for two fresh nodes to find each other through `ipv8 tracker`
(p50/p95 over N runs) for rust-ipv8 (`ipv8 run`) and py-ipv8 side by side, and idle memory.

Usage: measure_discovery.py --ipv8-bin PATH [--runs N]

Every node binds 127.0.0.1 and bootstraps only from the tracker on 127.0.0.1 (py-ipv8's LAN guess is
patched to 127.0.0.1 by importing interop.py first). Prints JSON lines.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import interop  # patches py-ipv8's LAN guess before py-ipv8 starts
from interop import LOOPBACK, free_port, start_tracker
from ipv8.peerdiscovery.community import DiscoveryCommunity
from ipv8_service import IPv8


def rust_node(ipv8_bin: str, workdir: Path, tracker: int) -> subprocess.Popen:
    """`ipv8 run` on 127.0.0.1 with a fast status line, bootstrapping from the tracker only."""
    args = [ipv8_bin, "run", "--ip", LOOPBACK, "--port", str(free_port()), "--bootstrap", f"{LOOPBACK}:{tracker}",
            "--working-directory", str(workdir), "--status-interval", "0.01"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def wait_for_line(process: subprocess.Popen, wanted, deadline: float) -> bool:
    """Read the node's lines until one satisfies `wanted`."""
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            return False
        if wanted(line):
            return True
    return False


def has_peer(line: str) -> bool:
    """A status line listing at least one DiscoveryCommunity peer."""
    return "DiscoveryCommunity=" in line and "DiscoveryCommunity=0" not in line


def rust_run(ipv8_bin: str) -> float | None:
    """Seconds from both `ipv8 run` nodes listening until both list a peer (process start-up, key
    generation and socket binding excluded, as the py-ipv8 timing excludes building its objects)."""
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    nodes = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("a", "b"):
                (Path(tmp) / name).mkdir()
                nodes.append(rust_node(ipv8_bin, Path(tmp) / name, port))
            deadline = time.monotonic() + 30
            if not all(wait_for_line(node, lambda line: "listening on" in line, deadline) for node in nodes):
                return None
            start = time.monotonic()
            ok = all(wait_for_line(node, has_peer, deadline) for node in nodes)
            return time.monotonic() - start if ok else None
    finally:
        for node in nodes:
            node.terminate()
            node.wait(timeout=10)
        tracker.terminate()
        tracker.wait(timeout=10)


def py_config(workdir: Path, tracker: int) -> dict:
    """A py-ipv8 DiscoveryCommunity node on 127.0.0.1 bootstrapping from the tracker only."""
    return interop.py_config(workdir, "k", tracker, ("DiscoveryCommunity",))


async def py_run(ipv8_bin: str) -> float | None:
    """Seconds from starting two built py-ipv8 nodes until both list a peer."""
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    instances = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("a", "b"):
                (Path(tmp) / name).mkdir()
                instances.append(IPv8(py_config(Path(tmp) / name, port)))
            start = time.monotonic()
            for instance in instances:
                await instance.start()
            overlays = [i.get_overlay(DiscoveryCommunity) for i in instances]
            while time.monotonic() - start < 30:
                if all(overlay.get_peers() for overlay in overlays):
                    return time.monotonic() - start
                await asyncio.sleep(0.005)
            return None
    finally:
        for instance in instances:
            await instance.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


def percentiles(samples: list[float]) -> dict:
    """p50 and p95 of the samples, in seconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"runs": len(ordered), "p50_s": round(statistics.median(ordered), 3), "p95_s": round(p95, 3)}


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def idle_rss(ipv8_bin: str) -> dict:
    """RSS after 3 s of an idle `ipv8 run` and of an idle py-ipv8 node (both on loopback)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        rust = rust_node(ipv8_bin, Path(tmp), port)
        script = (f"import asyncio, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import interop\n"
                  f"from measure_discovery import py_config\nfrom ipv8_service import IPv8\nfrom pathlib import Path\n"
                  f"async def main():\n    i = IPv8(py_config(Path({tmp!r}), {port}))\n    await i.start()\n"
                  f"    await asyncio.sleep(30)\nasyncio.run(main())\n")
        py = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(3)
        result = {"rust_idle_rss_kib": rss_kib(rust.pid), "py_idle_rss_kib": rss_kib(py.pid)}
        for process in (rust, py):
            process.terminate()
            process.wait(timeout=10)
        return result


def main() -> int:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipv8-bin", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rust = [t for t in (rust_run(args.ipv8_bin) for _ in range(args.runs)) if t is not None]
    print(json.dumps({"name": "discovery_rust", **percentiles(rust)}), flush=True)
    py = [t for t in (asyncio.run(py_run(args.ipv8_bin)) for _ in range(args.runs)) if t is not None]
    print(json.dumps({"name": "discovery_py", **percentiles(py)}), flush=True)
    print(json.dumps({"name": "idle_memory", **idle_rss(args.ipv8_bin)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
