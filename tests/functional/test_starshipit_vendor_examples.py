"""Issue 21, point 4: the vendors' own examples, end to end. Every Starshipit example in
tests/fixtures/vendor/starshipit/ and CartonCloud's outbound-order example go through the sandboxes' own APIs as
they are (vendor API or control API, as a user or the vendor would), are read back unchanged, go through our doors
and queues, and what results is checked field by field against docs/starshipit.md "Vendor examples end to end" —
the tables are read here, so the docs and the code can't drift."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from integrations.starshipit.client import DEFAULT_BASE_URL

from local.sandboxes.base import SandboxRequest

from .conftest import WMS_BASE
from .starshipit_helpers import ACCOUNT, WEBHOOK_SECRET, StarshipitWorld, starshipit_world_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "starshipit.md"
VENDOR = ROOT / "tests" / "fixtures" / "vendor"
ABSENT = object()
# outbound-order-create.request.json's customer, warehouse and product
CUSTOMER_ID, WAREHOUSE_ID, SKU = "871ca13a-7f67-432d-bbc6-131fefae7e3a", "568cd392-50b1-11f0-a32e-066c91bd21c5", \
    "CB-C-DC-12"


def example(platform: str, name: str) -> Any:
    return json.loads((VENDOR / platform / name).read_text())


def table(heading: str) -> list[tuple[str, str, Any]]:
    """The ``| example field | our field | expected value |`` table under ``### {heading}``: values are JSON,
    *(absent)* means the field is not there."""
    section = DOC.read_text().split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 3 or cells[0] in ("example field", "---"):
            continue
        field, ours, value = (c.replace("\\|", "|").strip("`") for c in cells)
        rows.append((field, ours, ABSENT if value == "*(absent)*" else json.loads(value)))
    assert rows, f"no table under {heading}"
    return rows


def dig(record: Any, path: str) -> Any:
    """``destination.name``, ``items[0].sku``: the value at ``path``, or :data:`ABSENT`."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(record, list) or index >= len(record):
                return ABSENT
            record = record[index]
        elif isinstance(record, dict) and part in record:
            record = record[part]
        else:
            return ABSENT
    return record


def contains(whole: Any, part: Any) -> bool:
    """Every field of ``part`` is in ``whole``, unchanged (Starshipit's own additions, like ``item_id``, aside)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and contains(whole[k], v) for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(whole) == len(part) and all(map(contains, whole, part))
    return bool(whole == part and type(whole) is type(part))


def check(record: dict[str, Any], rows: list[tuple[str, str, Any]], *, source: dict[str, Any] | None = None) -> None:
    for field, ours, expected in rows:
        assert dig(record, ours) == expected, (field, ours, expected, dig(record, ours))
        if source is not None and expected is not ABSENT:
            assert dig(source, field) is not ABSENT, f"{field} is not a field of the example"


def wms_api(world: StarshipitWorld, method: str, path: str, body: Any = None) -> requests.Response:
    """CartonCloud's own API, as a shop's integration calls it (token, ``Accept-Version: 1``)."""
    token = requests.post(f"{WMS_BASE}/uaa/oauth/token", auth=(world.tenant.client_id, world.tenant.client_secret),
                          data={"grant_type": "client_credentials"}, headers={"Accept-Version": "1"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept-Version": "1"}
    return requests.request(method, f"{WMS_BASE}/tenants/{world.tenant.tenant_id}{path}", json=body, headers=headers)


def ssi_api(world: StarshipitWorld, method: str, path: str, body: Any = None, **params: str) -> requests.Response:
    """Starshipit's own API, as another channel of the account calls it."""
    return requests.request(method, f"{DEFAULT_BASE_URL}{path}", json=body, params=params, headers=world.keys())


def control(world: StarshipitWorld, method: str, path: str, raw: bytes = b"") -> Any:
    answer = world.starshipit.handle(SandboxRequest(method, f"/_control/accounts/{ACCOUNT}{path}", body=raw))
    assert 200 <= answer.status < 300, answer.parsed()
    return answer.parsed()


@pytest.fixture(name="shop")
def shop_fixture(world: StarshipitWorld) -> StarshipitWorld:
    """The CartonCloud example's customer and warehouse (their ids as the example has them) with its product, and a
    live Starshipit integration for that customer."""
    tenant = world.tenant.tenant_id
    world.wms.add_warehouse(tenant, "Havelock North DC", id=WAREHOUSE_ID)
    world.wms.add_customer(tenant, "Example Shop", id=CUSTOMER_ID, warehouse_ids=[WAREHOUSE_ID])
    # The example's order names its product by code only: here the WMS product is named by its code too.
    for code, name in ((SKU, SKU), ("MOBILE", "Mobile Phone"), ("MOBILE-CASE-BLK", "Mobile Case (Black)")):
        world.wms.add_product(tenant, customer_id=CUSTOMER_ID, code=code, name=name)
    world.tenant.customer_id, world.tenant.warehouse_id = CUSTOMER_ID, WAREHOUSE_ID
    return world


def created_in_the_wms(world: StarshipitWorld, body: dict[str, Any]) -> str:
    answer = wms_api(world, "POST", "/outbound-orders", body)
    assert answer.status_code == 201, answer.text
    order_id = str(answer.json()["id"])
    read = wms_api(world, "GET", f"/outbound-orders/{order_id}").json()
    assert read["references"]["customer"] == body["references"]["customer"]
    assert read["externalMeta"] == body["externalMeta"]  # the WMS keeps the example's own fields
    return order_id


def consignment_of(world: StarshipitWorld, order_id: str) -> dict[str, Any]:
    [consignment] = world.consignments(order_id)
    return consignment


def test_cartoncloud_example_becomes_the_starshipit_order_the_docs_say_and_its_tracking_comes_back(
        shop: StarshipitWorld):
    shop.connect()
    body = example("cartoncloud", "outbound-order-create.request.json")
    order_id = created_in_the_wms(shop, body)  # as it is
    shop.move(order_id, "PACKED")
    shop.pump()
    order = shop.ssi_order_for(order_id)
    check(order, table("CartonCloud's outbound-order example → the Starshipit order"), source=body)
    [sent] = shop.starshipit.sent(r"^/api/orders$", "POST")
    assert sent.body["order"]["order_number"] == body["references"]["customer"]  # what we sent, exactly
    # Shipped in Starshipit with the webhook example's tracking number: its own signed webhooks bring it back.
    tracking = example("starshipit", "tracking-webhook.json")["tracking_number"]
    shop.starshipit.ship_order(ACCOUNT, order["order_id"], tracking_number=tracking)
    assert [status for _, status in shop.door.answers] == [200, 200]
    shop.pump()
    check(consignment_of(shop, order_id), table("Starshipit's tracking → the WMS consignment"),
          source=example("starshipit", "tracking-webhook.json"))


@pytest.mark.parametrize("signed", [True, False])
def test_starshipits_tracking_webhook_example_is_taken_signed_and_unsigned(shop: StarshipitWorld, signed: bool):
    raw = (VENDOR / "starshipit" / "tracking-webhook.json").read_bytes()
    delivered = json.loads(raw)
    shop.connect(webhook=signed)
    if not signed:  # the notification URL set in Starshipit, no secret: as the user may leave it
        shop.starshipit.set_webhook(ACCOUNT, shop.fresh().platform_state["deliveryUrl"])
    body = example("cartoncloud", "outbound-order-create.request.json")
    body["references"]["customer"] = delivered["order_number"]  # the shop's order 5567476
    order_id = created_in_the_wms(shop, body)
    shop.move(order_id, "PACKED")
    shop.pump()
    assert shop.number_of(order_id) == "5567476"
    shop.door.outage = 503  # Starshipit's own deliveries held: the example is the one that arrives
    shop.starshipit.ship_order(ACCOUNT, shop.ssi_order_for(order_id)["order_id"],
                               tracking_number=delivered["tracking_number"])
    shop.door.outage = None
    sent = control(shop, "POST", "/webhook-deliveries", raw)  # the example, byte for byte, signed as Starshipit would
    assert sent["status"] == 200
    assert ("X-Starshipit-Signature" in shop.starshipit.deliveries[-1].headers) is signed
    assert shop.starshipit.deliveries[-1].body == raw
    shop.pump()
    check(consignment_of(shop, order_id), table("Starshipit's tracking → the WMS consignment"), source=delivered)
    assert ("webhook" in shop.events(order_id)) is signed  # an unsigned body never reaches a person's log


def test_starshipits_own_order_examples_load_as_they_are_and_bind_the_same_shipment(shop: StarshipitWorld):
    shop.connect()
    made = ssi_api(shop, "POST", "/api/orders", example("starshipit", "create-order.request.json"))
    assert made.status_code == 200, made.text  # the create example, as it is, through Starshipit's API
    as_sent = example("starshipit", "create-order.request.json")["order"]
    read = ssi_api(shop, "GET", "/api/orders", order_id=str(made.json()["order"]["order_id"])).json()["order"]
    assert contains(read, as_sent)  # whole: every field as sent ("Australia" stays a name)
    ssi_api(shop, "DELETE", "/api/orders", order_id=str(read["order_id"]))  # it was a trial: gone again
    # Another channel's order 10001, as Starshipit holds it, edited by its user with the update example.
    answer = example("starshipit", "create-order.response.json")
    assert control(shop, "POST", "/orders", json.dumps(answer).encode())["orders"] == [answer["order"]]
    assert ssi_api(shop, "GET", "/api/orders", order_id="1020304051").json()["order"] == answer["order"]
    assert control(shop, "GET", "/orders/1020304051") == answer["order"]
    update = example("starshipit", "update-order.request.json")
    assert ssi_api(shop, "PUT", "/api/orders", update).status_code == 200
    updated = control(shop, "GET", "/orders/1020304051")
    assert contains(updated, update["order"])
    # The same shipment arrives through the WMS: bound to it, never a second order.
    order_id = shop.place("10001", lines=[("MOBILE", 1), ("MOBILE-CASE-BLK", 1)],
                          address={"contact_name": "John Smith", "address1": "20 George Street"})
    shop.move(order_id, "PACKED")
    shop.pump()
    assert [r.body for r in shop.starshipit.sent(r"^/api/orders$", "POST")] == [
        example("starshipit", "create-order.request.json")]  # the trial's only: we created nothing
    search = example("starshipit", "orders-search.response.json")
    shop.starshipit.ship_order(ACCOUNT, 1020304051, tracking_number=search["orders"][0]["tracking_number"])
    shop.pump()
    found = ssi_api(shop, "GET", "/api/orders/search", phrase="10001").json()
    assert {**found, "orders": [{**o, "order_date": None} for o in found["orders"]]} == \
        {**search, "orders": [{**o, "order_date": None} for o in search["orders"]]}  # but its date
    ours = {"link": shop.link(order_id), "consignment": consignment_of(shop, order_id)}
    files = {"create-order.response.json": answer, "orders-search.response.json": search}
    for field, where, expected in table("Starshipit's own order examples → our link and the WMS"):
        file, path = field.split(":", 1)
        record, path_in = where.split(":", 1)
        assert dig(files[file], path) == expected, field  # the value is the example's own…
        assert dig(ours[record], path_in) == expected, where  # …and it is what we hold
