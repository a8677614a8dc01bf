"""An Unleashed Sales Shipment (with its Sales Order) → a CartonCloud outbound order. Pure: no I/O, no clock.

The rules (docs/unleashed.md "Mapping"):

- one WMS order per shipment; customer reference ``{order number} | {shipment number}`` (help page 001);
- customer from the integration; warehouse by the shipment's Unleashed warehouse code (mapping, else the default;
  neither → skipped, visibly);
- one WMS line per shipment line: ``Product.ProductCode`` → product code, ``ShipmentQty`` → quantity, the price the
  order line actually charges per unit (matched by ``SalesOrderLineNumber``: ``LineTotal`` ÷ ``OrderQuantity``, so a
  free or discounted line is not sent at list price) → approximate unit price in the order's currency; batch
  numbers are not mapped (product limitation, said in the log);
- a line of a **charge** (``LineType: "Charge"``: delivery, a fee) is not goods to pick: left out, said in the log
  (fee *products* are known only by asking Unleashed: the importer leaves those out);
- delivery name and address from the shipment, the order's when the shipment has no street address; the order's
  customer name as the company; ``DeliveryInstruction`` → delivery instructions; ``DeliveryMethod`` → requested
  service; ``RequiredDate`` → required date (its calendar day);
- *Include comments*: order and shipment ``Comments`` → packing instructions;
- a pickup order (delivery method "pickup"/"collect") is not created: skipped with its reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..cartoncloud.models import (
    Address,
    Country,
    Deliver,
    DeliveryMethod,
    EntityRef,
    Measures,
    Money,
    OutboundOrder,
    OutboundOrderDetails,
    OutboundOrderItem,
    OutboundOrderItemDetails,
    References,
    State,
)
from ..core.timeutil import utc_iso
from .errors import MappingRefused
from .fulfilment import MARKER
from .models import (
    PLACED,
    SHIPMENT_DELETED,
    SHIPMENT_DISPATCHED,
    SHIPMENT_PARKED,
    SalesOrder,
    SalesOrderLine,
    SalesShipment,
)
from .settings import UnleashedOrderCreation

PICKUP = re.compile(r"\b(pick[\s-]?up|collect(ion)?|click\s*(&|and)\s*collect)\b", re.IGNORECASE)
CODE_RESOLUTION = (
    "Give every product on this shipment a product code in Unleashed equal to its CartonCloud product code, then "
    "retry from the sync log."
)


@dataclass(frozen=True)
class Mapped:
    order: OutboundOrder
    #: Things left out or guessed, written to the sync log beside the creation.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    reason: str
    resolution: str


def wait_reason(shipment: SalesShipment, order: SalesOrder) -> str | None:
    """Why the shipment can't go to the WMS yet (it goes when a later change makes it ready)."""
    if order.OrderStatus != PLACED:
        return (f"Order {order.OrderNumber} is {order.OrderStatus or 'without a status'}: its shipments go to the WMS "
                f"while it is {PLACED}")
    if shipment.ShipmentStatus == SHIPMENT_PARKED:
        return f"Shipment {shipment.reference()} is {SHIPMENT_PARKED}: it goes to the WMS once it is placed"
    return None


def skip_reason(shipment: SalesShipment, order: SalesOrder, settings: UnleashedOrderCreation) -> Skipped | None:
    """Why the shipment never goes to the WMS, if it doesn't."""
    reference = shipment.reference()
    if shipment.ShipmentStatus in (SHIPMENT_DISPATCHED, SHIPMENT_DELETED):
        return Skipped(f"Shipment {reference} is already {shipment.ShipmentStatus} in Unleashed; it is not sent to "
                       "the warehouse", "Nothing to do, unless the warehouse should ship it: then create it in "
                       "CartonCloud by hand.")
    if order.DeliveryMethod and PICKUP.search(order.DeliveryMethod):
        return Skipped(f"Order {order.OrderNumber} is collected by the customer (delivery method "
                       f"{order.DeliveryMethod!r}); pickup orders are not sent to the warehouse",
                       "Nothing to do here: fulfil pickup orders in Unleashed. Pickup orders are not supported by "
                       "this integration (product limitation).")
    code = warehouse_code(shipment, order)
    if settings.warehouse_for(code) is None:
        return Skipped(f"Shipment {reference} ships from Unleashed warehouse {code or '(none)'}, which has no "
                       "warehouse mapping, and the integration has no default warehouse",
                       f"To send shipments from {code or 'that warehouse'}: add a warehouse mapping for it (or a "
                       "default warehouse) in the integration's order creation step, then run a backfill over the "
                       "order's date (or change the order in Unleashed).")
    return None


def warehouse_code(shipment: SalesShipment, order: SalesOrder) -> str | None:
    source = shipment.Warehouse if shipment.Warehouse and shipment.Warehouse.WarehouseCode else order.Warehouse
    if source is None:
        return None
    return (source.WarehouseCode or "").strip() or None


def customer_reference(shipment: SalesShipment, order: SalesOrder) -> str:
    return f"{order.OrderNumber} | {shipment.ShipmentNumber}"


def map_shipment(shipment: SalesShipment, order: SalesOrder, *, customer_id: str, warehouse_id: str,
                 include_comments: bool) -> Mapped:
    """The outbound order for one shipment, or :class:`MappingRefused` naming each field."""
    problems: list[dict[str, str]] = []
    warnings: list[str] = []
    items = _items(shipment, order, problems, warnings)
    address = _address(shipment, order, problems, warnings)
    if problems:
        codes_only = all(p["field"].endswith("ProductCode") for p in problems)
        raise MappingRefused(problems, resolution=CODE_RESOLUTION if codes_only else (
            "Correct the shipment or its order in Unleashed (the fields named above), then retry from the sync log."))
    packing = packing_instructions(shipment, order) if include_comments else None
    mapped = OutboundOrder(
        references=References(customer=customer_reference(shipment, order)),
        customer=EntityRef(id=customer_id),
        warehouse=EntityRef(id=warehouse_id),
        details=OutboundOrderDetails(
            instructions=packing,
            deliver=Deliver(
                address=address,
                method=DeliveryMethod(type="SHIPPING", requested_service=(order.DeliveryMethod or "").strip() or None),
                instructions=(shipment.DeliveryInstruction or "").strip() or None,
                required_date=order.required_day,
            ),
        ),
        items=items,
    )
    return Mapped(order=mapped, warnings=warnings)


def packing_instructions(shipment: SalesShipment, order: SalesOrder) -> str | None:
    parts = [(label, (text or "").strip()) for label, text in (("Order", order.Comments), ("Shipment",
                                                                                        shipment.Comments))]
    present = [(label, text) for label, text in parts if text]
    if len(present) == 1:
        return present[0][1]
    return "\n".join(f"{label}: {text}" for label, text in present) or None


def _items(shipment: SalesShipment, order: SalesOrder, problems: list[dict[str, str]], warnings: list[str]
           ) -> list[OutboundOrderItem]:
    if not shipment.SalesShipmentLines:
        problems.append({"field": "SalesShipmentLines", "reason": "the shipment has no lines"})
    currency = (order.Currency.CurrencyCode or "").strip().upper() if order.Currency else ""
    if order.DiscountRate:
        warnings.append(f"Order {order.OrderNumber} has a {order.DiscountRate:.2%} discount on the whole order; the "
                        "WMS unit prices are each line's own total ÷ its quantity, which may not include it")
    items = []
    charges = 0
    for index, line in enumerate(shipment.SalesShipmentLines):
        at = f"SalesShipmentLines[{index}]"
        code = (line.Product.ProductCode or "").strip()
        ordered = order.line(line.SalesOrderLineNumber)
        if ordered is not None and ordered.is_charge:
            charges += 1
            warnings.append(f"Line {index + 1} ({ordered.Product.ProductDescription or 'a charge'}) is a charge, not "
                            "goods to pick: left out of the WMS order")
            continue
        if not code:
            label = line.Product.ProductDescription or line.Product.Guid or f"line {index + 1}"
            problems.append({"field": f"{at}.Product.ProductCode", "reason": f"line {index + 1} ({label}) has no "
                             "product code, so it can't be matched to a CartonCloud product"})
            continue
        quantity = line.ShipmentQty
        if quantity is None or quantity < 0:
            problems.append({"field": f"{at}.ShipmentQty", "reason": f"line {index + 1} ({code}) has quantity "
                             f"{quantity}"})
            continue
        if quantity == 0:
            warnings.append(f"Line {index + 1} ({code}) ships 0: left out")
            continue
        if line.BatchNumbers:
            warnings.append(f"Line {index + 1} ({code}) asks for batch numbers; they are not sent to the WMS "
                            "(product limitation)")
        price = charged_unit_price(ordered) if ordered is not None else None
        money = Money(amount=price, currency=currency) if price is not None and len(currency) == 3 else None
        items.append(OutboundOrderItem(
            details=OutboundOrderItemDetails(product=EntityRef(references=References(code=code)),
                                             approximate_unit_price=money),
            measures=Measures(quantity=quantity),
        ))
    if shipment.SalesShipmentLines and not items and not problems:
        problems.append({"field": "SalesShipmentLines", "reason": "every line is a charge" if charges == len(
            shipment.SalesShipmentLines) else "every line ships 0 or is a charge"})
    return items


#: Prices to the WMS to a hundredth of a cent (LineTotal ÷ quantity need not divide evenly).
PRICE_PLACES = Decimal("0.0001")


def charged_unit_price(line: SalesOrderLine) -> Decimal | None:
    """What the order line charges per unit, discount included (assumption ``discount-pricing``).

    ``LineTotal`` ÷ ``OrderQuantity`` when both are known (the captured free line: 0.00 ÷ 12 = 0, not its 2.40
    list price); else ``UnitPrice`` × (1 − ``DiscountRate``); None (no price sent) when neither can be trusted — a
    negative total or a rate outside 0..1 is not a price we can explain to the warehouse."""
    if line.LineTotal is not None and line.OrderQuantity:
        if line.LineTotal < 0 or line.OrderQuantity < 0:
            return None
        return _plain(line.LineTotal / line.OrderQuantity)
    if line.UnitPrice is None or line.UnitPrice < 0:
        return None
    rate = line.DiscountRate or Decimal(0)
    if not 0 <= rate <= 1:
        return None
    return _plain(line.UnitPrice * (1 - rate))


def _plain(amount: Decimal) -> Decimal:
    """To :data:`PRICE_PLACES`, without trailing zeros or an exponent (2.4000 → 2.4, 100 stays 100, -0 → 0)."""
    return Decimal(format(amount.quantize(PRICE_PLACES).normalize(), "f")) + 0


def _address(shipment: SalesShipment, order: SalesOrder, problems: list[dict[str, str]], warnings: list[str]
             ) -> Address:
    source = shipment if shipment.has_street else order
    if not shipment.has_street and order.has_street:
        warnings.append("The shipment has no delivery address: shipped to the order's")
    if not source.has_street:
        problems.append({"field": "DeliveryStreetAddress", "reason": "neither the shipment nor its order has a "
                         "delivery street address"})
    name = (shipment.DeliveryName or order.DeliveryName or "").strip() or None
    company = (order.Customer.CustomerName or "").strip() or None
    if not name and not company:
        problems.append({"field": "DeliveryName", "reason": "the shipment has neither a delivery name nor a customer"})
    text = _text
    return Address(
        company_name=company, contact_name=name,
        address1=text(source.DeliveryStreetAddress), address2=text(source.DeliveryStreetAddress2),
        suburb=text(source.DeliverySuburb), city=text(source.DeliveryCity),
        state=State(name=text(source.DeliveryRegion)) if text(source.DeliveryRegion) else None,
        postcode=text(source.DeliveryPostCode),
        country=Country(name=text(source.DeliveryCountry)) if text(source.DeliveryCountry) else None,
    )


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


# --- what the sync link remembers ------------------------------------------------------------------------------------


def shipment_snapshot(shipment: SalesShipment, order: SalesOrder) -> dict[str, Any]:
    """The shipment as the WMS order was made from it: what a later Unleashed edit is compared against."""
    source = shipment if shipment.has_street else order
    modified = shipment.modified_at
    order_modified = order.modified_at
    return {
        "reference": customer_reference(shipment, order),
        "orderStatus": order.OrderStatus,
        "shipmentStatus": shipment.ShipmentStatus,
        "lines": [{"code": (line.Product.ProductCode or "").strip(), "quantity": str(line.ShipmentQty)}
                  for line in shipment.SalesShipmentLines],
        "shipTo": {"name": shipment.DeliveryName or order.DeliveryName, "street": source.DeliveryStreetAddress,
                   "street2": source.DeliveryStreetAddress2, "suburb": source.DeliverySuburb,
                   "city": source.DeliveryCity, "region": source.DeliveryRegion, "postcode": source.DeliveryPostCode,
                   "country": source.DeliveryCountry},
        # our own tracking line (fulfilment.MARKER) is not the person's edit
        "comments": {"order": order.Comments or "", "shipment": "\n".join(
            line for line in (shipment.Comments or "").splitlines() if not line.startswith(MARKER))},
        "instruction": shipment.DeliveryInstruction or "",
        "warehouse": warehouse_code(shipment, order),
        "modifiedAt": utc_iso(modified) if modified else None,
        "orderModifiedAt": utc_iso(order_modified) if order_modified else None,
    }


#: Snapshot keys that make up the WMS order; a change to any of them after creation is a divergence.
CONTENT_KEYS = ("lines", "shipTo", "comments", "instruction", "warehouse")


def content_fingerprint(snapshot: dict[str, Any]) -> str:
    essential = {key: snapshot.get(key) for key in CONTENT_KEYS}
    return hashlib.sha256(json.dumps(essential, sort_keys=True, default=str).encode()).hexdigest()[:32]


def describe_divergence(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed in Unleashed since the WMS order was made, in words (``lines A ×1 → A ×3``)."""
    parts = []
    for key in CONTENT_KEYS:
        if before.get(key) == after.get(key):
            continue
        if key == "lines":
            parts.append(f"lines {_lines(before.get(key))} → {_lines(after.get(key))}")
        elif isinstance(after.get(key), dict):
            old, new = before.get(key) or {}, after.get(key) or {}
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            parts.append(f"{key} ({', '.join(changed)})")
        else:
            parts.append(f"{key} {before.get(key)!r} → {after.get(key)!r}")
    return "; ".join(parts)


def _lines(lines: Any) -> str:
    def quantity(text: Any) -> str:
        try:
            return format(Decimal(str(text)).normalize(), "f")
        except ArithmeticError:
            return str(text)

    return ", ".join(f"{line.get('code') or '?'} ×{quantity(line.get('quantity'))}" for line in lines or []) or "none"
