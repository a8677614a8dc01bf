"""WooCommerce's own alert condition (core.alerts): the store's order webhooks are not all active.

WooCommerce disables a webhook after 5 failed deliveries in a row, and an admin can pause or delete one; the poll
(every 5 minutes) re-enables disabled ones and re-creates deleted ones, but leaves paused ones alone. So this holds
while a topic has no active webhook of ours at the time of the check: paused by a person, or failing again and again
faster than the poll heals it. One listing of the store's webhooks per check (hourly by default).
"""

from __future__ import annotations

from ..core.alerts.conditions import CheckContext
from ..core.alerts.model import Finding
from .client import store_client
from .models import ORDER_TOPICS
from .webhooks import same_url


def webhooks_off(context: CheckContext) -> Finding | None:
    integration = context.checked
    url = integration.platform_state.get("deliveryUrl")
    if not url:
        return None  # never started: nothing of ours on the store
    ours = [hook for hook in store_client(integration).webhooks() if same_url(hook.delivery_url, str(url))]
    off = []
    for topic in ORDER_TOPICS:
        states = sorted({hook.status for hook in ours if hook.topic == topic})
        if "active" not in states:
            off.append(f"{topic} ({', '.join(states) or 'missing'})")
    if not off:
        return None
    return Finding(
        summary=f"The store's order webhooks are not active: {'; '.join(off)}",
        what_to_do="New orders still arrive through the 5-minute check, only more slowly. In WordPress open "
                   "WooCommerce → Settings → Advanced → Webhooks and set ours (\"CartonCloud integration …\") back to "
                   "Active; if WooCommerce keeps disabling them, the store cannot reach this service — check its "
                   "firewall or security plugin.",
        count=len(off))
