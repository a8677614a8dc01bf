"""What a WMS dispatch changes on an Unleashed Sales Shipment. Pure: the exporter GETs the shipment, this decides the
whole object to PUT back (or that Unleashed already shows it all), the exporter PUTs it.

- **Dispatch** (the WMS order DISPATCHED): ``ShipmentStatus`` → ``Dispatched`` (unless Order Management is off: then
  the shipment has no status and none is set), ``DispatchDate`` → the organisation's calendar day of the dispatch,
  ``NumberOfPackages``, ``TrackingNumber`` and ``ShippingCompany {Name}`` (the carrier as CartonCloud names it);
- **after dispatch** Unleashed lets only ``TrackingNumber`` and ``Comments`` change (platform-apis-followup.md Q3), so
  a tracking change then writes only those (with Order Management off nothing is locked, so packages follow too);
- **several tracking numbers** (several consignments) are all kept: ``TrackingNumber`` (at most 100 characters)
  holds them comma-separated; when they don't fit, it holds those that do and one line of the shipment's
  ``Comments``, ours (it starts with :data:`MARKER`), lists them all. Nothing else in the comments is touched.

Every field is compared with what Unleashed shows first, so the same event twice writes once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dates import calendar_day, day_to_wire
from .models import SHIPMENT_DISPATCHED

MAX_TRACKING = 100
MAX_COMMENTS = 500
MARKER = "CartonCloud tracking:"


@dataclass(frozen=True)
class DispatchFacts:
    """What the WMS says about the dispatch."""

    #: Every tracking number of the WMS order's consignments, in a stable order.
    numbers: list[str]
    carrier: str | None
    #: The organisation's calendar day of the dispatch; None when this event is not the dispatch itself.
    dispatched_on: date | None
    packages: int


@dataclass
class ShipmentChange:
    #: The whole shipment to PUT back; None when Unleashed already shows everything.
    body: dict[str, Any] | None
    #: What changes, in words, for the sync log.
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def packages_of(numbers: list[str]) -> int:
    """Packages sent: one per consignment tracking number (the WMS API has no package count on a sale order; an
    order dispatched without tracking counts as one package)."""
    return max(1, len(set(numbers)))


def plan(shipment: dict[str, Any], facts: DispatchFacts, *, set_status: bool = True) -> ShipmentChange:
    body = copy.deepcopy(shipment)
    changed: list[str] = []
    notes: list[str] = []
    status = shipment.get("ShipmentStatus")
    management_off = status is None
    locked = status == SHIPMENT_DISPATCHED  # Unleashed: only tracking and comments change after dispatch
    if facts.dispatched_on is not None and not locked:
        if set_status and not management_off:
            body["ShipmentStatus"] = SHIPMENT_DISPATCHED
            changed.append(f"status {status} → {SHIPMENT_DISPATCHED}")
        if calendar_day(shipment.get("DispatchDate")) != facts.dispatched_on:
            body["DispatchDate"] = day_to_wire(facts.dispatched_on)
            changed.append(f"dispatch date {facts.dispatched_on.isoformat()}")
        _carrier(body, facts.carrier, changed)
    if not locked and (facts.dispatched_on is not None or management_off) \
            and shipment.get("NumberOfPackages") != facts.packages:
        body["NumberOfPackages"] = facts.packages
        changed.append(f"packages {facts.packages}")
    if facts.numbers:
        _tracking(body, facts.numbers, changed, notes)
    return ShipmentChange(body=body if changed else None, changed=changed, notes=notes)


def _carrier(body: dict[str, Any], carrier: str | None, changed: list[str]) -> None:
    if not carrier:
        return
    company = body.get("ShippingCompany")
    current: dict[str, Any] = company if isinstance(company, dict) else {}
    if str(current.get("Name") or "").strip().casefold() != carrier.strip().casefold():
        body["ShippingCompany"] = {"Name": carrier.strip()}
        changed.append(f"shipping company {carrier.strip()}")


def _tracking(body: dict[str, Any], numbers: list[str], changed: list[str], notes: list[str]) -> None:
    fitting: list[str] = []
    for number in numbers:
        if len(", ".join([*fitting, number])) > MAX_TRACKING:
            break
        fitting.append(number)
    tracking = ", ".join(fitting)
    if (body.get("TrackingNumber") or "") != tracking:
        body["TrackingNumber"] = tracking
        changed.append(f"tracking {tracking}")
    comments = str(body.get("Comments") or "")
    lines = comments.splitlines()
    kept = [line for line in lines if not line.startswith(MARKER)]
    if len(kept) == len(lines) and len(fitting) == len(numbers):
        return  # no line of ours, none needed: the person's comments stay exactly as they are
    if len(fitting) < len(numbers):
        line = f"{MARKER} {', '.join(numbers)}"
        room = MAX_COMMENTS - len("\n".join(kept)) - (1 if kept else 0)
        if len(line) > room:
            line = line[: max(0, room - 1)] + "…"
            notes.append("not every tracking number fits in the shipment's comments; the sync log lists them all")
        kept.append(line)
        notes.append(f"{len(numbers)} tracking numbers are more than TrackingNumber holds (100 characters): all are "
                     "listed in the shipment's comments")
    wanted = "\n".join(kept)
    if wanted != "\n".join(lines):
        body["Comments"] = wanted or None
        changed.append("comments (tracking numbers)")
