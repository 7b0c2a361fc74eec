"""The py-ipv8 side of the identity database interop test (ipv8/tests/it/identity_py_db.rs).

Usage: identity_db.py < REQUEST.json > RESPONSE.json

Byte strings are hex. One request (a JSON object) per run:

  {"op": "write", "path": P, "subject": SK, "authority": SK,
   "credentials": [{"hash": HEX20, "name": N, "schema": S, "date": F, "extra": [[K, V], ...]}]}
      With py-ipv8's IdentityManager on the file P: the subject's pseudonym gets one credential per
      entry (each after the previous one; metadata = json.dumps of name, schema, date and extra, in
      that order; token content hash = the padded hash), and the authority attests the last one.
      Answers the dump of P (below) and a disclosure of the last credential with that attestation
      (with "correct": what py-ipv8's own substantiate of it in a fresh manager answers).

  {"op": "read", "path": P, "subject": PK, "disclosure": {"metadata", "tokens", "attestations",
   "authorities"}}
      Opens P (a file written by rust-ipv8) with py-ipv8, checks every signature and chain, and
      answers its dump; then substantiates the disclosure (made by rust-ipv8) into a fresh
      in-memory IdentityManager and answers whether it was correct and what it loaded.

A dump is {"version", "version_type", "page_size", "journal_mode", "tables": {T: table_info rows},
"tokens", "metadata", "attestations", "credentials", "valid"}: the subject's rows (each object with
its fields and SHA3-256 hash, sorted by hash), the credentials as the REST API sees them, and
whether every token, metadata and attestation verified. SK and PK are key_to_bin() of a private or
public key.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from typing import Any

from ipv8.attestation.identity.manager import IdentityManager
from ipv8.keyvault.crypto import default_eccrypto as crypto
from ipv8.util import strip_sha1_padding

PADDING = b"SHA-1" + b"\x00" * 7


def token_dict(token: Any) -> dict[str, Any]:
    return {"previous": token.previous_token_hash.hex(), "content_hash": token.content_hash.hex(),
            "signature": token.signature.hex(), "hash": token.get_hash().hex()}


def metadata_dict(metadata: Any) -> dict[str, Any]:
    return {"token_pointer": metadata.token_pointer.hex(), "json": metadata.serialized_json_dict.hex(),
            "signature": metadata.signature.hex(), "hash": metadata.get_hash().hex()}


def attestation_dict(attestation: Any, authority: bytes) -> dict[str, Any]:
    return {"metadata_pointer": attestation.metadata_pointer.hex(), "signature": attestation.signature.hex(),
            "hash": attestation.get_hash().hex(), "authority": authority.hex()}


def file_facts(path: str) -> dict[str, Any]:
    connection = sqlite3.connect(path)
    try:
        value, kind = connection.execute(
            "SELECT value, typeof(value) FROM option WHERE key = 'database_version'").fetchone()
        tables = {table: [list(row) for row in connection.execute(f"PRAGMA table_info({table})")]
                  for table in ("Tokens", "Metadata", "Attestations", "option")}
        return {"version": value if isinstance(value, str) else value.decode(), "version_type": kind,
                "page_size": connection.execute("PRAGMA page_size").fetchone()[0],
                "journal_mode": connection.execute("PRAGMA journal_mode").fetchone()[0],
                "tables": tables}
    finally:
        connection.close()


def dump(manager: IdentityManager, public_key: Any) -> dict[str, Any]:
    database = manager.database
    pseudonym = manager.get_pseudonym(public_key)
    valid = True
    tokens = []
    for token in database.get_tokens_for(public_key):
        valid &= token.verify(public_key) and pseudonym.tree.verify(pseudonym.tree.elements[token.get_hash()])
        tokens.append(token_dict(token))
    metadata = []
    for entry in database.get_metadata_for(public_key):
        valid &= entry.verify(public_key) and entry.token_pointer in pseudonym.tree.elements
        metadata.append(metadata_dict(entry))
    attestations = []
    for attestation in database.get_attestations_for(public_key):
        authority = database.get_authority(attestation)
        valid &= attestation.verify(crypto.key_from_public_bin(authority))
        attestations.append(attestation_dict(attestation, authority))
    credentials = []
    for credential in pseudonym.get_credentials():
        content_hash = pseudonym.tree.elements[credential.metadata.token_pointer].content_hash
        attesters = sorted(database.get_authority(a).hex() for a in credential.attestations)
        credentials.append({"hash": strip_sha1_padding(content_hash).hex(),
                            "metadata": json.loads(credential.metadata.serialized_json_dict),
                            "attesters": attesters})
    return {"tokens": sorted(tokens, key=lambda t: t["hash"]),
            "metadata": sorted(metadata, key=lambda m: m["hash"]),
            "attestations": sorted(attestations, key=lambda a: a["hash"]),
            "credentials": sorted(credentials, key=lambda c: c["hash"]),
            "valid": valid}


def write(request: dict[str, Any]) -> dict[str, Any]:
    subject = crypto.key_from_private_bin(bytes.fromhex(request["subject"]))
    authority = crypto.key_from_private_bin(bytes.fromhex(request["authority"]))
    manager = IdentityManager(request["path"])
    pseudonym = manager.get_pseudonym(subject)
    last = None
    for entry in request["credentials"]:
        metadata = {"name": entry["name"], "schema": entry["schema"], "date": entry["date"]}
        metadata.update(dict(entry["extra"]))
        credential = pseudonym.create_credential(PADDING + bytes.fromhex(entry["hash"]), metadata,
                                                 None if last is None else last.metadata)
        last = credential
    attestation = pseudonym.create_attestation(last.metadata, authority)
    pseudonym.add_attestation(authority.pub(), attestation)
    disclosure = pseudonym.create_disclosure({last.metadata}, {attestation.get_hash()})
    out = dump(manager, subject.pub())
    manager.database.close()
    out.update(file_facts(request["path"]))
    out["disclosure"] = dict(zip(("metadata", "tokens", "attestations", "authorities"),
                                 (part.hex() for part in disclosure)))
    # The disclosure's tokens come in set order: py-ipv8 itself may find some unchained at first.
    out["disclosure"]["correct"], _ = IdentityManager(":memory:").substantiate(subject.pub(), *disclosure)
    return out


def read(request: dict[str, Any]) -> dict[str, Any]:
    subject = crypto.key_from_public_bin(bytes.fromhex(request["subject"]))
    manager = IdentityManager(request["path"])
    out = dump(manager, subject)
    manager.database.close()
    out.update(file_facts(request["path"]))
    fresh = IdentityManager(":memory:")
    parts = request["disclosure"]
    correct, pseudonym = fresh.substantiate(subject, *(bytes.fromhex(parts[name]) for name in
                                                       ("metadata", "tokens", "attestations", "authorities")))
    loaded = dump(fresh, subject)
    out["substantiated"] = {"correct": correct, "tree": len(pseudonym.tree.elements),
                            "metadata": loaded["metadata"], "attestations": loaded["attestations"]}
    return out


def main() -> None:
    request = json.load(sys.stdin)
    handlers = {"write": write, "read": read}
    json.dump(handlers[request["op"]](request), sys.stdout)


if __name__ == "__main__":
    main()
