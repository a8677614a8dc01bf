"""The safety net: WooCommerce never retries a failed delivery and disables a webhook after repeated failures,
and its deliveries can lag by minutes to hours (Action Scheduler / WP-Cron; woocommerce#11991, #59381).

Every 5 minutes the schedule fans out one ``woocommerce.poll`` item per live integration (so 10,000 stores don't
share one Lambda's time). Each poll:

1. lists the store's Processing orders modified since its cursor minus :data:`OVERLAP`, in UTC with
   ``dates_are_gmt=true`` (never the store's local time), and queues a re-fetch for each — keyed exactly as the
   webhook's item for the same version of the order, so whatever a webhook already did is not done again;
2. moves the cursor to the newest ``date_modified_gmt`` it saw (never backwards, never the poll's own clock);
3. re-enables our webhooks WooCommerce disabled, and re-creates ones that were deleted.

The first poll of an integration looks back to when it went live.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr

from ..core.context import core
from ..core.integration_types import Integration
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.worker import Attempt
from ..core.workitems import WorkItem, enqueue_many
from . import PLATFORM
from .client import TooManyPages, WooCommerceClient
from .models import SYNC_STATUS
from .services import (
    POLL,
    integration_ref,
    integrations,
    is_live,
    order_version,
    order_work_item,
    queue_url,
    store_client,
    webhook_secret,
)
from .webhooks import heal_webhooks

#: Re-read this much before the cursor: clocks differ, and an order can commit after a later one (30–120 s advised).
OVERLAP = timedelta(seconds=120)
#: When an integration has no live period on record, the first poll looks back this far.
FIRST_LOOKBACK = timedelta(hours=1)


def cursor_key(integration_id: str) -> str:
    return f"{integration_id}#{PLATFORM}#orders"


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    """Queue one poll per live integration. The key holds the minute, so a repeated schedule run polls once."""
    minute = (scheduled_at or utcnow()).strftime("%Y-%m-%dT%H:%M")
    items = [
        # The index is keys-only: the poll reads the integration (and its tenant) itself.
        WorkItem(kind=POLL, tenant_id="", integration_id=integration_id,
                 idempotency_key=f"woocommerce-poll:{integration_id}:{minute}", source="poller")
        for integration_id in integrations().live_ids()
    ]
    return enqueue_many(queue_url(), items)


def poll_integration(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    assert item.integration_id
    shared = core()
    integration = integrations().get(item.integration_id, fresh=True)
    if integration is None or not is_live(integration):
        return {"skipped": "not live"}
    client = store_client(integration)
    key = cursor_key(integration.integration_id)
    cursor = shared.cursors.get(key)
    if cursor:
        since = parse_iso(cursor) - OVERLAP
    else:
        live_since = integration.live_periods[-1].start if integration.live_periods else utcnow() - FIRST_LOOKBACK
        since = live_since - OVERLAP
    found: list[WorkItem] = []
    newest: datetime | None = None
    truncated: TooManyPages | None = None
    try:
        for order in client.orders_modified_since(since, status=SYNC_STATUS):
            found.append(order_work_item(integration, order.id, version=order_version(order), source="poller"))
            modified = order.modified_at
            if modified is not None and (newest is None or modified > newest):
                newest = modified
    except TooManyPages as exc:
        truncated = exc
    # Queue first, then move the cursor: a crash in between re-polls the same window, never skips it.
    enqueue_many(queue_url(), found)
    if truncated is not None:
        # The listing is by creation date: an unread page may hold an order modified before the newest one seen,
        # so the cursor stays (what was read is queued; copies of it are absorbed next time).
        shared.sync_log.append(integration_ref(integration.integration_id, "poll").key, "poll-truncated",
                               f"Poll since {utc_iso(since)}: {truncated}; {len(found)} order(s) queued, cursor kept",
                               error=str(truncated), resolution="Usually none: the next polls re-read the window. If "
                               "this repeats, the store has more Processing orders than one poll reads; contact "
                               "support to raise the page limit.", attempt=attempt.number)
    elif newest is not None:
        shared.cursors.advance(key, utc_iso(newest))
    healed = _heal(integration, client)
    if found and truncated is None:
        shared.sync_log.append(integration_ref(integration.integration_id, "poll").key, "poll",
                               f"Poll since {utc_iso(since)}: {len(found)} Processing order(s) queued for a re-fetch"
                               f" ({', '.join(str(w.payload['orderId']) for w in found[:20])}"
                               f"{'…' if len(found) > 20 else ''})", attempt=attempt.number)
    return {"found": len(found), "since": utc_iso(since), "cursor": utc_iso(newest) if newest else cursor,
            "healed": healed}


def _heal(integration: Integration, client: WooCommerceClient) -> list[str]:
    url = integration.platform_state.get("deliveryUrl")
    if not url:
        return []  # never started: nothing of ours to heal
    secret = webhook_secret(integration)
    healing = heal_webhooks(client, integration_id=integration.integration_id, delivery_url=url,
                            secret=SecretStr(secret) if secret else None)
    log = core().sync_log
    key = integration_ref(integration.integration_id, "webhooks").key
    for action in healing.actions:
        log.append(key, "webhook-healed", f"The poller {action}")
    paused = ",".join(str(hook.id) for hook in healing.paused)
    if paused and log.set_once(key, "pausedWebhooks", paused):
        log.append(key, "webhook-paused", f"Webhook(s) {paused} are paused in WooCommerce by an admin; they are left "
                   "paused, and new orders still arrive through the poll every 5 minutes",
                   resolution="To get orders within seconds again, set the webhooks back to Active in WooCommerce "
                              "→ Settings → Advanced → Webhooks.")
    return healing.actions
