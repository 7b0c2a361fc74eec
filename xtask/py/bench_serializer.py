#!/usr/bin/env python3
"""Time py-ipv8's serializer on this machine, as a baseline for the Rust port's serializer.

Usage: bench_serializer.py [--seconds S]

Prints one JSON object per line: {"name": ..., "ns_per_op": ...} for encoding and decoding an
introduction-request payload and a ten-field dataclass payload (and for constructing the latter),
plus {"name": "app10_hex", "hex": ...} with the packed ten-field payload so that the Rust side can
check that it produces the same bytes.
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import timeit
from dataclasses import dataclass
from functools import partial
from typing import Callable

from ipv8.messaging.interfaces.udp.endpoint import UDPv4Address
from ipv8.messaging.payload import IntroductionRequestPayload
from ipv8.messaging.payload_dataclass import DataClassPayload, type_from_format
from ipv8.messaging.serialization import Serializable, default_serializer

# Each measurement is split into this many timed runs; the fastest run is reported, which filters out
# interruptions by other processes on the machine.
RUNS = 5


@dataclass
class App10(DataClassPayload[1]):
    """A ten-field application payload covering the common dataclass field types."""

    a: int
    b: int
    c: bool
    d: float
    e: str
    f: bytes
    g: list[int]
    h: type_from_format("I")
    i: type_from_format("H")
    j: str


def make_app10() -> Serializable:
    """Build the ten-field payload with the agreed benchmark values."""
    return App10(1, -2, True, 0.5, "hello", b"\x00\x01\x02\x03", [1, 2, 3], 7, 9, "world")


def make_introduction_request() -> Serializable:
    """Build the introduction-request of spec vector V1 (A asks B, identifier 1)."""
    return IntroductionRequestPayload(UDPv4Address("198.51.100.20", 8091), UDPv4Address("192.168.1.10", 8090),
                                      UDPv4Address("203.0.113.5", 8090), True, "unknown", 1, b"",
                                      supports_new_style=False)


def ns_per_op(operation: Callable[[], object], seconds: float) -> float:
    """Time one operation: calibrate the loop count, then keep the fastest of RUNS runs filling `seconds`."""
    timer = timeit.Timer(operation)
    loops, elapsed = timer.autorange()
    per_run = max(1, int(loops * (seconds / RUNS) / elapsed))
    best = min(timer.repeat(repeat=RUNS, number=per_run))
    return best / per_run * 1e9


def benchmarks(seconds: float) -> list[dict]:
    """Measure encoding and decoding of both payloads."""
    results = []
    for name, payload in (("intro_request", make_introduction_request()), ("app10", make_app10())):
        cls = type(payload)
        data = default_serializer.pack_serializable(payload)
        encode = partial(default_serializer.pack_serializable, payload)
        decode = partial(default_serializer.unpack_serializable, cls, data)
        results.append({"name": f"py_{name}_encode", "ns_per_op": round(ns_per_op(encode, seconds), 1)})
        results.append({"name": f"py_{name}_decode", "ns_per_op": round(ns_per_op(decode, seconds), 1)})
    # Decoding a dataclass payload constructs it, and py-ipv8 3.2.1 re-derives the dataclass's formats and
    # recompiles its methods on every construction; this line shows how much of the decode time that is.
    results.append({"name": "py_app10_construct", "ns_per_op": round(ns_per_op(make_app10, seconds), 1)})
    return results


def main() -> None:
    """Print the packed ten-field payload, then one timing per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="approximate time spent per measurement")
    args = parser.parse_args()

    app10_bytes = default_serializer.pack_serializable(make_app10())
    decoded, _ = default_serializer.unpack_serializable(type(make_app10()), app10_bytes)
    if default_serializer.pack_serializable(decoded) != app10_bytes:
        raise AssertionError("the ten-field payload does not survive a round trip")
    print(json.dumps({"name": "app10_hex", "hex": app10_bytes.hex()}), flush=True)
    for result in benchmarks(args.seconds):
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
