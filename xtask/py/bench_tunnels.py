"""Tunnel throughput on loopback, ours and py-ipv8's in one run (`cargo xtask bench-tunnels`).

Usage: bench_tunnels.py --ipv8-bin PATH --throughput-bin PATH [--seconds S]

For 1 and 3 hops, one network per implementation on 127.0.0.1: a tracker, hops - 1 relays and an
exit (each its own process), and a sender that builds circuits (timing each build) and then pushes
1,200-byte BitTorrent-like datagrams through one circuit as fast as it can to a UDP sink on
127.0.0.1. Reported per network: the sink's goodput in MB/s, the circuit build time p50, and the CPU
seconds all processes of the network spent per MB delivered. py-ipv8 runs twice: with its own UDP
endpoint, and with ipv8_rust_tunnels' `Endpoint` (as Tribler sets it up), which relays and exits
cells in Rust. Prints one JSON line per network, then the ratios.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import ipv8.messaging.interfaces.endpoint as py_endpoint

LOOPBACK = "127.0.0.1"
SIZE = 1200
BUILDS = 9
BATCH = 32
py_endpoint.get_lan_addresses = lambda: [LOOPBACK]

from ipv8.configuration import (  # noqa: E402  (after the loopback patch on purpose)
    Bootstrapper,
    BootstrapperDefinition,
    ConfigBuilder,
    Strategy,
    WalkerDefinition,
)
from ipv8_service import IPv8  # noqa: E402


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- py-ipv8 roles (each runs in a process of its own) --------------------------------------------

async def py_node(bootstrap_port: int, flags: list[int], workdir: str, rust_endpoint: bool):
    builder = ConfigBuilder().clear_keys().clear_overlays()
    builder.set_address(LOOPBACK)
    port = free_port()
    builder.set_port(port)
    builder.set_working_directory(workdir)
    builder.add_key("anon", "curve25519", os.path.join(workdir, "anon.pem"))
    bootstrap = BootstrapperDefinition(Bootstrapper.DispersyBootstrapper,
                                       {"ip_addresses": [(LOOPBACK, bootstrap_port)], "dns_addresses": []})
    walker = WalkerDefinition(Strategy.RandomWalk, 20, {"timeout": 3.0})
    builder.add_overlay("TunnelCommunity", "anon", [walker], [bootstrap],
                        {"peer_flags": set(flags), "max_traffic": 1 << 50}, [])
    endpoint = None
    if rust_endpoint:
        from ipv8_rust_tunnels.endpoint import Endpoint
        endpoint = Endpoint(port=port, ip=LOOPBACK)
    instance = IPv8(builder.finalize(), endpoint_override=endpoint)
    await instance.start()
    return instance


def sink() -> tuple:
    """A UDP sink on 127.0.0.1 counting received bytes in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((LOOPBACK, 0))
    counter = [0]

    def run() -> None:
        while True:
            counter[0] += len(sock.recv(65536))

    threading.Thread(target=run, daemon=True).start()
    return sock.getsockname(), counter


async def py_send(instance, hops: int, seconds: float) -> dict:
    from ipv8.messaging.anonymization.community import TunnelCommunity
    from ipv8.messaging.anonymization.tunnel import CIRCUIT_STATE_EXTENDING, CIRCUIT_STATE_READY, PEER_FLAG_EXIT_BT

    tunnel = instance.get_overlay(TunnelCommunity)
    builds, circuit = [], None
    deadline = time.monotonic() + 120
    while len(builds) < BUILDS and time.monotonic() < deadline:
        started = time.monotonic()
        candidate = tunnel.create_circuit(hops, exit_flags=[PEER_FLAG_EXIT_BT])
        if candidate is None:
            await asyncio.sleep(0.5)
            continue
        while candidate.state == CIRCUIT_STATE_EXTENDING and time.monotonic() - started < 15:
            await asyncio.sleep(0.005)
        if candidate.state != CIRCUIT_STATE_READY:
            await asyncio.sleep(0.5)
            continue
        builds.append(time.monotonic() - started)
        if circuit is not None:
            tunnel.remove_circuit(circuit.circuit_id, "replaced", destroy=1)
        circuit = candidate
    if circuit is None:
        return {"error": "no circuit"}
    builds.sort()
    to, received = sink()
    data = b"d" + b"x" * (SIZE - 2) + b"e"
    start, sent = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        for _ in range(BATCH):
            tunnel.send_data(circuit.hop.address, circuit.circuit_id, to, ("0.0.0.0", 0), data)
        sent += BATCH
        await asyncio.sleep(0)
    elapsed = time.monotonic() - start
    await asyncio.sleep(0.3)
    return {"hops": hops, "build_seconds": builds, "build_p50": builds[len(builds) // 2],
            "sent_datagrams": sent, "received_bytes": received[0], "seconds": elapsed,
            "mb_per_s": received[0] / elapsed / 1e6, "delivered": received[0] / (sent * SIZE)}


async def py_role(args) -> None:
    flags = {"relay": [1], "exit": [1, 2], "send": []}[args.py_role]
    with tempfile.TemporaryDirectory() as workdir:
        instance = await py_node(args.bootstrap_port, flags, workdir, args.rust_endpoint)
        if args.py_role == "send":
            await asyncio.sleep(3.0)
            print(json.dumps(await py_send(instance, args.hops, args.seconds)), flush=True)
        else:
            print(json.dumps({"role": args.py_role}), flush=True)
            await asyncio.Event().wait()
        await instance.stop()


# --- the harness ----------------------------------------------------------------------------------

def run_network(name: str, ipv8_bin: str, hop_cmd, send_cmd, hops: int) -> dict:
    """Tracker, hops - 1 relays and an exit, then the sender; the sender's report plus CPU use."""
    port = free_port()
    tracker = subprocess.Popen([ipv8_bin, "tracker", "--ip", LOOPBACK, "--listen-port", str(port)],
                               stdout=subprocess.DEVNULL)
    roles = ["relay"] * (hops - 1) + ["exit"]
    nodes = [subprocess.Popen(hop_cmd(role, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for role in roles]
    try:
        time.sleep(2.0)
        before = sum(cpu_seconds(node.pid) for node in nodes)
        sender = subprocess.Popen(send_cmd(port), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(sender.pid, 0)
        output = sender.stdout.read().decode().strip().splitlines()
        hop_cpu = sum(cpu_seconds(node.pid) for node in nodes) - before
        report = json.loads(output[-1]) if output else {"error": f"sender exited {status}"}
        report["network"] = name
        mb = report.get("received_bytes", 0) / 1e6
        sender_cpu = usage.ru_utime + usage.ru_stime
        report["cpu_seconds_per_mb"] = (hop_cpu + sender_cpu) / mb if mb else None
        report.pop("build_seconds", None)
        return report
    finally:
        for process in [*nodes, tracker]:
            process.send_signal(2)
        for process in [*nodes, tracker]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipv8-bin")
    parser.add_argument("--throughput-bin")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--py-role", choices=["relay", "exit", "send"])
    parser.add_argument("--bootstrap-port", type=int)
    parser.add_argument("--hops", type=int)
    parser.add_argument("--rust-endpoint", action="store_true")
    args = parser.parse_args()
    if args.py_role:
        asyncio.run(py_role(args))
        return 0
    me = [sys.executable, __file__]
    results = {}
    for hops in (1, 3):
        rust = run_network(
            "rust-ipv8", args.ipv8_bin,
            lambda role, port: [args.throughput_bin, role, f"{LOOPBACK}:{port}"],
            lambda port, hops=hops: [args.throughput_bin, "send", f"{LOOPBACK}:{port}", str(hops), str(args.seconds)],
            hops)
        print(json.dumps(rust), flush=True)
        for variant, extra in (("py-ipv8", []), ("py-ipv8+rust-endpoint", ["--rust-endpoint"])):
            py = run_network(
                variant, args.ipv8_bin,
                lambda role, port, extra=extra: [*me, "--py-role", role, "--bootstrap-port", str(port), *extra],
                lambda port, hops=hops, extra=extra: [*me, "--py-role", "send", "--bootstrap-port", str(port),
                                                      "--hops", str(hops), "--seconds", str(args.seconds), *extra],
                hops)
            print(json.dumps(py), flush=True)
            results[(variant, hops)] = py
        results[("rust-ipv8", hops)] = rust
    for hops in (1, 3):
        ours = results[("rust-ipv8", hops)].get("mb_per_s") or 0
        for variant in ("py-ipv8", "py-ipv8+rust-endpoint"):
            theirs = results[(variant, hops)].get("mb_per_s") or 0
            ratio = ours / theirs if theirs else None
            print(json.dumps({"hops": hops, "ours_mb_per_s": ours, "vs": variant, "theirs_mb_per_s": theirs,
                              "throughput_ratio": ratio}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
