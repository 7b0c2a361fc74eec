#!/usr/bin/env python3
"""Time py-ipv8's in-process receive pipeline, as a baseline for the Rust port's community dispatch.

Usage: bench_community.py [--seconds S]
Run it with the py-ipv8 venv, e.g. target/py-venv/bin/python xtask/py/bench_community.py

The benchmark calls `Community.on_packet((source_address, packet))` on a community with two handlers:
a signed `@lazy_wrapper` handler for the dataclass payload `Clock(clock: int)` (msg_id 1) and an
unsigned `@lazy_wrapper_unsigned` handler for `UnsignedClock(clock: int)` (msg_id 2). The packets are
built by a second community, with its own curve25519 key, through py-ipv8's own `ezr_pack`. The
sender is not a verified peer of the receiver, so the signed handler builds a fresh `Peer` for every
packet, as py-ipv8 does for any unknown sender.

Prints one JSON object per line: {"name": ..., "ns_per_op": ..., "msgs_per_s": ...} for
"py_on_packet_signed", "py_on_packet_unsigned" and, for reference, "py_verify_only" (just the
signature check that the signed handler performs for such a packet).

Nothing here touches the network: both communities use a MockEndpoint that is never opened, and
their background tasks are cancelled before the event loop gets a chance to run them. The only socket
the process creates is the AF_UNIX socketpair that asyncio's event loop uses to wake itself up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import timeit
from dataclasses import dataclass
from typing import Callable

from ipv8.community import Community, CommunitySettings
from ipv8.keyvault.crypto import default_eccrypto
from ipv8.lazy_community import lazy_wrapper, lazy_wrapper_unsigned
from ipv8.messaging.interfaces.udp.endpoint import UDPv4Address
from ipv8.messaging.payload_dataclass import DataClassPayload
from ipv8.peer import Peer
from ipv8.peerdiscovery.network import Network
from ipv8.test.mocking.endpoint import MockEndpoint

# Each measurement is split into this many timed runs; the fastest run is reported, which filters out
# interruptions by other processes on the machine.
RUNS = 5

# The value carried by every benchmark packet. It is 1 so that a handler's counter grows by exactly
# the number of packets it handled.
CLOCK_VALUE = 1

# Documentation-range addresses (RFC 5737); they are only used as dictionary keys, never contacted.
RECEIVER_ADDRESS = UDPv4Address("192.0.2.1", 8090)
SENDER_ADDRESS = UDPv4Address("192.0.2.2", 8090)


@dataclass
class Clock(DataClassPayload[1]):
    """The signed benchmark payload: a single integer."""

    clock: int


@dataclass
class UnsignedClock(DataClassPayload[2]):
    """The unsigned benchmark payload: a single integer."""

    clock: int


class ClockCommunity(Community):
    """A community that only counts the clock values it receives, once per handler."""

    community_id = bytes.fromhex("62656e63682d636f6d6d756e6974792d30303031")

    def __init__(self, settings: CommunitySettings) -> None:
        """Register one signed and one unsigned handler next to the default community handlers."""
        super().__init__(settings)
        self.signed_total = 0
        self.unsigned_total = 0
        self.add_message_handler(Clock, self.on_clock)
        self.add_message_handler(UnsignedClock, self.on_unsigned_clock)

    @lazy_wrapper(Clock)
    def on_clock(self, peer: Peer, payload: Clock) -> None:
        """Add the value of a signed clock message to the signed counter."""
        self.signed_total += payload.clock

    @lazy_wrapper_unsigned(UnsignedClock)
    def on_unsigned_clock(self, source_address: UDPv4Address, payload: UnsignedClock) -> None:
        """Add the value of an unsigned clock message to the unsigned counter."""
        self.unsigned_total += payload.clock


def make_community(address: UDPv4Address) -> ClockCommunity:
    """Create a community with a fresh curve25519 key on a never-opened mock endpoint.

    This must be called with a running event loop, because py-ipv8 schedules background tasks in the
    constructor; those tasks are cancelled right away, so they never run.
    """
    settings = CommunitySettings(my_peer=Peer(default_eccrypto.generate_key("curve25519")),
                                 endpoint=MockEndpoint(address, address),
                                 network=Network())
    community = ClockCommunity(settings)
    community.cancel_all_pending_tasks()
    return community


def time_calls(call: Callable[[], object], seconds: float,
               counter: Callable[[], int] | None = None) -> float:
    """Time one call and return nanoseconds per call: the fastest of RUNS runs that together fill `seconds`.

    When a counter is given, it must grow by exactly one for every call, which proves that each timed
    call really reached its handler instead of failing silently inside `on_packet`.
    """
    timer = timeit.Timer(call)
    loops, elapsed = timer.autorange()
    per_run = max(1, int(loops * (seconds / RUNS) / elapsed))
    before = counter() if counter else 0
    best = min(timer.repeat(repeat=RUNS, number=per_run))
    if counter:
        delivered = counter() - before
        if delivered != RUNS * per_run:
            raise AssertionError(f"the handler counted {delivered} messages for {RUNS * per_run} calls")
    return best / per_run * 1e9


def result(name: str, ns_per_op: float) -> dict:
    """Format one measurement as a JSON-ready dictionary."""
    return {"name": name, "ns_per_op": round(ns_per_op, 1), "msgs_per_s": round(1e9 / ns_per_op)}


def verify_only(sender_key_bin: bytes, signed_packet: bytes, seconds: float) -> float:
    """Time just the signature check that the signed handler performs for `signed_packet`.

    The public key is decoded once up front, so only `is_valid_signature` is timed.
    """
    public_key = default_eccrypto.key_from_public_bin(sender_key_bin)
    signature_length = default_eccrypto.get_signature_length(public_key)
    signed_bytes = signed_packet[:-signature_length]
    signature = signed_packet[-signature_length:]
    if not default_eccrypto.is_valid_signature(public_key, signed_bytes, signature):
        raise AssertionError("the signed benchmark packet does not carry a valid signature")
    return time_calls(lambda: default_eccrypto.is_valid_signature(public_key, signed_bytes, signature), seconds)


def benchmarks(receiver: ClockCommunity, sender: ClockCommunity, seconds: float) -> list[dict]:
    """Build both packets with the sender's community and time how the receiver handles them."""
    sender_key_bin = sender.my_peer.public_key.key_to_bin()
    if receiver.my_peer.public_key.key_to_bin() == sender_key_bin:
        raise AssertionError("the sender and the receiver must use different keys")

    signed_packet = sender.ezr_pack(Clock.msg_id, Clock(CLOCK_VALUE), sig=True)
    unsigned_packet = sender.ezr_pack(UnsignedClock.msg_id, UnsignedClock(CLOCK_VALUE), sig=False)
    signed_datagram = (SENDER_ADDRESS, signed_packet)
    unsigned_datagram = (SENDER_ADDRESS, unsigned_packet)

    signed_ns = time_calls(lambda: receiver.on_packet(signed_datagram), seconds,
                           lambda: receiver.signed_total)
    unsigned_ns = time_calls(lambda: receiver.on_packet(unsigned_datagram), seconds,
                             lambda: receiver.unsigned_total)
    verify_ns = verify_only(sender_key_bin, signed_packet, seconds)
    return [result("py_on_packet_signed", signed_ns),
            result("py_on_packet_unsigned", unsigned_ns),
            result("py_verify_only", verify_ns)]


async def run(seconds: float) -> list[dict]:
    """Create both communities inside the event loop that py-ipv8 needs, benchmark, then unload them."""
    receiver = make_community(RECEIVER_ADDRESS)
    sender = make_community(SENDER_ADDRESS)
    try:
        return benchmarks(receiver, sender, seconds)
    finally:
        await receiver.unload()
        await sender.unload()


def main() -> None:
    """Print one timing per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="approximate time spent per measurement")
    args = parser.parse_args()
    for line in asyncio.run(run(args.seconds)):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
