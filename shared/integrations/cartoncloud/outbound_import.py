"""What every importer that makes WMS outbound orders shares (WooCommerce orders, Unleashed shipments, …): products
the WMS doesn't know found before the create, an order the WMS created REJECTED, and re-checking it when a person
retries after fixing it in CartonCloud."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.context import core
from ..core.errors import PermanentError
from ..core.records import LinkStatus, SyncLink

if TYPE_CHECKING:
    from ..core.importer import ImportContext
    from ..core.integration_types import Integration
    from .client import CartonCloudClient
    from .models import OutboundOrder

#: Product codes searched per WMS request (one request for any ordinary order).
PRODUCT_SEARCH_PAGE = 100
REJECTED_RESOLUTION = (
    "The order exists in CartonCloud as REJECTED. Fix what it names there (add the product or the stock, then "
    "resubmit the order in CartonCloud), then retry from the sync log to re-check it."
)


class WmsOrderRejected(PermanentError):
    """The WMS created the order REJECTED (228 Created with issues), or rejected it later: the order exists but can't
    be worked until a person fixes it in CartonCloud."""

    resolution = REJECTED_RESOLUTION


def wms_of(integration: Integration) -> CartonCloudClient:
    from .clients import wms_client  # the WMS client is loaded by the work that calls it

    return wms_client(core().tenants.get(integration.tenant_id))


def unresolved(order: OutboundOrder) -> str:
    """What the WMS says is wrong with an order, in its own words."""
    errors = [e.message for e in (order.details.errors or []) if not e.is_resolved] if order.details else []
    return "; ".join(errors) or "no reason given"


def missing_products(wms: CartonCloudClient, customer_id: str, codes: list[str]) -> list[str]:
    """The product codes the WMS has no warehouse product for, for this customer (one search per 100 codes).

    CartonCloud would otherwise create the order REJECTED ("Product not found"), which a retry can't undo."""
    if not codes:
        return []
    products = wms.find_warehouse_products(customer_id, codes, chunk=PRODUCT_SEARCH_PAGE)
    found = {p.references.code for p in products if p.references and p.references.code}
    return [code for code in codes if code not in found]


def recheck_rejected(ctx: ImportContext[Any], link: SyncLink, wms_id: str) -> dict[str, Any]:
    """A retry of a record whose WMS order was created REJECTED: has a person fixed it in CartonCloud since?"""
    wms_order = wms_of(ctx.integration).get_outbound_order(wms_id)
    if wms_order.status == "REJECTED":
        raise WmsOrderRejected(f"CartonCloud outbound order {wms_id} is still REJECTED: {unresolved(wms_order)}",
                               resolution=REJECTED_RESOLUTION)
    links = core().links
    links.record(link.ref, tenant_id=link.tenant_id, integration_id=link.integration_id, status=LinkStatus.SYNCED)
    links.remember(link.ref, "wmsStatus", str(wms_order.status))
    ctx.log("resolved", f"CartonCloud outbound order {wms_id} is no longer REJECTED (now {wms_order.status})")
    return {"resolved": wms_id}
