"""DHT lookup latency on a loopback network of 20 nodes: 20 py-ipv8 DHTDiscoveryCommunity nodes,
then 20 `ipv8 run` nodes (the default configuration), in the same run and on the same machine.

Usage: bench_dht.py --ipv8-bin PATH --ops-bin PATH [--nodes 20] [--lookups 60]

Each network bootstraps from a tracker on 127.0.0.1; once every routing table holds most of the
others, 10 keys are stored and `--lookups` lookups of them start from random nodes, one at a
time. py-ipv8's lookups are timed around `find_values`; ours by the node itself (the `debug.time`
of `GET /dht/values/{key}`, the same figure py-ipv8's REST API reports). Then the routing-table
operations of both (`dht_ops.py` and the `dht_ops` example). Prints JSON lines.
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import interop  # noqa: E402  (patches py-ipv8's LAN guess to loopback on import)
from interop import IPv8, LOOPBACK, RustNode, free_port, py_config, rest, start_tracker  # noqa: E402

KEYS = [bytes([0x4b, i]) * 10 for i in range(10)]


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "max_ms": round(ordered[-1] * 1000, 2)}


async def py_network(ipv8_bin: str, nodes: int, lookups: int) -> dict:
    from ipv8.dht.discovery import DHTDiscoveryCommunity

    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    instances = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(nodes):
                workdir = Path(tmp) / f"py{i}"
                workdir.mkdir()
                config = py_config(workdir, f"py{i}", port, ("DHTDiscoveryCommunity",))
                instance = IPv8(config, extra_communities={"DHTDiscoveryCommunity": DHTDiscoveryCommunity})
                await instance.start()
                instances.append(instance)
            dhts = [instance.get_overlay(DHTDiscoveryCommunity) for instance in instances]

            def table(dht) -> int:  # noqa: ANN001
                return sum(len(b.nodes) for t in dht.routing_tables.values() for b in t.trie.values())

            start = time.monotonic()
            while time.monotonic() - start < 60 and min(map(table, dhts)) < nodes // 2:
                await asyncio.sleep(0.5)
            for index, key in enumerate(KEYS):
                await dhts[index % nodes].store_value(key, b"bench value", sign=False)
            rng = random.Random(1)
            times, found = [], 0
            for _ in range(lookups):
                dht, key = rng.choice(dhts), rng.choice(KEYS)
                begin = time.perf_counter()
                try:
                    values = await dht.find_values(key)
                except Exception:  # noqa: BLE001 (counted as not found)
                    values = []
                times.append(time.perf_counter() - begin)
                found += bool(values)
                await asyncio.sleep(0.2)
            return {"found": found, **summary(times)}
    finally:
        for instance in instances:
            await instance.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


async def rust_network(ipv8_bin: str, nodes: int, lookups: int) -> dict:
    port = free_port()
    tracker = start_tracker(ipv8_bin, port)
    rust: list[RustNode] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(nodes):
                workdir = Path(tmp) / f"rust{i}"
                workdir.mkdir()
                node = RustNode(ipv8_bin, workdir, port)
                await node.start()
                rust.append(node)

            async def table(node: RustNode) -> int:
                _, body = await rest(node.rest_port, "GET", "/dht/statistics")
                return body.get("statistics", {}).get("endpoints", [{}])[0].get("routing_table_size", 0)

            start = time.monotonic()
            while time.monotonic() - start < 60 and min([await table(node) for node in rust]) < nodes // 2:
                await asyncio.sleep(0.5)
            for index, key in enumerate(KEYS):
                node = rust[index % nodes]
                await rest(node.rest_port, "PUT", f"/dht/values/{key.hex()}", {"value": b"bench".hex()})
            rng = random.Random(1)
            times, found = [], 0
            for _ in range(lookups):
                node, key = rng.choice(rust), rng.choice(KEYS)
                status, body = await rest(node.rest_port, "GET", f"/dht/values/{key.hex()}")
                if status == 200:
                    times.append(body["debug"]["time"])
                    found += bool(body["values"])
                await asyncio.sleep(0.2)
            return {"found": found, **summary(times)}
    finally:
        for node in rust:
            await node.stop()
        tracker.terminate()
        tracker.wait(timeout=10)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipv8-bin", required=True)
    parser.add_argument("--ops-bin", required=True, help="the dht_ops example binary (release)")
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--lookups", type=int, default=60)
    args = parser.parse_args()
    py = await py_network(args.ipv8_bin, args.nodes, args.lookups)
    ours = await rust_network(args.ipv8_bin, args.nodes, args.lookups)
    ratio = round(py["p50_ms"] / ours["p50_ms"], 2) if ours.get("p50_ms") else None
    print(json.dumps({"benchmark": "dht lookup latency", "nodes": args.nodes, "loopback": LOOPBACK,
                      "py_ipv8": py, "rust_ipv8": ours, "p50_speedup": ratio}), flush=True)
    py_ops = json.loads(subprocess.run([sys.executable, str(Path(__file__).parent / "dht_ops.py")],
                                       check=True, capture_output=True, text=True).stdout)
    our_ops = json.loads(subprocess.run([args.ops_bin], check=True, capture_output=True, text=True).stdout)
    print(json.dumps({"benchmark": "dht routing table", "py_ipv8": py_ops, "rust_ipv8": our_ops,
                      "add_1000_speedup": round(py_ops["add_1000_us"] / our_ops["add_1000_us"], 1),
                      "closest_8_speedup": round(py_ops["closest_8_us"] / our_ops["closest_8_us"], 1)}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
