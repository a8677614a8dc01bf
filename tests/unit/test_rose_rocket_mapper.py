"""WMS consignment ↔ Rose Rocket order, pure: both sides read into one shape, what one side writes reads back equal
from the other (so a push followed by a poll writes nothing), units converted, refusals naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from integrations.cartoncloud.models import Consignment
from integrations.rose_rocket.errors import MappingRefused
from integrations.rose_rocket.mapper import (
    line_of_rose_rocket,
    new_consignment,
    order_values,
    shipment_of_consignment,
    shipment_of_order,
    updated_consignment,
)
from integrations.rose_rocket.models import Commodity, Order

CUSTOMER = "871ca13a-7f67-432d-bbc6-131fefae7e3a"
CONSIGNMENT = {
    "id": "0e8d6c4b-2a19-4f7e-8d5c-3b1a9f7e5d3c", "customer": {"id": CUSTOMER, "name": "Steam Chef Store"},
    "references": {"customer": "PO-7781"}, "warehouse": {"id": "w-1", "name": "Brisbane DC"},
    "details": {"type": "DELIVERY",
                "collect": {"address": {"companyName": "Steam Chef", "address1": "9 Mill Rd", "suburb": "Yatala",
                                        "state": {"code": "QLD"}, "postcode": "4207"}},
                "deliver": {"address": {"contactName": "Jane Citizen", "address1": "1 Wharf St", "city": "Brisbane",
                                        "state": {"name": "QLD"}, "postcode": "4000", "country": {"iso2Code": "AU"},
                                        "phone": "0400 000 000"},
                            "instructions": "Leave at dock 2"}},
    "properties": {"serviceType": "EXPRESS"},
    "items": [{"properties": {"description": "600MM PIPE"}, "measures": {"quantity": 10, "weight": 7.5}},
              {"details": {"product": {"references": {"code": "DRUM"}, "name": "Drum"}},
               "measures": {"pallets": 3, "quantity": 3, "weight": 160}}],
}


def as_order(values: dict, **extra) -> Order:
    """What Rose Rocket would answer for an order written with ``values`` (ids as it would assign them)."""
    tasks = [{**task, "id": f"t{i}", "stops": [{**stop, "id": f"s{i}", "address": {**stop["address"], "id": f"a{i}"}}
                                               for stop in task["stops"]],
              "commodities": [{**c, "id": f"c{i}{j}"} for j, c in enumerate(task["commodities"])]}
             for i, task in enumerate(values["tasks"])]
    return Order.model_validate({"id": "o-1", "fullId": "O-19", "status": "new", "refNum": values.get("refNum"),
                                 "customer": {"id": values["customer"]["id"]}, "tasks": tasks,
                                 "serviceType": {"id": "st-1", "name": "EXPRESS"}, **extra})


def test_a_consignment_written_as_an_order_reads_back_the_same():
    consignment = Consignment.model_validate(CONSIGNMENT)
    shipment = shipment_of_consignment(consignment, default_type="carton")
    values = order_values(shipment, consignment_id=consignment.id, customer_id="rr-cust", service_type_id="st-1")
    assert values["externalId"] == consignment.id and values["refNum"] == "PO-7781"
    assert values["serviceType"] == {"id": "st-1"} and values["customer"] == {"id": "rr-cust"}
    pickup, delivery = values["tasks"]
    assert pickup["taskType"] == "pickup" and delivery["taskType"] == "delivery"
    assert delivery["stops"][0]["address"]["companyName"] == "Jane Citizen"  # the contact when there's no company
    assert delivery["stops"][0]["specialInstructions"] == "Leave at dock 2"
    assert [c["commodityType"] for c in pickup["commodities"]] == ["carton", "pallet"]
    assert pickup["commodities"][1]["description"] == "Drum"
    assert shipment_of_order(as_order(values), default_type="carton").changes(shipment) == []


def test_an_order_written_as_a_consignment_reads_back_the_same_and_keeps_what_rose_rocket_has_no_field_for():
    commodity = {"commodityType": "pallet", "description": "Pots", "quantity": 2, "weight": 100, "weightUnit": "lbs",
                 "length": 48, "width": 40, "height": 60, "dimensionUnit": "in"}
    order = as_order({"customer": {"id": "rr"}, "refNum": None, "tasks": [
        {"taskType": "pickup", "stops": [{"address": {"companyName": "Mill", "city": "Yatala"}}],
         "commodities": [commodity]},
        {"taskType": "delivery", "stops": [{"address": {"companyName": "Cafe", "address1": "1 Wharf St",
                                                        "city": "Brisbane", "countryCode": "AU"}}],
         "commodities": []}]})
    shipment = shipment_of_order(order, default_type="carton")
    [line] = shipment.lines
    assert (line.weight_kg, line.length_cm, line.width_cm, line.height_cm) == (
        Decimal("45.359"), Decimal("121.9"), Decimal("101.6"), Decimal("152.4"))
    made = new_consignment(shipment, order, customer_id=CUSTOMER, warehouse_id="w-1")
    api = made.to_api()
    assert api["status"] == "DELIVERED" and api["references"] == {"customer": "O-19"}
    assert api["properties"]["roseRocketOrderId"] == "o-1"
    assert api["items"][0]["measures"] == {"quantity": 2, "weight": 45.359, "pallets": 2, "cubic": 3.775}
    assert shipment_of_consignment(made, default_type="carton").changes(shipment) == []
    # An edit of the delivery stop: only that part is written, the WMS contact and phone stay.
    existing = Consignment.model_validate({**CONSIGNMENT, "items": CONSIGNMENT["items"]})
    edited = shipment_of_order(order, default_type="carton")
    current = shipment_of_consignment(existing, default_type="carton")
    changed = current.changes(edited)
    assert "delivery" in changed and "reference" not in changed  # no refNum in Rose Rocket: not a change
    updated = updated_consignment(existing, edited, ["delivery"])
    address = updated.details.deliver.address
    assert (address.company_name, address.contact_name, address.phone) == ("Cafe", "Jane Citizen", "0400 000 000")
    assert updated.items == existing.items and updated.details.deliver.instructions is None


def test_units_convert_to_kg_and_cm():
    line = line_of_rose_rocket(Commodity(quantity=Decimal(1), weight=Decimal(1), weight_unit="metric tonnes",
                                         length=Decimal(2), width=Decimal(1), height=Decimal(1),
                                         dimension_unit="ft", commodity_type="unknown"), "crate")
    assert (line.weight_kg, line.length_cm, line.commodity_type) == (Decimal("1E+3"), Decimal("61"), "crate")


@pytest.mark.parametrize(("change", "field"), [
    ({"companyName": None}, "tasks[delivery].stops[0].address.companyName"),
    ({"commodities": []}, "tasks[pickup].commodities"),
])
def test_an_order_the_wms_cannot_take_is_refused_naming_the_rose_rocket_field(change, field):
    delivery = {"companyName": "Cafe", **{k: v for k, v in change.items() if k != "commodities"}}
    commodities = change.get("commodities", [{"quantity": 1, "description": "x"}])
    order = as_order({"customer": {"id": "rr"}, "tasks": [
        {"taskType": "pickup", "stops": [{"address": {"companyName": "Mill"}}], "commodities": commodities},
        {"taskType": "delivery", "stops": [{"address": delivery}], "commodities": []}]})
    with pytest.raises(MappingRefused) as refused:
        new_consignment(shipment_of_order(order, default_type="carton"), order, customer_id=CUSTOMER,
                        warehouse_id=None)
    assert refused.value.field == field and refused.value.resolution


def test_updating_an_order_keeps_its_records_and_the_tasks_a_dispatcher_added():
    consignment = Consignment.model_validate(CONSIGNMENT)
    shipment = shipment_of_consignment(consignment, default_type="carton")
    values = order_values(shipment, consignment_id=consignment.id, customer_id="rr", service_type_id=None)
    existing = as_order(values).model_copy(update={"tasks": [*as_order(values).tasks,
                                                             *Order.model_validate({"id": "x", "tasks": [
                                                                 {"id": "drive-1", "taskType": "drive"}]}).tasks]})
    again = order_values(shipment, consignment_id=consignment.id, customer_id="rr", service_type_id=None,
                         existing=existing)
    assert "externalId" not in again
    assert [t.get("id") for t in again["tasks"]] == ["t0", "t1", "drive-1"]
    assert again["tasks"][0]["stops"][0]["id"] == "s0" and again["tasks"][0]["stops"][0]["address"]["id"] == "a0"
    assert [c["id"] for c in again["tasks"][0]["commodities"]] == ["c00", "c01"]


# --- the captured real order's freight (issue 21): 8 skids, 252.25 lb, no dimensions -------------------------------

SKIDS = {"commodityType": "skid", "description": "Auto Parts", "quantity": 8, "pieces": 8, "weight": 252.25,
         "weightUnit": "lb", "length": 0, "width": 0, "height": 0, "dimensionUnit": "inch", "freightClass": "none"}


def delivered_with(*commodities: dict) -> Order:
    return as_order({"customer": {"id": "rr"}, "refNum": "SHP2501-A19P328", "tasks": [
        {"taskType": "pickup", "stops": [{"address": {"companyName": "Sonora Forming", "city": "Hermosillo"}}],
         "commodities": list(commodities)},
        {"taskType": "delivery", "stops": [{"address": {"companyName": "Ryder Crossdock", "city": "El Paso"}}],
         "commodities": []}]})


def test_a_commodity_without_dimensions_becomes_an_item_with_weight_quantity_and_pallets_but_no_volume():
    order = delivered_with(SKIDS)
    shipment = shipment_of_order(order, default_type="carton")
    made = new_consignment(shipment, order, customer_id=CUSTOMER, warehouse_id=None).to_api()
    [item] = made["items"]
    assert item["measures"] == {"quantity": 8, "weight": 114.419, "pallets": 8}  # no cubic: none was measured
    assert item["properties"] == {"description": "Auto Parts", "commodityType": "skid"}  # no 0 cm dimensions
    # and it reads back the same from the WMS (so a re-read of the order writes nothing)
    assert shipment_of_consignment(Consignment.model_validate(made), default_type="carton").changes(shipment) == []


@pytest.mark.parametrize("kind", ["skid", "pallet", "Skid"])
def test_skids_and_pallets_take_pallet_spaces_and_other_types_do_not(kind):
    line = line_of_rose_rocket(Commodity.model_validate({**SKIDS, "commodityType": kind}), "carton")
    assert line.pallets == Decimal(8)
    crate = line_of_rose_rocket(Commodity.model_validate({**SKIDS, "commodityType": "crate"}), "carton")
    assert crate.pallets is None


def test_one_missing_or_zero_dimension_means_no_volume():
    partial = line_of_rose_rocket(Commodity.model_validate({**SKIDS, "length": 48, "width": 40, "height": None}),
                                  "carton")
    assert partial.cubic_m3 is None and (partial.length_cm, partial.width_cm) == (Decimal("121.9"), Decimal("101.6"))


@pytest.mark.parametrize(("given", "kg"), [("lb", "114.419"), ("LBS", "114.419"), ("pounds", "114.419"),
                                           ("kg", "252.25"), (None, "252.25")])
def test_weight_units_are_read_in_any_of_their_spellings(given, kg):
    assert line_of_rose_rocket(Commodity.model_validate({**SKIDS, "weightUnit": given}), "carton").weight_kg == \
        Decimal(kg)


def test_a_unit_we_cannot_convert_is_refused_naming_the_field_never_read_as_kg():
    order = delivered_with(SKIDS, {**SKIDS, "weightUnit": "stone"})
    with pytest.raises(MappingRefused) as refused:
        shipment_of_order(order, default_type="carton")
    assert refused.value.field == "commodities[1].weightUnit" and "stone" in str(refused.value)
    assert "Order O-19" in str(refused.value) and refused.value.resolution
