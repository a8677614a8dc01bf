"""Rose Rocket orders → WMS consignments (R3): the frame's importer with Rose Rocket's hooks.

Webhooks ("Order Status Changed", unsigned, sometimes twice, retried when not answered 2xx) and the poll on
``updatedAt`` both queue ``rose_rocket.order.changed`` items; the frame claims, creates and binds once.

- **fetch**: the order is re-read with its customer, tasks, stops, addresses, commodities and service type; a
  deleted order is logged as gone (deletions never propagate: the consignment stays);
- **must wait**: an order not in Delivered waits (help page: "orders only sync to CC when moved to Delivered");
- **must skip**: creating consignments from Rose Rocket orders is switched off;
- **map**: the order's customer must be matched (otherwise it needs attention and waits for the match); the
  consignment is built (:func:`~.mapper.new_consignment`, refusals name the Rose Rocket field);
- **create**: idempotent on the order: a consignment already made from it (``properties.roseRocketOrderId``, found by
  its reference) is bound instead of made again; then the order's ``externalId`` is set to the consignment id (unless
  it has one), so a later push from the WMS finds the same order;
- **on linked** (an order already in the WMS, from either side): while Delivered, its edits update the consignment —
  only the parts that differ, and only when the WMS has something to change (compare first, so the same state
  twice writes once); out of Delivered, edits stop syncing (said once per status).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from ..cartoncloud.client import CartonCloudClient
from ..cartoncloud.clients import wms_client
from ..cartoncloud.models import Consignment, text_equals
from ..core.context import core
from ..core.errors import RetryableError, UpstreamRejected
from ..core.importer import Created, ImportContext, Importer, Skip
from ..core.records import SyncLink, WmsRef
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import RoseRocketClient
from .clients import client_for
from .errors import CustomerNotMatched
from .invoices import approved_in_wms
from .mapper import new_consignment, shipment_of_consignment, shipment_of_order, updated_consignment
from .matches import ROSE_ROCKET_SIDE, MatchStore
from .models import DELIVERED, INVOICED, Order
from .orders import read_order
from .refs import CONSIGNMENT
from .settings import settings_of


class OrderImporter(Importer[Order, Consignment]):
    platform: ClassVar[str] = PLATFORM
    record_type: ClassVar[str] = "order"

    def record_id(self, item: WorkItem) -> str:
        return str(item.payload["orderId"])

    def describe(self, ctx: ImportContext[Order]) -> str:
        return f"Order {ctx.record.number if ctx.record is not None else ctx.ref.record_id}"

    def number(self, record: Order) -> str | None:
        return record.number

    def fetch(self, ctx: ImportContext[Order]) -> Order | None:
        return read_order(_rose_rocket(ctx), ctx.ref.record_id)

    def must_wait(self, ctx: ImportContext[Order], record: Order) -> str | None:
        if record.is_status(DELIVERED):
            return None
        return f"Order {record.number} is {record.status}: it goes to the WMS when it is moved to Delivered"

    def must_skip(self, ctx: ImportContext[Order], record: Order) -> Skip | None:
        if settings_of(ctx.integration).order.create_consignments_on_delivered:
            return None
        return Skip(f"Order {record.number} is Delivered, but creating WMS consignments from Rose Rocket orders is "
                    "off for this integration", "Turn it on in the integration's order creation step, then retry.")

    def map(self, ctx: ImportContext[Order], record: Order) -> Consignment:
        settings = settings_of(ctx.integration).order
        customer_id = record.customer.id if record.customer else ""
        store = MatchStore(ctx.integration.integration_id)
        match = store.for_rose_rocket(customer_id) if customer_id else None
        if match is None:
            store.wait(ROSE_ROCKET_SIDE, customer_id, ctx.ref.key)
            name = (record.customer.full_id or record.customer.name) if record.customer else "none"
            raise CustomerNotMatched(f"Order {record.number}'s customer ({name}) has no WMS customer matched yet, so "
                                     "it can't become a WMS consignment", side=ROSE_ROCKET_SIDE,
                                     customer_id=customer_id)
        shipment = shipment_of_order(record, default_type=settings.default_commodity_type)
        return new_consignment(shipment, record, customer_id=match.wms_customer_id,
                               warehouse_id=settings.default_warehouse_id)

    def create(self, ctx: ImportContext[Order], order: Order, mapped: Consignment) -> Created:
        wms = _wms(ctx)
        existing = _made_from(wms, order, mapped)
        consignment = existing or wms.create_consignment(mapped)
        assert consignment.id, "CartonCloud answers every consignment with its id"
        noted = _note_on_order(_rose_rocket(ctx), order, consignment.id)
        how = "Bound to the existing WMS consignment" if existing else "Created WMS consignment"
        lines = ", ".join(f"{line.measures.quantity or '?'} × {(line.properties or {}).get('description') or 'item'}"
                          for line in mapped.items)
        return Created(WmsRef(tenant_id=ctx.integration.tenant_id, entity_type=CONSIGNMENT, entity_id=consignment.id),
                       f"{how} {consignment.id} from Delivered order {order.number} (reference "
                       f"{mapped.references.customer if mapped.references else '-'}; {lines})"
                       + ("; the order's externalId now names it" if noted else "")
                       + ("; Rose Rocket doesn't show this integration the order's service type, so the consignment "
                          "has none" if "serviceType" in order.unread else ""),
                       already_existed=existing is not None,
                       memo={"consignmentId": consignment.id, "roseRocketOrderNumber": order.number},
                       number=mapped.references.customer if mapped.references else None)

    def snapshot(self, record: Order) -> dict[str, Any]:
        shipment = shipment_of_order(record, default_type="carton")
        return {**shipment.snapshot(), "status": record.status, "modifiedAt": _utc(record.updated_at)}

    def fingerprint(self, snapshot: dict[str, Any]) -> str:
        content = {k: v for k, v in snapshot.items() if k != "modifiedAt"}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:32]

    # --- already in the WMS ---------------------------------------------------------------------------------------

    def on_linked(self, ctx: ImportContext[Order], link: SyncLink, record: Order) -> dict[str, Any]:
        wms_ref = link.wms
        assert wms_ref is not None
        links = core().links
        if not record.is_status(DELIVERED):
            if links.remember_once(link.ref, "syncPausedAt", record.status):
                ctx.log("not-synced", f"Order {record.number} is {record.status} (not Delivered): its Rose Rocket "
                                      f"edits are not applied to consignment {wms_ref.entity_id}"
                                      + (" (invoiced)" if record.is_status(INVOICED) else " until it is Delivered"))
            return {"paused": record.status, "consignment": wms_ref.entity_id}
        if link.memo.get("syncPausedAt"):
            links.remember(link.ref, "syncPausedAt", "")  # Delivered again: say it again if it leaves
        settings = settings_of(ctx.integration)
        if not settings.fulfilment.update_consignments_while_delivered:
            return {"alreadyInWms": wms_ref.entity_id}
        wms = _wms(ctx)
        current = wms.get_consignment(wms_ref.entity_id)
        default = settings.order.default_commodity_type
        wanted = shipment_of_order(record, default_type=default)
        changed = shipment_of_consignment(current, default_type=default).changes(wanted)
        if not changed:
            return {"unchanged": wms_ref.entity_id}
        approved = approved_in_wms(link)
        if approved:  # the WMS refuses edits under an approved invoice: never overwrite it
            return self._diverged(ctx, link, record, changed, f"consignment {wms_ref.entity_id} is on approved WMS "
                                                              f"invoice {approved}")
        try:
            wms.update_consignment(updated_consignment(current, wanted, changed))
        except UpstreamRejected as exc:
            if exc.status in (409, 412):
                raise RetryableError(f"Consignment {wms_ref.entity_id} changed in the WMS while we updated it; "
                                     "updating again shortly", retry_after=5) from None
            return self._diverged(ctx, link, record, changed, str(exc))
        ctx.log("updated", f"Order {record.number} was edited while Delivered: consignment {wms_ref.entity_id} "
                           f"updated ({', '.join(changed)})")
        return {"updated": wms_ref.entity_id, "changed": changed}

    def _diverged(self, ctx: ImportContext[Order], link: SyncLink, record: Order, changed: list[str],
                  why: str) -> dict[str, Any]:
        """The WMS can't take the edit (its invoice is approved, or it refused): the WMS stays as it is, the
        divergence is said once per change."""
        digest = hashlib.sha256(json.dumps([record.updated_at, changed]).encode()).hexdigest()[:16]
        if core().links.remember_once(link.ref, "divergence", digest):
            ctx.log("diverged", f"Order {record.number} was edited in Rose Rocket ({', '.join(changed)}) but the WMS "
                                f"can't change its consignment: {why}; the WMS is not overwritten",
                    resolution="If the change matters, make it in CartonCloud by hand (an approved or paid invoice "
                               "must be reopened there first).")
        return {"diverged": changed}


def _made_from(wms: CartonCloudClient, order: Order, mapped: Consignment) -> Consignment | None:
    """A consignment already made from this order (a crash after the WMS answered, before our bind)."""
    reference = mapped.references.customer if mapped.references else None
    if not reference:
        return None
    condition = {"condition": {"type": "AndCondition",
                               "conditions": [text_equals("/references/customer", reference)]}}
    for found in wms.consignments_matching(condition):
        if (found.properties or {}).get("roseRocketOrderId") == order.id:
            return found
    return None


def _note_on_order(client: RoseRocketClient, order: Order, consignment_id: str) -> bool:
    """Set the order's ``externalId`` to its consignment (unless another system set one): a push then finds it."""
    if order.external_id:
        return False
    client.update(order.id, "order", {"externalId": consignment_id})
    return True


def _rose_rocket(ctx: ImportContext[Order]) -> RoseRocketClient:
    return client_for(ctx.integration)


def _wms(ctx: ImportContext[Order]) -> CartonCloudClient:
    return wms_client(core().tenants.get(ctx.integration.tenant_id))


def _utc(value: str | None) -> str:
    return utc_iso(parse_iso(value)) if value else utc_iso(utcnow())


IMPORTER = OrderImporter()


def handle_order_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """The ``rose_rocket.order.changed`` handler."""
    return IMPORTER.handle(item, attempt)
