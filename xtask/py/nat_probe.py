"""The NAT self-check of `cargo xtask natlab`: how a lab NAT maps and filters UDP, seen from both sides.

Usage: nat_probe.py observe OBSERVER_IP STRANGER_IP PORT1 PORT2 PORT3
       nat_probe.py host BIND_IP BIND_PORT OBSERVER_IP PORT1 PORT2

`observe` runs on the lab's internet: it waits for the host's datagrams on OBSERVER_IP:PORT1 and :PORT2,
prints the source port each saw (the same port twice means endpoint-independent mapping), then sends
three probes to the address PORT1 saw: from that same endpoint ("same"), from OBSERVER_IP:PORT3 ("port")
and from STRANGER_IP:PORT1 ("ip"). `host` runs behind the NAT: it sends to both observer ports and
prints which probes reached it. Each prints one JSON line. Only lab namespace addresses are used.
"""

import json
import select
import socket
import sys
import time

PATIENCE = 5.0
LISTEN = 2.0


def udp(ip: str, port: int) -> socket.socket:
    """A UDP socket bound to ip:port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((ip, port))
    return sock


def observe(observer: str, stranger: str, port1: int, port2: int, port3: int) -> None:
    """Report the mapped ports the host's datagrams came from, then probe the first mapping."""
    first, second, other_port, other_ip = udp(observer, port1), udp(observer, port2), udp(observer, port3), \
        udp(stranger, port1)
    print(json.dumps({"event": "ready"}), flush=True)
    seen: dict[int, tuple[str, int]] = {}
    deadline = time.monotonic() + PATIENCE
    while len(seen) < 2 and time.monotonic() < deadline:  # noqa: PLR2004
        ready, _, _ = select.select([first, second], [], [], 0.1)
        for sock in ready:
            _, source = sock.recvfrom(2048)
            seen[sock.getsockname()[1]] = source
    if port1 in seen:
        for _ in range(3):
            for sock, label in ((first, b"same"), (other_port, b"port"), (other_ip, b"ip")):
                sock.sendto(label, seen[port1])
            time.sleep(0.1)
    print(json.dumps({"event": "mapped", "ports": [seen.get(port, ("", 0))[1] for port in (port1, port2)]}),
          flush=True)


def host(bind_ip: str, bind_port: int, observer: str, port1: int, port2: int) -> None:
    """Send to both observer ports, then report the probes that came in."""
    sock = udp(bind_ip, bind_port)
    for _ in range(2):
        for port in (port1, port2):
            sock.sendto(b"hello", (observer, port))
        time.sleep(0.1)
    received = set()
    deadline = time.monotonic() + LISTEN
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.1)
        if ready:
            data, _ = sock.recvfrom(2048)
            received.add(data.decode(errors="replace"))
    print(json.dumps({"event": "received", "labels": sorted(received)}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "observe":  # noqa: PLR2004
        observe(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:]))
    elif len(sys.argv) == 7 and sys.argv[1] == "host":  # noqa: PLR2004
        host(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit(__doc__)
