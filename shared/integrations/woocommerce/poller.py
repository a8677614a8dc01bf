"""The safety net: WooCommerce never retries a failed delivery and disables a webhook after repeated failures,
and its deliveries can lag by minutes to hours (Action Scheduler / WP-Cron; woocommerce#11991, #59381).

The frame's :class:`~integrations.core.poller.IntegrationPoller` runs it every 5 minutes for each live WooCommerce
integration. Its hooks:

- **changed since**: the store's Processing orders modified since the cursor minus the overlap, in UTC with
  ``dates_are_gmt=true`` (never the store's local time); the cursor moves to the newest ``date_modified_gmt`` seen;
- **work item**: keyed exactly as the webhook's item for the same version of the order;
- **after poll**: re-enable our webhooks WooCommerce disabled, and re-create ones that were deleted;
- **window** (backfill): the Processing orders *created* in the window, one page of 100 at a time.

The first poll of an integration looks back to when it went live.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from pydantic import SecretStr

from ..core.context import core
from ..core.integration_record import Integration
from ..core.poller import Found, IntegrationPoller, Page, PollResult, Truncated
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import TooManyPages, WooCommerceClient, store_client
from .models import SYNC_STATUS, WooOrder
from .refs import integration_ref, order_version, order_work_item
from .settings import webhook_secret
from .webhooks import heal_webhooks


class OrderPoller(IntegrationPoller):
    platform: ClassVar[str] = PLATFORM
    name: ClassVar[str] = "orders"

    def changed_since(self, scope: Integration, since: datetime) -> Iterator[Found]:
        try:
            for order in store_client(scope).orders_modified_since(since, status=SYNC_STATUS):
                yield Found(order, order.modified_at)
        except TooManyPages as exc:
            raise Truncated(str(exc)) from None

    def work_item(self, scope: Integration, record: Any, *, source: str) -> WorkItem:
        order: WooOrder = record
        return order_work_item(scope, order.id, version=order_version(order), source=source)

    def window(self, scope: Integration, start: datetime, end: datetime, token: str | None) -> Page:
        page = int(token or "1")
        orders, pages = store_client(scope).orders_created_between(start, end, page=page, status=SYNC_STATUS)
        return Page([Found(order, order.modified_at) for order in orders], str(page + 1) if page < pages else None)

    def after_poll(self, scope: Integration, result: PollResult, attempt: Attempt) -> None:
        result.notes["healed"] = _heal(scope, store_client(scope))


def _heal(integration: Integration, client: WooCommerceClient) -> list[str]:
    url = integration.platform_state.get("deliveryUrl")
    if not url:
        return []  # never started: nothing of ours to heal
    secret = webhook_secret(integration)
    healing = heal_webhooks(client, integration_id=integration.integration_id, delivery_url=url,
                            secret=SecretStr(secret) if secret else None)
    stores = core()
    ref = integration_ref(integration.integration_id, "webhooks")
    for action in healing.actions:
        stores.sync_log.append(ref.key, "webhook-healed", f"The poller {action}")
    paused = ",".join(str(hook.id) for hook in healing.paused)
    if paused and stores.links.remember_once(ref, "pausedWebhooks", paused):
        stores.sync_log.append(ref.key, "webhook-paused", f"Webhook(s) {paused} are paused in WooCommerce by an "
                               "admin; they are left paused, and new orders still arrive through the poll every 5 "
                               "minutes", resolution="To get orders within seconds again, set the webhooks back to "
                               "Active in WooCommerce → Settings → Advanced → Webhooks.")
    return healing.actions


POLLER = OrderPoller()


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    return POLLER.schedule_polls(scheduled_at)
