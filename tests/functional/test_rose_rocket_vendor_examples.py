"""Vendor examples end to end (issue 21, item 4): each Rose Rocket example loaded into the sandbox through its control
API as it is, read back unchanged (control and vendor API), and synced through our doors and queues; the resulting
record checked field by field against the tables in docs/rose-rocket.md ("Vendor examples end to end"), read from
the page itself so the two can't drift."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import requests

from . import rose_rocket_helpers
from .conftest import WMS_BASE
from .rose_rocket_helpers import API_HOST, AUTH_HOST, CLIENT_ID, ORG, SECRET, USER, RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture
ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "tests" / "fixtures" / "vendor"
DOCS = ROOT / "docs" / "rose-rocket.md"
CONTROL = f"{API_HOST}/_control/orgs/{ORG}"
ABSENT = object()


# --- the docs' tables ---------------------------------------------------------------------------------------------


def docs_table(heading: str) -> list[tuple[str, str, Any]]:
    """``(example field, our field, expected value)`` of the table under ``heading`` (``—``: not sent)."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index(f"### {heading}\n"):]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 3 or cells[0] in ("example field", "---"):
            continue
        example, ours, expected = (c.strip("`") for c in cells)
        rows.append((example, ours, ABSENT if expected == "(none)" else json.loads(expected)))
    assert len(rows) > 10, f"the docs' table {heading!r} was not found whole"
    return rows


def at(record: Any, path: str) -> Any:
    """The value at ``a.b[0].c`` in ``record`` (``tasks[pickup]``: the task of that type), or ABSENT when a key on
    the way is missing (a null at the end is the value None)."""
    for part in path.split("."):
        name, _, index = part.partition("[")
        if name:
            if not isinstance(record, dict) or name not in record:
                return ABSENT
            record = record[name]
        if index:
            key = index.rstrip("]")
            if not isinstance(record, list):
                return ABSENT
            if key.isdigit():
                record = record[int(key)] if int(key) < len(record) else ABSENT
            else:
                record = next((t for t in record if isinstance(t, dict) and t.get("taskType") == key), ABSENT)
            if record is ABSENT:
                return ABSENT
    return record


def check_against_the_docs(heading: str, example: dict[str, Any], ours: dict[str, Any]) -> None:
    written = json.dumps(ours)
    for example_field, our_field, expected in docs_table(heading):
        assert at(example, example_field) is not ABSENT, f"{heading}: the example has no {example_field}"
        if our_field == "—":
            assert json.dumps(expected) not in written, f"{heading}: {example_field} ({expected}) was sent"
            continue
        found = at(ours, our_field)
        found = ABSENT if found is None else found  # left out or null: not there either way
        assert found == expected, (heading, example_field, our_field, found, expected)


# --- the sandbox's control and vendor API, as a user would call them ------------------------------------------------


def load(body: Any, **query: str) -> dict[str, Any]:
    answer = requests.post(f"{CONTROL}/examples", json=body, params=query, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def read_back(record_id: str) -> dict[str, Any]:
    answer = requests.get(f"{CONTROL}/examples/{record_id}", timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def through_the_api(record_id: str, paths: str) -> dict[str, Any]:
    token = requests.post(f"{AUTH_HOST}/oauth/token", timeout=5, json={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
        "audience": "https://roserocket.com", "org_id": ORG, "user_id": USER}).json()["access_token"]
    answer = requests.get(f"{API_HOST}/api/v2/platformModel/objects/{record_id}", params={"paths": paths},
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def example(platform: str, name: str) -> Any:
    return json.loads((VENDOR / platform / name).read_text(encoding="utf-8"))


# --- Rose Rocket → WMS: the captured v1 order -------------------------------------------------------------------


def test_the_captured_v1_order_becomes_a_wms_consignment_as_the_docs_table_says(world: RoseRocketWorld):
    v1 = example("rose_rocket", "v1-order.response.third-party.json")
    world.connect()
    loaded = load(copy.deepcopy(v1))
    assert (loaded["id"], loaded["fullId"], loaded["loadedAs"]) == (v1["id"], "ATHN-TAY-4158", "v1 order")
    kept = read_back(v1["id"])
    assert kept["original"] == v1  # whole, as given
    shown = through_the_api(v1["id"], "customer,tasks,tasks.stops,tasks.stops.address,tasks.commodities")
    assert shown == {k: v for k, v in kept["record"].items() if k in shown}
    assert shown["customer"]["id"] == v1["customer"]["id"] and shown["customer"]["name"] == "Taylor Corp"
    # its customer matched (by the Rose Rocket customer's number), then a dispatcher delivers it
    answer = world.import_matches(f"Rose Rocket Customer,Customer UUID\n{shown['customer']['fullId']},"
                               f"{world.wms_customers['chef']}\n")
    assert answer.status == 200, answer.body
    world.pump()
    moved = requests.post(f"{CONTROL}/orders/{v1['id']}/status", json={"status": "delivered"}, timeout=5)
    assert moved.status_code == 200, moved.text
    world.pump()
    [consignment] = world.wms_consignments()
    assert consignment["customer"]["id"] == world.wms_customers["chef"]
    assert consignment["warehouse"]["id"] == world.tenant.warehouse_id
    check_against_the_docs("The captured v1 order → WMS consignment", v1, consignment)
    link, entries = world.order_log(v1["id"])
    assert link["status"] == "SYNCED" and any("ATHN-TAY-4158" in e["message"] for e in entries)


# --- WMS → Rose Rocket: CartonCloud's consignment example -----------------------------------------------------------


def test_the_cartoncloud_consignment_example_becomes_a_rose_rocket_order_as_the_docs_table_says(world: RoseRocketWorld):
    consignment = example("cartoncloud", "consignment-create.request.json")
    tenant = world.tenant.tenant_id
    warehouse = world.wms.add_warehouse(tenant, consignment["warehouse"]["name"], id=consignment["warehouse"]["id"])
    world.wms.add_customer(tenant, consignment["customer"]["name"], id=consignment["customer"]["id"],
                        code=consignment["customer"]["references"]["code"], warehouse_ids=[warehouse["id"]])
    with world.rose_rocket.writing(world.rose_rocket.org(ORG), USER) as records:
        see_civil = records.create("customer", {"name": "See Civil Pty Ltd"})
    world.connect()
    answer = world.import_matches(f"Rose Rocket Customer,Customer UUID\n{see_civil['fullId']},"
                               f"{consignment['customer']['id']}\n")
    assert answer.status == 200, answer.body
    world.pump()
    entered = requests.post(f"{WMS_BASE}/_control/tenants/{tenant}/consignments", json=consignment, timeout=5)
    assert entered.status_code == 201, entered.text
    made = entered.json()
    assert made["items"] == consignment["items"] and made["details"]["collect"] == consignment["details"]["collect"]
    world.pump()
    [order] = world.rr_orders()
    assert order["externalId"] == made["id"] and len(at(order, "tasks[pickup].commodities")) == 8
    check_against_the_docs("The CartonCloud consignment example → Rose Rocket order", consignment, order)
    link, _ = world.consignment_log(made["id"])
    assert link["status"] == "SYNCED"


# --- Rose Rocket's create examples ----------------------------------------------------------------------------------


def test_the_create_examples_load_as_they_are_read_back_whole_and_their_order_needs_what_it_lacks(
        world: RoseRocketWorld):
    customer_example = example("rose_rocket", "customer-create.request.generated.json")
    order_example = example("rose_rocket", "order-create.request.generated.json")
    world.connect()
    customer = load(customer_example)
    assert read_back(customer["id"])["original"] == customer_example
    shown = through_the_api(customer["id"], "")
    assert {k: shown[k] for k in customer_example["json"]} == customer_example["json"]
    order = load(order_example, customerId=customer["id"])  # its "<customerId>" placeholder
    assert read_back(order["id"])["original"] == order_example
    shown = through_the_api(order["id"], "customer,tasks")
    assert shown["customer"]["id"] == customer["id"]
    assert [t["name"] for t in shown["tasks"]] == [t["name"] for t in order_example["json"]["tasks"]]
    # synced: its customer matched, moved to Delivered — it lacks a delivery stop, and its record says so
    world.import_matches(f"Rose Rocket Customer,Customer UUID\n{customer['fullId']},{world.wms_customers['harbour']}\n")
    world.pump()
    requests.post(f"{CONTROL}/orders/{order['id']}/status", json={"status": "delivered"}, timeout=5)
    world.pump()
    assert world.wms_consignments() == []
    link, _ = world.order_log(order["id"])
    assert link["status"] == "NEEDS_ATTENTION" and "delivery stop" in link["lastError"]
    assert "Rose Rocket" in link["resolution"]


def test_the_webhook_destination_example_loads_as_it_is_and_reads_back_with_its_subscription(world: RoseRocketWorld):
    destination_example = example("rose_rocket", "webhook-destination-create.request.json")
    loaded = load(destination_example)
    kept = read_back(loaded["id"])
    assert kept["original"] == destination_example
    shown = through_the_api(loaded["id"], "subscriptions")
    assert shown["url"] == destination_example["json"]["url"]  # the literal "…" as written
    assert [s["eventName"] for s in shown["subscriptions"]] == ["Order Status Changed"]


def test_a_body_that_is_no_example_is_refused_naming_what_is_taken(world: RoseRocketWorld):
    answer = requests.post(f"{CONTROL}/examples", json={"name": "not an example"}, timeout=5)
    assert answer.status_code == 400 and re.search(r"v1 order|objectKey", answer.json()["error"])
