"""Tracking on the WMS side: the consignment of a WMS outbound order (CartonCloud keeps tracking there, not on the
order: ``references.tracking``, ``details.tracking.{companyName, url}``; docs/wms-client.md).

- The consignment is the one generated from the order (search ``/generatedFromTask/id``), or the one we created
  for it earlier (its id is kept on the link).
- Several packages → several numbers, all kept: ``references.tracking`` holds them comma-separated, the staff's
  own numbers first. Numbers we wrote before that Starshipit no longer has (a label cancelled and re-printed) are
  taken out; numbers someone else wrote are never touched.
- Compare before writing: the same tracking seen twice writes nothing. A write is a PUT with ``If-Match`` on the
  version read; a 409/412 (changed meanwhile) is retried after a fresh read.
- An order without a consignment gets one (when the integration allows it): ``POST /consignments`` generated from
  the order, holding its address, lines and the tracking. Two workers creating at once converge: after creating,
  each lists the order's consignments and keeps the oldest (lowest ``numericId``); the newer one is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..cartoncloud.client import CartonCloudClient
from ..cartoncloud.models import (
    Consignment,
    ConsignmentDetails,
    ConsignmentItem,
    Deliver,
    EntityRef,
    Measures,
    OutboundOrder,
    OutboundOrderItemDetails,
    References,
)
from ..cartoncloud.models import Tracking as WmsTracking
from ..core.errors import RetryableError, UpstreamNotFound, UpstreamRejected
from .mapper import Tracking

CANCELLED = "CANCELLED"
SEPARATOR = ", "


class ConsignmentChanged(RetryableError):
    """Someone changed the consignment between our read and our write (409/412): read again and retry."""

    resolution = "No action needed: the tracking is written again after a fresh read."


@dataclass(frozen=True)
class Written:
    consignment_id: str
    numbers: tuple[str, ...]
    changed: bool
    created: bool = False

    def describe(self, tracking: Tracking) -> str:
        what = SEPARATOR.join(self.numbers) + (f" ({tracking.carrier})" if tracking.carrier else "")
        if self.created:
            return f"tracking {what} written to consignment {self.consignment_id}, created for it in the WMS"
        if self.changed:
            return f"tracking {what} written to consignment {self.consignment_id}"
        return f"tracking {what} already on consignment {self.consignment_id}; nothing written"


def numbers_of(reference: str | None) -> list[str]:
    return [part.strip() for part in (reference or "").split(",") if part.strip()]


def merged(existing: Sequence[str], ours_before: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The consignment's numbers after our write: theirs kept (first), ours replaced by what Starshipit has now."""
    kept = [n for n in existing if n not in ours_before and n not in wanted]
    return kept + list(dict.fromkeys(wanted))


def live(consignments: Sequence[Consignment]) -> list[Consignment]:
    return [c for c in consignments if str(c.status or "") != CANCELLED]


def _age(consignment: Consignment) -> tuple[int, str]:
    numeric = consignment.references.numeric_id if consignment.references else None
    text = str(numeric or "")
    return (int(text) if text.isdigit() else 2**62, consignment.id or "")


class ConsignmentTracking:
    def __init__(self, wms: CartonCloudClient, *, create_missing: bool) -> None:
        self.wms = wms
        self.create_missing = create_missing

    def find(self, order_id: str, known_id: str | None) -> Consignment | None:
        """The order's consignment: generated from it, else the one we created before (kept on the link)."""
        generated = live(self.wms.consignments_from_order(order_id))
        if generated:
            return min(generated, key=_age)
        if known_id:
            try:
                known = self.wms.get_consignment(known_id)
            except UpstreamNotFound:
                return None
            return known if str(known.status or "") != CANCELLED else None
        return None

    def write(self, order_id: str, tracking: Tracking, *, ours_before: Sequence[str], known_id: str | None,
              order: OutboundOrder | None = None) -> Written | None:
        """Write ``tracking`` to the order's consignment; None when it has none and creating one is off."""
        consignment = self.find(order_id, known_id)
        if consignment is None:
            if not self.create_missing:
                return None
            order = order or self.wms.get_outbound_order(order_id)
            return self._create(order, tracking)
        return self._update(consignment, tracking, ours_before)

    def _update(self, consignment: Consignment, tracking: Tracking, ours_before: Sequence[str]) -> Written:
        assert consignment.id
        references = consignment.references or References()
        current = numbers_of(references.tracking)
        numbers = merged(current, ours_before, tracking.numbers)
        details = consignment.details or ConsignmentDetails()
        was = details.tracking or WmsTracking()
        carrier = tracking.carrier or was.company_name
        url = tracking.url or was.url
        if numbers == current and carrier == was.company_name and url == was.url:
            return Written(consignment.id, tuple(numbers), changed=False)
        updated = consignment.model_copy(update={
            "references": references.model_copy(update={"tracking": SEPARATOR.join(numbers)}),
            "details": details.model_copy(update={"tracking": WmsTracking(company_name=carrier, url=url)})})
        try:
            self.wms.update_consignment(updated)
        except UpstreamRejected as exc:
            if exc.status in (409, 412):
                raise ConsignmentChanged(f"Consignment {consignment.id} changed while its tracking was written; "
                                         "reading it again", retry_after=5) from None
            raise
        return Written(consignment.id, tuple(numbers), changed=True)

    def _create(self, order: OutboundOrder, tracking: Tracking) -> Written:
        assert order.id
        deliver = order.details.deliver if order.details else None
        address = deliver.address if deliver else None
        made = self.wms.create_consignment(Consignment(
            status="WITH_ON_FORWARDER" if order.status == "DISPATCHED" else "AWAITING_PICKUP",
            references=References(customer=order.references.customer, tracking=SEPARATOR.join(tracking.numbers)),
            customer=EntityRef(id=order.customer.id),
            warehouse=EntityRef(id=order.warehouse.id) if order.warehouse and order.warehouse.id else None,
            details=ConsignmentDetails(type="DELIVERY",
                                       deliver=Deliver(address=address) if address else None,
                                       tracking=WmsTracking(company_name=tracking.carrier, url=tracking.url)),
            items=[ConsignmentItem(details=OutboundOrderItemDetails(product=EntityRef(
                id=line.details.product.id, references=References(code=line.details.product.references.code)
                if line.details.product.references and line.details.product.references.code else None)),
                measures=Measures(quantity=line.measures.quantity, weight=line.measures.weight))
                for line in order.items],
            generated_from_task=EntityRef(id=order.id)))
        assert made.id
        # Another worker may have created one at the same moment: everyone keeps the oldest, the others go.
        others = [c for c in live(self.wms.consignments_from_order(order.id)) if c.id != made.id]
        oldest = min([made, *others], key=_age)
        if oldest.id != made.id:
            self.wms.update_consignment(made.model_copy(update={"status": CANCELLED}))
            return self._update(oldest, tracking, ours_before=())
        return Written(made.id, tuple(tracking.numbers), changed=True, created=True)
