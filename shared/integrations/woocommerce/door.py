"""The WooCommerce webhook door's logic: receiving deliveries (docs/woocommerce.md "Receiving webhooks").

WooCommerce signs a delivery with ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256 of the raw body keyed with the
webhook's secret; it sends an unsigned activation ping (form body ``webhook_id=N``) that must get exactly 200; it
never retries a failed delivery and disables the webhook after repeated failures; it builds payloads late and
delivers them out of order. So a delivery is only a signal: we check it, note it in the order's sync log, queue a
re-fetch and answer 202 — all within a second or two. :data:`DOOR` declares it; core.webhook_door serves it. Kept
light to import (a cold door loads no HTTP client and no WMS models); registering our webhooks on the store is
:mod:`.webhooks`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qs

from pydantic import ValidationError

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadDelivery, json_body
from ..core.integration_record import Integration
from ..core.signing import verify_base64_body_signature
from ..core.webhook_door import Answer, Delivery, Verified, WebhookDoor, known
from ..core.workitems import enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import WooOrder
from .refs import order_ref, order_version, order_work_item
from .settings import webhook_secret

SIGNATURE_HEADER = "x-wc-webhook-signature"
TOPIC_HEADER = "x-wc-webhook-topic"
WEBHOOK_ID_HEADER = "x-wc-webhook-id"
DELIVERY_ID_HEADER = "x-wc-webhook-delivery-id"
#: A large order (hundreds of lines, long meta) is well under this; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 2 * 1024 * 1024
#: Topics whose payload is an order we re-fetch; ``order.deleted`` carries only ``{"id"}`` and changes nothing.
ORDER_RESOURCE_TOPICS = frozenset({"order.created", "order.updated", "order.restored", "order.deleted"})


def ping_webhook_id(headers: Mapping[str, str], body: bytes) -> str | None:
    """The webhook id when this is WooCommerce's activation ping: unsigned, form body ``webhook_id=<digits>``."""
    if SIGNATURE_HEADER in headers or len(body) > 64:
        return None
    try:
        fields = parse_qs(body.decode("ascii"), strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    values = fields.get("webhook_id")
    if set(fields) != {"webhook_id"} or not values or not values[0].isdigit():
        return None
    return values[0]


def ping(delivery: Delivery) -> Answer | None:
    """WooCommerce's activation ping answered exactly 200 (anything else shows the store admin an error), when the
    integration exists; None for anything else."""
    webhook_id = ping_webhook_id(delivery.headers, delivery.body)
    if webhook_id is None:
        return None
    known(PLATFORM, delivery)
    return Answer(200, {"pong": True}, metric="WooCommercePings", note=f"WooCommerce webhook ping {webhook_id}")


def signed_by(integration: Integration, delivery: Delivery) -> None:
    """The delivery's signature over the raw body, checked in constant time; raises :class:`SignatureInvalid`."""
    try:
        secret = webhook_secret(integration)
    except SealedSecretUnreadable:
        secret = None  # refused like a missing secret (and reported in the logs by the door)
    verify_base64_body_signature(secret=secret, signature=delivery.headers.get(SIGNATURE_HEADER), body=delivery.body)


def accept(verified: Verified[None], delivery: Delivery) -> Answer:
    """Note a verified delivery in the order's sync log and queue the re-fetch of the order."""
    integration, headers, body = verified.integration, delivery.headers, delivery.body
    topic = headers.get(TOPIC_HEADER, "")
    if topic not in ORDER_RESOURCE_TOPICS:
        raise BadDelivery("X-WC-Webhook-Topic", f"{topic or 'no topic'} is not an order topic this URL takes")
    payload = json_body(body)
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (the order)")
    order_id = payload.get("id")
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 1:
        raise BadDelivery("id", "must be the order's id (a positive integer)")
    delivery_id = headers.get(DELIVERY_ID_HEADER) or hashlib.sha256(body).hexdigest()[:32]
    try:
        order: WooOrder | None = WooOrder.model_validate(payload)
    except ValidationError:
        order = None  # not a whole order (order.deleted sends {"id"}): this delivery is its own version
    version = order_version(order) if order is not None else f"delivery-{delivery_id}"
    item = order_work_item(integration, order_id, version=version, source="webhook")
    item = item.model_copy(update={"enqueued_at": delivery.received_at})
    status = order.status if order is not None else None
    modified_gmt = order.date_modified_gmt if order is not None else None
    # The order's own number when the body is a whole order; else its id (the body's other fields, unchecked, are
    # not what a person reading the log should see).
    number = order.number if order is not None and order.number else order_id
    core().sync_log.append(
        order_ref(integration.integration_id, order_id).key,
        "webhook",
        f"WooCommerce {topic} webhook for order #{number}"
        + (f" (status {status}, modified {modified_gmt} UTC)" if status else "")
        + f"; webhook {headers.get(WEBHOOK_ID_HEADER, '?')}, delivery {delivery_id}",
    )
    enqueue(CONNECTOR.queue_url(), item)
    return Answer.queued(item.idempotency_key, metric="WooCommerceDeliveriesAccepted")


DOOR = WebhookDoor(
    name="WooCommerce", platform=PLATFORM, route="/webhooks/woocommerce/<integration_id>",
    max_body_bytes=MAX_BODY_BYTES, before_check=ping, check=signed_by, accept=accept,
    gone="This integration was deleted; remove the webhook from the store")
