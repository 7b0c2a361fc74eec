"""Capture one golden vector per case of every py-ipv8 serializer format.

Usage: capture_formats.py OUTFILE

Each value is packed with py-ipv8's own packer for the format, unpacked again by py-ipv8 to check the
round trip, and written with the bytes as hex. Values use the JSON conventions of schemas/README.md:
byte strings as hex, addresses as "ip:port" (or "host:port"), tuples and lists as arrays, bits as eight
0/1 flags, and nested payloads as objects of their fields.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ipv8.messaging.payload_headers import GlobalTimeDistributionPayload
from ipv8.messaging.serialization import default_serializer

# (format, value as py-ipv8 packs it). Struct-family formats take a tuple of arguments.
CASES: list[tuple[str, Any]] = [
    ("?", (True,)), ("?", (False,)),
    ("B", (200,)), ("BBH", (1, 2, 0x0304)), ("BH", (1, 0x0203)), ("c", (b"A",)),
    ("f", (1.5,)), ("d", (-2.25,)), ("H", (0x1234,)), ("HH", (1, 2)), ("I", (0x01020304,)),
    ("l", (-2,)), ("LL", (1, 2)), ("q", (-1,)), ("Q", (2**64 - 2,)), ("QH", (1, 2)), ("QL", (1, 2)),
    ("QQHHBH", (1, 2, 3, 4, 5, 6)), ("ccB", (b"a", b"b", 3)), ("4SH", (b"\x01\x02\x03\x04", 80)),
    ("20s", (bytes(range(20)),)), ("32s", (bytes(range(32)),)), ("64s", (bytes(range(64)),)),
    ("74s", (bytes(range(74)),)), ("c20s", (b"Y", b"\x11" * 20)),
    ("bits", (1, 0, 1, 0, 0, 0, 0, 1)), ("bits", (0, 1, 1, 1, 1, 1, 1, 0)),
    ("ipv4", ("1.2.3.4", 80)),
    ("address", ("1.2.3.4", 80)), ("address", ("::1", 8090)), ("address", ("example.com", 53)),
    ("ip_address", ("1.2.3.4", 80)), ("ip_address", ("2001:db8::1", 8090)),
    ("raw", b""), ("raw", b"\x00\xffrest"),
    ("varlenH", b"ab"), ("varlenH", b""), ("doublevarlenH", b"ab"), ("varlenI", b"ab"),
    ("varlenHutf8", "h\u00e9"), ("varlenIutf8", "h\u00e9"), ("varlenBx2", b"abcd"),
    ("varlenHx20", b"\x01" * 20 + b"\x02" * 20), ("varlenH-list", [b"ab", b"", b"c"]),
    ("arrayH-?", [True, False, True]), ("arrayH-q", [1, -2]), ("arrayH-d", [1.5]),
    ("payload", GlobalTimeDistributionPayload(7)),
    ("payload-list", [GlobalTimeDistributionPayload(1), GlobalTimeDistributionPayload(2)]),
]

STRUCT_FORMATS = {"?", "B", "BBH", "BH", "c", "f", "d", "H", "HH", "I", "l", "LL", "q", "Q", "QH", "QL",
                  "QQHHBH", "ccB", "4SH", "20s", "32s", "64s", "74s", "c20s", "bits"}


def pack(fmt: str, value: Any) -> bytes:
    """Pack a value with py-ipv8's packer for the format."""
    packer = default_serializer.get_packer_for(fmt)
    return packer.pack(*value) if fmt in STRUCT_FORMATS else packer.pack(value)


def unpack(fmt: str, data: bytes) -> Any:
    """Unpack one value of the format with py-ipv8, requiring every byte to be used."""
    unpacked: list = []
    nested = (GlobalTimeDistributionPayload,) if fmt in ("payload", "payload-list") else ()
    end = default_serializer.get_packer_for(fmt).unpack(data, 0, unpacked, *nested)
    if end != len(data):
        raise ValueError(f"{fmt}: py-ipv8 used {end} of {len(data)} bytes")
    return unpacked


def to_json(value: Any) -> Any:
    """The JSON form of an unpacked value."""
    if isinstance(value, GlobalTimeDistributionPayload):
        return {"global_time": value.global_time}
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def struct_args(unpacked: list) -> tuple:
    """The arguments of a struct-family value: py-ipv8 unpacks several values as one tuple."""
    return unpacked[0] if isinstance(unpacked[0], tuple) else tuple(unpacked)


def json_value(fmt: str, unpacked: list) -> Any:
    """Turn py-ipv8's unpack list into the JSON value of one field."""
    if fmt in ("ipv4", "address", "ip_address"):
        host, port = unpacked[0]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if fmt == "bits":
        return [int(flag) for flag in unpacked]
    if fmt in STRUCT_FORMATS:
        args = struct_args(unpacked)
        return to_json(args[0]) if len(args) == 1 else to_json(args)
    return to_json(unpacked[0])


def capture() -> list[dict]:
    """Every case, checked to round-trip through py-ipv8."""
    vectors = []
    for fmt, value in CASES:
        data = pack(fmt, value)
        unpacked = unpack(fmt, data)
        repacked = pack(fmt, struct_args(unpacked)) if fmt in STRUCT_FORMATS else pack(fmt, unpacked[0])
        if repacked != data:
            raise ValueError(f"{fmt}: {value!r} does not round-trip in py-ipv8")
        vectors.append({"format": fmt, "value": json_value(fmt, unpacked), "hex": data.hex()})
    return vectors


def main() -> int:
    """Write the vectors to the file named on the command line."""
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    document = {"generator": "pyipv8 3.2.1", "formats": capture()}
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(document['formats'])} format vectors to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
