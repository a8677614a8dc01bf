"""``unleashed.order.changed``: one sales order → one work item per Sales Shipment (the unit in the WMS).

A webhook (``salesorder.created|updated``), the poll or a backfill says an order changed. This re-reads it
(``GET /SalesOrders/{guid}``) and, while it is **Placed**, its shipments (``GET /SalesShipments/1?orderNumber=…``,
matched exactly), and queues a ``unleashed.shipment.changed`` item per shipment, keyed by the shipment's version,
so copies of one version are worked once and a shipment added later gets its own WMS order. Two calls per order
however many shipments it has.

Decision (docs/unleashed.md): a Placed order **without shipments waits** for them. The shipment is the unit of
fulfilment the customer chose in Unleashed (what goes in which delivery, from which warehouse); creating one on
their behalf would decide that for them, spend their API allowance and change their books. The order's record says
it is waiting (``WAITING``), and the order comes across when its shipments exist (a webhook, or the poll's shipment
pass, sees them).

The order's own link keeps its fate: ``WAITING`` (not Placed, or no shipment yet) or ``SYNCED`` (shipments queued);
a failure a person must fix (a revoked key) marks it ``NEEDS_ATTENTION`` with the item kept for a retry, and the next
successful read clears it.
"""

from __future__ import annotations

from typing import Any

from ..core.connectors import get
from ..core.context import core
from ..core.integration_access import integration as load_integration
from ..core.integration_access import is_live
from ..core.records import LinkStatus
from ..core.workitems import Attempt, WorkItem, enqueue_many
from . import PLATFORM
from .clients import calls
from .errors import OrderNotFound
from .models import PLACED
from .refs import order_ref, shipment_work_item

#: Order statuses after which nothing of the order is sent any more (and deletions never propagate).
FINAL_STATUSES = frozenset({"Completed", "Deleted"})
NO_SHIPMENTS = ("Order {number} is Placed but has no Sales Shipment yet: it goes to the WMS once its shipments are "
                "created in Unleashed (one WMS order per shipment)")


def handle_order_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    assert item.integration_id, "order items always name their integration"
    guid = str(item.payload["orderGuid"])
    ref = order_ref(item.integration_id, guid)
    stores = core()
    integration = load_integration(item.integration_id, of_type=PLATFORM)
    if not is_live(integration):
        status = integration.status if integration else "deleted"
        stores.sync_log.append(ref.key, "ignored", f"Integration is {status}: order {guid} not synced",
                               attempt=attempt.number)
        return {"ignored": f"integration {status}"}
    assert integration is not None

    def record(status: LinkStatus, event: str, message: str) -> None:
        stores.links.record(ref, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
                            status=status)
        stores.sync_log.append(ref.key, event, message, attempt=attempt.number)

    with calls(integration) as client:
        try:
            order = client.get_sales_order(guid)
        except OrderNotFound:
            stores.sync_log.append(ref.key, "gone", f"Sales order {guid} no longer exists in Unleashed; nothing to do "
                                   "(deleting it there never deletes a WMS order)", attempt=attempt.number)
            return {"gone": True}
        if order.OrderStatus in FINAL_STATUSES:
            # Its shipments went (or never will): nothing to queue, and a WMS order is never changed by it.
            stores.sync_log.append(ref.key, str(order.OrderStatus).lower(), f"Order {order.OrderNumber} is "
                                   f"{order.OrderStatus} in Unleashed; WMS orders already made from its shipments are "
                                   "not changed", attempt=attempt.number)
            return {"final": order.OrderStatus}
        if order.OrderStatus != PLACED:
            record(LinkStatus.WAITING, "waiting", f"Order {order.OrderNumber} is {order.OrderStatus}: its shipments "
                   f"go to the WMS while it is {PLACED}")
            return {"waiting": order.OrderStatus}
        shipments = client.order_shipments(order)
    if not shipments:
        record(LinkStatus.WAITING, "waiting", NO_SHIPMENTS.format(number=order.OrderNumber))
        return {"waiting": "no shipments"}
    items = [shipment_work_item(integration, shipment, order, source=item.source) for shipment in shipments]
    connector = get(PLATFORM)
    assert connector is not None
    enqueue_many(connector.queue_url(), items)
    numbers = ", ".join(shipment.ShipmentNumber for shipment in shipments)
    record(LinkStatus.SYNCED, "shipments", f"Order {order.OrderNumber} is Placed with {len(shipments)} shipment(s) "
           f"({numbers}); each is synced as its own WMS order")
    return {"shipments": [shipment.Guid for shipment in shipments]}
