"""Tracking's safety net and the backfill's pager: the frame's :class:`~integrations.core.poller.IntegrationPoller`.

Every 5 minutes (StarshipitPollSchedule) one poll per live integration:

- **changed since**: ``GET /api/orders/shipped?since_last_updated={cursor − 120 s}`` (RFC 3339 UTC), 250 a page,
  at most 20 pages (beyond: what was read is queued, the cursor stays). An order is ours when its Starshipit id
  leads to one of this integration's WMS orders (the pointer the export bound: whatever its number says, and
  however it was numbered — people's numbers now, WMS ids before); the account's other orders (other channels,
  other integrations) are passed over. Each of ours with tracking becomes a ``starshipit.tracking.changed`` item
  keyed by the tracking it shows, so a poll that sees the same tracking again (the overlap) does not do the work
  again.
- **the cursor**: the list is filtered by Starshipit on its own update time and its orders carry no update time we
  can read, so the cursor is the time the listing was asked for — moved (never backwards) once a listing was read
  to its end, whether or not any order was ours (an account busy with other channels must not re-list from the
  integration's first day at every poll).
- **window** (backfill): the customer's WMS orders *packed* in the window (``/timestamps/packed/time``), 100 a page;
  each one at or past the trigger becomes the same ``starshipit.wms-event`` item a routed WMS event would be, so an
  order already in Starshipit is not created again and one that isn't is created exactly as live sync would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ..cartoncloud.clients import wms_client
from ..cartoncloud.models import OutboundOrder, all_of, text_equals
from ..core.context import core
from ..core.events import STATUS_CHANGED, WmsEvent
from ..core.integration_record import Integration
from ..core.poller import Found, IntegrationPoller, Page, PollResult, Truncated
from ..core.records import Origin
from ..core.timeutil import utc_iso, utcnow
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import TooManyPages
from .clients import client_for
from .mapper import tracking_of
from .models import Order
from .refs import OUTBOUND_ORDER, WMS_EVENT, digest, order_ref, tracking_item, wms_order_ref
from .settings import settings_of

#: Backfill pages of WMS orders.
BACKFILL_PAGE = 100
#: A backfilled order's event names what it is, not a WMS change.
BACKFILL = "BACKFILL"


@dataclass(frozen=True)
class Shipped:
    """A shipped Starshipit order of ours and the WMS order it was made from."""

    order: Order
    wms_order_id: str


class ShippedOrderPoller(IntegrationPoller):
    platform: ClassVar[str] = PLATFORM
    name: ClassVar[str] = "shipped"

    def __init__(self) -> None:
        self._asked = threading.local()

    def changed_since(self, scope: Integration, since: datetime) -> Iterator[Found]:
        self._asked.at = None
        asked_at = utcnow()
        try:
            for order in client_for(scope).shipped_since(since):
                if not order.tracking_numbers:
                    continue
                link = core().links.find(order_ref(scope.integration_id, order.order_id))
                if link is not None and link.origin is Origin.WMS:
                    yield Found(Shipped(order, link.record_id), None)
        except TooManyPages as exc:
            raise Truncated(str(exc)) from None
        self._asked.at = asked_at  # only a listing read to its end moves the cursor

    def after_poll(self, scope: Integration, result: PollResult, attempt: Attempt) -> None:
        asked_at: datetime | None = getattr(self._asked, "at", None)
        self._asked.at = None
        if asked_at is None or result.truncated is not None:
            return
        core().cursors.advance(self.cursor_key(scope), utc_iso(asked_at))
        result.cursor = utc_iso(asked_at)

    def work_item(self, scope: Integration, record: Any, *, source: str) -> WorkItem:
        if isinstance(record, OutboundOrder):
            return export_item(scope, record, source=source)
        shipped: Shipped = record
        order = shipped.order
        tracking = tracking_of(order)
        return tracking_item(scope, shipped.wms_order_id, source=source, order_id=order.order_id,
                             numbers=tracking.numbers,
                             version=f"shipped:{digest(tracking.numbers, tracking.carrier, tracking.url)}")

    # --- backfill ------------------------------------------------------------------------------------------------

    def window(self, scope: Integration, start: datetime, end: datetime, token: str | None) -> Page:
        settings = settings_of(scope).order
        page = int(token or "1")
        # The WMS keeps whole seconds: the window is widened to the whole seconds that contain it.
        until = end.replace(microsecond=0) + timedelta(seconds=1 if end.microsecond else 0)
        condition = all_of(text_equals("/customer/id", scope.customer_id),
                           _packed("GREATER_THAN_OR_EQUAL_TO", start.replace(microsecond=0)),
                           _packed("LESS_THAN", until))
        orders, pages = wms_client(core().tenants.get(scope.tenant_id)).outbound_orders_page(
            condition, page=page, size=BACKFILL_PAGE)
        due = [o for o in orders if o.id and settings.reached(o.status.value if o.status else None)]
        modified = [o.timestamps.modified.time if o.timestamps and o.timestamps.modified else None for o in due]
        return Page([Found(order, when) for order, when in zip(due, modified, strict=True)],
                    str(page + 1) if page < pages else None, passed_over=len(orders) - len(due))


def _packed(method: str, moment: datetime) -> dict[str, Any]:
    return {"type": "DateTimeComparisonCondition",
            "field": {"type": "JsonField", "pointer": "/timestamps/packed/time"},
            "value": {"type": "ValueField", "value": moment.isoformat(timespec="seconds")}, "method": method}


def export_item(integration: Integration, order: OutboundOrder, *, source: str) -> WorkItem:
    """The export of one WMS order, as the router would route its event (the exporter re-reads the order)."""
    assert order.id
    modified = order.timestamps.modified.time if order.timestamps and order.timestamps.modified else utcnow()
    event = WmsEvent(tenant_id=integration.tenant_id, entity_type=OUTBOUND_ORDER, entity_id=order.id,
                     changes=[BACKFILL if source == "backfill" else STATUS_CHANGED],
                     status=order.status.value if order.status else None,
                     customer_reference=order.references.customer, customer_id=order.customer.id,
                     warehouse_id=order.warehouse.id if order.warehouse else None, modified_at=utc_iso(modified))
    return WorkItem(kind=WMS_EVENT, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
                    customer_id=integration.customer_id,
                    idempotency_key=f"{PLATFORM}:{integration.integration_id}:{source}:{order.id}:{utc_iso(modified)}",
                    record=wms_order_ref(integration.integration_id, integration.tenant_id, order.id),
                    payload=event.model_dump(by_alias=True, mode="json"), source=source)


POLLER = ShippedOrderPoller()


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    return POLLER.schedule_polls(scheduled_at)
