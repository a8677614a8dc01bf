"""Starshipit's tracking webhooks: checking and accepting them (the door's logic).

Starshipit POSTs a JSON body when a courier updates an order's tracking (developers.starshipit.com/webhooks) to the
one notification URL of the account, set by hand in Settings → Tracking & notifications, and wants ``200 OK``
back. With a secret set there, it signs the delivery in ``X-Starshipit-Signature``. Its docs don't state the
algorithm; the one public verifier (platform-apis-followup.md Q9) takes it as the lowercase hex HMAC-SHA256 of the
raw body keyed with the secret. We accept that, and — as the encoding is unconfirmed — the same HMAC in base64 and
either with a ``sha256=`` prefix: the same MAC in other spellings, so no weaker; compared in constant time. No
timestamp is signed, so there is no replay window to check: a delivery is only a signal to re-read the order.

Accepting: the body must name an ``order_number``. One that isn't a WMS order id (the account's other channels)
is answered ``200`` with nothing written — Starshipit sends every order of the account to the one URL. Ours get an
entry in the order's sync log and a ``starshipit.tracking.changed`` item; a redelivery of the same body is the same
item.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from pydantic import ValidationError

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadBody, json_body, verified_integration
from ..core.errors import SignatureInvalid
from ..core.integration_types import Integration, IntegrationStatus
from ..core.signing import hmac_sha256
from ..core.workitems import WorkItem, enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import TrackingUpdate, is_wms_order_number
from .services import tracking_item, webhook_secret, wms_order_ref

SIGNATURE_HEADER = "x-starshipit-signature"
#: A tracking update is a few hundred bytes; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 64 * 1024


class IntegrationGone(Exception):
    """The integration was deleted: its deliveries are refused (410) until the URL is removed from Starshipit."""


class BadDelivery(Exception):
    """A signed delivery we can't use: answered 400 naming the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def lowered(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {name.lower(): value for name, value in (headers or {}).items()}


def sign(secret: str, body: bytes) -> str:
    """``X-Starshipit-Signature`` as Starshipit computes it (the sandbox and tests sign with this)."""
    return hmac_sha256(secret, body).hex()


def verify_signature(*, secret: str | None, signature: str | None, body: bytes) -> None:
    """Raise :class:`SignatureInvalid` unless ``signature`` is the HMAC-SHA256 of ``body`` under ``secret`` (hex, any
    case, or base64; an optional ``sha256=`` prefix)."""
    if not secret:
        raise SignatureInvalid("No webhook secret is set for this integration; every delivery is refused")
    if not signature or not signature.strip():
        raise SignatureInvalid("Missing X-Starshipit-Signature header")
    sent = signature.strip()
    if sent[:7].lower() == "sha256=":
        sent = sent[7:]
    given = sent.encode("utf-8", "replace")
    mac = hmac_sha256(secret, body)
    # Both comparisons always run (no early exit telling which spelling matched).
    matched = [hmac.compare_digest(mac.hex().encode(), given.lower()),
               hmac.compare_digest(base64.b64encode(mac), given)]
    if not any(matched):
        raise SignatureInvalid("Signature does not match the body")


def verify(integration_id: str, headers: Mapping[str, str], body: bytes) -> Integration:
    """The integration, once the delivery's signature checks out with its secret (re-read uncached before a
    refusal: core.doors.verified_integration). A deleted integration raises :class:`IntegrationGone`."""
    def signed_by(integration: Integration) -> None:
        if integration.status == IntegrationStatus.DELETED:  # its credentials (the secret) are gone with it
            raise IntegrationGone(f"Integration {integration.integration_id} was deleted")
        try:
            secret = webhook_secret(integration)
        except SealedSecretUnreadable:
            secret = None
        verify_signature(secret=secret, signature=headers.get(SIGNATURE_HEADER), body=body)

    return verified_integration(integration_id, PLATFORM, signed_by)


def parse(body: bytes) -> TrackingUpdate:
    try:
        payload = json_body(body)
    except BadBody as exc:
        raise BadDelivery(exc.field, exc.reason) from None
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (a tracking update)")
    try:
        return TrackingUpdate.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        raise BadDelivery(field, str(error["msg"])) from None


def accept(integration: Integration, body: bytes, *, received_at: datetime) -> WorkItem | None:
    """Note a verified delivery in the order's sync log and queue a re-read of its tracking; None when the order is
    not one of ours (nothing written)."""
    update = parse(body)
    if not is_wms_order_number(update.order_number):
        return None
    version = "webhook:" + hashlib.sha256(body).hexdigest()[:24]
    numbers = [update.tracking_number] if update.tracking_number else []
    item = tracking_item(integration, update.order_number, version=version, source="webhook", numbers=numbers)
    item = item.model_copy(update={"enqueued_at": received_at,
                                   "payload": {**item.payload, "trackingStatus": update.tracking_status}})
    ref = wms_order_ref(integration.integration_id, integration.tenant_id, update.order_number)
    core().sync_log.append(ref.key, "webhook",
                           f"Starshipit tracking webhook: {update.tracking_status or 'update'}"
                           + (f", tracking {update.tracking_number}" if update.tracking_number else "")
                           + (f" ({update.carrier_name})" if update.carrier_name else "")
                           + (f", courier update {update.last_updated_date}" if update.last_updated_date else ""))
    enqueue(CONNECTOR.queue_url(), item)
    return item
