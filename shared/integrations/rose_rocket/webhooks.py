"""Rose Rocket's webhooks: registering ours through the API, and checking and accepting what arrives at the door.

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

Registration: a ``webhookDestination`` record with one ``webhookSubscription`` to "Order Status Changed", created
through ``POST /objects`` (its id kept in ``platformState``); ``start`` makes sure it exists with our URL (idempotent),
``stop`` deletes it (tolerating one already gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from ..core.context import core
from ..core.crypto import SealedSecretUnreadable
from ..core.doors import BadBody, json_body, verified_integration
from ..core.errors import SignatureInvalid
from ..core.integration_types import Integration, IntegrationStatus
from ..core.services import sealed_secret
from ..core.workitems import WorkItem, enqueue
from . import PLATFORM
from .connector import CONNECTOR
from .models import V1WebhookEvent, WebhookEnvelope
from .refs import order_item, order_ref, token_accepted, webhook_url

if TYPE_CHECKING:
    from .client import RoseRocketClient

Shape = TypeVar("Shape", WebhookEnvelope, V1WebhookEvent)
EVENT = "Order Status Changed"
DESTINATION_NAME = "CartonCloud integration"
#: An envelope is a few hundred bytes; API Gateway's own limit is 10 MB.
MAX_BODY_BYTES = 64 * 1024


class IntegrationGone(Exception):
    """The integration was deleted: deliveries to its URL are refused (410) until Rose Rocket stops sending."""


class BadDelivery(Exception):
    """A delivery with a valid URL we can't use: answered 400 naming the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class WrongOrganisation(Exception):
    """The envelope is for another Rose Rocket organisation than this integration's: refused (403)."""


# --- registering ------------------------------------------------------------------------------------------------


def ensure_destination(client: RoseRocketClient, url: str, destination_id: str | None) -> tuple[str, str]:
    """Our destination with ``url`` subscribed to "Order Status Changed"; returns its id and what was done."""
    if destination_id:
        found = client.get(destination_id, paths="subscriptions")
        if found is not None and found.get("objectKey") == "webhookDestination":
            events = {s.get("eventName") for s in found.get("subscriptions") or []}
            if found.get("url") == url and EVENT in events:
                return destination_id, "kept"
            client.update(destination_id, "webhookDestination", {
                "url": url, "subscriptions": [{"objectKey": "webhookSubscription", "eventName": EVENT}]})
            return destination_id, "updated"
    created = client.create("webhookDestination", {
        "name": DESTINATION_NAME, "url": url,
        "subscriptions": [{"objectKey": "webhookSubscription", "eventName": EVENT}]})
    return str(created["id"]), "created"


def remove_destination(client: RoseRocketClient, destination_id: str | None) -> bool:
    """Delete our destination; False when it was already gone."""
    return bool(destination_id) and client.delete(str(destination_id))


def current_url(integration: Integration, api_base_url: str) -> str | None:
    """The webhook URL registered for the integration (None before its first start)."""
    token = sealed_secret(integration, "webhookToken")
    return webhook_url(api_base_url, integration.integration_id, token) if token else None


# --- the door -----------------------------------------------------------------------------------------------------


def verify(integration_id: str, token: str | None) -> Integration:
    """The integration, once the URL's token is its own (re-read uncached before a refusal)."""
    def known_by(integration: Integration) -> None:
        if integration.status == IntegrationStatus.DELETED:
            raise IntegrationGone(f"Integration {integration.integration_id} was deleted")
        if not token_accepted(integration.platform_state, token):
            raise SignatureInvalid("The webhook URL's token is not this integration's")

    try:
        return verified_integration(integration_id, PLATFORM, known_by)
    except SealedSecretUnreadable:  # pragma: no cover - the door reads hashes only
        raise SignatureInvalid("The integration's webhook token can't be read") from None


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


def _validated(model: type[Shape], payload: dict[str, Any]) -> Shape:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        raise BadDelivery(field, str(error["msg"])) from None


def parse(body: bytes) -> Signal:
    try:
        payload = json_body(body)
    except BadBody as exc:
        raise BadDelivery(exc.field, exc.reason) from None
    if not isinstance(payload, dict):
        raise BadDelivery("body", "must be a JSON object (Rose Rocket's webhook envelope)")
    if "event" in payload and "refId" not in payload and "objectKey" not in payload:
        v1 = _validated(V1WebhookEvent, payload)
        object_key = v1.event.split(".")[0]
        if object_key == "order" and v1.order_id is None:
            raise BadDelivery("order_id", "is required on an order event")
        return Signal(f"v1:{v1.event}:{v1.order_id}:{v1.timestamp}", v1.event, object_key, v1.order_id,
                      status=v1.current_status)
    envelope = _validated(WebhookEnvelope, payload)
    details: Mapping[str, Any] = envelope.json_ or {}
    status, number = details.get("status"), details.get("fullId")
    return Signal(envelope.id, envelope.type, envelope.object_key, envelope.ref_id, envelope.org_id,
                  status if isinstance(status, str) else None, number if isinstance(number, str) else None)


def accept(integration: Integration, body: bytes, *, received_at: datetime) -> WorkItem | None:
    """Note a delivery in the order's sync log and queue a re-read of the order; None for a delivery about another
    kind of record (nothing written)."""
    signal = parse(body)
    if signal.org_id is not None and signal.org_id != integration.account:
        raise WrongOrganisation(f"The delivery is for organisation {signal.org_id}, not this integration's")
    if signal.object_key != "order" or signal.record_id is None:
        return None
    item = order_item(integration, signal.record_id, version=f"event:{signal.event_key}", source="webhook")
    item = item.model_copy(update={"enqueued_at": received_at})
    core().sync_log.append(order_ref(integration.integration_id, signal.record_id).key, "webhook",
                           f"Rose Rocket {signal.kind} webhook for order {signal.number or signal.record_id}"
                           + (f" (now {signal.status})" if signal.status else "")
                           + f"; event {signal.event_key}")
    enqueue(CONNECTOR.queue_url(), item)
    return item
