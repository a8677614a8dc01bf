"""What a WMS dispatch changes on an Unleashed shipment (fulfilment.plan): every rule, on the composed shipment."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from integrations.unleashed.dates import calendar_day
from integrations.unleashed.fulfilment import MARKER, DispatchFacts, packages_of, plan

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "unleashed"
DAY = date(2026, 12, 1)


def shipment(**changes) -> dict:
    body = json.loads((VENDOR / "salesshipment.COMPOSED.json").read_text())
    body.update(changes)
    return body


def facts(numbers=("TRK-1",), carrier="Aramex", day=DAY) -> DispatchFacts:
    return DispatchFacts(numbers=list(numbers), carrier=carrier, dispatched_on=day, packages=packages_of(list(numbers)))


def test_a_dispatch_sets_status_date_packages_tracking_and_carrier_on_the_whole_shipment():
    original = shipment()
    change = plan(original, facts())
    body = change.body
    assert body["ShipmentStatus"] == "Dispatched"
    # 2026-12-01T00:00:00Z: a calendar day at UTC midnight, as Unleashed stores one
    assert calendar_day(body["DispatchDate"]) == DAY and body["DispatchDate"] == "/Date(1796083200000)/"
    assert body["NumberOfPackages"] == 1 and body["TrackingNumber"] == "TRK-1"
    assert body["ShippingCompany"] == {"Name": "Aramex"}
    # the whole object goes back: lines and everything else untouched
    assert body["SalesShipmentLines"] == original["SalesShipmentLines"] and body["Comments"] == original["Comments"]
    assert original["ShipmentStatus"] == "Placed"  # the read copy is not changed
    assert change.changed == ["status Placed → Dispatched", "dispatch date 2026-12-01", "shipping company Aramex",
                              "packages 1", "tracking TRK-1"]


def test_what_unleashed_already_shows_is_not_written_again():
    written = plan(shipment(), facts()).body
    again = plan(written, facts())
    assert again.body is None and again.changed == []


def test_order_management_off_sets_no_status_but_date_packages_and_tracking():
    change = plan(shipment(ShipmentStatus=None), facts())
    assert change.body["ShipmentStatus"] is None
    assert change.body["NumberOfPackages"] == 1 and change.body["TrackingNumber"] == "TRK-1"
    assert calendar_day(change.body["DispatchDate"]) == DAY
    assert not any(c.startswith("status") for c in change.changed)
    refused = plan(shipment(), facts(), set_status=False)  # Unleashed refused the status: written without it
    assert refused.body["ShipmentStatus"] == "Placed" and refused.body["TrackingNumber"] == "TRK-1"


def test_after_dispatch_only_tracking_and_comments_change():
    dispatched = plan(shipment(), facts()).body
    later = plan(dispatched, DispatchFacts(["TRK-2"], "Courier Post", None, 1))
    assert later.changed == ["tracking TRK-2"]
    assert later.body["ShippingCompany"] == {"Name": "Aramex"} and later.body["DispatchDate"] == \
        dispatched["DispatchDate"]
    # with Order Management off nothing is locked: the packages follow the consignments
    off = plan(shipment(ShipmentStatus=None), facts()).body
    more = plan(off, DispatchFacts(["TRK-1", "TRK-2"], "Aramex", None, 2))
    assert more.changed == ["packages 2", "tracking TRK-1, TRK-2"]


def test_every_tracking_number_is_kept_comma_separated_or_listed_in_our_comment_line():
    three = plan(shipment(), facts(("A-1", "B-2", "C-3"))).body
    assert three.get("TrackingNumber") == "A-1, B-2, C-3" and three["NumberOfPackages"] == 3
    many = [f"CONSIGNMENT-{n:04d}-XYZ" for n in range(8)]  # 8 × 20 characters: more than 100 with separators
    change = plan(shipment(), facts(many))
    body = change.body
    assert len(body["TrackingNumber"]) <= 100 and body["TrackingNumber"].startswith("CONSIGNMENT-0000-XYZ, ")
    lines = body["Comments"].splitlines()
    assert lines[0] == "Fragile: top load only"  # the person's comment stays
    assert lines[1] == f"{MARKER} " + ", ".join(many)
    assert any("listed in the shipment's comments" in note for note in change.notes)
    # the numbers shrink again: our line goes, theirs stays
    fewer = plan(body, DispatchFacts(["ONE"], "Aramex", None, 1))
    assert fewer.body["Comments"] == "Fragile: top load only" and fewer.body["TrackingNumber"] == "ONE"


def test_a_person_s_comments_are_left_exactly_as_they_are_when_no_line_of_ours_is_needed():
    original = shipment(Comments="line one\r\nline two\n")
    body = plan(original, facts()).body
    assert body["Comments"] == "line one\r\nline two\n"


def test_the_carrier_compares_by_name_ignoring_case_and_packages_count_consignments():
    same = plan(shipment(ShippingCompany={"Guid": "g-1", "Name": "ARAMEX"}), facts())
    assert same.body["ShippingCompany"] == {"Guid": "g-1", "Name": "ARAMEX"}
    assert plan(shipment(), facts(carrier=None)).body.get("ShippingCompany") is None
    assert packages_of([]) == 1 and packages_of(["A", "A", "B"]) == 2
