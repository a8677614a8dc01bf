"""The Unleashed webhook door's rules: receiving deliveries (docs/unleashed.md "Receiving webhooks").

A delivery carries ``x-unleashed-timestamp`` (Unix seconds) and ``x-unleashed-signature`` =
Base64(HMAC-SHA256(the subscription's signing key, ``"{timestamp}.{raw body}"``)); we check it in constant time over
the body exactly as received (core.signing), refuse a timestamp more than 5 minutes off, and only then read the body:
``{subscriptionId, eventNotificationId, eventType, createdOn, data}`` where ``data`` is a JSON string holding
``salesOrderGuid`` (platform-apis-followup.md Q4, four independent codebases). A delivery is a signal: we note it on
the order's log, queue a re-read of the order and answer 202; an event we don't act on is answered 200. :data:`DOOR`
declares it; core.webhook_door serves it. Our subscription on the account is :mod:`.webhooks`.
"""

from __future__ import annotations

import json
import re

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadDelivery, json_body, validated
from ..core.integration_record import Integration
from ..core.signing import sign_timestamped_base64, verify_timestamped_base64
from ..core.webhook_door import Answer, Delivery, Verified, WebhookDoor
from ..core.workitems import enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import ORDER_EVENTS, WebhookDelivery
from .refs import order_ref, order_work_item
from .settings import signing_key

SIGNATURE_HEADER = "x-unleashed-signature"
TIMESTAMP_HEADER = "x-unleashed-timestamp"
#: A delivery carries a GUID in a small envelope; anything near this is not one.
MAX_BODY_BYTES = 64 * 1024
TOLERANCE_SECONDS = 300
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

#: What Unleashed sends as ``x-unleashed-signature`` (used by the sandbox and tests).
sign = sign_timestamped_base64


def verify_signature(*, key: str | None, timestamp: str | None, signature: str | None, body: bytes,
                     now: float | None = None) -> None:
    """Raise :class:`SignatureInvalid` unless ``signature`` is the key's over ``"{timestamp}.{body}"`` and fresh."""
    verify_timestamped_base64(secret=key, timestamp=timestamp, signature=signature, body=body,
                              tolerance=TOLERANCE_SECONDS, now=now)


def signed_by(integration: Integration, delivery: Delivery) -> None:
    """The delivery signed with the integration's subscription key (one it can't read is refused like none)."""
    try:
        key = signing_key(integration)
    except SealedSecretUnreadable:
        key = None
    verify_signature(key=key, timestamp=delivery.headers.get(TIMESTAMP_HEADER),
                     signature=delivery.headers.get(SIGNATURE_HEADER), body=delivery.body)


def accept(verified: Verified[None], delivery: Delivery) -> Answer:
    """Note a verified delivery on the order's log and queue the re-read of the order."""
    integration = verified.integration
    payload = json_body(delivery.body)
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (the event)")
    event = validated(WebhookDelivery, payload)
    if event.eventType not in ORDER_EVENTS:
        return Answer(200, {"accepted": False, "ignored": event.eventType})  # genuine, but nothing we act on
    guid = order_guid(event)
    item = order_work_item(integration, guid, version=f"notification:{event.eventNotificationId}",
                           source="webhook").model_copy(update={"enqueued_at": delivery.received_at})
    core().sync_log.append(order_ref(integration.integration_id, guid).key, "webhook",
                           f"Unleashed {event.eventType} webhook (notification {event.eventNotificationId}"
                           + (f", created {event.createdOn}" if event.createdOn else "") + ")")
    enqueue(CONNECTOR.queue_url(), item)
    return Answer.queued(item.idempotency_key, metric="UnleashedDeliveriesAccepted")


def order_guid(delivery: WebhookDelivery) -> str:
    data = delivery.data
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise BadDelivery("data", "must be a JSON object (or a string of one) with salesOrderGuid") from None
    if not isinstance(data, dict):
        raise BadDelivery("data", "must be a JSON object (or a string of one) with salesOrderGuid")
    guid = data.get("salesOrderGuid") or data.get("SalesOrderGuid")
    if not isinstance(guid, str) or not GUID.fullmatch(guid):
        raise BadDelivery("data.salesOrderGuid", "must be the sales order's GUID")
    return guid.lower()


DOOR = WebhookDoor(
    name="Unleashed", platform=PLATFORM, route="/webhooks/unleashed/<integration_id>",
    max_body_bytes=MAX_BODY_BYTES, check=signed_by, accept=accept,
    gone="This integration was deleted; remove the webhook subscription")
