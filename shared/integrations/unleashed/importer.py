"""An Unleashed Sales Shipment → one WMS outbound order, once (the frame's importer with Unleashed's hooks).

- **fetch**: what the order fan-out read moments ago (:func:`.refs.seen_in`), else a re-read of the shipment and
  its order; a deleted one is logged as gone;
- **must wait**: the order not (or no longer) Placed, or the shipment still Parked;
- **must skip**: a shipment already Dispatched or Deleted in Unleashed, a pickup order, or a warehouse with neither
  a mapping nor a default (each said in the shipment's log with what to do);
- **map**: a line without a product code, no delivery address or name: refused before the WMS is called;
- **before create**: the product codes must exist as the customer's products in the WMS (one search); a code the
  WMS lacks whose Unleashed product is *Never Diminishing* (a service: shipping, a fee — one read per such code) is
  not goods to pick and is left out, said in the log (assumption ``fee-products``); any other is needed;
- **create**: the customer reference ``{order} | {shipment}`` is the WMS's duplicate key, so a crash between the
  create and our bind binds to the same order next time; a REJECTED create is bound and needs attention;
- **on linked**: a shipment already in the WMS is never changed by a later Unleashed edit (product limitation): the
  divergence is recorded once per distinct edit; a retry of a REJECTED order re-checks it in the WMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..cartoncloud.outbound_import import create_outbound_order, missing_products, outbound_order_linked, wms_of
from ..core.importer import Created, ImportContext, Importer, Skip
from ..core.records import SyncLink
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .clients import calls
from .errors import NothingToPick, OrderNotFound, ShipmentNotFound, UnknownProducts
from .mapper import (
    Mapped,
    content_fingerprint,
    customer_reference,
    describe_divergence,
    map_shipment,
    shipment_snapshot,
    skip_reason,
    wait_reason,
    warehouse_code,
)
from .models import PLACED, SHIPMENT_DELETED, SalesOrder, SalesShipment
from .refs import seen_in
from .settings import settings_of


@dataclass(frozen=True)
class ShipmentRecord:
    """A shipment as Unleashed shows it, with the order it belongs to."""

    shipment: SalesShipment
    order: SalesOrder


class ShipmentImporter(Importer[ShipmentRecord, Mapped]):
    platform: ClassVar[str] = PLATFORM
    record_type: ClassVar[str] = "shipment"

    def record_id(self, item: WorkItem) -> str:
        return str(item.payload["shipmentGuid"])

    def number(self, record: ShipmentRecord) -> str | None:
        # The shipment's number is searched; its order's is shown beside it (people know either).
        return record.shipment.ShipmentNumber + (f" ({record.order.OrderNumber})" if record.order.OrderNumber else "")

    def describe(self, ctx: ImportContext[ShipmentRecord]) -> str:
        record = ctx.record
        return f"Shipment {record.shipment.reference()}" if record is not None else f"Shipment {ctx.ref.record_id}"

    def fetch(self, ctx: ImportContext[ShipmentRecord]) -> ShipmentRecord | None:
        seen = seen_in(ctx.item)
        if seen is not None:
            return ShipmentRecord(*seen)
        with calls(ctx.integration) as client:
            try:
                shipment = SalesShipment.model_validate(client.get_shipment(ctx.ref.record_id))
                order = client.get_sales_order(shipment.OrderGuid or str(ctx.item.payload.get("orderGuid")))
            except (ShipmentNotFound, OrderNotFound):
                return None
        return ShipmentRecord(shipment, order)

    def must_wait(self, ctx: ImportContext[ShipmentRecord], record: ShipmentRecord) -> str | None:
        return wait_reason(record.shipment, record.order)

    def must_skip(self, ctx: ImportContext[ShipmentRecord], record: ShipmentRecord) -> Skip | None:
        skipped = skip_reason(record.shipment, record.order, settings_of(ctx.integration).order)
        return Skip(skipped.reason, skipped.resolution) if skipped is not None else None

    def map(self, ctx: ImportContext[ShipmentRecord], record: ShipmentRecord) -> Mapped:
        settings = settings_of(ctx.integration).order
        warehouse = settings.warehouse_for(warehouse_code(record.shipment, record.order))
        assert warehouse is not None, "shipments without a warehouse are skipped before mapping"
        return map_shipment(record.shipment, record.order, customer_id=ctx.integration.customer_id,
                            warehouse_id=warehouse, include_comments=settings.include_comments)

    def before_create(self, ctx: ImportContext[ShipmentRecord], record: ShipmentRecord, mapped: Mapped) -> None:
        missing = missing_products(wms_of(ctx.integration), ctx.integration.customer_id, _codes(mapped))
        fees = self._fees(ctx, record, missing) if missing else []
        if fees:
            # The frame hands this same Mapped to create(): the fees leave the order here, said with the creation.
            mapped.order.items[:] = [item for item in mapped.order.items if _code(item) not in fees]
            what = "is a fee or service" if len(fees) == 1 else "are fees or services"
            mapped.warnings.append(f"{', '.join(fees)} {what} (Never Diminishing in Unleashed), not goods to pick: "
                                   "left out of the WMS order")
            missing = [code for code in missing if code not in fees]
        if missing:
            customer = ctx.integration.customer_name or "this integration's customer"
            raise UnknownProducts(missing, customer=customer)
        if not mapped.order.items:
            raise NothingToPick(f"Shipment {record.shipment.reference()} holds only fees and charges "
                                f"({', '.join(fees)}): there is nothing for the warehouse to pick, so no WMS order "
                                "was made", resolution="Nothing to do, unless the shipment should carry goods: add "
                                "them to it in Unleashed, then retry from the sync log.")

    @staticmethod
    def _fees(ctx: ImportContext[ShipmentRecord], record: ShipmentRecord, codes: list[str]) -> list[str]:
        """Of ``codes`` (missing in the WMS), those Unleashed marks Never Diminishing: services, not stock."""
        guids = {(line.Product.ProductCode or "").strip(): line.Product.Guid
                 for line in record.shipment.SalesShipmentLines if line.Product.Guid}
        fees = []
        with calls(ctx.integration) as client:
            for code in codes:
                product = client.get_product(guids[code]) if guids.get(code) else None
                if product is not None and product.get("NeverDiminishing") is True:
                    fees.append(code)
        return fees

    def create(self, ctx: ImportContext[ShipmentRecord], record: ShipmentRecord, mapped: Mapped) -> Created:
        reference = customer_reference(record.shipment, record.order)
        lines = ", ".join(f"{item.details.product.references.code} ×{item.measures.quantity}"
                          for item in mapped.order.items if item.details.product.references)
        return create_outbound_order(
            ctx, mapped.order, what=f"shipment {reference}", reference=reference, lines=lines,
            warnings=mapped.warnings, memo={"orderGuid": record.order.Guid},
            refused_resolution="Correct what CartonCloud names (in Unleashed, or the integration's warehouse "
                               "settings), then retry from the sync log.")

    def snapshot(self, record: ShipmentRecord) -> dict[str, Any]:
        return shipment_snapshot(record.shipment, record.order)

    def fingerprint(self, snapshot: dict[str, Any]) -> str:
        return content_fingerprint(snapshot)

    # --- already in the WMS ---------------------------------------------------------------------------------------

    def on_linked(self, ctx: ImportContext[ShipmentRecord], link: SyncLink, record: ShipmentRecord) -> dict[str, Any]:
        withdrawn = record.order.OrderStatus if record.order.OrderStatus not in (PLACED, "Completed") else None
        if record.shipment.ShipmentStatus == SHIPMENT_DELETED:
            withdrawn = f"shipment {SHIPMENT_DELETED}"
        snapshot = shipment_snapshot(record.shipment, record.order)
        return outbound_order_linked(
            ctx, link, platform="Unleashed", described=f"Shipment {record.shipment.reference()}", withdrawn=withdrawn,
            snapshot=snapshot, fingerprint=content_fingerprint(snapshot), describe_divergence=describe_divergence)


def _code(item: Any) -> str | None:
    references = item.details.product.references
    return references.code if references else None


def _codes(mapped: Mapped) -> list[str]:
    return sorted({code for item in mapped.order.items if (code := _code(item))})


IMPORTER = ShipmentImporter()


def handle_shipment_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """The ``unleashed.shipment.changed`` handler."""
    return IMPORTER.handle(item, attempt)
