"""What every importer that makes WMS outbound orders shares (WooCommerce orders, Unleashed shipments, …): products
the WMS doesn't know found before the create, the create itself (refused, created REJECTED or with issues, bound to
the order a previous attempt made), re-checking a REJECTED order when a person retries after fixing it in
CartonCloud, and a record that changed on its platform after it reached the WMS. Each importer gives only its
platform's words and fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..core.context import core
from ..core.errors import PermanentError, UpstreamRejected
from ..core.importer import Created
from ..core.records import LinkStatus, SyncLink, WmsRef

if TYPE_CHECKING:
    from ..core.importer import ImportContext
    from ..core.integration_record import Integration
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


def create_outbound_order(ctx: ImportContext[Any], order: OutboundOrder, *, what: str, reference: str,
                          refused_resolution: str, lines: str, warnings: Sequence[str] = (),
                          memo: Mapping[str, Any] | None = None) -> Created:
    """Create ``order`` in the WMS for the record ``what`` names ("order #1001"), whose customer reference is the
    WMS's duplicate key, so a crash between the create and our bind binds to the same order next time. A refusal
    needs a person (``refused_resolution`` says where to correct it); an order created REJECTED or with issues is
    bound and needs attention; ``lines`` and ``warnings`` are said with the creation."""
    try:
        created = wms_of(ctx.integration).create_outbound_order(order)
    except UpstreamRejected as exc:
        raise PermanentError(f"CartonCloud refused {what}: {exc}", resolution=refused_resolution) from None
    wms_order = created.order
    if not wms_order.id:  # outside data: CartonCloud's answer, not our invariant
        raise PermanentError(f"CartonCloud answered the creation of {what} without an order id",
                             resolution="Look for the order in CartonCloud by its customer reference before "
                                        "retrying from the sync log (a retry binds to it if it exists).")
    wms = WmsRef(tenant_id=ctx.integration.tenant_id, entity_type="OUTBOUND_ORDER", entity_id=wms_order.id)
    kept = {"wmsStatus": str(wms_order.status or ""), "customerReference": reference, **(memo or {})}
    if created.with_issues or wms_order.status == "REJECTED":
        problem = WmsOrderRejected(f"CartonCloud created outbound order {wms_order.id} as REJECTED: "
                                   f"{unresolved(wms_order)}", resolution=REJECTED_RESOLUTION)
        return Created(wms, str(problem), memo=kept, problem=problem, number=reference)
    how = "Bound to the existing CartonCloud outbound order" if created.already_existed \
        else "Created CartonCloud outbound order"
    message = (f"{how} {wms_order.id} (customer reference {reference}; {lines})"
               + (f"; note: {'; '.join(warnings)}" if warnings else ""))
    return Created(wms, message, already_existed=created.already_existed, memo=kept, number=reference)


def outbound_order_linked(ctx: ImportContext[Any], link: SyncLink, *, platform: str, described: str,
                          withdrawn: str | None, snapshot: dict[str, Any], fingerprint: str,
                          describe_divergence: Callable[[dict[str, Any], dict[str, Any]], str]) -> dict[str, Any]:
    """A record already in the WMS as an outbound order, seen again (the importer's ``on_linked``).

    A retry of an order created REJECTED re-checks it in the WMS. Otherwise the WMS order is never changed by a later
    edit on the platform (a product limitation): a record ``withdrawn`` there (cancelled, deleted: its status in the
    platform's words) or changed since (its ``snapshot`` and ``fingerprint`` now) is said once per distinct change,
    ``described`` as people know it ("Order #1001") on ``platform``."""
    wms_id = link.wms_order_id or ""
    links = core().links
    if link.memo.get("wmsStatus") == "REJECTED" and link.status is LinkStatus.NEEDS_ATTENTION:
        return recheck_rejected(ctx, link, wms_id)
    if withdrawn:
        if links.remember_once(link.ref, "divergedStatus", withdrawn):
            ctx.log("diverged", f"{described} was {withdrawn} in {platform} after it reached the WMS as outbound "
                                f"order {wms_id}; the WMS order is unchanged",
                    resolution="If it should not ship, cancel or hold the order in CartonCloud.")
            return {"diverged": withdrawn, "wmsOrderId": wms_id}
        return {"alreadyInWms": wms_id}
    if fingerprint != link.fingerprint and links.remember_once(link.ref, "divergedFingerprint", fingerprint):
        what = describe_divergence(link.snapshot, snapshot)
        ctx.log("diverged", f"{described} changed in {platform} after it reached the WMS ({what}); outbound order "
                            f"{wms_id} is not changed ({platform} edits are not applied after creation)",
                resolution="If the change matters, make it in CartonCloud by hand.")
        return {"diverged": what, "wmsOrderId": wms_id}
    return {"alreadyInWms": wms_id}
