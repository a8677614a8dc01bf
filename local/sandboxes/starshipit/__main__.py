"""Serve the Starshipit sandbox over HTTP: ``python -m local.sandboxes.starshipit --port 0`` prints the base URL."""

from __future__ import annotations

import argparse
import sys

from ..transports import serve, serve_until_stopped
from .sandbox import StarshipitSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Starshipit sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--account", help="seed one account with this id")
    parser.add_argument("--api-key")
    parser.add_argument("--subscription-key")
    parser.add_argument("--tier", default="developer", choices=["developer", "production"])
    args = parser.parse_args(argv)

    sandbox = StarshipitSandbox()
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    if args.account:
        sandbox.add_account(args.account, api_key=args.api_key, subscription_key=args.subscription_key,
                            tier=args.tier)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
