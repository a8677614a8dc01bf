"""Serve the Unleashed sandbox over HTTP: ``python -m local.sandboxes.unleashed --port 0`` prints the base URL."""

from __future__ import annotations

import argparse
import sys

from ..transports import serve, serve_until_stopped
from .sandbox import UnleashedSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Unleashed sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-id", help="seed one account with this API ID")
    parser.add_argument("--api-key")
    parser.add_argument("--order-management-off", action="store_true")
    args = parser.parse_args(argv)

    sandbox = UnleashedSandbox()
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    if args.api_id:
        sandbox.add_account(api_id=args.api_id, api_key=args.api_key, order_management=not args.order_management_off)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
