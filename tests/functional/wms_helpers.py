"""Small steps the WMS functional tests share: place an order in the WMS sandbox, deliver its notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from integrations.cartoncloud.models import (
    Address,
    Deliver,
    EntityRef,
    Measures,
    OutboundOrder,
    OutboundOrderDetails,
    OutboundOrderItem,
    OutboundOrderItemDetails,
    References,
)
from integrations.cartoncloud.services import wms_client
from integrations.core.context import core


def place_order(tenant: Any, reference: str = "WOO-1001") -> str:
    """Create an outbound order in the WMS sandbox through our own client; returns its id."""
    order = OutboundOrder(
        references=References(customer=reference),
        customer=EntityRef(id=tenant.customer_id),
        warehouse=EntityRef(id=tenant.warehouse_id),
        details=OutboundOrderDetails(deliver=Deliver(address=Address(
            contact_name="Jane Citizen", address1="1 Example St", city="Perth", postcode="6000"))),
        items=[OutboundOrderItem(details=OutboundOrderItemDetails(product=EntityRef(references=References(code="SKU-1"))),
                                 measures=Measures(quantity=1))],
    )
    created = wms_client(core().tenants.get(tenant.tenant_id)).create_outbound_order(order)
    assert created.order.id
    return created.order.id


def deliver(service: Any, notification: Any) -> Any:
    """POST a notification the sandbox sent to the URL it was sent to, through our HTTP door."""
    return service.http("POST", urlsplit(notification.url).path, headers=notification.headers, body=notification.body)
