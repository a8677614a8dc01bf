"""WMS outbound order (and its consignment) → Starshipit order, and Starshipit order → tracking. Pure functions.

:data:`MAPPING` is the one statement of what goes where; docs/starshipit.md prints it and
``tests/unit/test_starshipit_docs.py`` holds the two to each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..cartoncloud.models import Address, Consignment, OutboundOrder
from ..core.timeutil import utc_iso
from .errors import MappingRefused, StarshipitRejected
from .models import (
    DESTINATION_LIMITS,
    MAX_REFERENCE,
    MAX_SHIPPING_METHOD,
    MAX_SKU,
    NewDestination,
    NewItem,
    NewOrder,
    NewPackage,
    Order,
    StarshipitOrderCreation,
)
from .numbers import base_number

ADDRESS = "details.deliver.address"
#: (Starshipit field, WMS source, rule) — the order Starshipit gets, field by field.
MAPPING: tuple[tuple[str, str, str], ...] = (
    ("order_number", "references.customer", "the shop's order number people know (first 50 characters); taken in "
                                             "Starshipit by another order: -2, -3 … -9; none: numericId, else id"),
    ("order_date", "timestamps.created.time", "converted to UTC"),
    ("reference", "references.customer", "first 50 characters"),
    ("shipping_method", "details.deliver.method.requestedService", "first 100 characters"),
    ("carrier", "details.deliver.method.requestedService", "its service mapping's carrier, else the default carrier, "
                                                           "else left to Starshipit's rules"),
    ("carrier_service_code", "details.deliver.method.requestedService", "its mapping's service code, else the "
                                                                        "default"),
    ("currency", "items[].details.approximateUnitPrice.currency", "else details.invoiceValue.currency"),
    ("destination.name", f"{ADDRESS}.contactName", "else companyName (one is required)"),
    ("destination.company", f"{ADDRESS}.companyName", "when there is a contact name too"),
    ("destination.street", f"{ADDRESS}.address1", "required"),
    ("destination.building", f"{ADDRESS}.address2", ""),
    ("destination.suburb", f"{ADDRESS}.suburb", "else city"),
    ("destination.city", f"{ADDRESS}.city", ""),
    ("destination.state", f"{ADDRESS}.state.code", "else state.name"),
    ("destination.post_code", f"{ADDRESS}.postcode", "required for AU and NZ"),
    ("destination.country", f"{ADDRESS}.country.iso2Code", "else iso3Code, else name, else the defaultCountry "
                                                          "setting"),
    ("destination.phone", f"{ADDRESS}.phone", ""),
    ("destination.email", f"{ADDRESS}.email", ""),
    ("destination.delivery_instructions", "details.deliver.instructions", "first 100 characters, said in the log"),
    ("items[].sku", "items[].details.product.references.code", "first 50 characters"),
    ("items[].description", "items[].details.product.name", "else the product code"),
    ("items[].quantity", "items[].measures.quantity", "more than 0"),
    ("items[].weight", "items[].measures.weight", "divided by the quantity: kg per unit"),
    ("items[].value", "items[].details.approximateUnitPrice.amount", "per unit"),
    ("packages[].weight", "consignment items[].measures.weight", "one package per carton/pallet-like unit, else one "
                                                                 "package of the consignment's total weight"),
)
#: (WMS consignment field, Starshipit source, rule) — what comes back (:mod:`.consignments` writes it).
TRACKING_MAPPING: tuple[tuple[str, str, str], ...] = (
    ("references.tracking", "packages[].tracking_number", "every package's number, comma-separated after numbers "
                                                          "others wrote; ours that Starshipit no longer has are "
                                                          "taken out"),
    ("details.tracking.companyName", "carrier_name", "else carrier"),
    ("details.tracking.url", "packages[].tracking_url", "the first package's"),
)
#: Starshipit field → the WMS field it comes from (for naming the WMS field when Starshipit refuses one).
WMS_FIELD = {ssi: wms for ssi, wms, _ in MAPPING}
#: Units of measure that are packages of their own (each unit a parcel with a label).
PACKAGE_UNITS = frozenset({"CARTON", "CARTONS", "CTN", "BOX", "BOXES", "PALLET", "PALLETS", "PLT", "SATCHEL",
                           "SATCHELS", "BAG", "BAGS", "PARCEL", "PARCELS", "ENVELOPE", "ENVELOPES", "SKID", "SKIDS"})
#: No order becomes more parcels than this (a unit of measure read wrongly must not print hundreds of labels).
MAX_PACKAGES = 50
NEEDS_POSTCODE = frozenset({"AU", "NZ", "AUS", "NZL", "AUSTRALIA", "NEW ZEALAND"})
RESOLUTION = ("Correct the order in CartonCloud (the fields named above), then retry from the sync log; the order is "
              "read again from CartonCloud when it is retried.")


@dataclass(frozen=True)
class Mapped:
    order: NewOrder
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tracking:
    """What a Starshipit order tells the WMS: its tracking numbers (one per package), carrier and tracking URL."""

    numbers: tuple[str, ...]
    carrier: str | None = None
    url: str | None = None
    status: str | None = None


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _country(address: Address, default: str) -> str:
    country = address.country
    if country is not None:
        for value in (country.iso2_code, country.iso3_code, country.name):
            if _clean(value):
                return str(_clean(value))
    return default


def destination(order: OutboundOrder, default_country: str) -> tuple[NewDestination, list[dict[str, str]]]:
    deliver = order.details.deliver if order.details else None
    address = deliver.address if deliver and deliver.address else Address()
    problems: list[dict[str, str]] = []
    contact, company = _clean(address.contact_name), _clean(address.company_name)
    if not contact and not company:
        problems.append({"field": f"{ADDRESS}.contactName", "reason": "the delivery address has no contact name or "
                                                                      "company name (Starshipit needs a name)"})
    street = _clean(address.address1)
    if not street:
        problems.append({"field": f"{ADDRESS}.address1", "reason": "the delivery address has no street"})
    suburb = _clean(address.suburb) or _clean(address.city)
    if not suburb:
        problems.append({"field": f"{ADDRESS}.suburb", "reason": "the delivery address has no suburb or city"})
    country = _country(address, default_country)
    postcode = _clean(address.postcode)
    if not postcode and country.upper() in NEEDS_POSTCODE:
        problems.append({"field": f"{ADDRESS}.postcode", "reason": f"a delivery address in {country} needs a "
                                                                   "postcode"})
    state = address.state
    made = NewDestination(
        name=contact or company or "-", company=company if contact else None, street=street or "-",
        building=_clean(address.address2), suburb=suburb, city=_clean(address.city),
        state=(_clean(state.code) or _clean(state.name)) if state else None, post_code=postcode, country=country,
        phone=_clean(address.phone), email=_clean(address.email),
        delivery_instructions=_clean(deliver.instructions) if deliver else None)
    return made, problems


def within_limits(destination: NewDestination) -> tuple[NewDestination, list[str]]:
    """The destination cut to Starshipit's text limits (its create-order field table), each cut said: a long
    delivery instruction must not hold a parcel back, but the person reading the log must know what was cut."""
    changes: dict[str, str] = {}
    notes: list[str] = []
    for name, limit in DESTINATION_LIMITS.items():
        value = getattr(destination, name)
        if isinstance(value, str) and len(value) > limit:
            changes[name] = value[:limit]
            notes.append(f"destination {name.replace('_', ' ')} shortened to {limit} characters (Starshipit's "
                         f"limit): {value!r}")
    return (destination.model_copy(update=changes) if changes else destination), notes


def items(order: OutboundOrder) -> tuple[list[NewItem], str | None, list[dict[str, str]]]:
    made: list[NewItem] = []
    currencies: list[str] = []
    problems: list[dict[str, str]] = []
    if not order.items:
        problems.append({"field": "items", "reason": "the order has no lines"})
    for index, line in enumerate(order.items):
        product = line.details.product
        code = _clean(product.references.code) if product.references else None
        quantity = line.measures.quantity
        if quantity is None or quantity <= 0:
            problems.append({"field": f"items[{index}].measures.quantity", "reason": "must be more than 0"})
            continue
        weight = line.measures.weight
        price = line.details.approximate_unit_price
        if price is not None:
            currencies.append(price.currency)
        made.append(NewItem(sku=code[:MAX_SKU] if code else None,
                            description=_clean(product.name) or code or _clean(product.id),
                            quantity=quantity, weight=(weight / quantity) if weight else None,
                            value=price.amount if price is not None else None))
    invoice = order.details.invoice_value if order.details else None
    currency = currencies[0] if currencies else (invoice.currency if invoice is not None else None)
    return made, currency, problems


def packages(consignment: Consignment | None) -> list[NewPackage] | None:
    """The parcels a WMS consignment describes (see :data:`MAPPING`); None: let Starshipit use its defaults."""
    if consignment is None or not consignment.items:
        return None
    parcels: list[NewPackage] = []
    loose = Decimal(0)
    for item in consignment.items:
        unit = (item.details.unit_of_measure.type if item.details and item.details.unit_of_measure else "") or ""
        quantity, weight = item.measures.quantity, item.measures.weight
        if unit.upper() in PACKAGE_UNITS and quantity is not None and quantity == quantity.to_integral_value() \
                and 1 <= quantity <= MAX_PACKAGES:
            count = int(quantity)
            parcels.extend(NewPackage(weight=(weight / count) if weight else None) for _ in range(count))
        elif weight:
            loose += weight
    if loose:
        parcels.append(NewPackage(weight=loose))
    if len(parcels) > MAX_PACKAGES:
        total = sum((p.weight or Decimal(0) for p in parcels), Decimal(0))
        parcels = [NewPackage(weight=total or None)]
    return parcels or None


def map_order(order: OutboundOrder, settings: StarshipitOrderCreation, consignment: Consignment | None = None, *,
              order_number: str | None = None) -> Mapped:
    """The Starshipit order for a WMS outbound order, numbered ``order_number`` (default: its own number,
    :func:`.numbers.base_number`); :class:`MappingRefused` naming every WMS field at fault."""
    assert order.id, "only orders read from the WMS are mapped"
    made_destination, problems = destination(order, settings.default_country)
    made_items, currency, item_problems = items(order)
    problems += item_problems
    if problems:
        raise MappingRefused(problems, resolution=RESOLUTION)
    made_destination, notes = within_limits(made_destination)
    long_skus = sorted({i.details.product.references.code or "" for i in order.items
                        if i.details.product.references and len(i.details.product.references.code or "") > MAX_SKU})
    notes += [f"SKU {code!r} shortened to {MAX_SKU} characters (Starshipit's limit)" for code in long_skus]
    if order_number is None:
        order_number, numbering = base_number(order)
        notes += numbering
    reference = _clean(order.references.customer)
    if reference and len(reference) > MAX_REFERENCE:
        notes.append(f"reference shortened to {MAX_REFERENCE} characters (Starshipit's limit)")
        reference = reference[:MAX_REFERENCE]
    method = order.details.deliver.method if order.details and order.details.deliver else None
    requested = _clean(method.requested_service) if method else None
    carrier, service = settings.carrier_for(requested)
    created = order.timestamps.created.time if order.timestamps and order.timestamps.created else None
    return Mapped(NewOrder(
        order_number=order_number, order_date=utc_iso(created) if created else None, reference=reference,
        shipping_method=requested[:MAX_SHIPPING_METHOD] if requested else None, carrier=carrier,
        carrier_service_code=service, currency=currency,
        destination=made_destination, items=made_items, packages=packages(consignment)), notes)


def describe(order: NewOrder) -> str:
    lines = ", ".join(f"{item.sku or item.description} ×{item.quantity.normalize():f}" for item in order.items)
    place = ", ".join(p for p in (order.destination.suburb, order.destination.post_code, order.destination.country)
                      if p)
    return f"to {order.destination.name}, {place}; {lines}"


def tracking_of(order: Order) -> Tracking:
    return Tracking(numbers=tuple(order.tracking_numbers), carrier=_clean(order.carrier_name) or _clean(order.carrier),
                    url=order.tracking_url, status=_clean(order.status))


def refused_fields(exc: StarshipitRejected) -> list[dict[str, str]]:
    """The fields Starshipit's refusal names, as the WMS fields they come from (best effort: Starshipit's messages
    are free text; its own words always go to the sync log beside them)."""
    text = re.sub(r"[^a-z0-9]", "", exc.text.lower())
    named: list[dict[str, str]] = []
    # Longest Starshipit names first, so "carrier_service_code" wins over "carrier" and "post_code" over "code".
    for ssi in sorted(WMS_FIELD, key=lambda name: -len(name.rsplit(".", 1)[-1])):
        leaf = re.sub(r"[^a-z0-9]", "", ssi.rsplit(".", 1)[-1].removesuffix("[]"))
        if leaf and leaf in text and all(leaf not in re.sub(r"[^a-z0-9]", "", n["starshipit"]) for n in named):
            named.append({"starshipit": ssi, "field": WMS_FIELD[ssi]})
    return named


def as_snapshot(order: NewOrder) -> dict[str, Any]:
    """What the Starshipit order was made from, kept on the link."""
    return {"orderNumber": order.order_number, "reference": order.reference, "carrier": order.carrier,
            "destination": order.destination.model_dump(exclude_none=True),
            "lines": [{"sku": i.sku, "quantity": str(i.quantity)} for i in order.items]}
