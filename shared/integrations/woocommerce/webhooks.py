"""Keeping our webhooks on the store: one per topic in :data:`~.models.ORDER_TOPICS`, pointed at our URL for the
integration, with a secret we generate. Ours are recognised by their delivery URL (unique per integration), so no
webhook id needs to be remembered to find, heal or remove them. (Receiving deliveries is :mod:`.door`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from .client import WooCommerceClient
from .models import ORDER_TOPICS, Webhook

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
