"""WooCommerce webhooks: receiving them (the door's logic) and keeping ours registered on the store.

Receiving (docs/woocommerce.md "Webhooks"): WooCommerce signs a delivery with ``X-WC-Webhook-Signature`` = base64
HMAC-SHA256 of the raw body keyed with the webhook's secret; it sends an unsigned activation ping (form body
``webhook_id=N``) that must get exactly 200; it never retries a failed delivery and disables the webhook after
repeated failures; it builds payloads late and delivers them out of order. So a delivery is only a signal: we check
it, note it in the order's sync log, queue a re-fetch and answer 202 — all within a second or two.

Registering: one webhook per topic in :data:`~.models.ORDER_TOPICS`, pointed at our URL for the integration, with a
secret we generate. Ours are recognised by their delivery URL (unique per integration), so no webhook id needs to be
remembered to find, heal or remove them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs

from pydantic import SecretStr, ValidationError

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadBody, json_body, verified_integration
from ..core.integration_types import Integration, IntegrationStatus
from ..core.signing import verify_base64_body_signature
from ..core.workitems import WorkItem, enqueue
from . import PLATFORM
from .client import WooCommerceClient
from .connector import CONNECTOR
from .models import ORDER_TOPICS, Webhook, WooOrder
from .services import order_ref, order_version, order_work_item, webhook_secret

SIGNATURE_HEADER = "x-wc-webhook-signature"
TOPIC_HEADER = "x-wc-webhook-topic"
WEBHOOK_ID_HEADER = "x-wc-webhook-id"
DELIVERY_ID_HEADER = "x-wc-webhook-delivery-id"
#: A large order (hundreds of lines, long meta) is well under this; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 2 * 1024 * 1024
#: Topics whose payload is an order we re-fetch; ``order.deleted`` carries only ``{"id"}`` and changes nothing.
ORDER_RESOURCE_TOPICS = frozenset({"order.created", "order.updated", "order.restored", "order.deleted"})


class IntegrationGone(Exception):
    """The integration was deleted: its webhooks should stop (a non-2xx answer makes WooCommerce disable them)."""


class BadDelivery(Exception):
    """A signed delivery we can't use: answered 400 naming the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def lowered(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {name.lower(): value for name, value in (headers or {}).items()}


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


def known_integration(integration_id: str) -> Integration:
    """The integration a ping is for; unknown (after an uncached look) → :class:`SignatureInvalid` (nothing told)."""
    def exists(integration: Integration) -> None:
        pass

    return _not_deleted(verified_integration(integration_id, PLATFORM, exists))


def verify(integration_id: str, headers: Mapping[str, str], body: bytes) -> Integration:
    """Check the delivery's signature over the raw body in constant time; raises :class:`SignatureInvalid`. The
    integration is re-read, uncached, before a delivery is refused (core.doors.verified_integration)."""
    def signed_by(integration: Integration) -> None:
        _not_deleted(integration)
        try:
            secret = webhook_secret(integration)
        except SealedSecretUnreadable:
            secret = None  # refused like a missing secret (and reported in the logs by the door)
        verify_base64_body_signature(secret=secret, signature=headers.get(SIGNATURE_HEADER), body=body)

    return verified_integration(integration_id, PLATFORM, signed_by)


def _not_deleted(integration: Integration) -> Integration:
    if integration.status == IntegrationStatus.DELETED:
        raise IntegrationGone(f"Integration {integration.integration_id} was deleted")
    return integration


def accept(integration: Integration, headers: Mapping[str, str], body: bytes, *, received_at: datetime) -> WorkItem:
    """Note a verified delivery in the order's sync log and queue the re-fetch of the order."""
    topic = headers.get(TOPIC_HEADER, "")
    if topic not in ORDER_RESOURCE_TOPICS:
        raise BadDelivery("X-WC-Webhook-Topic", f"{topic or 'no topic'} is not an order topic this URL takes")
    try:
        payload = json_body(body)
    except BadBody as exc:
        raise BadDelivery(exc.field, exc.reason) from None
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
    item = item.model_copy(update={"enqueued_at": received_at})
    status = order.status if order is not None else None
    modified_gmt = order.date_modified_gmt if order is not None else None
    number = payload.get("number") or order_id
    shared = core()
    shared.sync_log.append(
        order_ref(integration.integration_id, order_id).key,
        "webhook",
        f"WooCommerce {topic} webhook for order #{number}"
        + (f" (status {status}, modified {modified_gmt} UTC)" if status else "")
        + f"; webhook {headers.get(WEBHOOK_ID_HEADER, '?')}, delivery {delivery_id}",
    )
    enqueue(CONNECTOR.queue_url(), item)
    return item


# --- keeping our webhooks on the store -------------------------------------------------------------------------


def webhook_name(integration_id: str, topic: str) -> str:
    return f"CartonCloud integration {integration_id[:8]} ({topic})"


def ensure_webhooks(client: WooCommerceClient, *, integration_id: str, delivery_url: str,
                    secret: SecretStr) -> dict[str, int]:
    """Register (or re-register) one active webhook per order topic with our URL and secret; remove extras.

    Idempotent, for finish and reconfigure alike: an existing webhook of ours is updated in place (status active,
    current secret), never duplicated.
    """
    ours = [hook for hook in client.webhooks() if same_url(hook.delivery_url, delivery_url)]
    registered: dict[str, int] = {}
    for topic in ORDER_TOPICS:
        mine = sorted((hook for hook in ours if hook.topic == topic), key=lambda hook: hook.id)
        for extra in mine[1:]:
            client.delete_webhook(extra.id)
        if mine:
            hook = client.update_webhook(mine[0].id, {"status": "active", "secret": secret.get_secret_value(),
                                                      "name": webhook_name(integration_id, topic)})
        else:
            hook = client.create_webhook(name=webhook_name(integration_id, topic), topic=topic,
                                         delivery_url=delivery_url, secret=secret)
        registered[topic] = hook.id
    for stray in (hook for hook in ours if hook.topic not in ORDER_TOPICS):
        client.delete_webhook(stray.id)
    return registered


def remove_webhooks(client: WooCommerceClient, *, delivery_url: str) -> list[int]:
    """Delete every webhook of ours (tolerates ones already gone)."""
    removed = []
    for hook in client.webhooks():
        if same_url(hook.delivery_url, delivery_url) and client.delete_webhook(hook.id):
            removed.append(hook.id)
    return removed


@dataclass(frozen=True)
class Healing:
    actions: list[str]
    #: Webhooks an admin paused: left alone (the poller keeps orders flowing), but said once in the log.
    paused: list[Webhook]


def heal_webhooks(client: WooCommerceClient, *, integration_id: str, delivery_url: str,
                  secret: SecretStr | None) -> Healing:
    """Re-enable our webhooks WooCommerce disabled after failed deliveries, and re-create ones that are gone."""
    ours = [hook for hook in client.webhooks() if same_url(hook.delivery_url, delivery_url)]
    actions: list[str] = []
    paused: list[Webhook] = []
    for topic in ORDER_TOPICS:
        mine = sorted((hook for hook in ours if hook.topic == topic), key=lambda hook: hook.id)
        if any(hook.status == "active" for hook in mine):
            continue
        disabled = [hook for hook in mine if hook.status == "disabled"]
        if disabled:
            client.update_webhook(disabled[0].id, {"status": "active"})
            actions.append(f"re-enabled the {topic} webhook {disabled[0].id}, which WooCommerce had disabled after "
                           "failed deliveries")
        elif mine:
            paused.extend(hook for hook in mine if hook.status == "paused")
        elif secret is not None:
            created = client.create_webhook(name=webhook_name(integration_id, topic), topic=topic,
                                            delivery_url=delivery_url, secret=secret)
            actions.append(f"re-created the {topic} webhook (now {created.id}), which was missing from the store")
    return Healing(actions=actions, paused=paused)


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")
