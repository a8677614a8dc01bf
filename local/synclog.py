"""Follow the running local stack's sync log (``make synclog``): every record's entries as they are written.

    python -m local.synclog [--api http://127.0.0.1:3000] [--once]      # --api defaults to $API, else that

It polls ``GET /_local/sync-log?after=<cursor>`` once a second; Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from . import demo


def fetch(api: str, after: str | None) -> dict[str, Any]:
    query = urllib.parse.urlencode({"after": after} if after else {})
    with urllib.request.urlopen(f"{api.rstrip('/')}/_local/sync-log?{query}", timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def line(entry: dict[str, Any]) -> str:
    """``10:15:02  status-change  OUTBOUND_ORDER fb5b56f6…  message  [error]  → resolution``"""
    rest = entry["key"].partition("#")[2]
    record = " ".join(rest.split("#")[1:]) or entry["key"]
    text = f"{entry.get('at', '')[11:19]}  {entry.get('event', ''):<14} {record}  {entry.get('message', '')}"
    if entry.get("error"):
        text += f"  [{entry['error']}]"
    if entry.get("resolution"):
        text += f"  → {entry['resolution']}"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.synclog", description=__doc__.split("\n")[0])
    parser.add_argument("--api", default=demo.api_url(),
                        help=f"our API's base URL (default: $API, else {demo.API_URL})")
    parser.add_argument("--once", action="store_true", help="print what is there and exit")
    args = parser.parse_args(argv)
    cursor = None
    try:
        while True:
            try:
                page = fetch(args.api, cursor)
            except (urllib.error.URLError, ConnectionError) as exc:
                print(f"local stack not reachable at {args.api} ({exc}); is `make run` running? On other ports, pass "
                      "--api (or export API=…) with the API address it printed.", file=sys.stderr)
                return 1
            for entry in page["entries"]:
                print(line(entry), flush=True)
            cursor = page["cursor"]
            if args.once:
                return 0
            time.sleep(1)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
