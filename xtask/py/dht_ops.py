"""py-ipv8's DHT data structures, timed the way `ipv8/examples/dht_ops.rs` times ours: adding 1000
nodes to a fresh routing table, and the 8 closest nodes of a filled one. Prints one JSON line."""

import json
import random
import sys
import time

from ipv8.dht.routing import Node, RoutingTable
from ipv8.keyvault.crypto import default_eccrypto


def per_call(function, repeat: int) -> float:
    """Microseconds per call of `function`, the best of five rounds of `repeat` calls."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6


def main() -> int:
    rng = random.Random(1)
    keys = [default_eccrypto.generate_key("curve25519").pub() for _ in range(1000)]
    nodes = [Node(key, (f"10.0.{i // 256}.{i % 256}", 8090)) for i, key in enumerate(keys)]
    my_id = bytes(rng.getrandbits(8) for _ in range(20))

    def fill() -> RoutingTable:
        table = RoutingTable(my_id)
        for node in nodes:
            table.add(node)
        return table

    add = per_call(fill, 20)
    table = fill()
    size = sum(len(bucket.nodes) for bucket in table.trie.values())
    targets = [bytes(rng.getrandbits(8) for _ in range(20)) for _ in range(64)]
    state = {"next": 0}

    def closest() -> None:
        state["next"] = (state["next"] + 1) % len(targets)
        table.closest_nodes(targets[state["next"]], max_nodes=8)

    near = per_call(closest, 2000)
    print(json.dumps({"implementation": "py-ipv8", "add_1000_us": round(add, 1), "table_size": size,
                      "closest_8_us": round(near, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
