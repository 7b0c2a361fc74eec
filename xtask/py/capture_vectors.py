#!/usr/bin/env python3
"""Capture golden wire vectors from real py-ipv8 for the Rust port.

Usage: capture_vectors.py OUTDIR [--schemas DIR] [--check-spec core-vectors.json]

For every [[payload]] of the message schemas this writes OUTDIR/<overlay>/<Payload>.json with cases built
through py-ipv8's own payload classes and packed by py-ipv8's serializer. It also writes
OUTDIR/messages.json with complete packets (header, optional signature) built by py-ipv8 communities.
Nothing here opens a socket: the communities sit on py-ipv8's in-memory mock endpoint, which is never
opened, and no packet is ever sent.

The output is deterministic (Ed25519 signatures are deterministic), so running the script twice must
produce identical files.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import struct
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

from ipv8.attestation.identity import payload as identity_payloads
from ipv8.attestation.wallet import payload as attestation_payloads
from ipv8.community import Community, CommunitySettings
from ipv8.dht import payload as dht_payloads
from ipv8.dht.payload import (
    ConnectPeerRequestPayload,
    ConnectPeerResponsePayload,
    FindRequestPayload,
    FindResponsePayload,
    NodePacker,
    PingRequestPayload,
    PingResponsePayload,
    SignedStrPayload,
    StorePeerRequestPayload,
    StorePeerResponsePayload,
    StoreRequestPayload,
    StoreResponsePayload,
)
from ipv8.dht import provider as dht_provider
from ipv8.dht.provider import DHTIntroPointPayload
from ipv8.dht.routing import Node
from ipv8.keyvault.crypto import default_eccrypto
from ipv8.messaging import payload as core_payloads
from ipv8.messaging.anonymization import payload as tunnel_payloads
from ipv8.messaging import payload_headers
from ipv8.messaging.interfaces.udp.endpoint import UDPv4Address, UDPv6Address
from ipv8.messaging.payload import (
    IntroductionRequestPayload,
    IntroductionResponsePayload,
    NewIntroductionRequestPayload,
    NewIntroductionResponsePayload,
    NewPuncturePayload,
    NewPunctureRequestPayload,
    PuncturePayload,
    PunctureRequestPayload,
)
from ipv8.messaging.payload_dataclass import DataClassPayload
from ipv8.messaging.payload_headers import BinMemberAuthenticationPayload, GlobalTimeDistributionPayload
from ipv8.messaging.serialization import ListOf, Serializable, default_serializer
from ipv8.peer import Peer
from ipv8.peerdiscovery import payload as discovery_payloads
from ipv8.peerdiscovery.community import DiscoveryCommunity
from ipv8.peerdiscovery.network import Network
from ipv8.peerdiscovery.payload import (
    PingPayload,
    PongPayload,
    SimilarityRequestPayload,
    SimilarityResponsePayload,
)
from ipv8.test.mocking.endpoint import MockEndpoint

PYIPV8_VERSION = "3.2.1"
GENERATOR = f"pyipv8 {PYIPV8_VERSION}"

# The schema files live two directories above this script, in schemas/messages/.
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "messages"


# ----------------------------------------------------------------------------------------------------
# Fixed inputs of the scenario in section 6 of the core wire-format spec.
# ----------------------------------------------------------------------------------------------------

def nacl_private_key_bin(x25519_first: int, ed25519_first: int) -> bytes:
    """Build a serialized curve25519 private key whose two 32-byte halves are runs of consecutive bytes."""
    x25519_secret = bytes(range(x25519_first, x25519_first + 32))
    ed25519_seed = bytes(range(ed25519_first, ed25519_first + 32))
    return b"LibNaCLSK:" + x25519_secret + ed25519_seed


# Keys A, B and C of the spec; the X25519 half comes first, the Ed25519 seed second.
PRIVATE_KEYS = {
    "A": nacl_private_key_bin(0x20, 0x00),
    "B": nacl_private_key_bin(0x60, 0x40),
    "C": nacl_private_key_bin(0xA0, 0x80),
}

# The public key of the legacy sect163k1 key L of the spec; only used as opaque auth-field bytes here.
LEGACY_PUBLIC_KEY_L = bytes.fromhex(
    "3040301006072a8648ce3d020106052b81040001032c0004002e5c2c7d28ad993dc77ad499f2ba674c110d6c640009"
    "928c768714e516690d1f8630cb9c458a2d8628")

A_LAN = UDPv4Address("192.168.1.10", 8090)
A_WAN = UDPv4Address("203.0.113.5", 8090)
B_LAN = UDPv4Address("10.0.0.7", 8091)
B_WAN = UDPv4Address("198.51.100.20", 8091)
C_LAN = UDPv4Address("192.168.2.20", 7000)
C_WAN = UDPv4Address("198.51.100.7", 7001)
TRACKER_WAN = UDPv4Address("130.161.119.206", 6421)

# Edge addresses: the "nobody" address, the largest IPv4 address and port, and a few IPv6 addresses.
ZERO_V4 = UDPv4Address("0.0.0.0", 0)
MAX_V4 = UDPv4Address("255.255.255.255", 65535)
ZERO_V6 = UDPv6Address("::", 0)
MAX_V6 = UDPv6Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535)
V6_ONE = UDPv6Address("2001:db8::1", 8090)
V6_TWENTY = UDPv6Address("2001:db8::20", 8091)
V6_LINK_LOCAL = UDPv6Address("fe80::1:2:3:4", 7000)
V6_MAPPED = UDPv6Address("::ffff:192.0.2.1", 7001)

DISCOVERY_CID = DiscoveryCommunity.community_id
INTEROP_CID = bytes.fromhex("6970763820696e7465726f702074657374000001")
TUNNEL_CID = bytes.fromhex("81ded07332bdc775aa5a46f96de9f8f390bbc9f3")
DHT_CID = bytes.fromhex("8d0be1845d74d175f178197cad001591d04d73cc")

CONNECTION_TYPES = ("unknown", "public", "symmetric-NAT")

# py-ipv8 decodes the advice bit of an old-style introduction-request inverted, so a decoded payload
# re-packs with that bit flipped. This maps the payload to the offset of its flag byte and the bit.
REPACK_BIT_FLIPS = {"IntroductionRequestPayload": (18, 0x01)}


def flag_bits(flags: int) -> list[int]:
    """Split a flag byte into the eight 0/1 values that py-ipv8's bits format takes, most significant first."""
    return [(flags >> shift) & 1 for shift in range(7, -1, -1)]


# ----------------------------------------------------------------------------------------------------
# Payload cases, built through the py-ipv8 constructors in the same way py-ipv8's own code does.
# ----------------------------------------------------------------------------------------------------

Case = tuple[str, Serializable]


def auth_cases() -> list[Case]:
    """Auth fields: empty, one byte, the curve25519 key A and the legacy key L."""
    key_a = default_eccrypto.key_from_private_bin(PRIVATE_KEYS["A"]).pub().key_to_bin()
    return [
        ("empty key", BinMemberAuthenticationPayload(b"")),
        ("one zero byte", BinMemberAuthenticationPayload(b"\x00")),
        ("V1 auth: curve25519 public key A", BinMemberAuthenticationPayload(key_a)),
        ("legacy sect163k1 public key L", BinMemberAuthenticationPayload(LEGACY_PUBLIC_KEY_L)),
    ]


def global_time_cases() -> list[Case]:
    """Global times at the edges of the u64 range and of the 16-bit wrap of introduction identifiers."""
    values = [0, 1, 65535, 65536, 2**63, 2**64 - 1]
    return [(f"global_time {value}", GlobalTimeDistributionPayload(value)) for value in values]


def introduction_request_cases() -> list[Case]:
    """Old-style requests: spec bodies, edge values and every flag combination the constructor can produce."""
    cases: list[Case] = [
        ("V1 body: A->B id=1 as py-ipv8 sends it",
         IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, True, "unknown", 1, b"", supports_new_style=False)),
        ("V2 body: extra_bytes cafe",
         IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, True, "unknown", 2, b"\xca\xfe", supports_new_style=False)),
        ("zero addresses, identifier 0, no flags",
         IntroductionRequestPayload(ZERO_V4, ZERO_V4, ZERO_V4, False, "unknown", 0, b"", supports_new_style=False)),
        ("max addresses, identifier 65535, 20 extra bytes",
         IntroductionRequestPayload(MAX_V4, MAX_V4, MAX_V4, True, "unknown", 65535, bytes(range(20)),
                                    supports_new_style=False)),
        ("identifier 65543 wraps to 7 in the constructor",
         IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, True, "unknown", 65543, b"", supports_new_style=False)),
    ]
    for connection_type in CONNECTION_TYPES:
        for supports_new_style in (False, True):
            for advice in (False, True):
                name = (f"flags connection_type={connection_type} supports_new_style={int(supports_new_style)}"
                        f" advice={int(advice)}")
                payload = IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, advice, connection_type, 42, b"",
                                                     supports_new_style=supports_new_style)
                cases.append((name, payload))
    return cases


def introduction_response_cases() -> list[Case]:
    """Old-style responses: spec bodies, edge values and every flag combination the constructor can produce."""
    cases: list[Case] = [
        ("V5 body: B->A introducing C",
         IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, "unknown", 1, b"",
                                     intro_supports_new_style=False, peer_limit_reached=False)),
        ("V7 body: nobody to introduce",
         IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, ZERO_V4, ZERO_V4, "unknown", 7, b"",
                                     intro_supports_new_style=False, peer_limit_reached=False)),
        ("zero addresses, identifier 0, no flags",
         IntroductionResponsePayload(ZERO_V4, ZERO_V4, ZERO_V4, ZERO_V4, ZERO_V4, "unknown", 0, b"",
                                     supports_new_style=False)),
        ("max addresses, identifier 65535, extra bytes",
         IntroductionResponsePayload(MAX_V4, MAX_V4, MAX_V4, MAX_V4, MAX_V4, "unknown", 65535, b"\x00\xff\x10")),
    ]
    for connection_type in CONNECTION_TYPES:
        for supports_new_style in (False, True):
            for intro_new_style in (False, True):
                for limit in (False, True):
                    name = (f"flags connection_type={connection_type} supports_new_style={int(supports_new_style)}"
                            f" intro_supports_new_style={int(intro_new_style)} peer_limit_reached={int(limit)}")
                    payload = IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, connection_type, 42,
                                                          b"", supports_new_style, intro_new_style, limit)
                    cases.append((name, payload))
    return cases


def puncture_request_cases() -> list[Case]:
    """Old-style puncture-requests from the spec plus edge values."""
    return [
        ("V6 body: B asks C to puncture A", PunctureRequestPayload(B_WAN, A_WAN, 1)),
        ("V24 body: tracker asks B to puncture A", PunctureRequestPayload(TRACKER_WAN, A_WAN, 8)),
        ("zero addresses, identifier 0", PunctureRequestPayload(ZERO_V4, ZERO_V4, 0)),
        ("max addresses, identifier 65535", PunctureRequestPayload(MAX_V4, MAX_V4, 65535)),
        ("identifier 131072 wraps to 0", PunctureRequestPayload(B_WAN, A_WAN, 131072)),
    ]


def puncture_cases() -> list[Case]:
    """Old-style punctures from the spec plus edge values."""
    return [
        ("V10 body: C punctures A", PuncturePayload(C_LAN, A_WAN, 1)),
        ("zero addresses, identifier 0", PuncturePayload(ZERO_V4, ZERO_V4, 0)),
        ("max addresses, identifier 65535", PuncturePayload(MAX_V4, MAX_V4, 65535)),
    ]


def new_introduction_request_cases() -> list[Case]:
    """New-style requests with IPv4 and IPv6 addresses and a spread of flag bytes."""
    cases: list[Case] = [
        ("V3 body: A->B id=3 over IPv4",
         NewIntroductionRequestPayload(B_WAN, A_LAN, A_WAN, 3, *flag_bits(0x00), b"")),
        ("V4 body: IPv6 destination",
         NewIntroductionRequestPayload(V6_TWENTY, A_LAN, A_WAN, 4, *flag_bits(0x00), b"")),
        ("all IPv6 addresses",
         NewIntroductionRequestPayload(V6_TWENTY, V6_LINK_LOCAL, V6_ONE, 11, *flag_bits(0x00), b"")),
        ("zero addresses of both families, identifier 0",
         NewIntroductionRequestPayload(ZERO_V4, ZERO_V6, ZERO_V4, 0, *flag_bits(0x00), b"")),
        ("max addresses, identifier 65535, extra bytes",
         NewIntroductionRequestPayload(MAX_V6, MAX_V4, V6_MAPPED, 65535, *flag_bits(0x00), b"\xde\xad\xbe\xef")),
    ]
    for flags in (0x01, 0x20, 0x80, 0xC0, 0x55, 0xAA, 0xFF):
        cases.append((f"flags 0x{flags:02x}",
                      NewIntroductionRequestPayload(B_WAN, A_LAN, A_WAN, 42, *flag_bits(flags), b"")))
    return cases


def new_introduction_response_cases() -> list[Case]:
    """New-style responses with IPv4 and IPv6 addresses and a spread of flag bytes."""
    cases: list[Case] = [
        ("V8 body: B->A introducing C",
         NewIntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, 5, *flag_bits(0x80), b"")),
        ("nobody to introduce",
         NewIntroductionResponsePayload(A_WAN, B_LAN, B_WAN, ZERO_V4, ZERO_V4, 6, *flag_bits(0x00), b"")),
        ("IPv6 peers introduced",
         NewIntroductionResponsePayload(V6_ONE, B_LAN, V6_TWENTY, V6_LINK_LOCAL, V6_MAPPED, 7,
                                        *flag_bits(0x80), b"")),
        ("zero IPv6 addresses, identifier 0",
         NewIntroductionResponsePayload(ZERO_V6, ZERO_V6, ZERO_V6, ZERO_V6, ZERO_V6, 0, *flag_bits(0x00), b"")),
        ("max addresses, identifier 65535, extra bytes",
         NewIntroductionResponsePayload(MAX_V6, MAX_V4, MAX_V6, MAX_V4, MAX_V6, 65535, *flag_bits(0x00),
                                        b"\x01\x02\x03")),
    ]
    for flags in (0x01, 0x7F, 0xFF):
        cases.append((f"flags 0x{flags:02x}",
                      NewIntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, 42, *flag_bits(flags), b"")))
    return cases


def new_puncture_request_cases() -> list[Case]:
    """New-style puncture-requests with IPv4 and IPv6 addresses."""
    return [
        ("V9 body: B asks C to puncture A", NewPunctureRequestPayload(B_WAN, A_WAN, 5)),
        ("IPv6 walker addresses", NewPunctureRequestPayload(V6_ONE, V6_TWENTY, 12)),
        ("dual-stack: zero LAN walker, IPv6 WAN walker", NewPunctureRequestPayload(ZERO_V4, V6_ONE, 13)),
        ("zero addresses, identifier 0", NewPunctureRequestPayload(ZERO_V4, ZERO_V6, 0)),
        ("max addresses, identifier 65535", NewPunctureRequestPayload(MAX_V4, MAX_V6, 65535)),
    ]


def new_puncture_cases() -> list[Case]:
    """New-style punctures with IPv4 and IPv6 addresses."""
    return [
        ("V11 body: C punctures A", NewPuncturePayload(C_LAN, A_WAN, 5)),
        ("IPv6 addresses", NewPuncturePayload(V6_LINK_LOCAL, V6_ONE, 14)),
        ("zero addresses, identifier 0", NewPuncturePayload(ZERO_V6, ZERO_V4, 0)),
        ("max addresses, identifier 65535", NewPuncturePayload(MAX_V6, MAX_V4, 65535)),
    ]


def similarity_request_cases() -> list[Case]:
    """Similarity-requests with zero to three community ids and every connection type."""
    cases: list[Case] = [
        ("V13 body: A lists the discovery community",
         SimilarityRequestPayload(5, A_LAN, A_WAN, "unknown", [DISCOVERY_CID])),
        ("empty preference list, zero addresses, identifier 0",
         SimilarityRequestPayload(0, ZERO_V4, ZERO_V4, "unknown", [])),
        ("three communities, identifier 65535",
         SimilarityRequestPayload(65535, MAX_V4, MAX_V4, "unknown", [DISCOVERY_CID, TUNNEL_CID, DHT_CID])),
        ("identifier 65541 wraps to 5",
         SimilarityRequestPayload(65541, A_LAN, A_WAN, "unknown", [DISCOVERY_CID])),
    ]
    for connection_type in CONNECTION_TYPES[1:]:
        cases.append((f"connection_type={connection_type}",
                      SimilarityRequestPayload(9, A_LAN, A_WAN, connection_type, [DISCOVERY_CID, INTEROP_CID])))
    return cases


def similarity_response_cases() -> list[Case]:
    """Similarity-responses with zero to three community ids and a non-empty tb_overlap."""
    return [
        ("V14 body: B lists the discovery community",
         SimilarityResponsePayload(5, [DISCOVERY_CID], [])),
        ("V15 body: two communities",
         SimilarityResponsePayload(9, [DISCOVERY_CID, INTEROP_CID], [])),
        ("empty preference list, identifier 0",
         SimilarityResponsePayload(0, [], [])),
        ("three communities, identifier 65535",
         SimilarityResponsePayload(65535, [DISCOVERY_CID, TUNNEL_CID, DHT_CID], [])),
        ("non-empty tb_overlap records",
         SimilarityResponsePayload(3, [DISCOVERY_CID], [(TUNNEL_CID, 7), (DHT_CID, 2**32 - 1)])),
    ]


def ping_cases() -> list[Case]:
    """Pings at the identifier edges."""
    return [
        ("V16 body: identifier 6", PingPayload(6)),
        ("identifier 0", PingPayload(0)),
        ("identifier 65535", PingPayload(65535)),
        ("identifier 65537 wraps to 1", PingPayload(65537)),
    ]


def pong_cases() -> list[Case]:
    """Pongs at the identifier edges."""
    return [
        ("V17 body: echoes identifier 6", PongPayload(6)),
        ("identifier 0", PongPayload(0)),
        ("identifier 65535", PongPayload(65535)),
        ("identifier 65537 wraps to 1", PongPayload(65537)),
    ]


# The DHT registers its `node-list` packer on its community's serializer; the vectors use the default one.
default_serializer.add_packer("node-list", ListOf(NodePacker(default_serializer)))

TARGET = bytes(range(0x40, 0x54))
TOKEN = bytes(range(0xA0, 0xB4))
V6_NODE = UDPv6Address("2001:db8::7", 7759)


def public_key_bin(name: str) -> bytes:
    """The serialized public key of scenario key `name`."""
    return default_eccrypto.key_from_private_bin(PRIVATE_KEYS[name]).pub().key_to_bin()


def dht_node(name: str, address: tuple[str, int]) -> Node:
    """A DHT node with scenario key `name` at `address`."""
    return Node(default_eccrypto.key_from_private_bin(PRIVATE_KEYS[name]).pub(), address=address)


def dht_identifier_cases(cls: type) -> list[Case]:
    """An identifier-only DHT message at the `u32` edges."""
    return [("identifier 0", cls(0)), ("identifier 23828", cls(23828)), ("identifier 2**32-1", cls(2**32 - 1))]


def store_request_cases() -> list[Case]:
    """Stores with no value, one value, and a value of every byte."""
    return [
        ("no values", StoreRequestPayload(1, TOKEN, TARGET, [])),
        ("one value", StoreRequestPayload(25765, TOKEN, TARGET, [b"hello-signed"])),
        ("two values", StoreRequestPayload(2**32 - 1, bytes(20), bytes(range(20)), [bytes(range(256)), b""])),
    ]


def find_request_cases() -> list[Case]:
    """Finds from IPv4 and IPv6 LAN addresses, with and without forcing nodes."""
    return [
        ("captured body: 192.0.2.2:57041, offset 0, force nodes",
         FindRequestPayload(0x5D14, UDPv4Address("192.0.2.2", 57041), TARGET, 0, True)),
        ("IPv6 LAN address, offset 3", FindRequestPayload(7, V6_NODE, TARGET, 3, False)),
        ("edges", FindRequestPayload(2**32 - 1, A_LAN, bytes(20), 2**32 - 1, False)),
    ]


def find_response_cases() -> list[Case]:
    """Finds answered with nodes (IPv4 and IPv6), with values, and with nothing."""
    return [
        ("two nodes", FindResponsePayload(0x5D14, TOKEN, [], [dht_node("A", ("127.0.0.1", 53377)),
                                                             dht_node("B", V6_NODE)])),
        ("values, no nodes", FindResponsePayload(9, TOKEN, [b"v1", b"v2"], [])),
        ("nothing", FindResponsePayload(0, bytes(20), [], [])),
    ]


def store_peer_request_cases() -> list[Case]:
    """Store-peer requests."""
    return [
        ("target", StorePeerRequestPayload(1, TOKEN, TARGET)),
        ("zeros", StorePeerRequestPayload(0, bytes(20), bytes(20))),
        ("edges", StorePeerRequestPayload(2**32 - 1, bytes([255] * 20), bytes(range(20)))),
    ]


def connect_peer_request_cases() -> list[Case]:
    """Connect-peer requests from IPv4 and IPv6 LAN addresses."""
    return [
        ("IPv4", ConnectPeerRequestPayload(0x8843, A_LAN, TARGET)),
        ("IPv6", ConnectPeerRequestPayload(3, V6_NODE, TARGET)),
        ("edges", ConnectPeerRequestPayload(2**32 - 1, UDPv4Address("0.0.0.0", 0), bytes(20))),
    ]


def connect_peer_response_cases() -> list[Case]:
    """Connect-peer responses with no, one and three nodes."""
    return [
        ("captured body: one node", ConnectPeerResponsePayload(0x8843, [dht_node("A", ("127.0.0.1", 53182))])),
        ("no nodes", ConnectPeerResponsePayload(0, [])),
        ("three nodes", ConnectPeerResponsePayload(2**32 - 1, [dht_node("A", A_WAN), dht_node("B", B_WAN),
                                                               dht_node("C", V6_NODE)])),
    ]


def signed_str_cases() -> list[Case]:
    """Signed-value bodies (before the signature) as the DHT's `_serialize_value` makes them."""
    return [
        ("hello, version 1700000000, key A", SignedStrPayload(b"hello", 1700000000, public_key_bin("A"))),
        ("empty, version 0", SignedStrPayload(b"", 0, public_key_bin("B"))),
        ("every byte", SignedStrPayload(bytes(range(256)), 2**32 - 1, public_key_bin("C"))),
    ]


def intro_point_cases() -> list[Case]:
    """Hidden-service announcements as `DHTCommunityProvider.announce` stores them (keys without `LibNaCLPK:`)."""
    return [
        ("IPv4 point, keys A and B", DHTIntroPointPayload(A_WAN, 1700000000, public_key_bin("A")[10:],
                                                          public_key_bin("B")[10:])),
        ("IPv6 point, time 0", DHTIntroPointPayload(V6_ONE, 0, public_key_bin("C")[10:], public_key_bin("A")[10:])),
        ("empty keys, last time", DHTIntroPointPayload(C_WAN, 2**32 - 1, b"", b"")),
    ]


# ----------------------------------------------------------------------------------------------------
# Tunnel payloads (ipv8/messaging/anonymization/payload.py), spec tunnels.md §4.
# ----------------------------------------------------------------------------------------------------

INFO_HASH = bytes(range(0x60, 0x74))
COOKIE = bytes(range(0xC0, 0xD4))
EPHEMERAL_X = bytes.fromhex("7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13")
AUTH = bytes(range(32))


def tunnel_identifier_cases(cls: type) -> list[Case]:
    """A circuit id and an identifier at their edges."""
    return [("circuit 0, identifier 0", cls(0, 0)), ("captured ids", cls(0x01020304, 0x0506)),
            ("edges", cls(2**32 - 1, 65535))]


def tunnel_cases() -> dict[str, Callable[[], list[Case]]]:
    """The cases of every tunnel payload."""
    t = tunnel_payloads
    key_a, key_b = public_key_bin("A"), public_key_bin("B")
    info = [t.IntroductionInfo(A_WAN, key_a, key_b, 1), t.IntroductionInfo(V6_ONE, key_b, key_a, 2)]
    return {
        "DataPayload": lambda: [
            ("spec message: 1.2.3.4:5 from nobody, hi", t.DataPayload(0, ("1.2.3.4", 5), ("0.0.0.0", 0), b"hi")),
            ("IPv6 destination, empty data", t.DataPayload(7, V6_ONE, A_WAN, b"")),
            ("host-name destination", t.DataPayload(2**32 - 1, ("tracker.example.org", 6969), B_WAN,
                                                   bytes(range(256)))),
        ],
        "CreatePayload": lambda: [
            ("spec cell: key A, X", t.CreatePayload(0x01020304, 0x0506, key_a, EPHEMERAL_X)),
            ("empty keys", t.CreatePayload(0, 0, b"", b"")),
            ("edges", t.CreatePayload(2**32 - 1, 65535, key_b, bytes(32))),
        ],
        "CreatedPayload": lambda: [
            ("no candidates", t.CreatedPayload(1, 2, EPHEMERAL_X, AUTH, b"")),
            ("encrypted candidates", t.CreatedPayload(0x01020304, 0x0506, EPHEMERAL_X, AUTH, bytes(range(100)))),
            ("edges", t.CreatedPayload(2**32 - 1, 65535, b"", bytes(32), b"\xff")),
        ],
        "ExtendPayload": lambda: [
            ("to B at its WAN address", t.ExtendPayload(5, 6, key_b, EPHEMERAL_X, B_WAN)),
            ("address unknown", t.ExtendPayload(0, 0, key_a, EPHEMERAL_X, ZERO_V4)),
            ("IPv6 node", t.ExtendPayload(2**32 - 1, 65535, key_b, b"", V6_TWENTY)),
        ],
        "ExtendedPayload": lambda: [
            ("no candidates", t.ExtendedPayload(1, 2, EPHEMERAL_X, AUTH, b"")),
            ("encrypted candidates", t.ExtendedPayload(3, 4, EPHEMERAL_X, AUTH, bytes(range(64)))),
            ("edges", t.ExtendedPayload(2**32 - 1, 65535, b"", bytes(32), b"")),
        ],
        "PingPayload": lambda: tunnel_identifier_cases(t.PingPayload),
        "PongPayload": lambda: tunnel_identifier_cases(t.PongPayload),
        "DestroyPayload": lambda: [("unknown", t.DestroyPayload(1, 1)), ("shutdown", t.DestroyPayload(2, 2)),
                                   ("unneeded, edge id", t.DestroyPayload(2**32 - 1, 4))],
        "EstablishIntroPayload": lambda: [
            ("seeder key A", t.EstablishIntroPayload(1, 2, INFO_HASH, key_a)),
            ("empty key", t.EstablishIntroPayload(0, 0, bytes(20), b"")),
            ("edges", t.EstablishIntroPayload(2**32 - 1, 65535, INFO_HASH, key_b)),
        ],
        "IntroEstablishedPayload": lambda: tunnel_identifier_cases(t.IntroEstablishedPayload),
        "EstablishRendezvousPayload": lambda: [
            ("cookie", t.EstablishRendezvousPayload(1, 2, COOKIE)),
            ("zero cookie", t.EstablishRendezvousPayload(0, 0, bytes(20))),
            ("edges", t.EstablishRendezvousPayload(2**32 - 1, 65535, COOKIE)),
        ],
        "RendezvousEstablishedPayload": lambda: [
            ("IPv4 point", t.RendezvousEstablishedPayload(1, 2, C_WAN)),
            ("IPv6 point", t.RendezvousEstablishedPayload(3, 4, V6_ONE)),
            ("edges", t.RendezvousEstablishedPayload(2**32 - 1, 65535, MAX_V4)),
        ],
        "CreateE2EPayload": lambda: [
            ("key A, X", t.CreateE2EPayload(1, INFO_HASH, key_a, EPHEMERAL_X)),
            ("empty keys", t.CreateE2EPayload(0, bytes(20), b"", b"")),
            ("edges", t.CreateE2EPayload(65535, INFO_HASH, key_b, bytes(32))),
        ],
        "CreatedE2EPayload": lambda: [
            ("rendezvous info", t.CreatedE2EPayload(1, EPHEMERAL_X, AUTH, bytes(range(120)))),
            ("empty", t.CreatedE2EPayload(0, b"", bytes(32), b"")),
            ("edges", t.CreatedE2EPayload(65535, EPHEMERAL_X, AUTH, b"\x00")),
        ],
        "LinkE2EPayload": lambda: [
            ("cookie", t.LinkE2EPayload(1, 2, COOKIE)),
            ("zero cookie", t.LinkE2EPayload(0, 0, bytes(20))),
            ("edges", t.LinkE2EPayload(2**32 - 1, 65535, COOKIE)),
        ],
        "LinkedE2EPayload": lambda: tunnel_identifier_cases(t.LinkedE2EPayload),
        "PeersRequestPayload": lambda: [
            ("info hash", t.PeersRequestPayload(1, 2, INFO_HASH)),
            ("zero hash", t.PeersRequestPayload(0, 0, bytes(20))),
            ("edges", t.PeersRequestPayload(2**32 - 1, 65535, INFO_HASH)),
        ],
        "IntroductionInfo": lambda: [
            ("from the DHT", info[0]), ("from PEX over IPv6", info[1]),
            ("unknown source, empty keys", t.IntroductionInfo(ZERO_V4, b"", b"", 0)),
        ],
        "PeersResponsePayload": lambda: [
            ("two points", t.PeersResponsePayload(1, 2, INFO_HASH, info)),
            ("none", t.PeersResponsePayload(0, 0, bytes(20), [])),
            ("edges", t.PeersResponsePayload(2**32 - 1, 65535, INFO_HASH, info[:1])),
        ],
        "RendezvousInfo": lambda: [
            ("IPv4 point", t.RendezvousInfo(C_WAN, key_a, COOKIE)),
            ("IPv6 point", t.RendezvousInfo(V6_ONE, key_b, bytes(20))),
            ("empty key", t.RendezvousInfo(ZERO_V4, b"", COOKIE)),
        ],
        "TestRequestPayload": lambda: [
            ("1 KiB asked", t.TestRequestPayload(1, 2, 1024, b"ping")),
            ("nothing asked", t.TestRequestPayload(0, 0, 0, b"")),
            ("edges", t.TestRequestPayload(2**32 - 1, 65535, 65535, bytes(range(256)))),
        ],
        "TestResponsePayload": lambda: [
            ("data", t.TestResponsePayload(1, 2, b"pong")),
            ("empty", t.TestResponsePayload(0, 0, b"")),
            ("edges", t.TestResponsePayload(2**32 - 1, 65535, bytes(range(256)))),
        ],
    }


# ----------------------------------------------------------------------------------------------------
# Attestation (wallet) and identity payloads, spec attestation.md §1 and §5.1.
# ----------------------------------------------------------------------------------------------------

ATTRIBUTE_HASH = bytes(range(0xA0, 0xB4))


def attestation_cases() -> dict[str, Callable[[], list[Case]]]:
    """Cases for the wallet's five payloads and the identity overlay's four."""
    a = attestation_payloads
    i = identity_payloads
    metadata = b'{"attribute": "my_attribute", "public_key": "AQkTL3CO3JSqdwEJ\\n", "id_format": "id_metadata"}'
    token = bytes(range(128))
    signed = bytes(range(96))
    return {
        "VerifyAttestationRequestPayload": lambda: [
            ("hash", a.VerifyAttestationRequestPayload(ATTRIBUTE_HASH)),
            ("zero hash", a.VerifyAttestationRequestPayload(bytes(20))),
            ("all ones", a.VerifyAttestationRequestPayload(b"\xff" * 20)),
        ],
        "AttestationChunkPayload": lambda: [
            ("first chunk", a.AttestationChunkPayload(ATTRIBUTE_HASH, 0, bytes(range(256)) * 3 + bytes(32))),
            ("last, short", a.AttestationChunkPayload(ATTRIBUTE_HASH, 1, b"\x01\x09")),
            ("edges", a.AttestationChunkPayload(bytes(20), 65535, b"")),
        ],
        "ChallengePayload": lambda: [
            ("a pair", a.ChallengePayload(ATTRIBUTE_HASH, bytes.fromhex("0109132f708e8ddc94aa770109095b090995672bbae1"))),
            ("empty", a.ChallengePayload(bytes(20), b"")),
            ("range", a.ChallengePayload(ATTRIBUTE_HASH, bytes.fromhex("010400008000010400ffff01"))),
        ],
        "ChallengeResponsePayload": lambda: [
            ("bit pair sum", a.ChallengeResponsePayload(ATTRIBUTE_HASH, b"\x02")),
            ("no match", a.ChallengeResponsePayload(ATTRIBUTE_HASH, b"\x03")),
            ("empty", a.ChallengeResponsePayload(bytes(20), b"")),
        ],
        "RequestAttestationPayload": lambda: [
            ("json metadata", a.RequestAttestationPayload(metadata)),
            ("empty", a.RequestAttestationPayload(b"")),
            ("utf-8", a.RequestAttestationPayload('{"attribute": "naïve ✓"}'.encode())),
        ],
        "DisclosePayload": lambda: [
            ("one credential", i.DisclosePayload(struct.pack(">I", 4) + b"meta", token, signed,
                                                 struct.pack(">H", 3) + b"key")),
            ("empty", i.DisclosePayload(b"", b"", b"", b"")),
            ("two tokens", i.DisclosePayload(b"", token * 2, b"", b"")),
        ],
        "AttestPayload": lambda: [
            ("signature", i.AttestPayload(signed)),
            ("empty", i.AttestPayload(b"")),
            ("short", i.AttestPayload(b"\x01")),
        ],
        "RequestMissingPayload": lambda: [
            ("none known", i.RequestMissingPayload(0)),
            ("some", i.RequestMissingPayload(7)),
            ("edge", i.RequestMissingPayload(2**32 - 1)),
        ],
        "MissingResponsePayload": lambda: [
            ("two tokens", i.MissingResponsePayload(token * 2)),
            ("none", i.MissingResponsePayload(b"")),
            ("one", i.MissingResponsePayload(token)),
        ],
    }


PAYLOAD_CASES: dict[str, Callable[[], list[Case]]] = {
    "PingRequestPayload": lambda: dht_identifier_cases(PingRequestPayload),
    "PingResponsePayload": lambda: dht_identifier_cases(PingResponsePayload),
    "StoreRequestPayload": store_request_cases,
    "StoreResponsePayload": lambda: dht_identifier_cases(StoreResponsePayload),
    "FindRequestPayload": find_request_cases,
    "FindResponsePayload": find_response_cases,
    "StorePeerRequestPayload": store_peer_request_cases,
    "StorePeerResponsePayload": lambda: dht_identifier_cases(StorePeerResponsePayload),
    "ConnectPeerRequestPayload": connect_peer_request_cases,
    "ConnectPeerResponsePayload": connect_peer_response_cases,
    "SignedStrPayload": signed_str_cases,
    "DHTIntroPointPayload": intro_point_cases,
    "BinMemberAuthenticationPayload": auth_cases,
    "GlobalTimeDistributionPayload": global_time_cases,
    "IntroductionRequestPayload": introduction_request_cases,
    "IntroductionResponsePayload": introduction_response_cases,
    "PunctureRequestPayload": puncture_request_cases,
    "PuncturePayload": puncture_cases,
    "NewIntroductionRequestPayload": new_introduction_request_cases,
    "NewIntroductionResponsePayload": new_introduction_response_cases,
    "NewPunctureRequestPayload": new_puncture_request_cases,
    "NewPuncturePayload": new_puncture_cases,
    "SimilarityRequestPayload": similarity_request_cases,
    "SimilarityResponsePayload": similarity_response_cases,
    "PingPayload": ping_cases,
    "PongPayload": pong_cases,
    **attestation_cases(),
}
TUNNEL_CASES = tunnel_cases()


# ----------------------------------------------------------------------------------------------------
# Turning packed bytes back into JSON field values, using py-ipv8's own per-format unpackers.
# ----------------------------------------------------------------------------------------------------

OVERLAY_MODULES = {
    "core": (payload_headers, core_payloads),
    "discovery": (discovery_payloads,),
    "dht": (dht_payloads, dht_provider),
    "tunnel": (tunnel_payloads,),
    "attestation": (attestation_payloads,),
    "identity": (identity_payloads,),
}


def payload_class(name: str, overlay: str) -> type[Serializable]:
    """Find the py-ipv8 payload class that a schema [[payload]] entry of `overlay` names."""
    for module in OVERLAY_MODULES.get(overlay, (payload_headers, core_payloads, discovery_payloads, dht_payloads)):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, Serializable):
            return cls
    raise LookupError(f"py-ipv8 has no payload class named {name}")


def format_address(address: tuple[str, int]) -> str:
    """Render an address as a.b.c.d:port, or [v6]:port with the compressed IPv6 text."""
    host = ipaddress.ip_address(address[0])
    if host.version == 6:
        return f"[{host.compressed}]:{address[1]}"
    return f"{host.compressed}:{address[1]}"


def json_field_value(fmt: str, values: list[Any]) -> Any:
    """Convert the values one py-ipv8 unpacker produced for a field into the vector file's JSON value."""
    if fmt == "bits":
        if len(values) != 8:
            raise ValueError(f"bits produced {len(values)} values")
        return sum(bit << (7 - index) for index, bit in enumerate(values))
    (value,) = values
    if fmt in ("B", "H", "I", "Q", "q"):
        return int(value)
    if fmt == "?":
        return bool(value)
    if fmt in ("20s", "32s"):
        return value.hex()
    if fmt == "address":
        host, port = value
        try:
            return format_address((host, port))
        except ValueError:
            return f"{host}:{port}"
    if fmt == "varlenH-list":
        return [item.hex() for item in value]
    if fmt == "node-list":
        return [{"address": format_address(node.address), "public_key": node.public_key.key_to_bin().hex()}
                for node in value]
    if fmt in ("ipv4", "ip_address"):
        return format_address(value)
    if fmt in ("raw", "varlenH"):
        return value.hex()
    if fmt == "varlenHx20":
        return [value[start:start + 20].hex() for start in range(0, len(value), 20)]
    raise ValueError(f"no JSON encoding defined for format {fmt}")


# Every schema [[payload]] entry by name, for nested payload fields (filled by main).
NESTED_ENTRIES: dict[str, dict] = {}


def nested_json(obj: Serializable, entry: dict) -> dict[str, Any]:
    """A nested payload object as the vector file's JSON object, field by field."""
    return {field["name"]: json_field_value(field["format"], [getattr(obj, field["name"])])
            for field in entry["fields"]}


def decode_fields(schema_fields: list[dict], data: bytes, overlay: str = "") -> dict[str, Any]:
    """Read packed payload bytes field by field in schema order and require that they are consumed exactly."""
    offset = 0
    fields: dict[str, Any] = {}
    for field in schema_fields:
        values: list[Any] = []
        if field["format"] == "payload-list":
            nested = NESTED_ENTRIES[field["payload"]]
            cls = payload_class(field["payload"], overlay)
            offset = default_serializer.get_packer_for("payload-list").unpack(data, offset, values, cls)
            fields[field["name"]] = [nested_json(item, nested) for item in values[0]]
            continue
        offset = default_serializer.get_packer_for(field["format"]).unpack(data, offset, values)
        fields[field["name"]] = json_field_value(field["format"], values)
    if offset != len(data):
        raise ValueError(f"schema fields consumed {offset} of {len(data)} bytes")
    return fields


def expected_repack(name: str, data: bytes) -> bytes:
    """Return the bytes py-ipv8 should produce when it re-packs its own decoding of `data`."""
    if name not in REPACK_BIT_FLIPS:
        return data
    offset, bit = REPACK_BIT_FLIPS[name]
    flipped = bytearray(data)
    flipped[offset] ^= bit
    return bytes(flipped)


def check_round_trip(cls: type[Serializable], data: bytes) -> None:
    """Decode the bytes with py-ipv8 and require that re-packing gives the same bytes (modulo known quirks)."""
    decoded, end = default_serializer.unpack_serializable(cls, data)
    if end != len(data):
        raise AssertionError(f"{cls.__name__}: decoding stopped at {end} of {len(data)} bytes")
    repacked = default_serializer.pack_serializable(decoded)
    if repacked != expected_repack(cls.__name__, data):
        raise AssertionError(f"{cls.__name__}: {data.hex()} re-packs as {repacked.hex()}")


def check_schema_matches_class(entry: dict, cls: type[Serializable]) -> None:
    """Require the schema's field formats to equal the py-ipv8 class's format list."""
    schema_formats = [field["format"] for field in entry["fields"]]
    py_formats = ["payload-list" if isinstance(fmt, list) else fmt for fmt in cls.format_list]
    if schema_formats != py_formats:
        raise AssertionError(f"{entry['name']}: schema formats {schema_formats} != py-ipv8 {cls.format_list}")
    if "msg_id" in entry and entry["msg_id"] != cls.msg_id:
        raise AssertionError(f"{entry['name']}: schema msg_id {entry['msg_id']} != py-ipv8 {cls.msg_id}")


def payload_vector(entry: dict, overlay: str) -> dict:
    """Build the vector document of one schema [[payload]] entry."""
    cls = payload_class(entry["name"], overlay)
    check_schema_matches_class(entry, cls)
    cases = []
    builders = TUNNEL_CASES if overlay == "tunnel" else PAYLOAD_CASES
    for case_name, obj in builders[entry["name"]]():
        if type(obj) is not cls:
            raise AssertionError(f"case {case_name!r} built a {type(obj).__name__}, not a {cls.__name__}")
        data = default_serializer.pack_serializable(obj)
        check_round_trip(cls, data)
        cases.append({"name": case_name, "fields": decode_fields(entry["fields"], data, overlay),
                      "hex": data.hex()})
    if len(cases) < 3:
        raise AssertionError(f"{entry['name']} has fewer than three cases")
    return {"payload": entry["name"], "generator": GENERATOR, "cases": cases}


# ----------------------------------------------------------------------------------------------------
# Whole packets, built by py-ipv8 communities that sit on a never-opened mock endpoint.
# ----------------------------------------------------------------------------------------------------

@dataclass
class Clock(DataClassPayload[1]):
    """The interop application's clock message (msg 1), as in spec vectors V20 and V22."""

    clock: int


class InteropCommunity(Community):
    """A bare community under the interop test community id, used for the application messages."""

    community_id = INTEROP_CID


def make_community(community_class: type[Community], key_name: str, port: int) -> Community:
    """Instantiate a community for one of the fixed keys on a mock endpoint that is never opened."""
    key = default_eccrypto.key_from_private_bin(PRIVATE_KEYS[key_name])
    endpoint = MockEndpoint(UDPv4Address("127.0.0.1", port), UDPv4Address("127.0.0.1", port))
    settings = CommunitySettings(my_peer=Peer(key), endpoint=endpoint, network=Network())
    return community_class(settings)


@dataclass
class PacketSpec:
    """One packet to capture: who builds it, which schema message it is, and its payloads."""

    name: str
    message: str
    key: str
    signed: bool
    payloads: list[Serializable]


def core_packet(name: str, message: str, key: str, signed: bool, global_time: int,
                payload: Serializable) -> PacketSpec:
    """Describe a built-in message: global time followed by the message's payload."""
    return PacketSpec(name, message, key, signed, [GlobalTimeDistributionPayload(global_time), payload])


def core_packets() -> list[PacketSpec]:
    """The spec's deterministic scenario packets (V1-V18 minus the ECDSA and Dispersy ones) plus extras."""
    return [
        core_packet("V1 introduction-request A->B gt=1 id=1", "introduction-request", "A", True, 1,
                    IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, True, "unknown", 1, b"",
                                               supports_new_style=False)),
        core_packet("V2 introduction-request with extra_bytes cafe", "introduction-request", "A", True, 2,
                    IntroductionRequestPayload(B_WAN, A_LAN, A_WAN, True, "unknown", 2, b"\xca\xfe",
                                               supports_new_style=False)),
        core_packet("V3 new-introduction-request A->B over IPv4", "new-introduction-request", "A", True, 3,
                    NewIntroductionRequestPayload(B_WAN, A_LAN, A_WAN, 3, *flag_bits(0x00), b"")),
        core_packet("V4 new-introduction-request to an IPv6 destination", "new-introduction-request", "A",
                    True, 4, NewIntroductionRequestPayload(V6_TWENTY, A_LAN, A_WAN, 4, *flag_bits(0x00), b"")),
        core_packet("V5 introduction-response B->A introducing C", "introduction-response", "B", True, 1,
                    IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, "unknown", 1, b"",
                                                intro_supports_new_style=False, peer_limit_reached=False)),
        core_packet("V6 puncture-request B->C", "puncture-request", "B", False, 2,
                    PunctureRequestPayload(B_WAN, A_WAN, 1)),
        core_packet("V7 introduction-response with nobody to introduce", "introduction-response", "B", True, 3,
                    IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, ZERO_V4, ZERO_V4, "unknown", 7, b"",
                                                intro_supports_new_style=False, peer_limit_reached=False)),
        core_packet("V8 new-introduction-response B->A introducing C", "new-introduction-response", "B", True, 4,
                    NewIntroductionResponsePayload(A_WAN, B_LAN, B_WAN, C_LAN, C_WAN, 5, *flag_bits(0x80), b"")),
        core_packet("V9 new-puncture-request B->C", "new-puncture-request", "B", False, 5,
                    NewPunctureRequestPayload(B_WAN, A_WAN, 5)),
        core_packet("V10 puncture C->A", "puncture", "C", True, 1, PuncturePayload(C_LAN, A_WAN, 1)),
        core_packet("V11 new-puncture C->A", "new-puncture", "C", True, 2, NewPuncturePayload(C_LAN, A_WAN, 5)),
        core_packet("V12 new-puncture C->A answering V9", "new-puncture", "C", True, 3,
                    NewPuncturePayload(C_LAN, A_WAN, 5)),
        core_packet("V13 similarity-request A->B", "similarity-request", "A", True, 5,
                    SimilarityRequestPayload(5, A_LAN, A_WAN, "unknown", [DISCOVERY_CID])),
        core_packet("V14 similarity-response B->A", "similarity-response", "B", True, 6,
                    SimilarityResponsePayload(5, [DISCOVERY_CID], [])),
        core_packet("V15 similarity-response listing two communities", "similarity-response", "B", True, 7,
                    SimilarityResponsePayload(9, [DISCOVERY_CID, INTEROP_CID], [])),
        core_packet("V16 ping A->B", "ping", "A", False, 6, PingPayload(6)),
        core_packet("V17 pong B->A", "pong", "B", False, 8, PongPayload(6)),
        core_packet("V24 tracker puncture-request to B on behalf of A", "puncture-request", "B", False, 3,
                    PunctureRequestPayload(TRACKER_WAN, A_WAN, 8)),
        # Extra packets beyond the spec scenario, covering IPv6, flags and edge values.
        core_packet("new-introduction-request with IPv6 addresses only", "new-introduction-request", "A", True,
                    65535, NewIntroductionRequestPayload(V6_TWENTY, V6_LINK_LOCAL, V6_ONE, 65535,
                                                         *flag_bits(0x00), b"")),
        core_packet("introduction-response with peer_limit_reached", "introduction-response", "B", True, 9,
                    IntroductionResponsePayload(A_WAN, B_LAN, B_WAN, ZERO_V4, ZERO_V4, "unknown", 9, b"",
                                                intro_supports_new_style=True, peer_limit_reached=True)),
        core_packet("new-introduction-response introducing an IPv6 peer", "new-introduction-response", "B",
                    True, 10, NewIntroductionResponsePayload(V6_ONE, B_LAN, V6_TWENTY, ZERO_V4, V6_MAPPED, 10,
                                                             *flag_bits(0x80), b"")),
        core_packet("new-puncture-request with IPv6 walkers", "new-puncture-request", "B", False, 11,
                    NewPunctureRequestPayload(ZERO_V4, V6_ONE, 10)),
        core_packet("similarity-request listing three communities", "similarity-request", "A", True, 2**40,
                    SimilarityRequestPayload(2**40, A_LAN, A_WAN, "unknown", [DISCOVERY_CID, TUNNEL_CID, DHT_CID])),
    ]


def app_packets() -> list[PacketSpec]:
    """The interop application's clock message, signed (V20) and unsigned (V22)."""
    return [
        PacketSpec("V20 app Clock(1700000000) msg 1 signed", "app:Clock", "A", True, [Clock(1700000000)]),
        PacketSpec("V22 app Clock(5) msg 1 unsigned", "app:Clock", "A", False, [Clock(5)]),
    ]


def build_packet(community: Community, spec: PacketSpec) -> bytes:
    """Let the community serialize (and sign) the packet, exactly as its own send paths do."""
    msg_id = spec.payloads[-1].msg_id
    if isinstance(community, InteropCommunity):
        return community.ezr_pack(msg_id, *spec.payloads, sig=spec.signed)
    parts = list(spec.payloads)
    if spec.signed:
        parts.insert(0, BinMemberAuthenticationPayload(community.my_peer.public_key.key_to_bin()))
    return community._ez_pack(community.get_prefix(), msg_id, parts, spec.signed)


def check_packet(community: Community, spec: PacketSpec, packet: bytes) -> None:
    """Decode the packet with py-ipv8: verify the signature and require the payloads to consume it exactly."""
    body = packet
    if spec.signed:
        auth, _ = default_serializer.unpack_serializable(BinMemberAuthenticationPayload, packet, offset=23)
        valid, body = community._verify_signature(auth, packet)
        if not valid or auth.public_key_bin != community.my_peer.public_key.key_to_bin():
            raise AssertionError(f"{spec.name}: bad signature or key")
    classes = [type(payload) for payload in spec.payloads]
    default_serializer.unpack_serializable_list(classes, body, offset=23)


def check_against_schema(spec: PacketSpec, schema_message: dict | None, packet: bytes) -> None:
    """Require a built-in packet to agree with its schema [[message]] entry."""
    if spec.message.startswith("app:"):
        return
    if schema_message is None:
        raise LookupError(f"{spec.name}: no schema message named {spec.message}")
    names = [type(payload).__name__ for payload in spec.payloads]
    if names != schema_message["payloads"] or spec.signed != schema_message["signed"]:
        raise AssertionError(f"{spec.name}: payloads {names}/signed {spec.signed} disagree with the schema")
    if packet[22] != schema_message["msg_id"]:
        raise AssertionError(f"{spec.name}: message id {packet[22]} != schema {schema_message['msg_id']}")


def messages_document(schema_messages: dict[str, dict]) -> dict:
    """Build every packet, check it, and return the messages.json document."""
    discovery = {name: make_community(DiscoveryCommunity, name, 30000 + index)
                 for index, name in enumerate(PRIVATE_KEYS)}
    interop = {"A": make_community(InteropCommunity, "A", 31000)}
    entries = []
    for spec in core_packets() + app_packets():
        community = (interop if spec.message.startswith("app:") else discovery)[spec.key]
        packet = build_packet(community, spec)
        check_packet(community, spec, packet)
        check_against_schema(spec, schema_messages.get(spec.message), packet)
        entries.append({
            "name": spec.name,
            "message": spec.message,
            "msg_id": packet[22],
            "signed": spec.signed,
            "key": spec.key if spec.signed else None,
            "prefix": packet[:22].hex(),
            "hex": packet.hex(),
        })
    missing = set(schema_messages) - {entry["message"] for entry in entries}
    if missing:
        raise AssertionError(f"no packet for schema messages {sorted(missing)}")
    keys = {name: private.hex() for name, private in PRIVATE_KEYS.items()}
    return {"generator": GENERATOR, "keys": keys, "messages": entries}


# ----------------------------------------------------------------------------------------------------
# Optional cross-check against the spec's own vector file.
# ----------------------------------------------------------------------------------------------------

def spec_vector_number(name: str) -> int | None:
    """Return n when a case or packet name starts with the spec vector label Vn."""
    match = re.match(r"V(\d+) ", name)
    return int(match.group(1)) if match else None


def spec_body_hex(spec_packet: dict) -> str:
    """Return a spec packet's body: its "parts" entry when signed, else everything after the 23-byte header."""
    if "parts" in spec_packet:
        return spec_packet["parts"]["body"]
    return spec_packet["hex"][46:]


def compare_with_spec(spec_path: Path, payload_docs: list[dict], messages: dict) -> tuple[int, list[str]]:
    """Compare packets, payload bodies and keys labelled Vn with the n-th packet of the spec's vector file.

    Returns how many items were compared and a description of every disagreement.
    """
    spec = json.loads(spec_path.read_text())
    spec_messages = spec["messages"]
    compared = 0
    problems = []
    for entry in messages["messages"]:
        number = spec_vector_number(entry["name"])
        if number is not None:
            compared += 1
            if spec_messages[number - 1]["hex"] != entry["hex"]:
                problems.append(f"packet {entry['name']}: differs from spec V{number}")
    for doc in payload_docs:
        for case in doc["cases"]:
            number = spec_vector_number(case["name"])
            if number is None or "body" not in case["name"]:
                continue
            # A built-in spec body is the 8-byte global time followed by exactly this payload.
            compared += 1
            if spec_body_hex(spec_messages[number - 1])[16:] != case["hex"]:
                problems.append(f"{doc['payload']} case {case['name']}: differs from the spec V{number} body")
    for name, private in messages["keys"].items():
        compared += 1
        if spec["keys"][name]["private"] != private:
            problems.append(f"key {name} differs from the spec")
    return compared, problems


# ----------------------------------------------------------------------------------------------------
# Driver.
# ----------------------------------------------------------------------------------------------------

def load_schemas(schema_dir: Path) -> list[dict]:
    """Read the message schema files in a stable order."""
    return [tomllib.loads(path.read_text()) for path in sorted(schema_dir.glob("*.toml"))]


# ----------------------------------------------------------------------------------------------------
# Attestation primitives (ipv8/attestation/wallet), spec attestation.md §3: exact-value proofs.
# ----------------------------------------------------------------------------------------------------

# Boneh private keys py-ipv8's generate_keypair made once (its primes come from a source that cannot
# be seeded); everything random below them is drawn from a seeded `random`, as py-ipv8 draws it.
BONEH_KEYS = {
    32: "0109132f708e8ddc94aa770109095b090995672bbae1010909a078244500614a610109065515716bc5a1fdae01090ac1b791ad3b"
        "403f930108cca4b09b3e8631c50104dc2235af",
    64: "0111cd011375fea5f6cf5a020b77402046820101112c61ad7cb21d0d2eff36291129b155a64001113c87cbf1cf2ccba3dd867d15"
        "20427d86e20111512ae4dd74e8e1903354c7672f35f0d341011108e4d3417d1bb2a56431cd24f65be0788b0110ab81bc9ef32820"
        "77ed99f8dc3c573ca90108ca02c873519ce57f",
}
BONEH_CASES = [("id_metadata", 32, b"1234", b"4321"), ("id_metadata_big", 64, b"alice", b"bob")]


def bonehexact_vectors() -> dict:
    """Per identity format: a subject key, an attestation of a value, challenges with the subject's
    answers, honesty checks, and the certainty for the true and for another value."""
    import random

    from ipv8.attestation.default_identity_formats import FORMATS
    from ipv8.attestation.wallet.bonehexact.algorithm import BonehExactAlgorithm
    from ipv8.attestation.wallet.bonehexact.structs import BonehAttestation
    from ipv8.attestation.wallet.primitives.structs import BonehPrivateKey

    cases = []
    for id_format, key_size, value, other in BONEH_CASES:
        random.seed(f"{id_format}:{value!r}")
        algorithm = BonehExactAlgorithm(id_format, FORMATS)
        key = BonehPrivateKey.unserialize(bytes.fromhex(BONEH_KEYS[key_size]))
        blob = algorithm.attest(key.public_key(), value)
        attestation = BonehAttestation.unserialize(blob, id_format)
        challenges = algorithm.create_challenges(key.public_key(), attestation)
        answers = [algorithm.create_challenge_response(key, attestation, c) for c in challenges]
        aggregate = algorithm.create_certainty_aggregate(attestation)
        for challenge, answer in zip(challenges, answers, strict=True):
            algorithm.process_challenge_response(aggregate, challenge, answer)
        honesty = [(k, algorithm.create_honesty_challenge(key.public_key(), k)) for k in (0, 1, 2)]
        cases.append({
            "name": f"{id_format}: {value.decode()}",
            "id_format": id_format,
            "value": value.hex(),
            "other_value": other.hex(),
            "private_key": key.serialize().hex(),
            "blob": blob.hex(),
            "challenges": [{"challenge": c.hex(), "response": a[0]} for c, a in zip(challenges, answers, strict=True)],
            "honesty_checks": [{"value": k, "challenge": c.hex()} for k, c in honesty],
            "relativity": [algorithm.aggregate_reference(value)[k] for k in range(4)],
            "certainty": algorithm.certainty(value, aggregate),
            "other_certainty": algorithm.certainty(other, aggregate),
        })
    return {"algorithm": "bonehexact", "cases": cases}


def pengbaorange_vectors() -> dict:
    """Range proofs of id_metadata_range_18plus for a fixed subject key: the attester's blob (public
    data and the encrypted secrets), the attribute hash, and challenges with the subject's answers
    and the verifier's verdict. py-ipv8 draws these numbers from os.urandom; here they come from a
    seeded generator so that the file is reproducible."""
    import hashlib
    import random
    import struct

    import ipv8.attestation.wallet.pengbaorange.algorithm as range_algorithm
    import ipv8.attestation.wallet.pengbaorange.attestation as range_attestation
    import ipv8.attestation.wallet.pengbaorange.boudot as range_boudot
    from ipv8.attestation.default_identity_formats import FORMATS
    from ipv8.attestation.wallet.pengbaorange.structs import PengBaoAttestation
    from ipv8.attestation.wallet.primitives.structs import BonehPrivateKey

    cases = []
    for value in (18, 42, 200):
        random.seed(f"range:{value}")
        seeded = random.Random(f"urandom:{value}")
        for module in (range_algorithm, range_attestation, range_boudot):
            module.urandom = seeded.randbytes
        algorithm = range_algorithm.PengBaoRangeAlgorithm("id_metadata_range_18plus", FORMATS)
        key = BonehPrivateKey.unserialize(bytes.fromhex(BONEH_KEYS[32]))
        blob = algorithm.attest(key.public_key(), struct.pack(">B", value))
        attestation = PengBaoAttestation.unserialize_private(key, blob, "id_metadata_range_18plus")
        public = attestation.serialize()
        challenges = algorithm.create_challenges(key.public_key(), attestation)
        challenges.append(b"\x01\x01\x05\x01\x01\x05")
        rounds = []
        for challenge in challenges:
            response = algorithm.create_challenge_response(key, attestation, challenge)
            aggregate = algorithm.create_certainty_aggregate(PengBaoAttestation.unserialize(public))
            algorithm.process_challenge_response(aggregate, challenge, response)
            rounds.append({"challenge": challenge.hex(), "response": response.hex(),
                           "in_range": algorithm.certainty(b"\x01", aggregate) == 1.0})
        cases.append({
            "name": f"id_metadata_range_18plus: {value}",
            "value": value,
            "private_key": key.serialize().hex(),
            "blob": blob.hex(),
            "public": public.hex(),
            "attribute_hash": hashlib.sha1(public).hexdigest(),
            "rounds": rounds,
        })
    return {"algorithm": "pengbaorange", "cases": cases}


def write_json(path: Path, document: dict) -> None:
    """Write a document as indented JSON with a trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    """Parse the arguments, capture everything and optionally compare against the spec vectors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory that receives the vector files")
    parser.add_argument("--schemas", type=Path, default=DEFAULT_SCHEMA_DIR, help="message schema directory")
    parser.add_argument("--check-spec", type=Path, help="core-vectors.json of the spec to compare against")
    args = parser.parse_args()

    installed = version("pyipv8")
    if installed != PYIPV8_VERSION:
        raise SystemExit(f"expected pyipv8 {PYIPV8_VERSION}, found {installed}")

    schemas = load_schemas(args.schemas)
    for schema in schemas:
        for entry in schema.get("payload", []):
            NESTED_ENTRIES[entry["name"]] = entry
    payload_docs = []
    schema_messages: dict[str, dict] = {}
    for schema in schemas:
        for entry in schema.get("payload", []):
            document = payload_vector(entry, schema["overlay"])
            write_json(args.outdir / schema["overlay"] / f"{entry['name']}.json", document)
            payload_docs.append(document)
        for message in schema.get("message", []):
            schema_messages[message["name"]] = message

    messages = messages_document(schema_messages)
    write_json(args.outdir / "messages.json", messages)
    write_json(args.outdir / "attestation" / "bonehexact.json", bonehexact_vectors())
    write_json(args.outdir / "attestation" / "pengbaorange.json", pengbaorange_vectors())
    print(f"wrote {len(payload_docs)} payload files and {len(messages['messages'])} packets to {args.outdir}")

    if args.check_spec:
        compared, problems = compare_with_spec(args.check_spec, payload_docs, messages)
        for problem in problems:
            print(f"MISMATCH {problem}", file=sys.stderr)
        print(f"spec check: compared {compared} items, {len(problems)} mismatches")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
