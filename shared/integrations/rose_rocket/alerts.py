"""Rose Rocket's own alert condition (core.alerts): our webhook destination is gone or no longer subscribed.

The destination (``platformState.webhookDestinationId``) carries our URL and the "Order Status Changed"
subscription; someone can delete or edit it in Rose Rocket. One read of it per check (hourly by default).
"""

from __future__ import annotations

from ..core.alerts.conditions import CheckContext
from ..core.alerts.model import Finding
from .clients import client_for
from .webhooks import EVENT


def webhook_gone(context: CheckContext) -> Finding | None:
    integration = context.checked
    destination = integration.platform_state.get("webhookDestinationId")
    if not destination:
        return None  # never registered (the integration says so on its page)
    found = client_for(integration).get(str(destination), paths="subscriptions")
    if found is None or found.get("objectKey") != "webhookDestination":
        problem = "our webhook destination is gone from Rose Rocket"
    elif EVENT not in {s.get("eventName") for s in found.get("subscriptions") or []}:
        problem = f"our webhook destination is no longer subscribed to \"{EVENT}\""
    else:
        return None
    return Finding(
        summary=f"Rose Rocket will not tell us of order changes: {problem}",
        what_to_do="Order status changes in Rose Rocket reach the WMS only through the 5-minute check now. Save any "
                   "step of the integration to register the webhook again.")
