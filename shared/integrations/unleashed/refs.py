"""What names Unleashed's records and work items: record keys, versions, work items and the URL deliveries come to.

Work items on UnleashedQueue (besides the frame's poll, backfill and WMS-event kinds):

- ``unleashed.order.changed`` (a webhook, the poll, a backfill page): re-read the order and its shipments, queue one
  shipment item per shipment (:mod:`.orders`);
- ``unleashed.shipment.changed``: one shipment → one WMS order (:mod:`.importer`). It carries the shipment and
  order as the fan-out read them a moment ago (``seen``), so a shipment costs no second read of Unleashed's monthly
  call allowance; a copy that is older than :data:`SEEN_FOR`, or a retry, reads them again.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Final

from pydantic import ValidationError

from ..core.integration_record import Integration
from ..core.records import RecordRef
from ..core.timeutil import utc_iso, utcnow
from ..core.workitems import WorkItem
from . import PLATFORM
from .models import SalesOrder, SalesShipment

ORDER_CHANGED: Final = "unleashed.order.changed"
SHIPMENT_CHANGED: Final = "unleashed.shipment.changed"
#: How long what the fan-out read stands in for a re-read (a webhook is a signal; this is our own fresh read).
SEEN_FOR: Final = timedelta(minutes=10)
#: SQS takes 256 KiB a message; a shipment with its order larger than this is re-read instead of carried.
MAX_SEEN_BYTES: Final = 120_000


def order_ref(integration_id: str, order_guid: str) -> RecordRef:
    """A sales order: its webhooks, what its fan-out found (waiting for shipments, not placed…)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=order_guid.lower())


def shipment_ref(integration_id: str, shipment_guid: str) -> RecordRef:
    """A sales shipment: the unit bound to one WMS outbound order."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="shipment",
                     record_id=shipment_guid.lower())


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (``webhooks``, ``api-usage``), readable like an order's."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def usage_ref(integration_id: str) -> RecordRef:
    return integration_ref(integration_id, "api-usage")


def order_version(order: SalesOrder) -> str:
    return f"{order.LastModifiedOn or '-'}:{order.OrderStatus or '-'}"


def order_work_item(integration: Integration, order_guid: str, *, version: str, source: str) -> WorkItem:
    """Re-read one order and queue its shipments. The poll and backfill key it by the order's version; a webhook by
    its notification (it carries no version), so a poll never redoes a version it already queued."""
    return WorkItem(
        kind=ORDER_CHANGED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"unleashed:{integration.integration_id}:order:{order_guid.lower()}:{version}",
        record=order_ref(integration.integration_id, order_guid),
        payload={"orderGuid": order_guid, "version": version}, source=source)


def shipment_version(shipment: SalesShipment, order: SalesOrder) -> str:
    """What tells two versions of a shipment (and the order it depends on) apart."""
    return f"{shipment.LastModifiedOn or '-'}:{order.LastModifiedOn or '-'}:{order.OrderStatus or '-'}"


def shipment_work_item(integration: Integration, shipment: SalesShipment, order: SalesOrder, *, source: str
                       ) -> WorkItem:
    """One shipment to sync, keyed by its version: a webhook's and a poll's fan-out of the same versions (or a
    backfill's) make one item's work."""
    version = shipment_version(shipment, order)
    seen: dict[str, Any] | None = {"shipment": shipment.model_dump(mode="json"),
                                   "order": order.model_dump(mode="json"), "fetchedAt": utc_iso(utcnow())}
    if len(json.dumps(seen)) > MAX_SEEN_BYTES:
        seen = None
    return WorkItem(
        kind=SHIPMENT_CHANGED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"unleashed:{integration.integration_id}:shipment:{shipment.Guid.lower()}:{version}",
        record=shipment_ref(integration.integration_id, shipment.Guid),
        payload={"shipmentGuid": shipment.Guid, "orderGuid": order.Guid, "version": version,
                 **({"seen": seen} if seen else {})},
        source=source)


def seen_in(item: WorkItem) -> tuple[SalesShipment, SalesOrder] | None:
    """The shipment and order a fan-out read moments ago, if the item carries them and they are fresh enough."""
    seen = item.payload.get("seen")
    if item.source == "retry" or not isinstance(seen, dict) or utcnow() - item.enqueued_at > SEEN_FOR:
        return None
    try:
        return SalesShipment.model_validate(seen["shipment"]), SalesOrder.model_validate(seen["order"])
    except (KeyError, ValidationError):
        return None


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/unleashed/{integration_id}"
