"""An Unleashed Sales Shipment (and its order) → a CartonCloud outbound order: every mapping rule, on the captured
order and the composed shipment of tests/fixtures/vendor/unleashed/."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from integrations.unleashed.errors import MappingRefused
from integrations.unleashed.fulfilment import MARKER
from integrations.unleashed.mapper import (
    content_fingerprint,
    describe_divergence,
    map_shipment,
    shipment_snapshot,
    skip_reason,
    wait_reason,
)
from integrations.unleashed.models import SalesOrder, SalesShipment
from integrations.unleashed.settings import UnleashedOrderCreation

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "unleashed"
CUSTOMER = "871ca13a-7f67-432d-bbc6-131fefae7e3a"
WAREHOUSE = "568cd392-50b1-11f0-a32e-066c91bd21c5"


def order(**changes) -> SalesOrder:
    body = json.loads((VENDOR / "salesorder.response.json").read_text())
    body["OrderStatus"] = "Placed"  # the capture is Parked
    body.update(changes)
    return SalesOrder.model_validate(body)


def shipment(**changes) -> SalesShipment:
    body = json.loads((VENDOR / "salesshipment.COMPOSED.json").read_text())
    body.update(changes)
    return SalesShipment.model_validate(body)


def settings(**fields) -> UnleashedOrderCreation:
    return UnleashedOrderCreation.model_validate({"defaultWarehouseId": WAREHOUSE, **fields})


def mapped(s: SalesShipment | None = None, o: SalesOrder | None = None, *, comments: bool = True):
    return map_shipment(s or shipment(), o or order(), customer_id=CUSTOMER, warehouse_id=WAREHOUSE,
                        include_comments=comments)


def test_a_shipment_becomes_one_wms_order_with_the_products_reference():
    result = mapped()
    body = result.order.to_api()
    assert body["references"] == {"customer": "SO-00000140 | SS-00000088"}
    assert body["customer"] == {"id": CUSTOMER} and body["warehouse"] == {"id": WAREHOUSE}
    assert [(item["details"]["product"]["references"]["code"], item["measures"]["quantity"])
            for item in body["items"]] == [("rrrrrrrr", 1), ("CONV", 1)]
    # unit prices come from the order lines the shipment lines point at, in the order's currency
    assert [item["details"]["approximateUnitPrice"] for item in body["items"]] == [
        {"amount": 1, "currency": "NZD"}, {"amount": 21.5, "currency": "NZD"}]
    deliver = body["details"]["deliver"]
    assert deliver["address"] == {"companyName": "Example Trading Ltd", "contactName": "Jane Citizen",
                                  "address1": "1 Example Street", "suburb": "Exampleton", "city": "City",
                                  "state": {"name": "Florida"}, "postcode": "0000",
                                  "country": {"name": "United Kingdom"}}
    assert deliver["instructions"] == "Leave at reception"
    assert deliver["method"] == {"type": "SHIPPING"}
    assert body["details"]["instructions"] == "Fragile: top load only"
    assert result.warnings == []


def test_shipment_quantities_not_order_quantities_are_sent():
    s = shipment()
    s.SalesShipmentLines[0].ShipmentQty = Decimal("0.5")
    assert mapped(s).order.items[0].measures.quantity == Decimal("0.5")


def test_comments_of_order_and_shipment_become_packing_instructions_only_when_asked():
    both = mapped(o=order(Comments="Call before delivery"))
    assert both.order.details.instructions == "Order: Call before delivery\nShipment: Fragile: top load only"
    assert mapped(comments=False).order.details.instructions is None
    assert mapped(shipment(Comments=None), order(Comments=None)).order.details.instructions is None


def test_the_order_address_is_the_fallback_and_the_required_date_its_calendar_day():
    s = shipment(DeliveryStreetAddress=None, DeliveryName=None, DeliveryCity=None)
    o = order(DeliveryStreetAddress="9 Order Road", DeliveryCity="Orderville", RequiredDate="/Date(1531353600000)/")
    result = mapped(s, o)
    address = result.order.details.deliver.address
    assert (address.address1, address.city, address.contact_name) == ("9 Order Road", "Orderville", "Jane Citizen")
    assert result.order.details.deliver.required_date == date(2018, 7, 12)
    assert result.warnings == ["The shipment has no delivery address: shipped to the order's"]


def test_refusals_name_every_field_before_the_wms_is_called():
    s = shipment(DeliveryStreetAddress=None)
    s.SalesShipmentLines[0].Product.ProductCode = " "
    with pytest.raises(MappingRefused) as refused:
        mapped(s, order(DeliveryStreetAddress=None))
    assert [p["field"] for p in refused.value.problems] == ["SalesShipmentLines[0].Product.ProductCode",
                                                            "DeliveryStreetAddress"]
    code_only = shipment()
    code_only.SalesShipmentLines[1].Product.ProductCode = None
    with pytest.raises(MappingRefused) as refused:
        mapped(code_only)
    assert "product code" in refused.value.resolution


def test_zero_lines_are_left_out_and_batch_numbers_are_said_not_sent():
    s = shipment()
    s.SalesShipmentLines[0].ShipmentQty = Decimal(0)
    s.SalesShipmentLines[1].BatchNumbers = [{"Number": "B-1", "Quantity": 1}]
    result = mapped(s)
    assert [item.details.product.references.code for item in result.order.items] == ["CONV"]
    assert any("ships 0" in w for w in result.warnings) and any("batch numbers" in w for w in result.warnings)
    nothing = shipment()
    for line in nothing.SalesShipmentLines:
        line.ShipmentQty = Decimal(0)
    with pytest.raises(MappingRefused, match="every line ships 0"):
        mapped(nothing)


def test_what_waits_and_what_is_skipped():
    assert "Parked" in wait_reason(shipment(), order(OrderStatus="Parked"))
    assert "Parked" in wait_reason(shipment(ShipmentStatus="Parked"), order())
    assert wait_reason(shipment(), order()) is None
    assert wait_reason(shipment(ShipmentStatus=None), order()) is None  # Order Management off: no status
    dispatched = skip_reason(shipment(ShipmentStatus="Dispatched"), order(), settings())
    assert dispatched and "already Dispatched" in dispatched.reason
    pickup = skip_reason(shipment(), order(DeliveryMethod="Customer Pick-up"), settings())
    assert pickup and "pickup orders are not sent" in pickup.reason
    assert skip_reason(shipment(), order(DeliveryMethod="Click & Collect"), settings())
    assert skip_reason(shipment(), order(DeliveryMethod="Courier"), settings()) is None


def test_warehouses_map_by_the_shipments_code_and_unmapped_ones_are_skipped_without_a_default():
    mapped_only = UnleashedOrderCreation.model_validate(
        {"warehouseMappings": [{"unleashedWarehouseCode": "main", "warehouseId": "wh-main"}]})
    assert mapped_only.warehouse_for("MAIN") == "wh-main"
    assert skip_reason(shipment(), order(), mapped_only) is None
    elsewhere = shipment(Warehouse={"WarehouseCode": "AKL"})
    skipped = skip_reason(elsewhere, order(), mapped_only)
    assert skipped and "AKL" in skipped.reason and "warehouse mapping" in skipped.resolution
    with_default = settings(warehouseMappings=[{"unleashedWarehouseCode": "MAIN", "warehouseId": "wh-main"}])
    assert with_default.warehouse_for("AKL") == WAREHOUSE and with_default.warehouse_for("MAIN") == "wh-main"
    # no warehouse on the shipment: the order's
    assert mapped_only.warehouse_for(None) is None
    assert skip_reason(shipment(Warehouse=None), order(), mapped_only) is None


def test_the_snapshot_tells_edits_apart_and_ignores_our_own_tracking_line():
    before = shipment_snapshot(shipment(), order())
    assert before["reference"] == "SO-00000140 | SS-00000088" and before["modifiedAt"].endswith("Z")
    edited = shipment()
    edited.SalesShipmentLines[0].ShipmentQty = Decimal(3)
    after = shipment_snapshot(edited, order())
    assert content_fingerprint(after) != content_fingerprint(before)
    assert describe_divergence(before, after) == "lines rrrrrrrr ×1, CONV ×1 → rrrrrrrr ×3, CONV ×1"
    ours = shipment(Comments=f"Fragile: top load only\n{MARKER} A, B, C")
    assert content_fingerprint(shipment_snapshot(ours, order())) == content_fingerprint(before)
    moved = shipment_snapshot(shipment(DeliveryCity="Elsewhere"), order())
    assert describe_divergence(before, moved) == "shipTo (city)"


# --- issue 21: prices actually charged, charges left out --------------------------------------------------------


def captured_page_order() -> SalesOrder:
    """Unleashed's own SO-00000202 (salesorders-list.response.json): GBP, 12 of each tin free, a Delivery charge."""
    body = json.loads((VENDOR / "salesorders-list.response.json").read_text())["Items"][0]
    return SalesOrder.model_validate({**body, "OrderStatus": "Placed"})


def shipment_of_every_line(o: SalesOrder) -> SalesShipment:
    lines = [{"LineNumber": n, "Product": line.Product.model_dump(), "ShipmentQty": str(line.OrderQuantity),
              "SalesOrderLineNumber": line.LineNumber} for n, line in enumerate(o.SalesOrderLines, start=1)]
    return shipment(OrderNumber=o.OrderNumber, OrderGuid=o.Guid, SalesShipmentLines=lines)


def test_free_and_discounted_lines_go_to_the_wms_at_the_price_charged_not_the_list_price():
    o = captured_page_order()
    result = mapped(shipment_of_every_line(o), o)
    prices = [(item["details"]["product"]["references"]["code"], item["measures"]["quantity"],
               item["details"]["approximateUnitPrice"]) for item in result.order.to_api()["items"]]
    assert prices == [
        ("AOPPTB", 288, {"amount": 2.4, "currency": "GBP"}), ("DFPPTB", 288, {"amount": 2.4, "currency": "GBP"}),
        ("PGPPTB", 288, {"amount": 2.4, "currency": "GBP"}),
        # UnitPrice 2.4, DiscountRate 1.0, LineTotal 0.0: free, so 0 — never the 2.4 list price
        ("AOPPTB", 12, {"amount": 0, "currency": "GBP"}), ("DFPPTB", 12, {"amount": 0, "currency": "GBP"}),
        ("PGPPTB", 12, {"amount": 0, "currency": "GBP"})]


def test_a_charge_line_on_a_shipment_is_left_out_and_said_not_a_problem():
    o = captured_page_order()
    result = mapped(shipment_of_every_line(o), o)  # the 7th shipment line points at the Delivery charge (line 0)
    assert len(result.order.items) == 6
    assert "Line 7 (Delivery) is a charge, not goods to pick: left out of the WMS order" in result.warnings
    only_charges = shipment_of_every_line(o).model_copy(update={"SalesShipmentLines": shipment_of_every_line(
        o).SalesShipmentLines[-1:]})
    with pytest.raises(MappingRefused, match="every line is a charge"):
        mapped(only_charges, o)


@pytest.mark.parametrize(("line", "price"), [
    ({"LineTotal": 10, "OrderQuantity": 3, "UnitPrice": 4}, Decimal("3.3333")),
    ({"LineTotal": None, "OrderQuantity": 4, "UnitPrice": 10, "DiscountRate": 0.25}, Decimal("7.5")),
    ({"LineTotal": None, "OrderQuantity": 4, "UnitPrice": 10, "DiscountRate": 25}, None),  # not a fraction: no price
    ({"LineTotal": -5, "OrderQuantity": 1, "UnitPrice": 10}, None),
    ({"LineTotal": 100, "OrderQuantity": 1, "UnitPrice": 100}, Decimal("100")),
])
def test_the_charged_unit_price(line, price):
    from integrations.unleashed.mapper import charged_unit_price
    from integrations.unleashed.models import SalesOrderLine

    assert charged_unit_price(SalesOrderLine.model_validate(line)) == price


def test_an_order_wide_discount_is_said_beside_the_creation():
    result = mapped(o=order(DiscountRate=0.1))
    assert any("10.00% discount on the whole order" in warning for warning in result.warnings)
