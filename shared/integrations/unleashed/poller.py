"""The safety net: the poll (every 5 minutes, paced by the monthly call budget) and backfill's pager.

Unleashed retries its webhook deliveries, but a subscription may be missing (none free on the account, removed by
hand) and shipment events are not known to exist (UNCONFIRMED). The frame's
:class:`~integrations.core.poller.IntegrationPoller` runs this for each live integration; per due poll, under one
lease and count of the account's calls (:mod:`.usage`):

- **orders** (every due poll, 1 call when nothing changed): ``GET /SalesOrders/{page}?orderStatus=Placed&
  modifiedSince={cursor − 120 s}`` (UTC), one ``unleashed.order.changed`` item per order, keyed by its version;
- **shipments** (every 3rd due poll, on its own cursor): ``GET /SalesShipments/{page}?modifiedSince=…`` — a shipment
  added to an order already sent may not touch the order, and gets its own WMS order all the same; the orders of
  the shipments found are queued like the poll's;
- **subscription health** (hourly): says once if our subscription vanished or went inactive, or if a slot freed up
  for an integration running on polling alone; a subscription API that answers otherwise than we expect is said
  once and never fails the poll (one the integration already found absent at finishing is not asked again);
- **usage** (the first poll of each hour, due or not): "N of M calls this month" on the integration's usage record
  (``…#integration#api-usage``, readable through the management API's sync log).

Pacing (:func:`.usage.poll_every`): below 50 % of the month's budget every 5 minutes; to 80 % every 15; to 95 %
hourly; beyond, no polling (webhooks and write-backs keep what is left). A skipped poll writes nothing and calls
nothing. The schedule's minute decides which polls are due, so the same run gives the same answer when retried.

**Backfill** (:meth:`OrderPoller.window`): the Placed orders whose order date falls in the window's UTC days
(``startDate``/``endDate``), 200 a page, queued exactly as the poll queues them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ..core.context import core
from ..core.integration_record import Integration
from ..core.poller import Found, IntegrationPoller, Page, PollResult, Truncated
from ..core.records import LinkStatus
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.workitems import Attempt, WorkItem, enqueue_many
from . import PLATFORM, usage
from .client import TooManyPages
from .clients import calls, unleashed_client
from .models import SHIPMENT_DELETED, SHIPMENT_DISPATCHED, SalesOrder, SalesShipment
from .refs import integration_ref, order_version, order_work_item, usage_ref
from .settings import settings_of
from .webhooks import subscription_health

SLOT_SECONDS = 300
SHIPMENT_PASS_EVERY = 3
HOURLY = 12

_slot: ContextVar[int] = ContextVar("unleashed_poll_slot", default=0)


def slot_of(moment: datetime) -> int:
    """The 5-minute slot a scheduled poll belongs to (00:00 UTC is a multiple of every pace)."""
    return int(moment.timestamp() // SLOT_SECONDS)


class OrderPoller(IntegrationPoller):
    platform: ClassVar[str] = PLATFORM
    name: ClassVar[str] = "orders"

    # --- the schedule and the pace -----------------------------------------------------------------------------

    def expected_interval(self, scope: Integration) -> timedelta | None:
        """The pace the monthly budget sets (:func:`.usage.poll_every`); None once polling stopped at 95 %."""
        budget = settings_of(scope).order.api_calls_per_month
        every = usage.poll_every(usage.used(unleashed_client(scope).account) / budget)
        return None if every is None else timedelta(seconds=SLOT_SECONDS * every)

    def schedule_polls(self, scheduled_at: datetime | None = None) -> int:
        """One poll per live integration (as the frame does), each knowing the minute it was scheduled for."""
        at = scheduled_at or utcnow()
        minute = at.strftime("%Y-%m-%dT%H:%M")
        items = [WorkItem(kind=self.poll_kind(), tenant_id=tenant_id, integration_id=integration_id,
                          idempotency_key=f"{self.poll_kind()}:{integration_id or tenant_id}:{minute}",
                          payload={"scheduledAt": utc_iso(at)}, source="poller")
                 for tenant_id, integration_id in self.scopes()]
        return enqueue_many(self.queue_url(), items)

    def handle(self, item: WorkItem, attempt: Attempt) -> dict[str, Any]:
        scope = self.load(item)
        if scope is None:
            return {"skipped": "not polled"}
        scheduled = item.payload.get("scheduledAt")
        slot = slot_of(parse_iso(scheduled) if isinstance(scheduled, str) else item.enqueued_at)
        budget = settings_of(scope).order.api_calls_per_month
        spent = usage.used(unleashed_client(scope).account)
        every = usage.poll_every(spent / budget)
        self._report_usage(scope, spent, budget, every, attempt, slot)
        if every is None or slot % every:
            why = "polling stopped at 95 % of the month's budget" if every is None else \
                f"polling every {every * 5} minutes at {spent / budget:.0%} of the month's budget"
            return {"skipped": why, "callsThisMonth": spent}
        token = _slot.set(slot)
        try:
            with calls(scope):
                return {**self.poll(scope, attempt).to_json(), "callsThisMonth": spent}
        finally:
            _slot.reset(token)

    def _report_usage(self, scope: Integration, spent: int, budget: int, every: int | None, attempt: Attempt,
                      slot: int) -> None:
        """Once an hour (the first poll of each hour, due or not): the month's calls on the usage record."""
        stores = core()
        ref = usage_ref(scope.integration_id)
        hour = slot // HOURLY
        reported = stores.links.find(ref)  # one read: cheaper than a refused conditional write every poll
        if reported is not None and reported.memo.get("reportedHour") == hour:
            return
        if not stores.links.remember_once(ref, "reportedHour", hour):
            return  # another poll of this hour reported it a moment ago
        stores.links.record(ref, tenant_id=scope.tenant_id, integration_id=scope.integration_id,
                            status=LinkStatus.SYNCED if every is not None else LinkStatus.WAITING)
        pace = "polling stopped (webhooks and write-backs only)" if every is None else \
            f"polling every {every * 5} minutes"
        stores.sync_log.append(ref.key, "api-usage", f"Unleashed API calls in {usage.month_of(utcnow())} so far: "
                               f"{spent} of the {budget} this integration may make ({spent / budget:.0%}); {pace}",
                               attempt=attempt.number)

    # --- the frame's hooks ---------------------------------------------------------------------------------------

    def changed_since(self, scope: Integration, since: datetime) -> Iterator[Found]:
        with calls(scope) as client:
            try:
                for order in client.orders_modified_since(since):
                    yield Found(order, order.modified_at)
            except TooManyPages as exc:
                raise Truncated(str(exc)) from None

    def work_item(self, scope: Integration, record: Any, *, source: str) -> WorkItem:
        order: SalesOrder = record
        return order_work_item(scope, order.Guid, version=order_version(order), source=source)

    def window(self, scope: Integration, start: datetime, end: datetime, token: str | None) -> Page:
        page = int(token or "1")
        last_day = (end - timedelta(microseconds=1)).astimezone(UTC).date()
        with calls(scope) as client:
            orders, pagination = client.sales_orders(page, start=start.astimezone(UTC).date(), end=last_day)
        more = page < pagination.NumberOfPages and bool(orders)
        return Page([Found(order, order.modified_at) for order in orders], str(page + 1) if more else None)

    def after_poll(self, scope: Integration, result: PollResult, attempt: Attempt) -> None:
        slot = _slot.get()
        if slot % SHIPMENT_PASS_EVERY == 0:
            result.notes["shipmentPass"] = self._shipment_pass(scope, attempt)
        if slot % HOURLY == 0:
            self._check_subscription(scope)

    # --- the shipment pass and the subscription check -------------------------------------------------------------

    def _shipment_pass(self, scope: Integration, attempt: Attempt) -> dict[str, Any]:
        stores = core()
        key = f"{scope.integration_id}#{PLATFORM}#shipments"
        cursor = stores.cursors.get(key)
        since = parse_iso(cursor) - self.overlap if cursor else self.first_since(scope)
        by_order: dict[str, list[SalesShipment]] = defaultdict(list)
        newest: datetime | None = None
        truncated = False
        with calls(scope) as client:
            try:
                for shipment in client.shipments_modified_since(since):
                    modified = shipment.modified_at
                    if modified is not None and (newest is None or modified > newest):
                        newest = modified
                    if shipment.OrderGuid and shipment.ShipmentStatus not in (SHIPMENT_DISPATCHED, SHIPMENT_DELETED):
                        by_order[shipment.OrderGuid.lower()].append(shipment)
            except TooManyPages:
                truncated = True
        items = [order_work_item(scope, guid, version=f"shipments:{_digest(shipments)}", source="poller")
                 for guid, shipments in sorted(by_order.items())]
        enqueue_many(self.queue_url(), items)
        if newest is not None and not truncated:
            stores.cursors.advance(key, utc_iso(newest))
        if items:
            stores.sync_log.append(integration_ref(scope.integration_id, "poll").key, "poll-shipments",
                                   f"Shipment pass since {utc_iso(since)}: {len(items)} order(s) with new or changed "
                                   "shipments queued for a re-read", attempt=attempt.number)
        return {"orders": len(items), "truncated": truncated}

    def _check_subscription(self, scope: Integration) -> None:
        url = scope.platform_state.get("deliveryUrl")
        if not url:
            return
        with calls(scope) as client:
            note = subscription_health(client, url=url, known_id=scope.platform_state.get("webhookSubscriptionId"),
                                       reason=scope.platform_state.get("webhookReason"))
        stores = core()
        ref = integration_ref(scope.integration_id, "webhooks")
        if stores.links.remember_once(ref, "health", note or "ok") and note:
            stores.sync_log.append(ref.key, "webhooks", note, resolution="Save any step of the integration.")


def _digest(shipments: list[SalesShipment]) -> str:
    versions = sorted(f"{shipment.Guid.lower()}:{shipment.LastModifiedOn}" for shipment in shipments)
    return hashlib.sha256("|".join(versions).encode()).hexdigest()[:16]


POLLER = OrderPoller()


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    return POLLER.schedule_polls(scheduled_at)
