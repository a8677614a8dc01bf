"""Sign a WMS change notification as CartonCloud would (docs/wms-notifications.md) and print a curl line, or send it.

    python -m local.sign_notification --entity-id <orderId>            # prints: curl … (valid for 300 s)
    python -m local.sign_notification --entity-id <orderId> --send     # POSTs it, prints the answer

Tenant and secret default to the local stack's demo tenant, the API URL to ``$API`` (the README's walkthroughs export
it; ``make run`` prints the line) or ``make run``'s http://127.0.0.1:3000. The signature is computed here with the
standard library, independently of the service's own verifier, so the two cannot share a mistake.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import shlex
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime

from . import demo


def notification(tenant_id: str, entity_type: str, entity_id: str, *, notification_id: str | None = None,
                 event: str = "STATUS_CHANGED") -> bytes:
    return json.dumps({
        "id": notification_id or str(uuid.uuid4()),
        "tenantId": tenant_id,
        "entityType": entity_type,
        "entityId": entity_id,
        "eventTime": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
    }, separators=(",", ":")).encode()


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """``X-Notification-Timestamp`` and ``X-Notification-Signature: v1=hex(HMAC-SHA256(secret, "{ts}." + body))``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Notification-Timestamp": stamp,
            "X-Notification-Signature": f"v1={digest}"}


def curl_command(url: str, headers: dict[str, str], body: bytes) -> str:
    parts = ["curl", "-sS", "-X", "POST", url]
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    parts += ["--data-binary", body.decode()]
    return shlex.join(parts)


class StackUnreachable(Exception):
    """Nothing answered at the API URL: the stack isn't running there."""


def send(url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise StackUnreachable(str(getattr(exc, "reason", exc))) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.sign_notification", description=__doc__.split("\n")[0])
    parser.add_argument("--entity-id", required=True, help="the WMS id of the order or consignment that changed")
    parser.add_argument("--entity-type", default="OUTBOUND_ORDER", choices=["OUTBOUND_ORDER", "CONSIGNMENT"])
    parser.add_argument("--tenant", default=demo.TENANT_ID)
    parser.add_argument("--secret", default=demo.NOTIFICATION_SECRET, help="the tenant's notification secret")
    parser.add_argument("--api", default=demo.api_url(),
                        help=f"our API's base URL (default: $API, else {demo.API_URL})")
    parser.add_argument("--id", dest="notification_id", help="the notification id (reuse one to redeliver)")
    parser.add_argument("--event", default="STATUS_CHANGED")
    parser.add_argument("--send", action="store_true", help="POST it and print the answer instead of a curl line")
    args = parser.parse_args(argv)

    body = notification(args.tenant, args.entity_type, args.entity_id, notification_id=args.notification_id,
                        event=args.event)
    headers = signed_headers(args.secret, body)
    url = f"{args.api.rstrip('/')}/wms/{args.tenant}/notifications"
    if not args.send:
        print(curl_command(url, headers, body))
        return 0
    try:
        status, answer = send(url, headers, body)
    except StackUnreachable as exc:
        print(f"No local stack answers at {args.api} ({exc}). Start it with `make run`, or pass --api (or export "
              "API=…) with the API address it printed.", file=sys.stderr)
        return 2
    print(status, answer)
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
