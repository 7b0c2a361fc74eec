"""The py-ipv8 side of the configuration tests (ipv8/tests/it/config_py.rs).

Usage: default_config.py [default|builder]

Prints, as JSON, py-ipv8 3.2.1's configuration dictionary:

  default  get_default_configuration(), the `default_config` (the default)
  builder  what a fixed sequence of ConfigBuilder calls makes; config_py.rs makes the same
           configuration with ipv8::config::Builder and compares the two

Tuples become JSON lists, as they do in any py-ipv8 JSON configuration.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ipv8.configuration import (
    Bootstrapper,
    BootstrapperDefinition,
    ConfigBuilder,
    Strategy,
    WalkerDefinition,
    get_default_configuration,
)

# A fixed curve25519 private key (base64 of its 74 bytes), so that both sides write the same `bin`.
KEY_BIN = "TGliTmFDTFNLOnhPJRb+DmyAdGxUWo+jjmM4d/8sx76j0/rPhHA2c5VWNjZipaY99zpy3BSEvxgDqJH9MODNtH2ViwO28rucEwo="


def built() -> dict[str, Any]:
    """The configuration of the builder test: keep the sequence in step with config_py.rs."""
    builder = (
        ConfigBuilder()
        .clear_keys()
        .clear_overlays()
        .add_key("my peer", "medium", "ec.pem")
        .add_key_from_bin("other peer", KEY_BIN)
        .set_address("127.0.0.1")
        .set_port(8091)
        .set_address("::1", "UDPIPv6")
        .set_log_level("DEBUG")
        .set_working_directory("/tmp/state")
        .set_walker_interval(0.25)
        .add_overlay(
            "MyCommunity",
            "my peer",
            [WalkerDefinition(Strategy.RandomWalk, 42, {"timeout": 3.0}), WalkerDefinition(Strategy.EdgeWalk, -1, {})],
            [
                BootstrapperDefinition(
                    Bootstrapper.DispersyBootstrapper,
                    {"ip_addresses": [("127.0.0.1", 5)], "dns_addresses": [("localhost", 6)]},
                ),
                BootstrapperDefinition(Bootstrapper.UDPBroadcastBootstrapper, {}),
            ],
            {"max_peers": 30, "anonymize": False, "nested": {"ratio": 0.5, "names": ["a", "b"]}},
            [("started",), ("ping", 1, "two", 3.5)],
        )
        .add_overlay("OtherCommunity", "other peer", [], [], {}, [])
    )
    return builder.finalize()


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "default"
    configs = {"default": get_default_configuration, "builder": built}
    if which not in configs:
        sys.exit(f"usage: default_config.py [{'|'.join(configs)}]")
    json.dump(configs[which](), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
