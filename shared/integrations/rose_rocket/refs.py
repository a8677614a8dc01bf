"""What names the connector's records, work items and webhook tokens: light to import (the webhook door loads this
and no HTTP client)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from ..core.integration_record import Integration
from ..core.records import Origin, RecordRef, SyncLink, WmsRef
from ..core.timeutil import parse_iso, utcnow
from ..core.workitems import WorkItem
from . import PLATFORM

#: Work item kinds on RoseRocketQueue (the poll, backfill and WMS-event kinds come from the frame).
ORDER_CHANGED = f"{PLATFORM}.order.changed"
MATCHES_APPLIED = f"{PLATFORM}.customers.matched"
CONSIGNMENT = "CONSIGNMENT"
#: How long the previous webhook URL keeps working after a rotation (deliveries already on their way, or a URL
#: updated by hand in Rose Rocket): docs/rose-rocket.md "Webhooks".
ROTATION_GRACE_SECONDS = 15 * 60
RATING_CREDENTIAL_PREFIX = "rrrate_"


def order_ref(integration_id: str, order_id: str) -> RecordRef:
    """A Rose Rocket order: the business key of its sync (its id; the O-number is for people)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=order_id)


def consignment_ref(integration: Integration, consignment_id: str) -> RecordRef:
    """A WMS consignment as this integration sees it (an export link's origin, an import link's pointer)."""
    return WmsRef(tenant_id=integration.tenant_id, entity_type=CONSIGNMENT, entity_id=consignment_id).seen_by(
        integration.integration_id)


def order_of_link(link: SyncLink) -> str:
    """The Rose Rocket order of a consignment↔order link, whichever side made it."""
    if link.origin is Origin.WMS:
        return RecordRef.parse(str(link.platform_record_key)).record_id
    return str(link.record_id)


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (its webhooks, polls, customer matches)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def order_item(integration: Integration, order_id: str, *, version: str, source: str) -> WorkItem:
    """"Look at this Rose Rocket order again": a webhook (keyed by its event id, so Rose Rocket's duplicates are one
    item), the poll or backfill (keyed by the order's ``updatedAt``/``version``) — the worker re-reads the order and
    compares before writing, so different signals about one state write once."""
    return WorkItem(kind=ORDER_CHANGED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
                    customer_id=integration.customer_id or None,  # tenant-level: None, its own fair share
                    idempotency_key=f"{PLATFORM}:{integration.integration_id}:order:{order_id}:{version}",
                    record=order_ref(integration.integration_id, order_id),
                    payload={"orderId": order_id, "version": version}, source=source)


# --- the webhook URL's token --------------------------------------------------------------------------------------


def new_token() -> str:
    """256 bits from the OS's CSPRNG, URL-safe: the only thing that authenticates Rose Rocket's unsigned webhooks."""
    return secrets.token_urlsafe(32)


def new_rating_credential() -> str:
    """The credential a Rose Rocket widget sends to rate orders (``Authorization: Bearer …``): 256 random bits,
    prefixed so a secret scanner (and a person) can tell what it is."""
    return RATING_CREDENTIAL_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def webhook_url(api_base_url: str, integration_id: str, token: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/rose-rocket/{integration_id}?token={token}"


def token_accepted(state: dict[str, Any], given: str | None, *, name: str = "webhookToken") -> bool:
    """Whether ``given`` is the integration's current token, or the previous one inside its grace (constant time:
    both comparisons always run)."""
    if not given:
        return False
    digest = token_hash(given)
    current = str(state.get(f"{name}Hash") or "")
    previous = str(state.get(f"previous{name[0].upper()}{name[1:]}Hash") or "")
    until = state.get(f"previous{name[0].upper()}{name[1:]}ValidUntil")
    in_grace = isinstance(until, str) and bool(until) and parse_iso(until) > utcnow()
    matches = [hmac.compare_digest(digest, current) and bool(current),
               hmac.compare_digest(digest, previous) and bool(previous) and in_grace]
    return any(matches)
