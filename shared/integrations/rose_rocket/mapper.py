"""WMS consignment ↔ Rose Rocket order, both ways, through one neutral shape (pure: no I/O).

Both sides are read into a :class:`Shipment` — reference, service type, pickup and delivery places, delivery
instructions, commodity lines in kg and cm — so "what changed" is one comparison whichever side changed, and a
record written one way reads back equal the other way (a push followed by a poll writes nothing). The field table
is in docs/rose-rocket.md ("Mapping").

- WMS → Rose Rocket: an order upserted by ``externalId`` = the consignment id; a pickup task (its stop at the
  collect address, the commodities) and a delivery task (its stop at the deliver address, the delivery instructions);
  ``refNum`` = the customer's reference; the service type connected by id.
- The reference: the consignment's ``references.customer`` ↔ the order's ``refNum``; a consignment made from an order
  without one takes the order's number (``O-19``).
- Rose Rocket → WMS: a consignment (status DELIVERED, ``details.type`` DELIVERY) whose items carry ``measures``
  (quantity, weight kg, pallets, cubic m³) and, as custom item properties, the commodity type and dimensions (cm);
  ``properties.roseRocketOrderId``/``roseRocketOrderNumber`` say where it came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..cartoncloud.models import (
    Address as WmsAddress,
)
from ..cartoncloud.models import (
    Collect,
    Consignment,
    ConsignmentDetails,
    ConsignmentItem,
    Country,
    Deliver,
    EntityRef,
    Measures,
    QuoteRequest,
    References,
    State,
)
from .errors import MappingRefused
from .models import Address, Commodity, Order

KG_PER = {"kgs": Decimal(1), "lbs": Decimal("0.45359237"), "metric tonnes": Decimal(1000),
          "tons": Decimal("907.18474")}
CM_PER = {"cm": Decimal(1), "in": Decimal("2.54"), "ft": Decimal("30.48")}
#: Other spellings of the units (v1 wrote ``lb`` and ``inch``; a person may type ``kg``): read as the platform
#: model's own. A unit in neither table is refused rather than guessed (a weight read in the wrong unit misprices).
UNIT_SPELLINGS = {"kg": "kgs", "kilogram": "kgs", "kilograms": "kgs", "lb": "lbs", "pound": "lbs", "pounds": "lbs",
                  "t": "metric tonnes", "tonne": "metric tonnes", "tonnes": "metric tonnes", "ton": "tons",
                  "inch": "in", "inches": "in", "centimetre": "cm", "centimeter": "cm", "centimetres": "cm",
                  "centimeters": "cm", "foot": "ft", "feet": "ft"}
COMMODITY_TYPES = ("bundle", "carton", "skid", "package", "container", "crate", "pallet", "other")
#: Commodity types that take a pallet space, so a per-pallet rate card prices them (docs/rose-rocket.md "Skids are
#: pallets"): a skid is a pallet without a bottom deck, and the captured real order ships 8 skids of a truckload.
PALLET_TYPES = ("pallet", "skid")
FROM_ROSE_ROCKET = ("roseRocketOrderId", "roseRocketOrderNumber")


def _dec(value: Any, places: str) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP).normalize()


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _dimension(value: Any) -> Decimal | None:
    """A length, width or height, or None when it is missing or not positive: Rose Rocket writes 0 for "not
    measured" (full truckloads, the captured real order), which is no dimension at all, never a 0 cm box."""
    found = _dec(value, "0.1")
    return found if found is not None and found > 0 else None


@dataclass(frozen=True)
class Place:
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    locality: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())

    def describe(self) -> str:
        return ", ".join(v for v in (self.company, self.address1, self.locality, self.postcode) if v) or "no address"


@dataclass(frozen=True)
class Line:
    description: str | None
    quantity: Decimal | None
    weight_kg: Decimal | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    commodity_type: str

    @property
    def cubic_m3(self) -> Decimal | None:
        """The line's volume, or None without all three dimensions (the WMS then gets no volume: weight, quantity
        and pallets still describe it, and a rate card prices by those)."""
        quantity, length, width, height = self.quantity, self.length_cm, self.width_cm, self.height_cm
        if quantity is None or length is None or width is None or height is None:
            return None
        return _dec(quantity * length * width * height / Decimal(1_000_000), "0.001")

    @property
    def pallets(self) -> Decimal | None:
        """Pallet spaces the line takes: its quantity, for pallets and skids (:data:`PALLET_TYPES`)."""
        return self.quantity if self.commodity_type in PALLET_TYPES else None

    @property
    def measured(self) -> bool:
        return self.cubic_m3 is not None


@dataclass(frozen=True)
class Shipment:
    reference: str | None
    service_type: str | None
    pickup: Place
    delivery: Place
    delivery_instructions: str | None
    lines: tuple[Line, ...] = field(default_factory=tuple)

    def changes(self, other: Shipment) -> list[str]:
        """The parts of ``other`` (the new state) that differ from this one. A value absent on the new side (a
        reference or service type cleared) is not a change: only what is there is written across."""
        changed = []
        if other.reference and other.reference != self.reference:
            changed.append("reference")
        if other.service_type and other.service_type != self.service_type:
            changed.append("serviceType")
        for name in ("pickup", "delivery", "delivery_instructions", "lines"):
            if getattr(other, name) != getattr(self, name):
                changed.append({"delivery_instructions": "deliveryInstructions", "lines": "commodities"}.get(name,
                                                                                                            name))
        return changed

    def snapshot(self) -> dict[str, Any]:
        """JSON for the sync link (what the counterpart was made from)."""
        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items() if v is not None}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        return plain(asdict(self))  # type: ignore[no-any-return]


# --- reading each side --------------------------------------------------------------------------------------------


def place_of_wms(address: WmsAddress | None) -> Place:
    if address is None:
        return Place()
    state = address.state.code or address.state.name if address.state else None
    country = address.country.iso2_code or address.country.iso3_code or address.country.name if address.country \
        else None
    return Place(_text(address.company_name or address.contact_name), _text(address.address1),
                 _text(address.address2), _text(address.city or address.suburb), _text(state),
                 _text(address.postcode), _text(country))


def place_of_rose_rocket(address: Address | None) -> Place:
    if address is None:
        return Place()
    return Place(_text(address.company_name), _text(address.address1), _text(address.address2), _text(address.city),
                 _text(address.state_code or address.state), _text(address.postal_code),
                 _text(address.country_code or address.country))


def line_of_wms(item: ConsignmentItem, default_type: str) -> Line:
    properties = item.properties or {}
    product = item.details.product if item.details else None
    description = properties.get("description") or (product.name if product else None) or (
        product.references.code if product and product.references else None)
    kind = properties.get("commodityType")
    if kind not in COMMODITY_TYPES:
        kind = "pallet" if item.measures.pallets else default_type
    return Line(_text(description), _dec(item.measures.quantity, "0.001"), _dec(item.measures.weight, "0.001"),
                _dimension(properties.get("length")), _dimension(properties.get("width")),
                _dimension(properties.get("height")), str(kind))


def unit(given: str | None, table: dict[str, Decimal], default: str, *, field: str, number: str) -> Decimal:
    """The factor of a commodity's unit (``None`` or empty: ``default``); an unknown unit is refused naming the
    field, never read as kg or cm."""
    name = (given or "").strip().casefold() or default
    name = UNIT_SPELLINGS.get(name, name)
    if name not in table:
        raise MappingRefused(f"{number} has a unit Rose Rocket wrote as {given!r}, which we can't convert",
                             field=field, resolution=f"Set the commodity's unit to one of {', '.join(table)} in "
                                                     "Rose Rocket, then retry from the sync log.")
    return table[name]


def line_of_rose_rocket(commodity: Commodity, default_type: str, *, at: str = "commodities[0]",
                        number: str = "The order") -> Line:
    kg = unit(commodity.weight_unit, KG_PER, "kgs", field=f"{at}.weightUnit", number=number)
    cm = unit(commodity.dimension_unit, CM_PER, "cm", field=f"{at}.dimensionUnit", number=number)

    def scaled(value: Decimal | None, factor: Decimal, places: str) -> Decimal | None:
        return _dec(value * factor, places) if value is not None else None

    kind = str(commodity.commodity_type or "").casefold()
    kind = kind if kind in COMMODITY_TYPES else default_type
    return Line(_text(commodity.description), _dec(commodity.quantity, "0.001"), scaled(commodity.weight, kg, "0.001"),
                _dimension(scaled(commodity.length, cm, "0.1")), _dimension(scaled(commodity.width, cm, "0.1")),
                _dimension(scaled(commodity.height, cm, "0.1")), str(kind))


def shipment_of_consignment(consignment: Consignment, *, default_type: str,
                            default_service_type: str | None = None) -> Shipment:
    details = consignment.details or ConsignmentDetails()
    properties = consignment.properties or {}
    pickup = place_of_wms(details.collect.address if details.collect else None)
    if pickup.empty and consignment.warehouse and consignment.warehouse.name:
        pickup = Place(company=consignment.warehouse.name)  # collected from the 3PL's own warehouse
    return Shipment(
        reference=_text(consignment.references.customer if consignment.references else None),
        service_type=_text(properties.get("serviceType")) or default_service_type,
        pickup=pickup,
        delivery=place_of_wms(details.deliver.address if details.deliver else None),
        delivery_instructions=_text(details.deliver.instructions if details.deliver else None),
        lines=tuple(line_of_wms(item, default_type) for item in consignment.items))


def shipment_of_order(order: Order, *, default_type: str) -> Shipment:
    pickup, delivery = order.task("pickup"), order.task("delivery")
    pickup_stop = pickup.stops[0] if pickup and pickup.stops else None
    delivery_stop = delivery.stops[0] if delivery and delivery.stops else None
    return Shipment(
        reference=_text(order.ref_num),
        service_type=_text(order.service_type.name if order.service_type else None),
        pickup=place_of_rose_rocket(pickup_stop.address if pickup_stop else None),
        delivery=place_of_rose_rocket(delivery_stop.address if delivery_stop else None),
        delivery_instructions=_text(delivery_stop.special_instructions if delivery_stop else None),
        lines=tuple(line_of_rose_rocket(c, default_type, at=f"commodities[{i}]", number=f"Order {order.number}")
                    for i, c in enumerate(order.commodities)))


# --- writing Rose Rocket -------------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def address_values(place: Place, existing: Address | None = None) -> dict[str, Any]:
    values = {"companyName": place.company, "address1": place.address1, "address2": place.address2,
              "city": place.locality, "stateCode": place.state, "postalCode": place.postcode,
              "countryCode": place.country}
    return {**({"id": existing.id} if existing and existing.id else {}), **values}


def commodity_values(line: Line, existing: Commodity | None = None) -> dict[str, Any]:
    values = {"commodityType": line.commodity_type, "description": line.description,
              "quantity": _number(line.quantity), "weight": _number(line.weight_kg), "weightUnit": "kgs",
              "length": _number(line.length_cm), "width": _number(line.width_cm), "height": _number(line.height_cm),
              "dimensionUnit": "cm"}
    return {**({"id": existing.id} if existing and existing.id else {}), **values}


def order_values(shipment: Shipment, *, consignment_id: str, customer_id: str, service_type_id: str | None,
                 existing: Order | None = None) -> dict[str, Any]:
    """The order's ``json`` for an upsert (new) or a PUT (``existing``: its tasks, stops, addresses and commodities
    are updated in place by id, and tasks of other kinds a dispatcher added are kept)."""
    pickup = existing.task("pickup") if existing else None
    delivery = existing.task("delivery") if existing else None
    old_lines = existing.commodities if existing else []
    pickup_stop = pickup.stops[0] if pickup and pickup.stops else None
    delivery_stop = delivery.stops[0] if delivery and delivery.stops else None
    tasks: list[dict[str, Any]] = [
        {**({"id": pickup.id} if pickup and pickup.id else {}), "taskType": "pickup",
         "stops": [{**({"id": pickup_stop.id} if pickup_stop and pickup_stop.id else {}),
                    "address": address_values(shipment.pickup, pickup_stop.address if pickup_stop else None)}],
         "commodities": [commodity_values(line, old_lines[i] if i < len(old_lines) else None)
                         for i, line in enumerate(shipment.lines)]},
        {**({"id": delivery.id} if delivery and delivery.id else {}), "taskType": "delivery",
         "stops": [{**({"id": delivery_stop.id} if delivery_stop and delivery_stop.id else {}),
                    "specialInstructions": shipment.delivery_instructions,
                    "address": address_values(shipment.delivery, delivery_stop.address if delivery_stop else None)}],
         "commodities": []},
    ]
    kept = [{"id": task.id} for task in (existing.tasks if existing else [])
            if task.id and task.task_type not in ("pickup", "delivery")]
    values: dict[str, Any] = {"externalId": consignment_id, "customer": {"id": customer_id},
                              "tasks": [*tasks, *kept]}
    if shipment.reference:
        values["refNum"] = shipment.reference
    if service_type_id:
        values["serviceType"] = {"id": service_type_id}
    if existing is not None:
        values.pop("externalId")  # the record is known by id; its externalId (ours or a dispatcher's) stays
    return values


# --- writing the WMS -----------------------------------------------------------------------------------------------


def wms_address(place: Place, existing: WmsAddress | None = None) -> WmsAddress:
    """``place`` as a WMS address, keeping what Rose Rocket has no field for (contact, phone, email)."""
    country = Country(iso2_code=place.country) if place.country and len(place.country) == 2 else (
        Country(name=place.country) if place.country else None)
    return WmsAddress(
        company_name=place.company, contact_name=existing.contact_name if existing else None,
        address1=place.address1, address2=place.address2, suburb=place.locality, city=place.locality,
        state=State(code=place.state) if place.state else None, postcode=place.postcode, country=country,
        phone=existing.phone if existing else None, email=existing.email if existing else None)


def wms_item(line: Line, existing: ConsignmentItem | None = None) -> ConsignmentItem:
    properties = {**((existing.properties or {}) if existing else {}), "description": line.description,
                  "commodityType": line.commodity_type, "length": _number(line.length_cm),
                  "width": _number(line.width_cm), "height": _number(line.height_cm)}
    measures = Measures(quantity=line.quantity, weight=line.weight_kg, cubic=line.cubic_m3, pallets=line.pallets)
    return ConsignmentItem(details=existing.details if existing else None, measures=measures,
                           properties={k: v for k, v in properties.items() if v is not None})


def new_consignment(shipment: Shipment, order: Order, *, customer_id: str, warehouse_id: str | None) -> Consignment:
    if not shipment.delivery.company:
        raise MappingRefused(f"Order {order.number} has no company name at its delivery stop",
                             field="tasks[delivery].stops[0].address.companyName",
                             resolution="Enter the consignee's company name on the order's delivery stop in Rose "
                                        "Rocket (the WMS needs one), then retry from the sync log.")
    if not shipment.lines:
        raise MappingRefused(f"Order {order.number} has no commodities", field="tasks[pickup].commodities",
                             resolution="Add the freight (commodities) to the order in Rose Rocket, then retry.")
    properties = {"roseRocketOrderId": order.id, "roseRocketOrderNumber": order.number,
                  **({"serviceType": shipment.service_type} if shipment.service_type else {})}
    return Consignment(
        status="DELIVERED", references=References(customer=shipment.reference or order.number),
        customer=EntityRef(id=customer_id),
        warehouse=EntityRef(id=warehouse_id) if warehouse_id else None,
        details=ConsignmentDetails(
            type="DELIVERY", collect=Collect(address=wms_address(shipment.pickup)) if not shipment.pickup.empty
            else None,
            deliver=Deliver(address=wms_address(shipment.delivery), instructions=shipment.delivery_instructions)),
        properties=properties, items=[wms_item(line) for line in shipment.lines])


def quote_request(shipment: Shipment, order: Order, *, customer_id: str, task_date: date) -> QuoteRequest:
    """The order as the would-be consignment the WMS's rating engine prices (``POST /consignments/quote``): the
    matched customer, both places, the service type and the commodities' measures."""
    return QuoteRequest(
        references=References(customer=shipment.reference or order.number), customer=EntityRef(id=customer_id),
        details=ConsignmentDetails(
            collect=Collect(address=wms_address(shipment.pickup)),
            deliver=Deliver(address=wms_address(shipment.delivery), instructions=shipment.delivery_instructions)),
        properties={"serviceType": shipment.service_type} if shipment.service_type else None,
        items=[wms_item(line) for line in shipment.lines], task_date=task_date)


def updated_consignment(current: Consignment, shipment: Shipment, changed: list[str]) -> Consignment:
    """``current`` with the ``changed`` parts of ``shipment`` applied (everything else as the WMS has it)."""
    details = (current.details or ConsignmentDetails()).model_copy(deep=True)
    properties = dict(current.properties or {})
    references = (current.references or References()).model_copy()
    items = list(current.items)
    if "reference" in changed:
        references.customer = shipment.reference
    if "serviceType" in changed:
        properties["serviceType"] = shipment.service_type
    if "pickup" in changed:
        details.collect = Collect(address=wms_address(shipment.pickup, details.collect.address if details.collect
                                                      else None))
    if "delivery" in changed or "deliveryInstructions" in changed:
        deliver = details.deliver or Deliver()
        details.deliver = deliver.model_copy(update={
            "address": wms_address(shipment.delivery, deliver.address),
            "instructions": shipment.delivery_instructions})
    if "commodities" in changed:
        items = [wms_item(line, current.items[i] if i < len(current.items) else None)
                 for i, line in enumerate(shipment.lines)]
    return current.model_copy(update={"details": details, "properties": properties, "references": references,
                                      "items": items})
