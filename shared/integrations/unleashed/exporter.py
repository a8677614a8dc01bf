"""WMS dispatch → the Unleashed Sales Shipment it was made from, by GET-modify-PUT of the whole shipment.

The router puts an ``unleashed.wms-event`` item on UnleashedQueue for every live Unleashed integration of the WMS
order's customer (subscribed: OUTBOUND_ORDER DISPATCHED, TRACKING_CHANGED, REJECTED). The frame finds the shipment
through the WMS order's pointer; this writes (docs/unleashed.md "Fulfilment back"):

- **DISPATCHED**: the shipment gets status Dispatched, the dispatch date (the organisation's calendar day of the
  WMS change), the number of packages, every tracking number and the carrier (``ShippingCompany``)
  (:mod:`.fulfilment` decides the body). A shipment PUT is the whole object (a field left out may be blanked:
  assumption ``whole-object-put``), so the shipment is read first — with ``serialBatch=true``, as lines carry their
  batch and serial numbers only when asked (assumption ``serial-batch``) — and sent back whole, those included;
- **Order Management off**: the shipment has no status and none can be set; the dispatch date, packages and
  tracking are still written, and the log says so (not an error). Should Unleashed refuse the status anyway (Order
  Management switched off after the shipment was made), the PUT is repeated without it;
- **TRACKING_CHANGED after dispatch**: the tracking number (all of them) is updated;
- a carrier Unleashed doesn't know as a shipping company: the PUT is repeated without it, and the log says how to add
  it; **REJECTED**: the shipment's record needs attention (fix it in CartonCloud).

Everything is compared with what Unleashed shows before writing, so the same event twice writes once; the
"Mark shipments dispatched" setting off writes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from ..cartoncloud.outbound_import import WmsOrderRejected
from ..core.events import WmsEvent
from ..core.exporter import ExportContext, Exporter
from ..core.records import SyncLink
from ..core.timeutil import parse_iso
from . import PLATFORM
from .client import UnleashedClient
from .clients import calls
from .dates import organisation_day
from .errors import ORDER_MANAGEMENT_OFF, UNKNOWN_SHIPPING_COMPANY, ShipmentRefused
from .fulfilment import DispatchFacts, ShipmentChange, packages_of, plan
from .models import SHIPMENT_DELETED
from .settings import settings_of

DISPATCHED = "DISPATCHED"


class ShipmentExporter(Exporter):
    platform: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Unleashed"

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        event = ctx.event
        changes = set(event.changes)
        heading = f"WMS {', '.join(event.changes) or 'change'}"
        reference = str(link.memo.get("customerReference") or link.record_id)
        if "REJECTED" in changes:
            if link.memo.get("wmsStatus") == "REJECTED":
                return f"{heading}: the WMS made the order REJECTED when it was created (see above)"
            raise WmsOrderRejected(f"CartonCloud outbound order {event.entity_id} was REJECTED",
                                   resolution="See why in CartonCloud, fix it there and resubmit the order; the "
                                              "Unleashed shipment is updated when it is dispatched.")
        if not settings_of(ctx.integration).fulfilment.complete_shipments:
            return f"{heading}: nothing written back (marking shipments dispatched is off)"
        dispatch = DISPATCHED in changes
        if not dispatch and not ("TRACKING_CHANGED" in changes and event.status == DISPATCHED):
            return f"{heading}: nothing to write back (Unleashed is told of the dispatch and of tracking after it)"
        facts = dispatch_facts(event, zone=ctx.integration.platform_state.get("timeZone"), dispatch=dispatch)
        with calls(ctx.integration) as client:
            shipment = client.get_shipment(link.record_id, serial_batch=True)
            if shipment.get("ShipmentStatus") == SHIPMENT_DELETED:
                return f"{heading}: shipment {reference} is deleted in Unleashed; nothing written"
            change = plan(shipment, facts)
            if change.body is None:
                return f"{heading}: Unleashed already shows shipment {reference} as the WMS has it; nothing written"
            written, notes = _write(client, link.record_id, shipment, facts, change)
        what = ", ".join(written.changed) or "nothing left to change"
        if dispatch and shipment.get("ShipmentStatus") is None:
            notes.insert(0, "Order Management is off in Unleashed, so the shipment has no status to set to "
                            "Dispatched (Unleashed's rule); its dispatch details were updated")
        return f"{heading}: shipment {reference} updated in Unleashed ({what})" + \
            (f"; note: {'; '.join(notes)}" if notes else "")


def dispatch_facts(event: WmsEvent, *, zone: str | None, dispatch: bool) -> DispatchFacts:
    numbers = sorted({tracking.number for tracking in event.tracking})
    carrier = next((tracking.carrier for tracking in sorted(event.tracking, key=lambda t: t.number)
                    if tracking.carrier), None)
    day = organisation_day(parse_iso(event.modified_at), zone) if dispatch else None
    return DispatchFacts(numbers=numbers, carrier=carrier, dispatched_on=day, packages=packages_of(numbers))


def _write(client: UnleashedClient, guid: str, shipment: dict[str, Any], facts: DispatchFacts,
           change: ShipmentChange) -> tuple[ShipmentChange, list[str]]:
    """PUT the change; on Unleashed's known refusals, again without what it refused (at most once each)."""
    notes = list(change.notes)
    set_status, carrier = True, facts.carrier
    current = change
    while current.body is not None:
        try:
            client.put_shipment(guid, current.body)
            return current, notes
        except ShipmentRefused as exc:
            reason = str(exc).casefold()
            if ORDER_MANAGEMENT_OFF in reason and set_status \
                    and current.body.get("ShipmentStatus") != shipment.get("ShipmentStatus"):
                set_status = False
                notes.append("Unleashed refused the Dispatched status (Order Management is off), so the dispatch "
                             "date, packages and tracking were written without it")
            elif UNKNOWN_SHIPPING_COMPANY in reason and carrier and "ShippingCompany" in current.body \
                    and current.body.get("ShippingCompany") != shipment.get("ShippingCompany"):
                carrier = None
                notes.append(f"Unleashed has no shipping company {facts.carrier!r}, so the shipment was written "
                             "without a carrier; add it in Unleashed (Settings → Shipping Companies) to have it "
                             "shown next time")
            else:
                raise
        current = plan(shipment, replace(facts, carrier=carrier), set_status=set_status)
    return current, notes


EXPORTER = ShipmentExporter()
