"""The live check's probes of a Starshipit account (core.live_check): GETs only, never a write.

Three reads, at the credentials check's rate and budget:

1. ``GET /api/orders/unshipped?limit=1`` — both keys accepted (``auth-headers``). A refusal ends the check: it is
   raised, and the frame reports every assumption as "could not check" with the key to fix;
2. ``GET /api/orders/shipped?since_last_updated=<an hour ago>&limit=1`` — the poll's listing answers in its shape
   (``shipped-list``);
3. ``GET /api/orders?order_number=<a number no order has>`` — how Starshipit says "no such order"
   (``order-lookup-missing``: ours is 404).

Everything else the connector assumes can't be settled without writing to the account (creating an order, printing
a label, receiving a webhook) and is reported "not checkable" with what happens if it is wrong.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from ..core.errors import UpstreamAuthFailed, UpstreamError
from ..core.live_check import Finding, confirmed, could_not_check, refuted
from ..core.timeutil import utcnow
from .client import StarshipitClient, rfc3339
from .errors import OrderNotFound, StarshipitRejected

LOOKUP_MEANS = ("Starshipit answers a missing order with {seen} rather than 404. Nothing to do: the connector reads "
                "that as 'no such order' too, so orders are still created once. Tell the maintainers, so the "
                "sandbox's default can follow Starshipit.")


def probe(client: StarshipitClient) -> list[Finding]:
    """Every finding the account settles; raises the credentials' refusal (the check can't run without them)."""
    client.call("GET", "/api/orders/unshipped", params={"limit": 1})  # UpstreamAuthFailed ends the check
    findings = [confirmed("auth-headers", "Both keys were accepted: GET /api/orders/unshipped?limit=1 answered 200")]
    findings.append(_shipped_list(client))
    findings.append(_missing_order(client))
    return findings


def _shipped_list(client: StarshipitClient) -> Finding:
    since = rfc3339(utcnow() - timedelta(hours=1))
    try:
        body = client.call("GET", "/api/orders/shipped", params={"since_last_updated": since, "limit": 1,
                                                                 "page": 1})
    except UpstreamAuthFailed:
        raise
    except UpstreamError as exc:
        return could_not_check("shipped-list", f"GET /api/orders/shipped failed: {exc}", exc.resolution)
    if isinstance(body.get("orders"), list):
        return confirmed("shipped-list", f"GET /api/orders/shipped answered an order list "
                                         f"({len(body['orders'])} order(s) shipped in the last hour, limit 1)")
    return refuted("shipped-list", f"GET /api/orders/shipped answered without an order list (keys: "
                                   f"{', '.join(sorted(body)) or 'none'})",
                   "The 5-minute poll can't read this account's shipped orders: tracking comes back only by "
                   "webhooks (set the notification URL in Starshipit) and by labels printed through our API. Tell "
                   "the maintainers what Starshipit answered.")


def _missing_order(client: StarshipitClient) -> Finding:
    number = f"live-check-{secrets.token_hex(8)}"  # 27 characters: no account has it
    asked = f"GET /api/orders?order_number={number} (a number no order has)"
    try:
        body = client.call("GET", "/api/orders", params={"order_number": number})
    except OrderNotFound:
        return confirmed("order-lookup-missing", f"{asked} answered 404")
    except StarshipitRejected as exc:
        if exc.status is not None and 200 <= exc.status < 300:
            seen = f"a 200 with success: false ({exc.text or 'no message'})"
            return refuted("order-lookup-missing", f"{asked} answered {seen}", LOOKUP_MEANS.format(seen=seen))
        return could_not_check("order-lookup-missing", f"{asked} was refused: {exc}", exc.resolution)
    except UpstreamAuthFailed:
        raise
    except UpstreamError as exc:
        return could_not_check("order-lookup-missing", f"{asked} failed: {exc}", exc.resolution)
    if body.get("order") is None:
        seen = "a 200 without an order"
        return refuted("order-lookup-missing", f"{asked} answered {seen}", LOOKUP_MEANS.format(seen=seen))
    return could_not_check("order-lookup-missing", f"{asked} answered an order", "Run the check again.")
