"""Small steps the WMS functional tests share: place an order in the WMS sandbox, deliver its notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from integrations.cartoncloud.clients import wms_client
from integrations.core.context import core

from tests.builders import outbound_order


def place_order(tenant: Any, reference: str = "WOO-1001") -> str:
    """Create an outbound order in the WMS sandbox through our own client; returns its id."""
    order = outbound_order(tenant.customer_id, reference=reference, warehouse_id=tenant.warehouse_id)
    created = wms_client(core().tenants.get(tenant.tenant_id)).create_outbound_order(order)
    assert created.order.id
    return created.order.id


def deliver(service: Any, notification: Any) -> Any:
    """POST a notification the sandbox sent to the URL it was sent to, through our HTTP door."""
    return service.http("POST", urlsplit(notification.url).path, headers=notification.headers, body=notification.body)
