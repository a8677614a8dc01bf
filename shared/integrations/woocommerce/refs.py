"""What names WooCommerce's records and work items: the sync key of an order, its version, its work item, the
integration's own log and the URL its webhooks deliver to."""

from __future__ import annotations

from ..core.integration_record import Integration
from ..core.records import RecordRef
from ..core.workitems import WorkItem
from . import PLATFORM
from .models import WooOrder
from .snapshot import content_fingerprint, order_snapshot

#: Work item kinds on WooCommerceQueue (the poll, backfill and WMS-event kinds come from the frame).
ORDER_CHANGED = "woocommerce.order.changed"
POLL = "woocommerce.poll"


def order_ref(integration_id: str, order_id: int | str) -> RecordRef:
    """The business key of a WooCommerce order: integration + order id (ids never change; numbers may)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=str(order_id))


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (its webhooks, its polls): readable like an order's."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def order_version(order: WooOrder) -> str:
    """What tells two versions of an order apart: its modified time, its status and a digest of its content.
    WooCommerce's times are whole seconds, so the time alone can't separate a checkout from its payment, or an edit
    made in the same second."""
    digest = content_fingerprint(order_snapshot(order))[:12]
    return f"{order.date_modified_gmt or '-'}:{order.status}:{digest}"


def order_work_item(integration: Integration, order_id: int | str, *, version: str, source: str) -> WorkItem:
    """The re-fetch work item for one order. Webhooks, the poller and backfill key it the same way
    (:func:`order_version`), so a webhook and a poll (or ``order.created`` + ``order.updated`` with one payload,
    woocommerce#19764) that saw the same version of the order do the work once."""
    return WorkItem(
        kind=ORDER_CHANGED,
        tenant_id=integration.tenant_id,
        integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"woocommerce:{integration.integration_id}:order:{order_id}:{version}",
        record=order_ref(integration.integration_id, order_id),
        payload={"orderId": int(order_id), "version": version},
        source=source,
    )


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/woocommerce/{integration_id}"
