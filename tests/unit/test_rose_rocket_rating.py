"""Pure parts of rating and invoices (docs/rose-rocket.md "Rating", "Invoices"): the line-item type of a WMS fee
category, a WMS charge as a rate line, the requirements an order must meet, and the invoice table row by row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from integrations.cartoncloud.models import QuoteCharge
from integrations.rose_rocket.invoices import wanted
from integrations.rose_rocket.matches import Match
from integrations.rose_rocket.models import Order
from integrations.rose_rocket.quotes import line_of_charge, line_type
from integrations.rose_rocket.rating import invoiced, requirements

MATCH = Match("871ca13a-7f67-432d-bbc6-131fefae7e3a", "Chef", "c-1", "CUST-1", "Chef")
PLACE = {"address1": "1 Wharf St", "city": "Brisbane"}


def order(**fields) -> Order:
    base = {"id": "o-1", "fullId": "O-1", "status": "delivered", "customer": {"id": "c-1", "fullId": "CUST-1"},
            "serviceType": {"id": "st-1", "name": "EXPRESS"},
            "tasks": [{"taskType": "pickup", "stops": [{"address": PLACE}],
                       "commodities": [{"id": "k-1", "commodityType": "pallet", "quantity": 2, "length": 120,
                                        "width": 100, "height": 150}]},
                      {"taskType": "delivery", "stops": [{"address": PLACE}]}]}
    return Order.model_validate(base | fields)


@pytest.mark.parametrize(("category", "kind"), [
    ("Delivery Fee", "Freight"), ("Freight", "Freight"), ("Fuel Levy", "fuel"), ("FUEL surcharge", "fuel"),
    ("Tailgate", "surchargeLiftgate"), ("Liftgate fee", "surchargeLiftgate"), ("Flat Fee", "accessorial"),
    ("Waiting time", "accessorial")])
def test_a_fee_category_becomes_a_rose_rocket_line_item_type(category, kind):
    assert line_type(category) == kind


def test_a_charge_is_one_line_of_its_amount_after_modifiers():
    charge = QuoteCharge.model_validate({"feeCategory": {"name": "Fuel Levy"}, "description": "Fuel Levy at 5%",
                                         "fee": {"amount": 1, "currency": "AUD"},
                                         "feeAfterModifiers": {"amount": Decimal("0.605"), "currency": "AUD"}})
    assert line_of_charge(2, charge) == {"id": "2", "description": "Fuel Levy at 5%", "type": "fuel",
                                         "feeCategory": "Fuel Levy", "quantity": 1, "rate": 0.61, "amount": 0.61,
                                         "currency": "AUD"}


def test_a_complete_order_meets_every_requirement():
    assert requirements(order(), MATCH) == []


def test_every_missing_requirement_is_listed():
    bare = order(customer=None, serviceType=None, tasks=[
        {"taskType": "pickup", "stops": [], "commodities": [{"commodityType": None, "quantity": 0}]}])
    assert [(m.field, m.reason) for m in requirements(bare, None)] == [
        ("customer", "the order has no customer"),
        ("tasks[pickup].stops[0].address", "the order has no pickup location (an address with a city or postal "
                                           "code)"),
        ("tasks[delivery].stops[0].address", "the order has no delivery location (an address with a city or "
                                             "postal code)"),
        ("serviceType", "the order has no service type"),
        ("commodities[0].commodityType", "has no commodity type"), ("commodities[0].quantity", "has no quantity"),
        ("commodities[0].length", "has no length"), ("commodities[0].width", "has no width"),
        ("commodities[0].height", "has no height")]
    unmatched = requirements(order(), None)
    assert [m.field for m in unmatched] == ["customer"] and "CUST-1" in unmatched[0].reason


def test_an_order_is_locked_once_invoiced():
    assert invoiced(order()) is None
    assert invoiced(order(status="invoiced")) == "Order O-1 is invoiced: its rates are locked"
    assert "INV-3" in str(invoiced(order(invoice={"id": "i", "fullId": "INV-3", "voided": True})))


@pytest.mark.parametrize(("status", "payment", "shown"), [
    ("DRAFT", "AWAITING", None), ("LEECHING", "AWAITING", None), ("AWAITING_APPROVAL", "AWAITING", None),
    ("APPROVED", "AWAITING", {"status": "sent", "voided": False}),
    ("APPROVED", "PAID", {"status": "paid", "voided": False}),
    ("APPROVED", "VOID", {"status": "sent", "voided": False}),
    ("VOID", "VOID", {"voided": True})])
def test_the_invoice_table(status, payment, shown):
    assert wanted(status, payment) == shown


def test_a_truckload_without_dimensions_is_rated_by_weight_and_pallets_and_says_so():
    """The captured real order's freight: 8 skids, 252.25 lb, dimensions 0 (usual for full truckloads)."""
    from integrations.rose_rocket.rating import unmeasured_notes

    skids = order(tasks=[{"taskType": "pickup", "stops": [{"address": PLACE}],
                          "commodities": [{"commodityType": "skid", "description": "Auto Parts", "quantity": 8,
                                           "weight": 252.25, "length": 0, "width": 0, "height": 0}]},
                         {"taskType": "delivery", "stops": [{"address": PLACE}]}])
    assert requirements(skids, MATCH) == []
    assert unmeasured_notes(skids) == ["Commodity 1 (Auto Parts) has no length, width, height: priced by its weight "
                                       "and pallets, without volume"]
    # a carton with neither dimensions nor weight could only be priced as nothing: still required
    bare = order(tasks=[{"taskType": "pickup", "stops": [{"address": PLACE}],
                         "commodities": [{"commodityType": "carton", "quantity": 3, "length": 0}]},
                        {"taskType": "delivery", "stops": [{"address": PLACE}]}])
    assert [m.field for m in requirements(bare, MATCH)] == ["commodities[0].length", "commodities[0].width",
                                                           "commodities[0].height"]
