"""The Rose Rocket webhook door's rules: checking and accepting what arrives (docs/rose-rocket.md "Webhooks").

Rose Rocket signs nothing and sends no credentials (its docs: "you can only specify a Webhook URL"), so the URL is the
credential: ``/webhooks/rose-rocket/{integrationId}?token=<256 random bits>``. We keep the token sealed (to register
the same URL again) and its SHA-256 (which the door compares in constant time); rotating it keeps the previous URL
working for a short grace (:data:`~.refs.ROTATION_GRACE_SECONDS`). A delivery is only a signal: the envelope
names the order (``refId``), the worker re-reads it. The envelope must be for this integration's organisation.

Two shapes are taken: the v2 envelope ``{id, type, refId, ownerId, orgId, createdAt, objectKey, json}`` (what the
destination we register receives), and v1's ``{event, order_id, timestamp[, previous_status, current_status]}``
(what arrives when an admin enters our URL in Rose Rocket's older webhook settings; it names no organisation, so
the URL's token alone vouches for it). v2 deliveries are retried when not answered 2xx (3 times, 30 s apart, per a
digest of the v2 page; v1 never retried) and may come twice: each is keyed by its event (the v2 ``id``; v1's event,
order and timestamp), so every copy of one event is one work item.

:data:`DOOR` declares it; core.webhook_door serves it. Registering our destination is :mod:`.webhooks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.context import core
from ..core.doors import BadDelivery, json_body, validated
from ..core.errors import SignatureInvalid
from ..core.integration_record import Integration
from ..core.webhook_door import Answer, Delivery, Refusal, Verified, WebhookDoor
from ..core.workitems import enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import V1WebhookEvent, WebhookEnvelope
from .refs import order_item, order_ref, token_accepted

#: An envelope is a few hundred bytes; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 64 * 1024


class WrongOrganisation(BadDelivery):
    """The envelope is for another Rose Rocket organisation than this integration's: refused (403)."""

    status = 403
    title = "Another organisation"

    def __init__(self, reason: str) -> None:
        super().__init__("orgId", reason)

    @property
    def detail(self) -> str:
        return self.reason


def token_of(integration: Integration, delivery: Delivery) -> None:
    """The URL's token is the integration's (compared as a SHA-256 digest in constant time: :mod:`.refs`)."""
    if not token_accepted(integration.platform_state, delivery.query.get("token")):
        raise SignatureInvalid("The webhook URL's token is not this integration's")


@dataclass(frozen=True)
class Signal:
    """What a delivery says, whichever shape it came in: the record it names and the event's key."""

    event_key: str
    kind: str
    object_key: str
    record_id: str | None
    org_id: str | None = None
    status: str | None = None
    number: str | None = None


def parse(body: bytes) -> Signal:
    payload = json_body(body)
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (Rose Rocket's webhook envelope)")
    if "event" in payload and "refId" not in payload and "objectKey" not in payload:
        v1 = validated(V1WebhookEvent, payload)
        object_key = v1.event.split(".")[0]
        if object_key == "order" and v1.order_id is None:
            raise BadDelivery("order_id", "is required on an order event")
        return Signal(f"v1:{v1.event}:{v1.order_id}:{v1.timestamp}", v1.event, object_key, v1.order_id,
                      status=v1.current_status)
    envelope = validated(WebhookEnvelope, payload)
    details: Mapping[str, Any] = envelope.json_ or {}
    status, number = details.get("status"), details.get("fullId")
    return Signal(envelope.id, envelope.type, envelope.object_key, envelope.ref_id, envelope.org_id,
                  status if isinstance(status, str) else None, number if isinstance(number, str) else None)


def accept(verified: Verified[None], delivery: Delivery) -> Answer:
    """Note a delivery in the order's sync log and queue a re-read of the order (202); a delivery about another kind
    of record is answered 200, nothing written."""
    integration = verified.integration
    signal = parse(delivery.body)
    if signal.org_id is not None and signal.org_id != integration.account:
        raise WrongOrganisation(f"The delivery is for organisation {signal.org_id}, not this integration's")
    if signal.object_key != "order" or signal.record_id is None:
        return Answer(200, {"accepted": False, "reason": "not about an order: nothing to sync"},
                      metric="RoseRocketDeliveriesIgnored")
    item = order_item(integration, signal.record_id, version=f"event:{signal.event_key}", source="webhook")
    item = item.model_copy(update={"enqueued_at": delivery.received_at})
    core().sync_log.append(order_ref(integration.integration_id, signal.record_id).key, "webhook",
                           f"Rose Rocket {signal.kind} webhook for order {signal.number or signal.record_id}"
                           + (f" (now {signal.status})" if signal.status else "")
                           + f"; event {signal.event_key}")
    enqueue(CONNECTOR.queue_url(), item)
    return Answer.queued(item.idempotency_key, metric="RoseRocketDeliveriesAccepted")


DOOR = WebhookDoor(
    name="Rose Rocket", platform=PLATFORM, route="/webhooks/rose-rocket/<integration_id>",
    max_body_bytes=MAX_BODY_BYTES, check=token_of, accept=accept,
    refusal=Refusal("Unknown webhook URL", "The URL's token is not one of this integration's",
                    ({"field": "token", "reason": "not this integration's webhook token"},)),
    gone="This integration was deleted; remove the webhook in Rose Rocket → Settings → API Settings → Webhooks")
