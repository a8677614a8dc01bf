"""The WMS order → Starshipit order mapping (pure), held to Starshipit's own create-order example, and
docs/starshipit.md's tables held to the mapper's."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from integrations.cartoncloud.models import (
    Address,
    Consignment,
    ConsignmentItem,
    Country,
    DeliveryMethod,
    EntityRef,
    Measures,
    Money,
    OutboundOrderItemDetails,
    State,
    Timestamp,
    Timestamps,
    UnitOfMeasure,
)
from integrations.starshipit.errors import MappingRefused, StarshipitRejected
from integrations.starshipit.mapper import (
    MAPPING,
    TRACKING_MAPPING,
    map_order,
    packages,
    refused_fields,
    tracking_of,
)
from integrations.starshipit.models import ApiErrorEntry, Order, StarshipitOrderCreation
from integrations.starshipit.numbers import base_number, candidates, same_shipment

from tests.builders import outbound_order

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "tests" / "fixtures" / "vendor" / "starshipit"
WMS_ID = "fb5b56f6-a68e-11e8-98d0-529269fb1459"


def wms_order(**address: object):
    order = outbound_order("customer-1", reference="SO-1001", sku="MOBILE", quantity=2)
    order.id = WMS_ID
    order.timestamps = Timestamps(created=Timestamp(time=datetime.fromisoformat("2026-11-21T10:15:00+10:00")))
    assert order.details.deliver and order.details.deliver.address
    order.details.deliver.address = Address(**{
        "contact_name": "John Smith", "address1": "20 George Street", "suburb": "Sydney", "state": State(code="NSW"),
        "postcode": "2000", "country": Country(iso2_code="AU"), "phone": "0290988227", **address})
    order.details.deliver.instructions = "Leave at door"
    order.details.deliver.method = DeliveryMethod(type="SHIPPING", requested_service="Express Shipping")
    line = order.items[0]
    line.details.product.name = "Mobile Phone"
    line.details.approximate_unit_price = Money(amount=Decimal("125"), currency="AUD")
    line.measures.weight = Decimal("1.3")
    return order


SETTINGS = StarshipitOrderCreation(create_shipment_at="PACKED")


def test_a_wms_order_maps_to_starshipits_own_example_shape():
    body = map_order(wms_order(), SETTINGS).order.to_api()
    example = json.loads((VENDOR / "create-order.request.json").read_text())["order"]
    # Every field we send is one Starshipit's example (or its documented order model) has, in its form.
    assert set(body["order"]) <= set(example) | {"carrier", "carrier_service_code", "currency", "packages"}
    assert set(body["order"]["destination"]) <= set(example["destination"]) | {"city", "company", "building",
                                                                                   "email"}
    assert set(body["order"]["items"][0]) <= set(example["items"][0])
    assert body == {"order": {
        "order_number": "SO-1001", "order_date": "2026-11-21T00:15:00.000000Z", "reference": "SO-1001",
        "shipping_method": "Express Shipping", "currency": "AUD",
        "destination": {"name": "John Smith", "street": "20 George Street", "suburb": "Sydney",
                        "state": "NSW", "post_code": "2000", "country": "AU", "phone": "0290988227",
                        "delivery_instructions": "Leave at door"},
        "items": [{"description": "Mobile Phone", "sku": "MOBILE", "quantity": 2, "weight": 0.65, "value": 125}]}}


def test_carrier_mappings_win_over_the_defaults():
    settings = StarshipitOrderCreation(create_shipment_at="PACKED", carrier="AusPost", carrier_service_code="7B05",
                                       service_mappings=[{"requested_service": "EXPRESS SHIPPING",
                                                          "carrier": "AusPost", "carrier_service_code": "7E55"}])
    order = map_order(wms_order(), settings).order
    assert (order.carrier, order.carrier_service_code) == ("AusPost", "7E55")
    plain = wms_order()
    assert plain.details.deliver and plain.details.deliver.method
    plain.details.deliver.method.requested_service = "Standard"
    assert (map_order(plain, settings).order.carrier_service_code) == "7B05"


def test_a_company_without_a_contact_is_the_name_and_the_default_country_fills_in():
    order = map_order(wms_order(contact_name=None, company_name="ACME", country=None), SETTINGS).order
    assert (order.destination.name, order.destination.company, order.destination.country) == ("ACME", None, "AU")


def test_what_cant_be_shipped_is_refused_naming_every_wms_field():
    bad = wms_order(contact_name=None, address1=" ", suburb=None, city=None, postcode=None)
    bad.items[0].measures.quantity = Decimal(0)
    with pytest.raises(MappingRefused) as refused:
        map_order(bad, SETTINGS)
    assert [p["field"] for p in refused.value.problems] == [
        "details.deliver.address.contactName", "details.deliver.address.address1", "details.deliver.address.suburb",
        "details.deliver.address.postcode", "items[0].measures.quantity"]
    assert "CartonCloud" in refused.value.resolution


def test_a_long_reference_is_shortened_and_said_so():
    order = wms_order()
    order.references.customer = "R" * 60
    mapped = map_order(order, SETTINGS)
    assert mapped.order.reference == "R" * 50 and "shortened" in mapped.notes[0]


def _item(unit: str, quantity: int, weight: str) -> ConsignmentItem:
    return ConsignmentItem(details=OutboundOrderItemDetails(product=EntityRef(id="p"),
                                                            unit_of_measure=UnitOfMeasure(type=unit)),
                           measures=Measures(quantity=Decimal(quantity), weight=Decimal(weight)))


def test_packages_are_cartons_or_one_parcel_of_the_total_weight():
    def consignment(*items: ConsignmentItem) -> Consignment:
        return Consignment(customer=EntityRef(id="c"), items=list(items))

    assert [p.weight for p in packages(consignment(_item("CARTON", 2, "6"))) or []] == [3, 3]
    assert [p.weight for p in packages(consignment(_item("UNITS", 4, "2"), _item("UNITS", 1, "1.5"))) or []] == [
        Decimal("3.5")]
    assert [p.weight for p in packages(consignment(_item("PALLET", 1, "200"), _item("UNITS", 2, "1"))) or []] == [
        200, 1]
    assert len(packages(consignment(_item("CARTON", 51, "51"))) or []) == 1  # not 51 labels
    assert packages(None) is None and packages(consignment()) is None


def test_tracking_comes_from_every_package():
    order = Order.model_validate({"order_id": 1, "order_number": WMS_ID, "carrier_name": "Australia Post",
                                  "status": "Shipped", "packages": [
                                      {"tracking_number": "A1", "tracking_url": "https://t/A1"},
                                      {"tracking_number": "A2"}, {"tracking_number": "A1"}]})
    tracking = tracking_of(order)
    assert tracking.numbers == ("A1", "A2") and tracking.url == "https://t/A1" and tracking.carrier == "Australia Post"
    search = json.loads((VENDOR / "orders-search.response.json").read_text())["orders"][0]
    assert tracking_of(Order.model_validate(search)).numbers == ("QQQ001156301000960302",)


def test_starshipits_refusal_is_turned_into_the_wms_fields():
    exc = StarshipitRejected("x", status=400, entries=[
        ApiErrorEntry(message="The post code 'X' is not valid", details="order.destination.post_code"),
        ApiErrorEntry(message="The carrier service code is not valid", details="order.carrier_service_code")])
    assert refused_fields(exc) == [
        {"starshipit": "carrier_service_code", "field": "details.deliver.method.requestedService"},
        {"starshipit": "destination.post_code", "field": "details.deliver.address.postcode"}]


def _table(heading: str) -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "starshipit.md").read_text()
    body = text.split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]
    return [(m[1], m[2], m[3].strip()) for m in re.finditer(r"^\| `([^`]+)` \| `([^`]+)` \|(.*)\|$", body, re.M)]


def test_the_docs_mapping_tables_are_the_mappers():
    assert _table("WMS outbound order → Starshipit order") == [(s, w, r) for s, w, r in MAPPING]
    assert _table("Starshipit order → WMS consignment (tracking back)") == [(w, s, r) for w, s, r in TRACKING_MAPPING]


def test_order_dates_are_utc():
    order = wms_order()
    assert order.timestamps and order.timestamps.created
    assert order.timestamps.created.time.astimezone(UTC).hour == 0
    assert map_order(order, SETTINGS).order.order_date == "2026-11-21T00:15:00.000000Z"


# --- the number people see (issue 21) -------------------------------------------------------------------------------


def test_the_order_number_is_the_shops_number_never_our_id():
    order = wms_order()
    assert base_number(order) == ("SO-1001", [])
    order.references.customer = "  CH160170 | 7522648293424 | 0003 "  # CartonCloud's own example, as a shop sends it
    assert base_number(order) == ("CH160170 | 7522648293424 | 0003", [])
    order.references.customer = "W" * 60
    number, notes = base_number(order)
    assert number == "W" * 50 and notes == ["order number shortened to 50 characters (Starshipit's limit)"]
    order.references.customer, order.references.numeric_id = None, 10042
    assert base_number(order)[0] == "10042" and "CartonCloud's own order number" in base_number(order)[1][0]
    order.references.numeric_id = None
    assert base_number(order)[0] == WMS_ID  # the last resort, said in the log


def test_a_taken_number_is_followed_by_a_second_shipments_numbers_within_50_characters():
    assert candidates("1003")[:3] == ["1003", "1003-2", "1003-3"] and candidates("1003")[-1] == "1003-9"
    assert all(len(n) == 50 and n.endswith(("W", "-2", "-9")) for n in (candidates("W" * 50)[i] for i in (0, 1, 8)))


def test_the_same_shipment_is_its_recipient_and_lines_not_its_spelling():
    sent = map_order(wms_order(), SETTINGS).order
    kept = {"order_id": 1, "order_number": "SO-1001", "items": [{"sku": "MOBILE", "quantity": 2.0}],
            "destination": {"name": "john  smith", "street": "20 George Street ", "post_code": 2000,
                            "country": "Australia"}}
    assert same_shipment(Order.model_validate(kept), sent)
    for changed in ({"destination": {**kept["destination"], "street": "1 Other St"}},
                    {"items": [{"sku": "MOBILE", "quantity": 1}]}, {"destination": None}):
        assert not same_shipment(Order.model_validate({**kept, **changed}), sent), changed


def test_text_over_starshipits_limits_is_shortened_and_said():
    mapped = map_order(wms_order(), SETTINGS)
    assert mapped.notes == []
    order = wms_order()
    order.details.deliver.instructions = "Ring twice. " * 10
    mapped = map_order(order, SETTINGS, order_number="SO-1001-2")
    assert mapped.order.order_number == "SO-1001-2" and mapped.order.reference == "SO-1001"
    assert len(mapped.order.destination.delivery_instructions) == 100
    assert mapped.notes[0].startswith("destination delivery instructions shortened to 100 characters")
