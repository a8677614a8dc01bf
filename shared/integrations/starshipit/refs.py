"""What names Starshipit's records and work items: the WMS order as an integration sees it, Starshipit's orders
and the numbers we gave them, the integration's own log, tracking work items and the URL webhooks deliver to."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from ..core.integration_record import Integration
from ..core.records import RecordRef, WmsRef
from ..core.workitems import WorkItem
from . import PLATFORM

#: Work item kinds on StarshipitQueue (the poll, backfill and WMS-event kinds come from the frame).
TRACKING_CHANGED = "starshipit.tracking.changed"
WMS_EVENT = "starshipit.wms-event"
OUTBOUND_ORDER = "OUTBOUND_ORDER"


def wms_order_ref(integration_id: str, tenant_id: str, wms_order_id: str) -> RecordRef:
    """The WMS outbound order as this integration sees it: where its export link lives (and its sync log)."""
    return WmsRef(tenant_id=tenant_id, entity_type=OUTBOUND_ORDER, entity_id=wms_order_id).seen_by(integration_id)


def order_ref(integration_id: str, order_id: int | str) -> RecordRef:
    """A Starshipit order: the export link's counterpart (its pointer leads back to the WMS order's link)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=str(order_id))


def number_ref(integration_id: str, order_number: str) -> RecordRef:
    """A Starshipit order number this integration gave one of its orders: an alias of that WMS order's link (what a
    tracking webhook, which names only the number, is traced back by)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="number", record_id=order_number)


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (its polls, its webhooks)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/starshipit/{integration_id}"


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def tracking_item(integration: Integration, wms_order_id: str, *, version: str, source: str,
                  order_id: int | None = None, numbers: Sequence[str] = ()) -> WorkItem:
    """"Look at this order's tracking again": the poll, a webhook and a printed label each make one. The key holds
    what the signal saw (``version``), so copies of one signal are worked once; the worker re-reads the order and
    compares with the WMS before writing, so different signals about the same tracking write it once."""
    return WorkItem(
        kind=TRACKING_CHANGED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"{PLATFORM}:{integration.integration_id}:tracking:{wms_order_id}:{version}",
        record=wms_order_ref(integration.integration_id, integration.tenant_id, wms_order_id),
        payload={"wmsOrderId": wms_order_id, "orderId": order_id, "trackingNumbers": list(numbers)},
        source=source)
