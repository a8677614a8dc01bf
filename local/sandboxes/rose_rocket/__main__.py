"""Serve the Rose Rocket sandbox over HTTP: ``python -m local.sandboxes.rose_rocket --port 0`` prints the base URL."""

from __future__ import annotations

import argparse
import sys

from ..transports import serve, serve_until_stopped
from .sandbox import RoseRocketSandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Rose Rocket sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--org", help="seed one organisation with this id")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    args = parser.parse_args(argv)

    sandbox = RoseRocketSandbox()
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    if args.org:
        sandbox.add_org(args.org, client_id=args.client_id, client_secret=args.client_secret)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
