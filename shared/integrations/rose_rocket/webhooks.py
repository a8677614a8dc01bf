"""Rose Rocket's webhooks: registering ours through the API (receiving them is :mod:`.door`).

A ``webhookDestination`` record with one ``webhookSubscription`` to "Order Status Changed", created through
``POST /objects`` (its id kept in ``platformState``); ``start`` makes sure it exists with our URL (idempotent),
``stop`` deletes it (tolerating one already gone). The URL carries the integration's token (:mod:`.refs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.integration_access import sealed_secret
from ..core.integration_record import Integration
from .refs import webhook_url

if TYPE_CHECKING:
    from .client import RoseRocketClient

EVENT = "Order Status Changed"
DESTINATION_NAME = "CartonCloud integration"


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
