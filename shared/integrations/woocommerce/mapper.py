"""A WooCommerce order → a CartonCloud outbound order. Pure: no I/O, no clock, so every rule is unit-tested.

The rules (docs/woocommerce.md "Mapping"):

- customer reference = the order ``number`` (what the shop and its customer call it); customer and warehouse from
  the integration;
- one WMS line per WooCommerce line: ``sku`` → product code, ``quantity`` → quantity, ``price`` → approximate unit
  price in the order's currency; a line without a SKU is refused here, before the WMS is called;
- ship to ``shipping``, or ``billing`` when the shipping address is empty (orders of virtual goods, some checkout
  plugins); contact name, company, phone (shipping phone, else billing phone) and email (billing);
- ``customer_note`` → delivery instructions; shipping method titles → requested service; order ``total`` →
  invoice value in the order's ``currency``;
- an order shipped by local pickup is not created (the product does not support pickup orders): it is skipped
  with a reason the sync log shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
from .errors import MappingRefused
from .models import WooOrder
from .snapshot import ship_to

#: CartonCloud's address phone limit (models.Address.phone).
MAX_PHONE = 64
SKU_RESOLUTION = (
    "Give every product in this order a SKU in WooCommerce (Products → Edit → Inventory → SKU) equal to its "
    "CartonCloud product code, then retry from the sync log."
)


@dataclass(frozen=True)
class Mapped:
    order: OutboundOrder
    #: Things dropped or guessed, written to the sync log beside the creation.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    reason: str
    resolution: str


def skipped(order: WooOrder) -> Skipped | None:
    """Why ``order`` is never sent to the warehouse, if it isn't (a pickup order)."""
    pickup = [line for line in order.shipping_lines if line.is_pickup]
    if not pickup:
        return None
    return Skipped(
        reason=f"Order #{order.reference} is collected by the customer "
        f"({pickup[0].method_title or pickup[0].method_id}); pickup orders are not sent to the warehouse",
        resolution="Nothing to do here: fulfil pickup orders in the store. Pickup orders are not supported by "
        "this integration (product limitation).",
    )


def map_order(order: WooOrder, *, customer_id: str, warehouse_id: str) -> Mapped | Skipped:
    """The outbound order for ``order``, a :class:`Skipped` reason, or :class:`MappingRefused` naming each field."""
    skip = skipped(order)
    if skip is not None:
        return skip
    problems: list[dict[str, str]] = []
    warnings: list[str] = []
    items = _items(order, problems)
    address = _address(order, problems, warnings)
    if problems:
        sku_only = all(p["field"].endswith(".sku") for p in problems)
        raise MappingRefused(problems, resolution=SKU_RESOLUTION if sku_only else (
            "Correct the order in WooCommerce (the fields named above), then retry from the sync log."))

    methods = [line.method_title or line.method_id for line in order.shipping_lines]
    requested_service = ", ".join(m for m in methods if m) or None
    invoice = _money(order.total, order.currency)
    if invoice is None:
        warnings.append(f"No invoice value: total {order.total!r} / currency {order.currency!r} not usable")
    mapped = OutboundOrder(
        references=References(customer=order.reference),
        customer=EntityRef(id=customer_id),
        warehouse=EntityRef(id=warehouse_id),
        details=OutboundOrderDetails(
            deliver=Deliver(
                address=address,
                method=DeliveryMethod(type="SHIPPING", requested_service=requested_service),
                instructions=order.customer_note.strip() or None,
            ),
            invoice_value=invoice,
        ),
        items=items,
    )
    return Mapped(order=mapped, warnings=warnings)


def _items(order: WooOrder, problems: list[dict[str, str]]) -> list[OutboundOrderItem]:
    if not order.line_items:
        problems.append({"field": "line_items", "reason": "the order has no lines"})
    items = []
    for index, line in enumerate(order.line_items):
        at = f"line_items[{index}]"
        sku = line.sku.strip()
        if not sku:
            label = line.name or f"product {line.product_id}"
            problems.append({"field": f"{at}.sku", "reason": f"line {index + 1} ({label}) has no SKU, so it can't "
                             "be matched to a CartonCloud product"})
            continue
        if line.quantity <= 0:
            problems.append({"field": f"{at}.quantity", "reason": f"line {index + 1} ({sku}) has quantity "
                             f"{line.quantity}"})
            continue
        price = _money(line.price, order.currency) if line.price is not None else None
        items.append(OutboundOrderItem(
            details=OutboundOrderItemDetails(product=EntityRef(references=References(code=sku)),
                                             approximate_unit_price=price),
            measures=Measures(quantity=line.quantity),
        ))
    return items


def _address(order: WooOrder, problems: list[dict[str, str]], warnings: list[str]) -> Address:
    source, which = ship_to(order)
    if which == "billing":
        warnings.append("Shipping address empty: shipped to the billing address")
    if not source.has_street:
        problems.append({"field": "shipping.address_1", "reason": "neither the shipping nor the billing address "
                         "has a street address"})
    name = source.name or order.billing.name
    company = source.company.strip() or None
    if not name and not company:
        problems.append({"field": f"{which}.first_name", "reason": "the address has neither a name nor a company"})
    phone = (order.shipping.phone or order.billing.phone).strip() or None
    if phone and len(phone) > MAX_PHONE:
        warnings.append(f"Phone number longer than {MAX_PHONE} characters left out: {phone[:20]}…")
        phone = None
    return Address(
        company_name=company,
        contact_name=name or None,
        address1=source.address_1.strip() or None,
        address2=source.address_2.strip() or None,
        city=source.city.strip() or None,
        state=State(code=source.state.strip()) if source.state.strip() else None,
        postcode=source.postcode.strip() or None,
        country=Country(iso2_code=source.country.strip().upper()) if len(source.country.strip()) == 2 else None,
        phone=phone,
        email=order.billing.email.strip() or None,
    )


def _money(amount: Any, currency: str) -> Money | None:
    if amount in (None, "") or len(currency or "") != 3:
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return Money(amount=value, currency=currency.upper())
