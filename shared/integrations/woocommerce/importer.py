"""A WooCommerce order → one WMS outbound order, however many times and in whatever order we hear about it
(the frame's :class:`~integrations.core.importer.Importer`, with WooCommerce's hooks).

- **fetch**: the order is re-read from the store (payloads are built late and arrive out of order,
  woocommerce#15699); a deleted order is logged as gone;
- **must wait**: an order not in Processing waits (a log line, nothing written);
- **must skip**: a local-pickup order is skipped with its reason;
- **map**: a line without a SKU or an unusable address is refused here, before the WMS is called, naming the field;
- **before create**: the SKUs must exist as products of the customer in the WMS (one search), so nothing REJECTED
  is left in the WMS;
- **create**: CartonCloud's 422 DUPLICATE on the customer reference binds to the existing order, which makes a
  crash between the WMS call and our write harmless; an order the WMS created REJECTED is bound and needs
  attention;
- **on linked**: an order already in the WMS is never changed by a later WooCommerce edit (product limitation):
  a cancellation or an edit is compared with what the WMS order was made from and the divergence is recorded once;
  a retry of a REJECTED order re-checks it in the WMS.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..cartoncloud.outbound_import import create_outbound_order, missing_products, outbound_order_linked, wms_of
from ..core.importer import Created, ImportContext, Importer, Skip
from ..core.records import SyncLink
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import store_client
from .errors import OrderNotFound, UnknownProducts
from .mapper import Mapped, map_order, skipped
from .models import SYNC_STATUS, WITHDRAWN_STATUSES, WooOrder
from .settings import settings_of
from .snapshot import content_fingerprint, describe_divergence, order_snapshot


class OrderImporter(Importer[WooOrder, Mapped]):
    platform: ClassVar[str] = PLATFORM
    record_type: ClassVar[str] = "order"

    def record_id(self, item: WorkItem) -> str:
        return str(int(item.payload["orderId"]))

    def describe(self, ctx: ImportContext[WooOrder]) -> str:
        return f"Order #{ctx.record.reference if ctx.record is not None else ctx.ref.record_id}"

    def fetch(self, ctx: ImportContext[WooOrder]) -> WooOrder | None:
        try:
            return store_client(ctx.integration).get_order(ctx.ref.record_id)
        except OrderNotFound:
            return None

    def must_wait(self, ctx: ImportContext[WooOrder], record: WooOrder) -> str | None:
        if record.status == SYNC_STATUS:
            return None
        return f"Order #{record.reference} is {record.status}: it goes to the WMS when it reaches {SYNC_STATUS}"

    def must_skip(self, ctx: ImportContext[WooOrder], record: WooOrder) -> Skip | None:
        skip = skipped(record)
        return Skip(skip.reason, skip.resolution) if skip is not None else None

    def map(self, ctx: ImportContext[WooOrder], record: WooOrder) -> Mapped:
        settings = settings_of(ctx.integration)
        outcome = map_order(record, customer_id=ctx.integration.customer_id,
                            warehouse_id=settings.order.warehouse_id)
        assert isinstance(outcome, Mapped), "pickup orders are skipped before mapping"
        return outcome

    def before_create(self, ctx: ImportContext[WooOrder], record: WooOrder, mapped: Mapped) -> None:
        skus = sorted({item.details.product.references.code for item in mapped.order.items
                       if item.details.product.references and item.details.product.references.code})
        missing = missing_products(wms_of(ctx.integration), ctx.integration.customer_id, skus)
        if missing:
            integration = ctx.integration
            customer = (f"{integration.customer_name} ({integration.customer_id})" if integration.customer_name
                        else integration.customer_id)
            raise UnknownProducts(missing, customer=customer)

    def create(self, ctx: ImportContext[WooOrder], order: WooOrder, mapped: Mapped) -> Created:
        lines = ", ".join(f"{line['sku']} ×{line['quantity']}" for line in order_snapshot(order)["lines"])
        return create_outbound_order(
            ctx, mapped.order, what=f"order #{order.reference}", reference=order.reference, lines=lines,
            warnings=mapped.warnings,
            refused_resolution="Correct what CartonCloud names (in WooCommerce, or the integration's warehouse "
                               "setting), then retry from the sync log.")

    def number(self, record: WooOrder) -> str | None:
        return f"#{record.reference}"  # as WooCommerce shows it: "#1003"

    def snapshot(self, record: WooOrder) -> dict[str, Any]:
        return order_snapshot(record)

    def fingerprint(self, snapshot: dict[str, Any]) -> str:
        return content_fingerprint(snapshot)

    # --- already in the WMS ---------------------------------------------------------------------------------------

    def on_linked(self, ctx: ImportContext[WooOrder], link: SyncLink, record: WooOrder) -> dict[str, Any]:
        snapshot = order_snapshot(record)
        return outbound_order_linked(
            ctx, link, platform="WooCommerce", described=f"Order #{record.reference}",
            withdrawn=record.status if record.status in WITHDRAWN_STATUSES else None, snapshot=snapshot,
            fingerprint=content_fingerprint(snapshot), describe_divergence=describe_divergence)


IMPORTER = OrderImporter()


def handle_order_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """The ``woocommerce.order.changed`` handler."""
    return IMPORTER.handle(item, attempt)
