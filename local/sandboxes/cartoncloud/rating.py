"""Rate cards: the default card (the vendor's quote example), checking a card, matching a rate, pricing its charges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..base import ControlError
from ..common import json_number
from .model import as_object, qty_text, to_decimal
from .search import resolve_pointer

#: The vendor's quote example (consignment-quote.response.json) as a rate card: 2 units quote to exactly it.
DEFAULT_RATE_CARD: dict[str, Any] = {
    "name": "Standard Rate Card",
    "currency": "AUD",
    "rates": [
        {
            "name": "Rate 1",
            "charges": [
                {"feeCategory": {"id": "7b23a8ab-e186-11e8-8b31-0260b3a835bc", "name": "Delivery Fee"},
                 "type": "PER_QUANTITY", "amount": 6},
                {"feeCategory": {"id": "a43dcec1-7e3a-4f23-9b16-d86fbb31cb1a", "name": "Fuel Levy"},
                 "type": "LEVY", "percent": 5},
                {"feeCategory": {"id": "68c2df33-6fb7-44fa-8a4f-b5439e00a121", "name": "Flat Fee"},
                 "type": "FLAT", "amount": 10},
            ],
        }
    ],
}
CHARGE_TYPES = ("PER_QUANTITY", "PER_WEIGHT", "PER_PALLET", "FLAT", "LEVY")


def dollars(value: Decimal) -> str:
    """Money the way the rating engine's descriptions print it: ``$12.00``, and ``$.60`` below a dollar."""
    text = f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"
    return "$" + (text[1:] if text.startswith("0.") else text)


def rate_matches(rate: dict[str, Any], body: dict[str, Any], customer: dict[str, Any]) -> bool:
    service = rate.get("serviceType")
    asked_service = resolve_pointer(body, "/properties/serviceType")
    if service and str(asked_service or "").upper() != str(service).upper():
        return False
    if rate.get("customerId") and rate["customerId"] != customer["id"]:
        return False
    postcodes = rate.get("postcodes")
    return not postcodes or resolve_pointer(body, "/details/deliver/address/postcode") in postcodes


def rate_charges(rate: dict[str, Any], body: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    """The rating engine's charge lines; a LEVY is a percentage of the charges before it."""
    items = [as_object(item) for item in body.get("items") or []]

    def total(measure: str) -> Decimal:
        return sum((to_decimal(resolve_pointer(item, f"/measures/{measure}")) or Decimal(0) for item in items),
                   Decimal(0))

    charges: list[dict[str, Any]] = []
    running = Decimal(0)
    cents = Decimal("0.01")
    for spec in rate.get("charges", []):
        kind = spec["type"]
        category = spec["feeCategory"]
        if kind == "LEVY":
            percent = Decimal(str(spec["percent"]))
            fee = (running * percent / 100).quantize(cents, ROUND_HALF_UP)
            description = (f"{category['name']} at {qty_text(percent)}% = {dollars(fee)} "
                           f"[total: {dollars(running + fee)}]")
        elif kind == "FLAT":
            fee = Decimal(str(spec["amount"])).quantize(cents, ROUND_HALF_UP)
            description = f"{category['name']} = {dollars(fee)}"
        else:
            measure, label = {"PER_QUANTITY": ("quantity", "quantity"), "PER_WEIGHT": ("weight", "kg"),
                              "PER_PALLET": ("pallets", "pallets")}[kind]
            unit_price = Decimal(str(spec["amount"]))
            count = total(measure)
            fee = (count * unit_price).quantize(cents, ROUND_HALF_UP)
            description = f"{qty_text(count)} {label} at {dollars(unit_price)} = {dollars(fee)}"
        running += fee
        money = {"amount": json_number(fee), "currency": currency}
        charges.append({"feeCategory": dict(category), "description": description, "fee": money,
                        "feeAfterModifiers": dict(money)})
    return charges


def check_rate_card(card: dict[str, Any]) -> None:
    if not isinstance(card, dict) or not card.get("name") or not isinstance(card.get("rates"), list):
        raise ControlError("rate card needs a name and a list of rates")
    for rate in card["rates"]:
        if not isinstance(rate, dict) or not rate.get("name") or not isinstance(rate.get("charges"), list):
            raise ControlError("each rate needs a name and a list of charges")
        for charge in rate["charges"]:
            kind = as_object(charge).get("type")
            if kind not in CHARGE_TYPES or not as_object(charge.get("feeCategory")).get("name"):
                raise ControlError(f"each charge needs feeCategory.name and a type in {CHARGE_TYPES}")
            needed = "percent" if kind == "LEVY" else "amount"
            if to_decimal(charge.get(needed)) is None:
                raise ControlError(f"a {kind} charge needs a numeric {needed}")
