"""Serve the CartonCloud sandbox over HTTP: ``python -m local.sandboxes.cartoncloud --port 0`` prints the base URL."""

from __future__ import annotations

import argparse
import sys

from ..transports import serve, serve_until_stopped
from .sandbox import CartonCloudSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the CartonCloud sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tenant-id", help="seed one tenant with this id (and the options below)")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--notification-url")
    parser.add_argument("--notification-secret")
    args = parser.parse_args(argv)

    sandbox = CartonCloudSandbox()
    if args.tenant_id:
        sandbox.add_tenant(args.tenant_id, client_id=args.client_id, client_secret=args.client_secret,
                           notification_url=args.notification_url, notification_secret=args.notification_secret)
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
