"""WMS outbound orders → Starshipit orders: the frame's exporter with Starshipit's hooks.

The router puts a ``starshipit.wms-event`` item on StarshipitQueue for every live Starshipit integration of the
order's customer (subscribed: OUTBOUND_ORDER PACKED, DISPATCHED, STATUS_CHANGED). The frame finds the order's link;
with none, :meth:`OrderExporter.creates` decides, the frame **claims** the WMS end with one conditional write,
:meth:`OrderExporter.create` makes (or finds) the Starshipit order, and the frame **binds** the link to it with a
pointer at the Starshipit end, in one transaction. So however many copies of a notification, polls and routed
events arrive at once, one worker creates and the others find the link bound.

- **creates**: the event's status has reached the trigger (PACKED → PACKED or DISPATCHED; DISPATCHED →
  DISPATCHED), so an order first seen beyond the trigger, or whose exact PACKED event was missed, is still exported
  once; then the order is re-read from the WMS (a signal is not the truth) and checked again: its customer, the
  warehouses covered, not a pickup. A covered order that can't ship through Starshipit is recorded SKIPPED with why.
- **create**: mapped (:mod:`.mapper`, refusals name the WMS field) with packages from the order's consignment when
  it has one, and numbered with the shop's order number people know (:mod:`.numbers`). Each number in turn
  (``1003``, ``1003-2`` …) is looked up in Starshipit first: none → the number is taken for this WMS order (an alias
  of its link: the number our tracking webhooks name leads back to it, and no other of our orders takes it) and the
  order created; one already linked to another of our records, or another channel's order for something else → the
  next number; one not linked and the same shipment (recipient, street, postcode, lines: the order made just before
  a crash, or this very order sent by another channel) → bound to it, never a second parcel. A retry also looks for
  the number older versions gave (the WMS order's id), so an order made then is bound, not made again.
- **update** (the link is bound: re-packed, dispatched, any later change): nothing is written to Starshipit.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from ..cartoncloud.client import CartonCloudClient
from ..cartoncloud.clients import wms_client
from ..cartoncloud.models import Consignment, OutboundOrder
from ..core.context import core
from ..core.errors import PermanentError
from ..core.exporter import ExportContext, Exported, Exporter
from ..core.records import LinkStatus, Origin, SyncLink
from . import PLATFORM
from .clients import client_for
from .errors import StarshipitRejected
from .mapper import as_snapshot, describe, map_order, refused_fields
from .models import NewOrder, Order, StarshipitOrderCreation
from .numbers import MAX_CANDIDATES, candidates, same_shipment
from .refs import OUTBOUND_ORDER, number_ref, order_ref
from .settings import settings_of

CANCELLED = "CANCELLED"


class NumbersTaken(PermanentError):
    """Every number this order could have is another order's in Starshipit: a person must look."""


class OrderRefused(PermanentError):
    """Starshipit refused the order (an address it can't ship to, a carrier not set up…): its words and the fields."""

    def __init__(self, message: str, *, fields: list[dict[str, str]], resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.fields = fields


#: The WMS order :meth:`OrderExporter.creates` just read, handed to :meth:`~OrderExporter.create` for the same item
#: in the same thread (one WMS read per export; workers of one process never share it).
_fresh = threading.local()


class OrderExporter(Exporter):
    platform: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Starshipit"

    # --- creates ------------------------------------------------------------------------------------------------

    def creates(self, ctx: ExportContext) -> bool:
        event = ctx.event
        if event.entity_type != OUTBOUND_ORDER:
            return False
        settings = settings_of(ctx.integration).order
        if not settings.reached(event.status):
            return False
        order = _wms(ctx).get_outbound_order(event.entity_id)
        if not settings.reached(order.status.value if order.status else None):
            return False  # the event was older than the order: a later one will come
        skip = self._not_shipped(ctx, order, settings)
        if skip is not None:
            self._skip(ctx, *skip)
            return False
        _fresh.order = (ctx.item.idempotency_key, order)
        return True

    @staticmethod
    def _not_shipped(ctx: ExportContext, order: OutboundOrder, settings: StarshipitOrderCreation
                     ) -> tuple[str, str] | None:
        """Why a covered-looking order doesn't go to Starshipit, and what to do if it should; None: it goes."""
        if order.customer.id != ctx.integration.customer_id:
            return (f"outbound order {order.id} belongs to another customer",
                    "Nothing to do: each customer's orders go to that customer's own integrations.")
        warehouse = order.warehouse.id if order.warehouse else None
        if not settings.covers(warehouse):
            return (f"outbound order {order.id} ships from warehouse {warehouse}, which this integration doesn't "
                    "cover", "If it should ship through Starshipit, add the warehouse in the integration's order "
                             "creation step; the order's next change sends it (or run a backfill).")
        method = order.details.deliver.method if order.details and order.details.deliver else None
        if method is not None and method.type == "PICKUP":
            return (f"outbound order {order.id} is a pickup order: nothing to ship",
                    "Nothing to do: the customer collects it from the warehouse.")
        return None

    @staticmethod
    def _skip(ctx: ExportContext, reason: str, resolution: str) -> None:
        recorded = core().links.record(ctx.wms_ref, tenant_id=ctx.integration.tenant_id,
                                       integration_id=ctx.integration.integration_id, status=LinkStatus.SKIPPED,
                                       error=reason, origin=Origin.WMS, resolution=resolution)
        if recorded.previous_error != reason:
            ctx.log(recorded.key, "skipped", f"Not sent to Starshipit: {reason}")

    # --- create --------------------------------------------------------------------------------------------------

    def create(self, ctx: ExportContext) -> Exported:
        order = self._fresh_order(ctx)
        assert order.id
        client = client_for(ctx.integration)
        if ctx.attempt.number > 1:
            # A retry may follow a create made by a version that numbered orders with the WMS id: bind to it.
            earlier = client.get_order(order_number=order.id)
            if earlier is not None:
                return self._bound(ctx, earlier, "Bound to the Starshipit order made for it before")
        settings = settings_of(ctx.integration).order
        mapped = map_order(order, settings, _consignment(_wms(ctx), order.id))
        base = mapped.order.order_number
        for number in candidates(base):
            found = client.get_order(order_number=number)
            if found is None:
                if not self._takes(ctx, number):
                    continue  # another of this integration's orders is being created with it right now
                numbered = mapped.order.model_copy(update={"order_number": number})
                try:
                    created = client.create_order(numbered)
                except StarshipitRejected as exc:
                    found = client.get_order(order_number=number)  # refused as a duplicate of one made meanwhile?
                    if found is None:
                        raise _refusal(order, exc) from None
                    if self._ours(ctx, found, numbered):
                        return self._bound(ctx, found, "Bound to the Starshipit order made meanwhile")
                    continue
                notes = mapped.notes + ([f"order number {base} is taken in Starshipit by another order, so this "
                                         f"one is {number}"] if number != base else [])
                return Exported(order_ref(ctx.integration.integration_id, created.order_id),
                                f"Created Starshipit order {number} (Starshipit's id {created.order_id}; reference "
                                f"{numbered.reference or '-'}; {describe(numbered)})"
                                + (f"; note: {'; '.join(notes)}" if notes else ""),
                                memo={"starshipitOrderId": created.order_id, "orderNumber": number,
                                      "sent": as_snapshot(numbered),
                                      **({"reference": numbered.reference} if numbered.reference else {})},
                                number=number)
            if self._ours(ctx, found, mapped.order.model_copy(update={"order_number": number})):
                return self._bound(ctx, found, "Bound to the existing Starshipit order with this number and the "
                                               "same recipient and lines")
        raise NumbersTaken(
            f"Starshipit already has orders numbered {base} and {base}-2 to {base}-{MAX_CANDIDATES} that are not "
            f"outbound order {order.references.customer or order.id}",
            resolution="Look these numbers up in Starshipit: another channel or integration is sending orders with "
                       "the same numbers. Archive or delete the ones that should not ship, then retry from the sync "
                       "log.")

    @staticmethod
    def _takes(ctx: ExportContext, number: str) -> bool:
        """Take ``number`` for this WMS order (an alias of its link), unless another of our records holds it."""
        alias = number_ref(ctx.integration.integration_id, number)
        return core().links.alias(ctx.wms_ref, alias) == ctx.wms_ref.key

    def _ours(self, ctx: ExportContext, found: Order, sent: NewOrder) -> bool:
        """Whether a Starshipit order found under this WMS order's number is its counterpart: not linked to another
        of our records, the same shipment, and the number ours to take."""
        holder = core().links.find(order_ref(ctx.integration.integration_id, found.order_id))
        if holder is not None:
            return holder.key == ctx.wms_ref.key
        return same_shipment(found, sent) and self._takes(ctx, found.order_number)

    @staticmethod
    def _bound(ctx: ExportContext, order: Order, how: str) -> Exported:
        return Exported(order_ref(ctx.integration.integration_id, order.order_id),
                        f"{how}: {order.order_number} (Starshipit's id {order.order_id}, status "
                        f"{order.status or '?'})",
                        already_existed=True,
                        # No None in a memo: the link store's bind can't write one.
                        memo={k: v for k, v in {"starshipitOrderId": order.order_id, "orderNumber": order.order_number,
                                                "reference": order.reference}.items() if v is not None},
                        number=order.order_number)

    def _fresh_order(self, ctx: ExportContext) -> OutboundOrder:
        key, order = getattr(_fresh, "order", (None, None))
        _fresh.order = (None, None)
        if key == ctx.item.idempotency_key and order is not None:
            return order  # type: ignore[no-any-return]
        return _wms(ctx).get_outbound_order(ctx.event.entity_id)

    # --- update --------------------------------------------------------------------------------------------------

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        number = link.memo.get("orderNumber") or link.memo.get("starshipitOrderId") \
            or (link.platform_record_key or "").rsplit("#", 1)[-1]
        return (f"{ctx.event.describe()} (status {ctx.event.status}): already in Starshipit as order {number}; "
                "nothing changes there (Starshipit orders are created once)")


def _wms(ctx: ExportContext) -> CartonCloudClient:
    return wms_client(core().tenants.get(ctx.integration.tenant_id))


def _consignment(wms: CartonCloudClient, order_id: str) -> Consignment | None:
    """The order's consignment (its packages), if the WMS has one that isn't cancelled."""
    return next((c for c in wms.consignments_from_order(order_id) if str(c.status or "") != CANCELLED), None)


def _refusal(order: OutboundOrder, exc: StarshipitRejected) -> OrderRefused:
    fields = refused_fields(exc)
    named = ", ".join(f"{f['field']} (Starshipit's {f['starshipit']})" for f in fields)
    carrier = any(f["starshipit"].startswith("carrier") for f in fields)
    resolution = ("Check the integration's carrier settings (carrier, service mappings) against Starshipit → "
                  "Settings → Couriers, then retry from the sync log." if carrier else
                  f"Correct {named or 'the order'} in CartonCloud (outbound order {order.id}), then retry from the "
                  "sync log; the order is read again from CartonCloud when it is retried.")
    return OrderRefused(f"Starshipit refused outbound order {order.id}: {exc.text or exc}"
                        + (f" — fields: {named}" if named else ""), fields=fields, resolution=resolution)


EXPORTER = OrderExporter()
