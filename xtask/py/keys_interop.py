"""The py-ipv8 side of the key and signature interop tests (ipv8/tests/it/crypto_interop.rs and
ipv8-cli/tests/it/keygen_interop.rs).

Usage: keys_interop.py < REQUESTS.json > RESPONSES.json

Reads a JSON array of requests and writes a JSON array with one response per request, in order. Byte
strings are hex. A request that py-ipv8 refuses gets {"error": "..."} instead of failing the run, so the
tests can also check what py-ipv8 rejects. Operations, all through ipv8.keyvault.crypto.default_eccrypto:

  {"op": "generate", "level": L, "out": PATH}  generate_key(L), then write its key_to_bin() to PATH the
                                              way py-ipv8's service stores keys (raw bytes)
  {"op": "load", "path": PATH}                key_from_private_bin(contents of PATH)
  {"op": "load_private", "private": HEX}      key_from_private_bin(bytes)
  {"op": "load_public", "public": HEX}        key_from_public_bin(bytes)
  {"op": "pem", "path": PATH}                 key_to_pem() of the key in PATH and of its public key
  {"op": "sign", "path": PATH, "msg": HEX}    create_signature(key in PATH, msg)
  {"op": "verify", "public": HEX, "msg": HEX, "sig": HEX}  is_signature_valid(...)

Every loaded key is described as {"curve", "public", "mid", "sig_len"} (plus "private" for private
keys): curve_name(), the public key_to_bin(), key_to_hash() and get_signature_length().
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

from ipv8.keyvault.crypto import default_eccrypto as crypto


def describe(key: Any) -> dict[str, Any]:
    public = key.pub()
    described = {
        "curve": public.curve_name(),
        "public": public.key_to_bin().hex(),
        "mid": key.key_to_hash().hex(),
        "sig_len": public.get_signature_length(),
    }
    if key.has_secret_key():
        described["private"] = key.key_to_bin().hex()
    return described


def generate(request: dict[str, Any]) -> dict[str, Any]:
    key = crypto.generate_key(request["level"])
    Path(request["out"]).write_bytes(crypto.key_to_bin(key))
    return describe(key)


def load(request: dict[str, Any]) -> dict[str, Any]:
    return describe(crypto.key_from_private_bin(Path(request["path"]).read_bytes()))


def load_private(request: dict[str, Any]) -> dict[str, Any]:
    return describe(crypto.key_from_private_bin(bytes.fromhex(request["private"])))


def load_public(request: dict[str, Any]) -> dict[str, Any]:
    return describe(crypto.key_from_public_bin(bytes.fromhex(request["public"])))


def pem(request: dict[str, Any]) -> dict[str, Any]:
    key = crypto.key_from_private_bin(Path(request["path"]).read_bytes())
    return {"private_pem": key.key_to_pem().decode(), "public_pem": key.pub().key_to_pem().decode()}


def sign(request: dict[str, Any]) -> dict[str, Any]:
    key = crypto.key_from_private_bin(Path(request["path"]).read_bytes())
    return {"sig": crypto.create_signature(key, bytes.fromhex(request["msg"])).hex()}


def verify(request: dict[str, Any]) -> dict[str, Any]:
    key = crypto.key_from_public_bin(bytes.fromhex(request["public"]))
    valid = crypto.is_valid_signature(key, bytes.fromhex(request["msg"]), bytes.fromhex(request["sig"]))
    return {"valid": bool(valid)}


OPERATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "generate": generate,
    "load": load,
    "load_private": load_private,
    "load_public": load_public,
    "pem": pem,
    "sign": sign,
    "verify": verify,
}


def answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        return OPERATIONS[request["op"]](request)
    except Exception as error:  # Refusals are results here, reported to the Rust side.
        return {"error": f"{type(error).__name__}: {error}"}


def main() -> None:
    requests = json.load(sys.stdin)
    json.dump([answer(request) for request in requests], sys.stdout)


if __name__ == "__main__":
    main()
