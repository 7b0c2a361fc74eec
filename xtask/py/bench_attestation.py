"""Attestation speed, ours against py-ipv8's own code, on one core, in the same run.

For id_metadata, id_metadata_big and id_metadata_range_18plus: key generation (exact formats),
attesting a value, and a whole proof: every challenge made, answered by the subject and checked by
the verifier (no network). Prints one JSON line per measurement with both medians and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import time

from ipv8.attestation.default_identity_formats import FORMATS
from ipv8.attestation.wallet.bonehexact.algorithm import BonehExactAlgorithm
from ipv8.attestation.wallet.bonehexact.structs import BonehAttestation
from ipv8.attestation.wallet.pengbaorange.algorithm import PengBaoRangeAlgorithm
from ipv8.attestation.wallet.pengbaorange.structs import PengBaoAttestation


def timed(runs: int, work) -> float:
    """Median seconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def exact(id_format: str, runs: int) -> dict:
    algorithm = BonehExactAlgorithm(id_format, FORMATS)
    out = {"keygen": timed(runs, algorithm.generate_secret_key)}
    key = algorithm.generate_secret_key()
    out["attest"] = timed(runs, lambda: algorithm.attest(key.public_key(), b"alice"))
    blob = algorithm.attest(key.public_key(), b"alice")

    def prove() -> float:
        attestation = BonehAttestation.unserialize(blob, id_format)
        aggregate = algorithm.create_certainty_aggregate(attestation)
        for challenge in algorithm.create_challenges(key.public_key(), attestation):
            response = algorithm.create_challenge_response(key, attestation, challenge)
            algorithm.process_challenge_response(aggregate, challenge, response)
        return algorithm.certainty(b"alice", aggregate)

    assert prove() > 0.99
    out["prove"] = timed(runs, prove)
    return out


def ranged(runs: int) -> dict:
    id_format = "id_metadata_range_18plus"
    algorithm = PengBaoRangeAlgorithm(id_format, FORMATS)
    key = algorithm.generate_secret_key()
    value = struct.pack(">B", 42)
    out = {"attest": timed(runs, lambda: algorithm.attest(key.public_key(), value))}
    stored = PengBaoAttestation.unserialize_private(key, algorithm.attest(key.public_key(), value))
    public = stored.serialize()

    def prove() -> float:
        attestation = PengBaoAttestation.unserialize(public)
        aggregate = algorithm.create_certainty_aggregate(attestation)
        for challenge in algorithm.create_challenges(key.public_key(), attestation):
            response = algorithm.create_challenge_response(key, stored, challenge)
            algorithm.process_challenge_response(aggregate, challenge, response)
        return algorithm.certainty(b"\x01", aggregate)

    assert prove() == 1.0
    out["prove"] = timed(runs, prove)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-bin", required=True, help="the attestation_bench example, release build")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ours: dict = {}
    # Both sides on one core (the same one).
    os.sched_setaffinity(0, {0})
    lines = subprocess.run([args.bench_bin, str(args.runs)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    for line in lines:
        entry = json.loads(line)
        ours[(entry["format"], entry["op"])] = entry["seconds"]
    theirs: dict = {}
    for id_format in ("id_metadata", "id_metadata_big"):
        for op, seconds in exact(id_format, args.runs).items():
            theirs[(id_format, op)] = seconds
    for op, seconds in ranged(args.runs).items():
        theirs[("id_metadata_range_18plus", op)] = seconds
    for (id_format, op), seconds in sorted(theirs.items()):
        mine = ours.get((id_format, op))
        print(json.dumps({"format": id_format, "op": op, "py_ipv8_s": round(seconds, 6),
                          "rust_ipv8_s": mine and round(mine, 6),
                          "ratio": mine and round(seconds / mine, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
