"""Customers (issue 13, point 3 — R1): matched by the WMS customer UUID, never created. The export is the shape Rose
Rocket's import takes; an import is checked row by row and applied whole or not at all; matches are written to the
Rose Rocket customers' externalId; the list shows both sides."""

from __future__ import annotations

import csv
import io

from integrations.rose_rocket.matches import MatchStore

from . import rose_rocket_helpers
from .rose_rocket_helpers import ORG, RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture


def rr_customer(world: RoseRocketWorld, name: str) -> dict:
    return world.rose_rocket.org(ORG).store.records[world.customers[name]["id"]]


def test_the_export_lists_the_tenants_wms_customers_as_rose_rocket_imports_them(world: RoseRocketWorld):
    world.wms.add_customer(world.tenant.tenant_id, name="=HYPERLINK(1)")
    world.connect()
    answer = world.api("GET", f"{world.base}/customers/export")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(answer.body)))
    assert rows[0] == ["Customer Name", "Customer UUID"]
    assert rows[1:] == [["'=HYPERLINK(1)", rows[1][1]], ["Harbour Foods", world.wms_customers["harbour"]],
                        ["Steam Chef Store", world.wms_customers["chef"]]]


def test_an_import_with_bad_rows_names_each_and_applies_nothing(world: RoseRocketWorld):
    world.connect()
    chef, harbour = world.customers["chef"], world.customers["harbour"]
    text = ("Customer Name,Customer UUID,Rose Rocket Customer\n"
            f"Steam Chef Store,{world.wms_customers['chef']},{chef['fullId']}\n"          # row 2: good
            f"Nobody,00000000-0000-4000-8000-000000000000,{harbour['fullId']}\n"      # row 3: unknown UUID
            f"Harbour Foods,{world.wms_customers['harbour']},CUST-404\n"                  # row 4: unknown RR customer
            f"Steam Chef Store,{world.wms_customers['chef']},{harbour['id']}\n"           # row 5: both on earlier rows
            f"Harbour Foods,{world.wms_customers['harbour']},\n")                          # row 6: skipped
    answer = world.import_matches(text)
    assert answer.status == 422 and answer.headers["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [
        "row 3: Customer UUID", "row 4: Rose Rocket Customer", "row 5: Customer UUID", "row 5: Rose Rocket Customer"]
    assert "nothing" in answer.json()["detail"] and answer.json()["resolution"]
    listed = world.api("GET", f"{world.base}/customer-matches").json()
    assert listed["matched"] == [] and len(listed["unmatchedWms"]) == 2 and len(listed["unmatchedRoseRocket"]) == 2
    world.pump()
    assert rr_customer(world, "chef")["externalId"] is None


def test_a_malformed_file_is_refused_whole_never_read_by_guessing(world: RoseRocketWorld):
    """Issue 20: an unterminated quote silently swallowed the rows after it, a repeated Customer UUID column took
    the first one, and a header alone answered applied and started a new generation of matches."""
    world.connect()
    chef, harbour = world.customers["chef"], world.customers["harbour"]
    header = "Customer Name,Customer UUID,Rose Rocket Customer\n"
    good = f"Steam Chef Store,{world.wms_customers['chef']},{chef['fullId']}\n"
    cases = {
        "unterminated quote": (header + good + f'"Harbour Foods,{world.wms_customers["harbour"]},{harbour["fullId"]}\n',
                               "row 3: file"),
        "stray quote": (header + good + f'"Harbour" Foods,{world.wms_customers["harbour"]},{harbour["fullId"]}\n',
                        "row 3: file"),
        "repeated column": ("Customer UUID,Customer UUID,Rose Rocket Customer\n"
                            f"{world.wms_customers['harbour']},{world.wms_customers['chef']},{chef['fullId']}\n",
                            "row 1: header"),
        "header alone": (header, "row 2: Rose Rocket Customer"),
        "no row names a Rose Rocket customer": (header + f"Harbour Foods,{world.wms_customers['harbour']},\n",
                                                "row 2: Rose Rocket Customer"),
    }
    for case, (text, field) in cases.items():
        answer = world.import_matches(text)
        assert answer.status == 422, (case, answer.body)
        assert [e["field"] for e in answer.json()["errors"]] == [field], (case, answer.body)
        assert "nothing" in answer.json()["resolution"] + answer.json()["detail"], case
    assert MatchStore(world.integration_id).current() is None  # no generation was started
    assert world.api("GET", f"{world.base}/customer-matches").json()["matched"] == []


def test_a_good_import_is_applied_whole_and_written_to_rose_rocket(world: RoseRocketWorld):
    world.connect()
    text = ("Customer Name,Customer UUID,Rose Rocket Customer\n"
            f"Steam Chef Store,{world.wms_customers['chef']},{world.customers['chef']['fullId'].lower()}\n"
            f"Harbour Foods,{world.wms_customers['harbour']},\n")
    answer = world.import_matches("\ufeff" + text)  # Excel's byte-order mark is fine in a CSV
    assert answer.status == 200, answer.body
    assert answer.json() | {"importedAt": None} == {"applied": True, "rows": 2, "added": 1, "changed": 0,
                                                     "unchanged": 0, "skipped": 1, "matched": 1,
                                                     "importedAt": None}
    listed = world.api("GET", f"{world.base}/customer-matches").json()
    assert listed["matched"][0]["externalIdInRoseRocket"] == "pending"
    world.pump()
    assert rr_customer(world, "chef")["externalId"] == world.wms_customers["chef"]
    listed = world.api("GET", f"{world.base}/customer-matches").json()
    assert [(m["wmsName"], m["roseRocketFullId"], m["externalIdInRoseRocket"]) for m in listed["matched"]] == [
        ("Steam Chef Store", world.customers["chef"]["fullId"], "written")]
    assert [c["name"] for c in listed["unmatchedWms"]] == ["Harbour Foods"]
    assert [c["name"] for c in listed["unmatchedRoseRocket"]] == ["Harbour Foods"]
    assert listed["importedBy"]
    # A later import re-matches: the Rose Rocket customer that lost its match loses its externalId too.
    moved = world.import_matches(f"Rose Rocket Customer,Customer UUID\n{world.customers['harbour']['fullId']},"
                              f"{world.wms_customers['chef']}\n")
    assert moved.json()["changed"] == 1 and moved.json()["matched"] == 1
    world.pump()
    assert rr_customer(world, "chef")["externalId"] is None
    assert rr_customer(world, "harbour")["externalId"] == world.wms_customers["chef"]


def test_what_is_not_a_match_file_is_refused(world: RoseRocketWorld):
    world.connect()
    wrong_type = world.api("POST", f"{world.base}/customer-matches", {"rows": []})
    assert wrong_type.status == 415 and wrong_type.json()["errors"][0]["field"] == "Content-Type"
    as_text = world.api("POST", f"{world.base}/customer-matches", raw=b"Rose Rocket Customer,Customer UUID\n",
                     content_type="text/plain")  # the document says text/csv: only text/csv is taken
    assert as_text.status == 415 and "text/csv" in as_text.json()["resolution"], as_text.body
    no_header = world.import_matches("Name,UUID\nx,y\n")
    assert no_header.status == 422 and [e["field"] for e in no_header.json()["errors"]] == [
        "row 1: header", "row 1: header"]
    latin = world.api("POST", f"{world.base}/customer-matches",
                      raw="Rose Rocket Customer,Customer UUID\nCafé,x\n".encode("latin-1"), content_type="text/csv")
    assert latin.status == 400 and latin.json()["errors"][0]["field"] == "body"
