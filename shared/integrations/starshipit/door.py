"""The Starshipit webhook door's rules: checking and accepting tracking webhooks (docs/starshipit.md "Webhooks").

Starshipit POSTs a JSON body when a courier updates an order's tracking (developers.starshipit.com/webhooks) to the
one notification URL of the account, set by hand in Settings → Tracking & notifications, and wants ``200 OK``
back. With a secret set there, it signs the delivery in ``X-Starshipit-Signature``. Its docs don't state the
algorithm; the one public verifier (platform-apis-followup.md Q9) takes it as the lowercase hex HMAC-SHA256 of the
raw body keyed with the secret. We accept that, and — as the encoding is unconfirmed — the same HMAC in base64 and
either with a ``sha256=`` prefix: the same MAC in other spellings, so no weaker; compared in constant time. No
timestamp is signed, so there is no replay window to check: a delivery is only a signal to re-read the order.

**The secret is optional** in Starshipit's settings, so deliveries may come unsigned. Decided (docs/starshipit.md):
with a secret set here, a delivery must carry its signature (else 401, nothing written); without one, a delivery is
taken as an *unsigned signal*: it may only make us re-read, from Starshipit's own API, an order this integration
created — nothing in its body is acted on or shown to a person (no sync-log entry from it), and however many arrive,
one order is re-read at most once a minute.

Accepting: the body must name an ``order_number``. It is traced back locally, with no call to Starshipit: the
number this integration gave one of its WMS orders (an alias of that order's link, :mod:`.exporter`), or, for
orders made before numbers were people's, the WMS order id itself. Anything else (the account's other channels:
Starshipit sends every order of the account to the one URL) is answered ``200`` with nothing written. Ours get a
``starshipit.tracking.changed`` item (and, when signed, an entry in the order's sync log); a redelivery of the same
body is the same item. :data:`DOOR` declares it; core.webhook_door serves it. There is no registration: the URL is
entered by hand in Starshipit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadDelivery, json_body, validated
from ..core.errors import SignatureInvalid
from ..core.integration_record import Integration
from ..core.records import Origin, SyncLink
from ..core.signing import hmac_sha256
from ..core.webhook_door import Answer, Delivery, Verified, WebhookDoor
from ..core.workitems import WorkItem, enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import TrackingUpdate, is_legacy_order_number
from .refs import number_ref, tracking_item, wms_order_ref
from .settings import webhook_secret

SIGNATURE_HEADER = "x-starshipit-signature"
#: The link memo holding the minute of the last unsigned signal that queued a re-read of the order.
UNSIGNED_SIGNAL = "unsignedSignalAt"
#: A tracking update is a few hundred bytes; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 64 * 1024


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


def signed_by(integration: Integration, delivery: Delivery) -> bool:
    """Whether the delivery was signed: checked with the integration's secret when it has one (raising
    :class:`SignatureInvalid` when it doesn't match); False when it has none (an unsigned signal, which may only
    trigger a re-read of one of our orders)."""
    try:
        secret = webhook_secret(integration)
    except SealedSecretUnreadable:
        # A secret we can't read is not "no secret": refuse, rather than take its deliveries unsigned.
        raise SignatureInvalid("The integration's webhook secret can't be read") from None
    if secret:
        verify_signature(secret=secret, signature=delivery.headers.get(SIGNATURE_HEADER), body=delivery.body)
    return bool(secret)


def parse(body: bytes) -> TrackingUpdate:
    payload = json_body(body)
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (a tracking update)")
    return validated(TrackingUpdate, payload)


def our_link(integration: Integration, order_number: str) -> SyncLink | None:
    """The link of the WMS order this integration sent to Starshipit as ``order_number`` (bound), or None: the
    number it gave the order, else — orders made before numbers were people's — the WMS order id itself."""
    links = core().links
    link = links.find(number_ref(integration.integration_id, order_number))
    if link is None and is_legacy_order_number(order_number):
        link = links.find(wms_order_ref(integration.integration_id, integration.tenant_id, order_number))
    if link is None or link.origin is not Origin.WMS or not link.platform_record_key:
        return None  # another channel's order, or one still being created (the poll brings its tracking)
    return link


def accept(verified: Verified[bool], delivery: Delivery) -> Answer:
    """Queue a re-read of the tracking of the order a delivery names, and note a signed one in its sync log (200
    either way: Starshipit wants 200 OK); nothing written when the order is not one this integration created."""
    item = queued(verified.integration, signed=verified.proof, body=delivery.body, received_at=delivery.received_at)
    if item is None:
        return Answer(200, {"accepted": False, "reason": "not an order this integration created in Starshipit"},
                      metric="StarshipitDeliveriesIgnored")
    return Answer.queued(item.idempotency_key, status=200,
                         metric="StarshipitDeliveriesAccepted" if verified.proof else "StarshipitUnsignedSignals")


def queued(integration: Integration, *, signed: bool, body: bytes, received_at: datetime) -> WorkItem | None:
    """The tracking item queued for the order a delivery names (None: not ours, nothing written)."""
    update = parse(body)
    link = our_link(integration, update.order_number)
    if link is None:
        return None
    wms_order_id = link.record_id
    if not signed:
        # Nothing of an unsigned body is used, and however many arrive, one re-read per order per minute: the
        # minute is kept on the order's link (one conditional write), so a flood queues nothing more.
        minute = received_at.strftime("%Y%m%dT%H%M")
        item = tracking_item(integration, wms_order_id, source="webhook", version=f"unsigned:{minute}")
        if core().links.remember_once(link.ref, UNSIGNED_SIGNAL, minute):
            enqueue(CONNECTOR.queue_url(), item)
        return item
    version = "webhook:" + hashlib.sha256(body).hexdigest()[:24]
    numbers = [update.tracking_number] if update.tracking_number else []
    item = tracking_item(integration, wms_order_id, version=version, source="webhook", numbers=numbers)
    item = item.model_copy(update={"enqueued_at": received_at,
                                   "payload": {**item.payload, "trackingStatus": update.tracking_status}})
    core().sync_log.append(link.key, "webhook",
                           f"Starshipit tracking webhook for order {update.order_number}: "
                           f"{update.tracking_status or 'update'}"
                           + (f", tracking {update.tracking_number}" if update.tracking_number else "")
                           + (f" ({update.carrier_name})" if update.carrier_name else "")
                           + (f", courier update {update.last_updated_date}" if update.last_updated_date else ""))
    enqueue(CONNECTOR.queue_url(), item)
    return item


DOOR = WebhookDoor(
    name="Starshipit", platform=PLATFORM, route="/webhooks/starshipit/<integration_id>",
    max_body_bytes=MAX_BODY_BYTES, check=signed_by, accept=accept,
    gone="This integration was deleted; remove the notification URL from Starshipit → Settings → Tracking & "
         "notifications")
