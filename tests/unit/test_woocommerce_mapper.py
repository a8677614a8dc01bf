"""A WooCommerce order → a CartonCloud outbound order: every mapping rule, on WooCommerce's own examples."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from integrations.woocommerce.errors import MappingRefused
from integrations.woocommerce.mapper import Mapped, Skipped, map_order
from integrations.woocommerce.models import WooOrder, gmt
from integrations.woocommerce.snapshot import content_fingerprint, describe_divergence, order_snapshot

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "woocommerce"
CUSTOMER = "871ca13a-7f67-432d-bbc6-131fefae7e3a"
WAREHOUSE = "568cd392-50b1-11f0-a32e-066c91bd21c5"


def vendor_order(**changes) -> dict:
    """WooCommerce's documented order (id 727), with both lines given SKUs unless a test says otherwise."""
    order = json.loads((VENDOR / "order-retrieve.response.json").read_text())
    order["line_items"][0]["sku"] = "Woo1"
    order.update(changes)
    return order


def mapped(order: dict) -> Mapped:
    result = map_order(WooOrder.model_validate(order), customer_id=CUSTOMER, warehouse_id=WAREHOUSE)
    assert isinstance(result, Mapped), result
    return result


def test_the_documented_order_maps_to_an_outbound_order():
    result = mapped(vendor_order(customer_note="Leave at the side door"))
    body = result.order.to_api()
    assert body["references"] == {"customer": "727"}
    assert body["customer"] == {"id": CUSTOMER} and body["warehouse"] == {"id": WAREHOUSE}
    assert [(i["details"]["product"]["references"]["code"], i["measures"]["quantity"]) for i in body["items"]] == [
        ("Woo1", 2), ("Bar3", 1)]
    assert body["items"][1]["details"]["approximateUnitPrice"] == {"amount": 12, "currency": "USD"}
    deliver = body["details"]["deliver"]
    assert deliver["address"] == {"contactName": "John Doe", "address1": "969 Market", "city": "San Francisco",
                                  "state": {"code": "CA"}, "postcode": "94103", "country": {"iso2Code": "US"},
                                  "phone": "(555) 555-5555", "email": "john.doe@example.com"}
    assert deliver["method"] == {"type": "SHIPPING", "requestedService": "Flat Rate"}
    assert deliver["instructions"] == "Leave at the side door"
    assert body["details"]["invoiceValue"] == {"amount": 29.35, "currency": "USD"}
    assert result.warnings == []


def test_a_line_without_a_sku_is_refused_naming_the_line_before_anything_is_sent():
    order = json.loads((VENDOR / "order-retrieve.response.json").read_text())  # line 1 has "sku": ""
    with pytest.raises(MappingRefused) as refused:
        map_order(WooOrder.model_validate(order), customer_id=CUSTOMER, warehouse_id=WAREHOUSE)
    assert refused.value.problems == [{"field": "line_items[0].sku", "reason": "line 1 (Woo Single #1) has no "
                                       "SKU, so it can't be matched to a CartonCloud product"}]
    assert "SKU" in refused.value.resolution and "retry from the sync log" in refused.value.resolution


def test_empty_shipping_address_ships_to_the_billing_address_with_a_note():
    order = vendor_order()
    order["shipping"] = {key: "" for key in order["shipping"]}
    order["billing"]["company"] = "Doe Pty Ltd"
    result = mapped(order)
    address = result.order.details.deliver.address
    assert (address.address1, address.company_name, address.contact_name) == ("969 Market", "Doe Pty Ltd",
                                                                               "John Doe")
    assert result.warnings == ["Shipping address empty: shipped to the billing address"]


def test_shipping_phone_wins_over_billing_phone_and_an_absurd_phone_is_left_out():
    order = vendor_order()
    order["shipping"]["phone"] = "+61 7 3000 0000"
    assert mapped(order).order.details.deliver.address.phone == "+61 7 3000 0000"
    order["shipping"]["phone"] = "9" * 80
    result = mapped(order)
    assert result.order.details.deliver.address.phone is None
    assert "Phone number longer than 64" in result.warnings[0]


def test_null_text_fields_from_plugins_are_treated_as_empty():
    order = vendor_order(customer_note=None)
    order["shipping"]["company"] = None
    order["shipping_lines"][0]["method_title"] = None
    result = mapped(order)
    assert result.order.details.deliver.instructions is None
    assert result.order.details.deliver.method.requested_service == "flat_rate"


@pytest.mark.parametrize("method_id", ["local_pickup", "local_pickup:3", "pickup_location:0"])
def test_a_local_pickup_order_is_skipped_with_a_reason(method_id):
    order = vendor_order()
    order["shipping_lines"][0].update(method_id=method_id, method_title="Local pickup")
    result = map_order(WooOrder.model_validate(order), customer_id=CUSTOMER, warehouse_id=WAREHOUSE)
    assert isinstance(result, Skipped)
    assert "collected by the customer (Local pickup)" in result.reason
    assert "not supported" in result.resolution


def test_an_order_without_any_street_address_or_name_is_refused_naming_the_fields():
    order = vendor_order()
    order["shipping"] = {key: "" for key in order["shipping"]}
    order["billing"].update(address_1="", first_name="", last_name="")
    with pytest.raises(MappingRefused) as refused:
        map_order(WooOrder.model_validate(order), customer_id=CUSTOMER, warehouse_id=WAREHOUSE)
    assert [p["field"] for p in refused.value.problems] == ["shipping.address_1", "billing.first_name"]


def test_the_snapshot_keeps_utc_dates_from_the_gmt_fields_not_the_site_time():
    order = vendor_order()  # date_created 16:28:02 site time, date_created_gmt 19:28:02
    snapshot = order_snapshot(WooOrder.model_validate(order))
    assert snapshot["createdAt"] == "2017-03-22T19:28:02.000000Z"
    assert snapshot["modifiedAt"] == "2017-03-22T19:28:08.000000Z"
    assert gmt("2017-03-22T19:28:08").utcoffset().total_seconds() == 0


def test_status_changes_are_not_content_changes_but_edits_are_and_are_described():
    before = order_snapshot(WooOrder.model_validate(vendor_order()))
    completed = order_snapshot(WooOrder.model_validate(vendor_order(status="completed")))
    assert content_fingerprint(before) == content_fingerprint(completed)
    edited_order = vendor_order()
    edited_order["line_items"][0]["quantity"] = 3
    edited_order["shipping"]["address_1"] = "1 New Street"
    edited = order_snapshot(WooOrder.model_validate(edited_order))
    assert content_fingerprint(before) != content_fingerprint(edited)
    assert describe_divergence(before, edited) == ("lines Woo1 ×2, Bar3 ×1 → Woo1 ×3, Bar3 ×1; "
                                                   "shipping address (address1)")


def test_money_is_sent_exactly_as_the_store_states_it():
    order = vendor_order(total="1234.50", currency="aud")
    assert mapped(order).order.details.invoice_value.amount == Decimal("1234.50")
    assert mapped(order).order.details.invoice_value.currency == "AUD"
    broken = copy.deepcopy(order)
    broken["currency"] = ""
    result = mapped(broken)
    assert result.order.details.invoice_value is None and "No invoice value" in result.warnings[0]
