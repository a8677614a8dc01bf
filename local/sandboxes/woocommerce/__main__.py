"""Serve the WooCommerce sandbox over HTTP: ``python -m local.sandboxes.woocommerce --port 0`` prints the base URL."""

from __future__ import annotations

import argparse
import sys

from ..transports import serve, serve_until_stopped
from .sandbox import WooCommerceSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the WooCommerce sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--store", help="seed one store with this slug")
    parser.add_argument("--consumer-key")
    parser.add_argument("--consumer-secret")
    args = parser.parse_args(argv)

    sandbox = WooCommerceSandbox()
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    if args.store:
        sandbox.add_store(args.store, home=f"{base_url}/{args.store}", consumer_key=args.consumer_key,
                          consumer_secret=args.consumer_secret)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
