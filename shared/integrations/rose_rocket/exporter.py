"""WMS consignments → Rose Rocket orders (R2): the frame's exporter with Rose Rocket's hooks.

The router puts a ``rose_rocket.wms-event`` item on RoseRocketQueue for every ``CONSIGNMENT.CREATED`` event of the
tenant (any customer: the integration is tenant-level). The frame finds the consignment's link; with none,
:meth:`ConsignmentExporter.creates` decides and the frame claims, calls :meth:`~ConsignmentExporter.create` and binds
the link to the order (one transaction), however many copies arrive at once.

- **creates**: the consignment is re-read (a signal is not the truth) and goes across when creating orders is on,
  its ``details.type`` is one the integration covers, it isn't cancelled, and it didn't come *from* a Rose Rocket
  order (our own consignments carry ``properties.roseRocketOrderId``). Its customer must be matched: otherwise
  :class:`~.errors.CustomerNotMatched` — the record needs attention, waits for the match and goes across when the
  match is imported (or on a retry from the sync log).
- **create**: :func:`~.orders.push` upserts the order by ``externalId`` = the consignment id (a service type Rose
  Rocket doesn't have yet is created on the fly).
- **update** (the consignment is linked): nothing is written automatically — the product sends WMS changes to Rose
  Rocket only when a person pushes them (Transport → Consignments → Send to Rose Rocket: our push action).

``INVOICE`` events (an invoice covers many consignments, so it has no link of its own) go to
:func:`~.invoices.apply_invoice`, which shows the invoice's status on every linked order.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from ..cartoncloud.clients import wms_client
from ..cartoncloud.models import Consignment
from ..core.context import core
from ..core.exporter import ExportContext, Exported, Exporter
from ..core.records import LinkStatus, Origin, SyncLink
from . import PLATFORM
from .mapper import FROM_ROSE_ROCKET
from .matches import Match
from .orders import customer_match, push
from .refs import CONSIGNMENT, order_ref
from .settings import settings_of

CANCELLED = "CANCELLED"
INVOICE = "INVOICE"
#: The consignment :meth:`creates` just read (and its customer's match), for :meth:`create` of the same item in the same
#: thread: one WMS read and one match lookup per export.
_fresh = threading.local()


class ConsignmentExporter(Exporter):
    platform: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Rose Rocket"

    def apply_outside_links(self, ctx: ExportContext) -> dict[str, Any] | None:
        """An invoice event concerns the orders its consignments made, found by :mod:`.invoices`."""
        if ctx.event.entity_type != INVOICE:
            return None
        from .invoices import apply_invoice

        return apply_invoice(ctx)

    def creates(self, ctx: ExportContext) -> bool:
        event = ctx.event
        settings = settings_of(ctx.integration).order
        if event.entity_type != CONSIGNMENT or "CREATED" not in event.changes:
            return False
        if not settings.create_orders_from_consignments:
            self._skip(ctx, "creating Rose Rocket orders from WMS consignments is off for this integration",
                       "Turn it on in the integration's order creation step, then push the consignment by hand.")
            return False
        consignment = wms_client(core().tenants.get(ctx.integration.tenant_id)).get_consignment(event.entity_id)
        origin = (consignment.properties or {}).get(FROM_ROSE_ROCKET[1])
        if origin:
            ctx.log(ctx.wms_ref.key, "from-rose-rocket", f"Consignment {consignment.id} was made from Rose Rocket "
                                                         f"order {origin}: no order is created for it")
            return False
        kind = consignment.details.type if consignment.details else None
        if kind not in settings.consignment_types or str(consignment.status or "") == CANCELLED:
            self._skip(ctx, f"consignment {consignment.id} is {kind or 'untyped'}"
                            f"{' and cancelled' if str(consignment.status or '') == CANCELLED else ''}, which this "
                            "integration doesn't send to Rose Rocket",
                       "Add the type in the integration's order creation step if it should go, then push it.")
            return False
        match = customer_match(ctx.integration, consignment, ctx.wms_ref.key)
        _fresh.consignment = (ctx.item.idempotency_key, consignment, match)
        return True

    def create(self, ctx: ExportContext) -> Exported:
        consignment, match = self._consignment(ctx)
        pushed = push(ctx.integration, consignment, match, order_id=None)
        how = "Created" if pushed.created else "Bound to the existing"
        return Exported(order_ref(ctx.integration.integration_id, pushed.order.id),
                        f"{how} Rose Rocket order {pushed.order.number} for consignment {consignment.id} (customer "
                        f"{match.rose_rocket_full_id or match.rose_rocket_id} = WMS "
                        f"{match.wms_name or match.wms_customer_id})"
                        + pushed.notes(),
                        already_existed=not pushed.created,
                        memo={"roseRocketOrderId": pushed.order.id, "roseRocketOrderNumber": pushed.order.number},
                        number=pushed.order.number)

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        return (f"{ctx.event.describe()} of consignment {ctx.event.entity_id}: its Rose Rocket order is updated only "
                "when someone sends it again (the push action)")

    def snapshot(self, ctx: ExportContext) -> dict[str, Any]:
        return {"status": ctx.event.status}

    def _consignment(self, ctx: ExportContext) -> tuple[Consignment, Match]:
        """What :meth:`creates` read and matched for this item (read again if another item ran in between)."""
        key, consignment, match = getattr(_fresh, "consignment", (None, None, None))
        _fresh.consignment = (None, None, None)
        if key == ctx.item.idempotency_key and consignment is not None and match is not None:
            return consignment, match
        fresh = wms_client(core().tenants.get(ctx.integration.tenant_id)).get_consignment(ctx.event.entity_id)
        return fresh, customer_match(ctx.integration, fresh, ctx.wms_ref.key)

    @staticmethod
    def _skip(ctx: ExportContext, reason: str, resolution: str) -> None:
        recorded = core().links.record(ctx.wms_ref, tenant_id=ctx.integration.tenant_id,
                                       integration_id=ctx.integration.integration_id, status=LinkStatus.SKIPPED,
                                       error=reason, resolution=resolution, origin=Origin.WMS)
        if recorded.previous_error != reason:
            ctx.log(recorded.key, "skipped", f"Not sent to Rose Rocket: {reason}", resolution=resolution)


EXPORTER = ConsignmentExporter()
