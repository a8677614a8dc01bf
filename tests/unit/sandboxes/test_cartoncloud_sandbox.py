"""The CartonCloud sandbox behaves like the vendor documents it, reached in-process through ``responses``.

Where a vendor example exists (tests/fixtures/vendor/cartoncloud/, sources in SOURCES.md) the sandbox is held to it
exactly; the tests seed the sandbox with the examples' own ids so the examples can be sent unchanged.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from local.sandboxes.base import RecordingSender, SandboxRequest
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses

BASE = "https://api.cartoncloud.test"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vendor" / "cartoncloud"

TENANT_ID = "318782ea-75b1-11e8-adc0-fa7ae01babab"  # userinfo.response.json's tenant
CLIENT_ID = "cc-client-1"
CLIENT_SECRET = "cc-secret-1"
NOTIFICATION_URL = f"https://integrations.test/wms/{TENANT_ID}/notifications"
NOTIFICATION_SECRET = "notify-secret-1"
# outbound-order-create.request.json's customer, warehouse and product
CUSTOMER_ID = "871ca13a-7f67-432d-bbc6-131fefae7e3a"
WAREHOUSE_ID = "568cd392-50b1-11f0-a32e-066c91bd21c5"
SKU = "CB-C-DC-12"
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+10:00$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Clock:
    """The sandbox's clock, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class Api:
    """A bare CartonCloud caller: bearer token + ``Accept-Version: 1`` on every tenant call."""

    def __init__(self) -> None:
        self.access_token: str | None = None

    def token(self, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET, **headers: str) -> requests.Response:
        return requests.post(f"{BASE}/uaa/oauth/token", auth=(client_id, secret),
                             data={"grant_type": "client_credentials"}, headers={"Accept-Version": "1", **headers})

    def call(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, tenant: str = TENANT_ID) -> requests.Response:
        if self.access_token is None:
            self.access_token = self.token().json()["access_token"]
        sent = {"Authorization": f"Bearer {self.access_token}", "Accept-Version": "1", **(headers or {})}
        return requests.request(method, f"{BASE}/tenants/{tenant}{path}", json=json_body, params=params,
                                headers=sent)

    def create_order(self, body: dict[str, Any]) -> requests.Response:
        return self.call("POST", "/outbound-orders", json_body=body)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 21, 0, 15, 0, tzinfo=UTC))


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def sandbox(clock: Clock, sender: RecordingSender) -> CartonCloudSandbox:
    sandbox = CartonCloudSandbox(sender=sender, now=clock.now, seed=7)
    sandbox.add_tenant(TENANT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name="Demo Tenant",
                       notification_url=NOTIFICATION_URL, notification_secret=NOTIFICATION_SECRET)
    sandbox.add_warehouse(TENANT_ID, "Brisbane DC", id=WAREHOUSE_ID)
    sandbox.add_warehouse(TENANT_ID, "Sydney DC", id="3cf281c4-cb7d-11e8-8b31-0260b3a835bc")
    sandbox.add_customer(TENANT_ID, "Steam Chef Store", id=CUSTOMER_ID, code="STEAM", warehouse_ids=[WAREHOUSE_ID])
    sandbox.add_product(TENANT_ID, CUSTOMER_ID, SKU, "Steam Pot", barcode="0012345")
    return sandbox


@pytest.fixture
def api(sandbox: CartonCloudSandbox) -> Iterator[Api]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, sandbox, BASE)
        yield Api()


def order_body(reference: str = "WOO-1001", **overrides: Any) -> dict[str, Any]:
    """The vendor's create example with our own customer reference."""
    body = fixture("outbound-order-create.request.json")
    body["references"]["customer"] = reference
    body.update(overrides)
    return body


# --- authentication and versioning -----------------------------------------------------------------------------------


def test_token_flow_issues_a_bearer_token_shaped_like_the_vendor_example(api: Api) -> None:
    response = api.token()

    assert response.status_code == 200
    body = response.json()
    example = fixture("token.response.json")
    assert body.keys() == example.keys()
    assert body["token_type"] == example["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and len(body["access_token"]) >= 32
    api.access_token = body["access_token"]
    assert api.call("GET", "/customers").status_code == 200


def test_bad_client_secret_is_401_with_an_error_array(api: Api) -> None:
    response = api.token(secret="wrong")

    assert response.status_code == 401
    assert response.json() == [{"message": "Bad credentials"}]


def test_tenant_calls_need_a_live_token_of_that_tenants_client(api: Api, sandbox: CartonCloudSandbox,
                                                               clock: Clock) -> None:
    no_token = requests.get(f"{BASE}/tenants/{TENANT_ID}/customers", headers={"Accept-Version": "1"})
    assert no_token.status_code == 401 and isinstance(no_token.json(), list)

    other = sandbox.add_tenant(client_id="other-client", client_secret="other-secret")
    api.access_token = api.token("other-client", "other-secret").json()["access_token"]
    assert api.call("GET", "/customers").status_code == 401  # a valid token, but another tenant's client
    assert api.call("GET", "/customers", tenant=other.id).status_code == 200

    clock.advance(seconds=3600)
    expired = api.call("GET", "/customers", tenant=other.id)
    assert expired.status_code == 401 and expired.json() == [{"message": "Access token expired"}]


def test_revoked_tokens_answer_401(api: Api, sandbox: CartonCloudSandbox) -> None:
    assert api.call("GET", "/warehouses").status_code == 200
    sandbox.revoke_tokens()
    assert api.call("GET", "/warehouses").status_code == 401


def test_accept_version_missing_is_400_and_unknown_is_406(api: Api) -> None:
    api.call("GET", "/customers")  # fetch a token
    bearer = {"Authorization": f"Bearer {api.access_token}"}

    missing = requests.get(f"{BASE}/tenants/{TENANT_ID}/customers", headers=bearer)
    unknown = requests.get(f"{BASE}/tenants/{TENANT_ID}/customers", headers={**bearer, "Accept-Version": "2"})

    assert missing.status_code == 400 and "Accept-Version" in missing.json()[0]["message"]
    assert unknown.status_code == 406 and "Accept-Version" in unknown.json()[0]["message"]
    assert api.token(**{"Accept-Version": "9"}).status_code == 406


def test_userinfo_lists_the_clients_tenant_like_the_vendor_example(api: Api) -> None:
    token = api.token().json()["access_token"]
    response = requests.get(f"{BASE}/uaa/userinfo", headers={"Authorization": f"Bearer {token}",
                                                             "Accept-Version": "1"})

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == fixture("userinfo.response.json").keys()
    assert body["tenants"] == fixture("userinfo.response.json")["tenants"]


# --- outbound orders: create -----------------------------------------------------------------------------------------


def test_vendor_create_example_is_201_awaiting_pick_and_pack(api: Api, clock: Clock) -> None:
    response = api.create_order(fixture("outbound-order-create.request.json"))

    assert response.status_code == 201
    order = response.json()
    assert uuid.UUID(order["id"]) and order["status"] == "AWAITING_PICK_AND_PACK"
    assert order["version"] == 1 and order["references"]["numericId"].isdigit()
    assert order["customer"]["id"] == CUSTOMER_ID and order["customer"]["name"] == "Steam Chef Store"
    assert order["warehouse"] == {"id": WAREHOUSE_ID, "name": "Brisbane DC", "enabled": True}
    assert order["items"][0]["details"]["product"]["name"] == "Steam Pot"
    assert order["timestamps"]["created"]["time"] == "2026-11-21T10:15:00+10:00"  # 00:15Z in Brisbane
    assert order["timestamps"]["modified"] == order["timestamps"]["created"]
    assert order["externalMeta"] == fixture("outbound-order-create.request.json")["externalMeta"]  # kept as sent
    assert "errors" not in order["details"]
    assert api.call("GET", f"/outbound-orders/{order['id']}").json() == order


def test_unknown_product_is_created_rejected_with_228_and_details_errors(api: Api) -> None:
    body = order_body()
    body["items"] = [{"details": {"product": {"name": "Ice Cream", "references": {"code": "IC-123"}},
                                  "unitOfMeasure": {"type": "CTN"}},
                      "measures": {"quantity": 2}}]

    response = api.create_order(body)

    assert response.status_code == 228  # "Created with issues"
    order = response.json()
    assert order["status"] == "REJECTED"
    assert order["details"]["errors"] == [fixture("elements/error-reference.json")]  # the vendor's own example


def test_more_than_the_stock_is_rejected_and_accepted_orders_allocate_stock(api: Api,
                                                                           sandbox: CartonCloudSandbox) -> None:
    sandbox.set_stock(TENANT_ID, CUSTOMER_ID, SKU, 3)
    body = order_body("WOO-1")
    body["items"][0]["measures"]["quantity"] = 2
    assert api.create_order(body).status_code == 201  # 1 left

    body = order_body("WOO-2")
    body["items"][0]["measures"]["quantity"] = 2
    response = api.create_order(body)

    assert response.status_code == 228
    assert response.json()["details"]["errors"] == [
        {"message": "Steam Pot (CB-C-DC-12) x 2 UNITS - Not enough stock", "isResolved": False}
    ]


def test_product_resolves_by_barcode_and_name_too(api: Api) -> None:
    for index, product in enumerate([{"references": {"barcode": "0012345"}}, {"name": "Steam Pot"}]):
        body = order_body(f"WOO-{index}")
        body["items"][0]["details"]["product"] = product
        assert api.create_order(body).status_code == 201


def test_invalid_order_is_422_naming_each_json_pointer(api: Api) -> None:
    body = order_body()
    body["references"]["customer"] = ""
    body["details"]["deliver"]["address"] = {"address1": "1 Example Street", "phone": "0" * 65}
    body["details"]["invoiceValue"] = {"amount": 10}
    body["items"].append({"details": {"product": {"references": {"code": SKU}}}, "measures": {"quantity": 0}})

    response = api.create_order(body)

    assert response.status_code == 422
    fields = [entry["field"] for entry in response.json()]
    assert fields == ["/references/customer", "/details/deliver/address", "/details/deliver/address/phone",
                      "/details/invoiceValue", "/items/1/measures/quantity"]
    assert all(set(entry) == {"field", "message"} for entry in response.json())  # error.response-422-validation


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"customer": {"id": str(uuid.uuid4())}}, "/customer", "Customer not found."),
        ({"customer": None}, "/customer", "Customer cannot be empty."),
        ({"warehouse": {"name": "Nowhere"}}, "/warehouse", "Warehouse not found."),
        ({"warehouse": {"name": "Sydney DC"}}, "/warehouse", "The customer does not have access to this warehouse."),
        ({"items": []}, "/items", "Items cannot be empty."),
    ],
)
def test_customer_warehouse_and_items_must_resolve(api: Api, change: dict[str, Any], pointer: str,
                                                   message: str) -> None:
    response = api.create_order(order_body(**change))

    assert response.status_code == 422
    assert {"field": pointer, "message": message} in response.json()


def test_customer_resolves_by_the_first_given_key_only(api: Api) -> None:
    by_code = api.create_order(order_body("A", customer={"references": {"code": "STEAM"}}))
    wrong_id_right_name = api.create_order(order_body("B", customer={"id": "nope", "name": "Steam Chef Store"}))

    assert by_code.status_code == 201 and by_code.json()["customer"]["id"] == CUSTOMER_ID
    assert wrong_id_right_name.status_code == 422  # id given: name is not a fallback


def test_second_create_with_the_same_customer_reference_is_422_duplicate(api: Api) -> None:
    first = api.create_order(order_body("WOO-1001")).json()

    response = api.create_order(order_body("WOO-1001"))

    assert response.status_code == 422
    [entry] = response.json()
    [example] = fixture("error.response-422-duplicate.json")
    assert entry.keys() == example.keys()
    assert entry == {"field": "/references/customer",
                     "message": "An Outbound Order with this Customer Reference already exists.",
                     "type": "DUPLICATE", "details": {"duplicateId": first["id"]}}


def test_create_limit_is_30_per_minute_per_api_client(api: Api, clock: Clock) -> None:
    statuses = [api.create_order(order_body(f"WOO-{n}")).status_code for n in range(30)]
    assert statuses == [201] * 30

    limited = api.create_order(order_body("WOO-30"))
    assert limited.status_code == 429
    assert limited.json() == [{"message": "Rate limiting has been applied"}]
    assert "Retry-After" not in limited.headers  # CartonCloud documents none
    assert api.call("GET", "/customers").status_code == 200  # only creates are limited

    clock.advance(seconds=60)
    assert api.create_order(order_body("WOO-30")).status_code == 201


def test_the_create_limit_can_be_lifted_and_set_again_over_the_control_api(api: Api) -> None:
    def limit(per_minute: Any) -> requests.Response:
        return requests.post(f"{BASE}/_control/create-limit", json={"perMinute": per_minute})

    assert limit(None).json() == {"perMinute": None}
    assert [api.create_order(order_body(f"BENCH-{n}")).status_code for n in range(40)] == [201] * 40
    assert limit(2).status_code == 200  # creates made while it was off don't count
    assert [api.create_order(order_body(f"BENCH-{n}")).status_code for n in (40, 41, 42)] == [201, 201, 429]
    assert [limit(bad).status_code for bad in (0, "30", True, 1.5)] == [400] * 4


def test_strict_numbers_refuses_quantities_sent_as_strings(sandbox: CartonCloudSandbox, api: Api) -> None:
    body = order_body()
    body["items"][0]["measures"]["quantity"] = "1"
    lenient = api.create_order(body)
    assert lenient.status_code == 201 and lenient.json()["items"][0]["measures"]["quantity"] == 1  # a number back

    sandbox.strict_numbers = True
    body["references"]["customer"] = "WOO-strict"
    strict = api.create_order(body)
    assert strict.status_code == 422 and strict.json()[0]["field"] == "/items/0/measures/quantity"


def test_unsupported_method_is_405_like_the_vendor_general_error(api: Api) -> None:
    response = api.call("PUT", f"/outbound-orders/{uuid.uuid4()}", json_body={})

    assert response.status_code == 405
    assert response.json() == fixture("error.response-general.json")


def test_unknown_order_is_404_error_array(api: Api) -> None:
    response = api.call("GET", f"/outbound-orders/{uuid.uuid4()}")

    assert response.status_code == 404 and response.json() == [{"message": "Outbound Order not found."}]


# --- outbound orders: search -----------------------------------------------------------------------------------------


def text_equals(pointer: str, value: str) -> dict[str, Any]:
    return {"type": "TextComparisonCondition", "field": {"type": "JsonField", "pointer": pointer},
            "value": {"type": "ValueField", "value": value}, "method": "EQUAL_TO"}


def modified(method: str, value: str) -> dict[str, Any]:
    return {"type": "DateTimeComparisonCondition",
            "field": {"type": "JsonField", "pointer": "/timestamps/modified/time"},
            "value": {"type": "ValueField", "value": value}, "method": method}


def search(api: Api, *conditions: dict[str, Any], **params: Any) -> requests.Response:
    return api.call("POST", "/outbound-orders/search", params=params or None,
                    json_body={"condition": {"type": "AndCondition", "conditions": list(conditions)}})


def test_search_by_customer_reference_and_customer_id(api: Api) -> None:
    wanted = api.create_order(order_body("WOO-1")).json()
    api.create_order(order_body("WOO-2"))

    found = search(api, text_equals("/references/customer", "WOO-1"), text_equals("/customer/id", CUSTOMER_ID))

    assert found.status_code == 200
    assert [order["id"] for order in found.json()] == [wanted["id"]]
    assert found.headers["Total-Elements"] == "1" and found.headers["Total-Pages"] == "1"


def test_vendor_search_example_with_the_deprecated_value_field_and_prefer_minimal(api: Api) -> None:
    ref_orders = [api.create_order(order_body(reference)).json()["id"] for reference in ("REF-1", "REF-2")]
    api.create_order(order_body("WOO-3"))

    response = api.call("POST", "/outbound-orders/search", json_body=fixture("outbound-order-search.request.json"),
                        headers={"Prefer": "return=minimal"})

    assert response.status_code == 200
    assert response.json() == [{"id": order_id} for order_id in ref_orders]
    assert [entry.keys() for entry in response.json()] == [e.keys() for e in fixture(
        "outbound-order-search.response-minimal.json")]


def test_search_by_modified_time_compares_instants_and_pages_with_headers(api: Api, clock: Clock) -> None:
    ids = []
    for n in range(5):
        ids.append(api.create_order(order_body(f"WOO-{n}")).json()["id"])
        clock.advance(minutes=1)
    # Orders were modified at 10:15..10:19 +10:00; ask in UTC for "after 00:16Z", i.e. after the second one.
    after = modified("GREATER_THAN", "2026-11-21T00:16:00Z")

    first = search(api, after, page=1, size=2)
    second = search(api, after, page=2, size=2)

    assert [o["id"] for o in first.json()] == ids[2:4] and [o["id"] for o in second.json()] == ids[4:]
    assert {key: first.headers[key] for key in ("Total-Pages", "Page-Size", "Page-Number", "Total-Elements")} == {
        "Total-Pages": "2", "Page-Size": "2", "Page-Number": "1", "Total-Elements": "3"}
    assert second.headers["Page-Number"] == "2"
    at_or_after = search(api, modified("GREATER_THAN_OR_EQUAL_TO", "2026-11-21T10:16:00+10:00"))
    assert [o["id"] for o in at_or_after.json()] == ids[1:]
    assert search(api).headers["Page-Size"] == "50"  # the default


def test_search_refuses_a_time_without_an_offset_and_unknown_fields(api: Api) -> None:
    naive = search(api, modified("GREATER_THAN", "2026-11-21T10:16:00"))
    unknown = search(api, text_equals("/details/instructions", "x"))

    assert naive.status_code == 422 and naive.json()[0]["field"] == "/condition/conditions/0/value/value"
    assert unknown.status_code == 422 and unknown.json()[0]["field"] == "/condition/conditions/0/field"


def test_or_condition_and_text_methods(api: Api) -> None:
    orders = {ref: api.create_order(order_body(ref)).json()["id"] for ref in ("ABC-1", "ABD-2", "XYZ-3")}

    def refs(condition: dict[str, Any]) -> set[str]:
        body = api.call("POST", "/outbound-orders/search", json_body={"condition": condition}).json()
        return {ref for ref, order_id in orders.items() if order_id in {o["id"] for o in body}}

    def cond(method: str, value: str) -> dict[str, Any]:
        return {**text_equals("/references/customer", value), "method": method}

    assert refs(cond("STARTS_WITH", "AB")) == {"ABC-1", "ABD-2"}
    assert refs(cond("CONTAINS", "Z-")) == {"XYZ-3"}
    assert refs(cond("DOES_NOT_CONTAIN", "B")) == {"XYZ-3"}
    assert refs(cond("NOT_EQUAL_TO", "ABC-1")) == {"ABD-2", "XYZ-3"}
    assert refs({"type": "OrCondition", "conditions": [cond("EQUAL_TO", "ABC-1"), cond("EQUAL_TO", "XYZ-3")]}) == {
        "ABC-1", "XYZ-3"}


# --- status moves, consignments and notifications --------------------------------------------------------------------


def verify(notification: Any, secret: str = NOTIFICATION_SECRET) -> dict[str, Any]:
    timestamp = notification.headers["X-Notification-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + notification.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(notification.headers["X-Notification-Signature"], f"v1={expected}")
    return notification.json()


def test_packing_with_tracking_moves_the_order_makes_a_consignment_and_sends_a_signed_notification(
    api: Api, sandbox: CartonCloudSandbox, sender: RecordingSender, clock: Clock
) -> None:
    order = api.create_order(order_body()).json()
    clock.advance(minutes=5)

    moved = sandbox.set_outbound_order_status(TENANT_ID, order["id"], "PACKED", tracking_number="TRK-100",
                                              carrier="Aramex", tracking_url="https://track.example/TRK-100")

    assert moved["status"] == "PACKED" and moved["version"] == 2
    stamps = moved["timestamps"]
    assert stamps["modified"]["time"] == stamps["packed"]["time"] == "2026-11-21T10:20:00+10:00"
    assert api.call("GET", f"/outbound-orders/{order['id']}").json() == moved

    consignments = api.call("POST", "/consignments/search", json_body={"condition": text_equals(
        "/generatedFromTask/id", order["id"])}).json()
    assert len(consignments) == 1
    consignment = consignments[0]
    assert consignment["generatedFromTask"] == {"id": order["id"]}
    assert consignment["references"]["tracking"] == "TRK-100"
    assert consignment["details"]["tracking"] == {"companyName": "Aramex", "url": "https://track.example/TRK-100"}

    [notification] = sender.sent
    assert notification.url == NOTIFICATION_URL
    assert notification.headers["X-Notification-Timestamp"] == str(int(clock.now().timestamp()))
    body = verify(notification)
    assert uuid.UUID(body["id"])
    assert {k: v for k, v in body.items() if k != "id"} == {
        "tenantId": TENANT_ID, "entityType": "OUTBOUND_ORDER", "entityId": order["id"],
        "eventTime": "2026-11-21T10:20:00+10:00", "event": "STATUS_CHANGED"}


def test_dispatch_updates_the_same_consignment_and_tracking_change_notifies_for_the_consignment(
    api: Api, sandbox: CartonCloudSandbox, sender: RecordingSender, clock: Clock
) -> None:
    order = api.create_order(order_body()).json()
    sandbox.set_outbound_order_status(TENANT_ID, order["id"], "PACKED", tracking_number="TRK-1")
    clock.advance(minutes=1)
    dispatched = sandbox.set_outbound_order_status(TENANT_ID, order["id"], "DISPATCHED", tracking_number="TRK-2",
                                                   carrier="StarTrack")
    [consignment] = sandbox.consignments(TENANT_ID)
    assert dispatched["version"] == 3 and "dispatched" in dispatched["timestamps"]
    assert consignment["references"]["tracking"] == "TRK-2" and consignment["version"] == 2

    clock.advance(minutes=1)
    changed = sandbox.set_consignment_tracking(TENANT_ID, consignment["id"], "TRK-3", carrier="Aramex",
                                               tracking_url="https://track.example/TRK-3")

    assert changed["version"] == 3 and changed["references"]["tracking"] == "TRK-3"
    assert api.call("GET", f"/outbound-orders/{order['id']}").json()["version"] == 3  # the order is untouched
    last = verify(sender.sent[-1])
    assert (last["entityType"], last["entityId"], last["event"]) == ("CONSIGNMENT", consignment["id"],
                                                                      "TRACKING_CHANGED")
    assert len(sender.sent) == 3


def test_dropped_notifications_are_lost_then_delivery_resumes(api: Api, sandbox: CartonCloudSandbox,
                                                              sender: RecordingSender) -> None:
    order = api.create_order(order_body()).json()
    sandbox.drop_notifications(1)

    sandbox.set_outbound_order_status(TENANT_ID, order["id"], "PACKED")
    assert sender.sent == [] and sandbox.deliveries[-1].dropped

    sandbox.set_outbound_order_status(TENANT_ID, order["id"], "DISPATCHED")
    assert len(sender.sent) == 1 and sandbox.deliveries[-1].status == 202


def test_deliveries_and_creates_carry_wall_clock_times_for_benches(api: Api, sandbox: CartonCloudSandbox) -> None:
    before = time.time()
    order = api.create_order(order_body()).json()
    sandbox.set_outbound_order_status(TENANT_ID, order["id"], "PACKED")
    after = time.time()

    listed = requests.get(f"{BASE}/_control/tenants/{TENANT_ID}/outbound-orders").json()
    assert before <= listed[0]["_sandbox"]["createdAt"] <= after
    delivered = requests.get(f"{BASE}/_control/notifications").json()[-1]
    assert before <= delivered["sentAt"] <= after and delivered["durationMs"] >= 0
    assert delivered["status"] == 202
    assert "_sandbox" not in api.call("GET", f"/outbound-orders/{order['id']}").json()  # never on the vendor API


def test_control_api_drives_a_whole_tenant_over_http_shaped_calls(api: Api, sender: RecordingSender) -> None:
    def control(method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, f"{BASE}/_control{path}", json=body)

    tenant = control("POST", "/tenants", {"tenantId": "t-2", "clientId": "c-2", "clientSecret": "s-2",
                                          "notificationUrl": "https://n.test/wms/t-2/notifications",
                                          "notificationSecret": "n-2"}).json()
    warehouse = control("POST", "/tenants/t-2/warehouses", {"name": "Perth"}).json()
    customer = control("POST", "/tenants/t-2/customers", {"name": "Alcohol Formula", "code": "AF",
                                                          "warehouseIds": [warehouse["id"]]}).json()
    assert control("POST", "/tenants/t-2/products", {"customerId": customer["id"], "code": "GIN",
                                                     "name": "Gin"}).status_code == 201
    assert control("POST", "/tenants/t-2/stock", {"customerId": customer["id"], "code": "GIN",
                                                  "quantity": 5}).status_code == 200
    api.access_token = api.token(tenant["clientId"], tenant["clientSecret"]).json()["access_token"]
    body = order_body("AF-1", customer={"id": customer["id"]}, warehouse={"name": "Perth"})
    body["items"][0]["details"]["product"] = {"references": {"code": "GIN"}}
    order = api.call("POST", "/outbound-orders", json_body=body, tenant="t-2").json()

    moved = control("POST", f"/tenants/t-2/outbound-orders/{order['id']}/status",
                    {"status": "DISPATCHED", "trackingNumber": "T-9", "carrier": "Aramex"})
    listed = control("GET", "/tenants/t-2/outbound-orders").json()
    consignment = control("GET", "/tenants/t-2/consignments").json()[0]
    tracked = control("POST", f"/tenants/t-2/consignments/{consignment['id']}/tracking", {"trackingNumber": "T-10"})

    assert moved.status_code == 200 and moved.json()["status"] == "DISPATCHED"
    assert [o["id"] for o in listed] == [order["id"]] and listed[0]["status"] == "DISPATCHED"
    assert tracked.json()["references"]["tracking"] == "T-10"
    assert [verify(n, "n-2")["entityType"] for n in sender.sent] == ["OUTBOUND_ORDER", "CONSIGNMENT"]
    assert control("POST", "/tenants/t-2/outbound-orders/nope/status", {"status": "PACKED"}).status_code == 404
    assert control("POST", f"/tenants/t-2/outbound-orders/{order['id']}/status",
                   {"status": "SHIPPED"}).status_code == 400
    assert control("POST", "/notifications", {"drop": 1}).json() == {"drop": 1}
    assert [d["body"]["entityType"] for d in control("GET", "/notifications").json()] == [
        "OUTBOUND_ORDER", "CONSIGNMENT"]


def test_redelivery_keeps_the_notification_id_and_signs_afresh(api: Api, sandbox: CartonCloudSandbox,
                                                               sender: RecordingSender, clock: Clock) -> None:
    order = api.create_order(order_body()).json()
    sandbox.set_outbound_order_status(TENANT_ID, order["id"], "PACKED")
    clock.advance(minutes=10)

    sandbox.redeliver_notification()

    first, again = sender.sent
    assert verify(first)["id"] == verify(again)["id"]
    assert first.headers["X-Notification-Timestamp"] != again.headers["X-Notification-Timestamp"]


# --- consignments ----------------------------------------------------------------------------------------------------


@pytest.fixture
def consignment_example(sandbox: CartonCloudSandbox) -> dict[str, Any]:
    """consignment-create.request.json, with its customer and warehouse seeded under their own ids."""
    example = fixture("consignment-create.request.json")
    warehouse = sandbox.add_warehouse(TENANT_ID, example["warehouse"]["name"], id=example["warehouse"]["id"])
    sandbox.add_customer(TENANT_ID, example["customer"]["name"], id=example["customer"]["id"],
                         code=example["customer"]["references"]["code"], warehouse_ids=[warehouse["id"]])
    return example


def test_consignment_create_get_and_optimistic_update(api: Api, consignment_example: dict[str, Any]) -> None:
    created = api.call("POST", "/consignments", json_body=consignment_example)
    assert created.status_code == 201
    consignment = created.json()
    assert consignment["status"] == "AWAITING_PICKUP" and consignment["version"] == 1
    assert len(consignment["items"]) == len(consignment_example["items"])
    no_items = api.call("GET", f"/consignments/{consignment['id']}", headers={"Prefer": "return=no-items"}).json()
    assert "items" not in no_items and no_items["id"] == consignment["id"]

    cancel = copy.deepcopy(consignment) | {"status": "CANCELLED"}
    stale = api.call("PUT", f"/consignments/{consignment['id']}", json_body=cancel, headers={"If-Match": "7"})
    assert stale.status_code == 409 and "modified by another request" in stale.json()[0]["message"]

    updated = api.call("PUT", f"/consignments/{consignment['id']}", json_body=cancel, headers={"If-Match": "1"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "CANCELLED" and updated.json()["version"] == 2
    found = api.call("POST", "/consignments/search",
                     json_body={"condition": text_equals("/references/customer", "136254")}).json()
    assert [c["status"] for c in found] == ["CANCELLED"]


def test_consignment_without_a_deliver_address_name_is_422(api: Api, consignment_example: dict[str, Any]) -> None:
    body = copy.deepcopy(consignment_example)
    del body["details"]["deliver"]["address"]["companyName"]
    del body["details"]["deliver"]["address"]["contactName"]

    response = api.call("POST", "/consignments", json_body=body)

    assert response.status_code == 422 and response.json()[0]["field"] == "/details/deliver/address"


def test_a_consignment_generated_from_an_order_names_an_existing_order(api: Api,
                                                                          consignment_example: dict[str, Any]) -> None:
    order = api.create_order(order_body()).json()
    body = copy.deepcopy(consignment_example) | {"generatedFromTask": {"id": order["id"]}}
    created = api.call("POST", "/consignments", json_body=body)
    assert created.status_code == 201 and created.json()["generatedFromTask"] == {"id": order["id"]}
    found = api.call("POST", "/consignments/search",
                     json_body={"condition": text_equals("/generatedFromTask/id", order["id"])}).json()
    assert [c["id"] for c in found] == [created.json()["id"]]
    unknown = api.call("POST", "/consignments", json_body=body | {"generatedFromTask": {"id": "no-such-order"}})
    assert unknown.status_code == 422 and unknown.json()[0]["field"] == "/generatedFromTask/id"


def quote_body(**properties: str) -> dict[str, Any]:
    return {"customer": {"id": CUSTOMER_ID}, "taskDate": "2026-11-23", "properties": properties,
            "details": {"deliver": {"address": {"companyName": "Co", "postcode": "4000"}}},
            "items": [{"measures": {"quantity": 1, "weight": 2}}, {"measures": {"quantity": 1, "weight": 3}}]}


def test_quote_with_the_default_rate_card_is_the_vendor_example(api: Api) -> None:
    response = api.call("POST", "/consignments/quote", json_body=quote_body())

    assert response.status_code == 200
    assert response.json() == fixture("consignment-quote.response.json")


def test_quote_uses_the_first_matching_rate_and_422_when_none_matches(api: Api, sandbox: CartonCloudSandbox) -> None:
    sandbox.set_rate_card(TENANT_ID, {"name": "Express Card", "rates": [{
        "name": "Express by kg", "serviceType": "EXPRESS", "postcodes": ["4000"],
        "charges": [{"feeCategory": {"id": "f1", "name": "Freight"}, "type": "PER_WEIGHT", "amount": 1.5}],
    }]})

    express = api.call("POST", "/consignments/quote", json_body=quote_body(serviceType="express"))
    standard = api.call("POST", "/consignments/quote", json_body=quote_body(serviceType="STANDARD"))

    assert express.status_code == 200
    assert express.json()["rate"] == {"name": "Express by kg"}
    assert express.json()["charges"][0]["description"] == "5 kg at $1.50 = $7.50"
    assert express.json()["charges"][0]["fee"] == {"amount": 7.5, "currency": "AUD"}
    assert standard.status_code == 422
    assert standard.json() == fixture("consignment-quote.response-422.json")


def test_quote_needs_a_task_date_and_a_known_customer(api: Api) -> None:
    body = quote_body()
    del body["taskDate"]
    body["customer"] = {"id": "nope"}

    response = api.call("POST", "/consignments/quote", json_body=body)

    assert response.status_code == 422
    assert [entry["field"] for entry in response.json()] == ["/customer", "/taskDate"]


# --- customers, warehouses, warehouse products -----------------------------------------------------------------------


def test_customers_list_matches_the_vendor_example(sandbox: CartonCloudSandbox) -> None:
    fresh = CartonCloudSandbox(now=sandbox.now)
    tenant = fresh.add_tenant(client_id="c", client_secret="s")
    for customer in fixture("customers-list.response.json"):
        fresh.add_customer(tenant.id, customer["name"], id=customer["id"])
    with responses.RequestsMock() as rsps:
        install_responses(rsps, fresh, "https://other.cartoncloud.test")
        token = requests.post("https://other.cartoncloud.test/uaa/oauth/token", auth=("c", "s"),
                              data={"grant_type": "client_credentials"}, headers={"Accept-Version": "1"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept-Version": "1"}
        listed = requests.get(f"https://other.cartoncloud.test/tenants/{tenant.id}/customers", headers=headers)
        one = requests.get(f"https://other.cartoncloud.test/tenants/{tenant.id}/customers/{listed.json()[1]['id']}",
                           headers=headers)

    assert listed.json() == fixture("customers-list.response.json")
    assert one.json() == fixture("customers-list.response.json")[1]


def test_warehouses_of_the_tenant_and_of_one_customer(api: Api) -> None:
    everything = api.call("GET", "/warehouses").json()
    customers = api.call("GET", f"/customers/{CUSTOMER_ID}/warehouses").json()

    assert [w["name"] for w in everything] == ["Brisbane DC", "Sydney DC"]
    assert customers == [{"id": WAREHOUSE_ID, "name": "Brisbane DC"}]
    assert api.call("GET", f"/customers/{uuid.uuid4()}/warehouses").status_code == 404


def test_warehouse_products_create_get_and_the_vendor_search_example(api: Api, sandbox: CartonCloudSandbox) -> None:
    example = fixture("warehouse-product-search.request.json")
    customer_id = example["condition"]["conditions"][0]["conditions"][1]["value"]["value"]
    sandbox.add_customer(TENANT_ID, "Customer A", id=customer_id)
    created = api.call("POST", "/warehouse-products", headers={"Accept-Version": "8"},
                       json_body={"references": {"code": "IC-1"}, "name": "Ice Cream Tub",
                                  "customer": {"id": customer_id}})
    duplicate = api.call("POST", "/warehouse-products",
                         json_body={"references": {"code": "IC-1"}, "name": "Again", "customer": {"id": customer_id}})

    found = api.call("POST", "/warehouse-products/search", json_body=example)
    by_code = api.call("POST", "/warehouse-products/search", json_body={"condition": text_equals("/code", "IC-1")})

    assert created.status_code == 201 and created.json()["details"]["active"] is True
    assert duplicate.status_code == 422 and duplicate.json()[0]["type"] == "DUPLICATE"
    assert api.call("GET", f"/warehouse-products/{created.json()['id']}").json() == created.json()
    assert [p["id"] for p in found.json()] == [created.json()["id"]]
    assert [p["id"] for p in by_code.json()] == [created.json()["id"]]


# --- fault injection, the request log, reset -------------------------------------------------------------------------


def test_fault_fails_the_next_two_matching_calls_with_500_then_clears_itself(api: Api,
                                                                            sandbox: CartonCloudSandbox) -> None:
    api.call("GET", "/customers")  # token first, so only tenant calls are counted below
    sandbox.inject_fault(status=500, count=2, path_pattern=r"/customers$")

    statuses = [api.call("GET", "/customers").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert api.call("GET", "/customers").json() != [{"message": "Internal Server Error"}]
    assert sandbox.faults == []
    assert [entry[2] for entry in sandbox.requests_to(r"/customers$")] == [200, 500, 500, 200, 200]


def test_429_fault_sends_retry_after_only_when_asked(api: Api, sandbox: CartonCloudSandbox) -> None:
    api.call("GET", "/customers")
    sandbox.inject_fault(status=429, count=1, retry_after=7)
    sandbox.inject_fault(status=429, count=1)

    with_header = api.call("GET", "/customers")
    without = api.call("GET", "/customers")

    assert with_header.status_code == 429 and with_header.headers["Retry-After"] == "7"
    assert with_header.json() == [{"message": "Rate limiting has been applied"}]
    assert without.status_code == 429 and "Retry-After" not in without.headers


def test_percentage_faults_fail_about_that_share_and_respect_method_filters(api: Api,
                                                                           sandbox: CartonCloudSandbox) -> None:
    api.call("GET", "/customers")
    sandbox.inject_fault(status=503, percent=50, seed=7, method="GET")

    statuses = [api.call("GET", "/customers").status_code for _ in range(200)]
    posted = api.create_order(order_body())

    assert 60 < statuses.count(503) < 140 and statuses.count(200) == 200 - statuses.count(503)
    assert posted.status_code == 201  # POST is not matched
    sandbox.clear_faults()
    sandbox.inject_fault(status=503, percent=0)
    assert api.call("GET", "/customers").status_code == 200


def test_a_percentage_fault_needs_a_seed_and_fails_the_same_requests_on_every_run(api: Api,
                                                                                 sandbox: CartonCloudSandbox) -> None:
    """Issue 20, point 15: a storm is seeded, so a test that injects one runs the same way twice."""
    with pytest.raises(ValueError, match="needs a seed"):
        sandbox.inject_fault(status=503, percent=50)
    refused = requests.post(f"{BASE}/_control/faults", json={"status": 503, "percent": 50})
    assert refused.status_code == 400 and "seed" in refused.json()["error"]
    runs = []
    for _ in range(2):
        sandbox.clear_faults()
        added = requests.post(f"{BASE}/_control/faults", json={"status": 503, "percent": 50, "seed": 11,
                                                               "method": "GET"})
        assert added.status_code == 201 and added.json()["seed"] == 11
        runs.append([api.call("GET", "/customers").status_code for _ in range(40)])
    assert runs[0] == runs[1] and {200, 503} <= set(runs[0])


def test_faults_through_the_control_api_and_dropped_connections(api: Api, sandbox: CartonCloudSandbox) -> None:
    api.call("GET", "/customers")
    added = requests.post(f"{BASE}/_control/faults", json={"status": 502, "count": 1, "pathPattern": "/warehouses"})
    assert added.status_code == 201 and requests.get(f"{BASE}/_control/faults").json()[0]["status"] == 502
    assert api.call("GET", "/customers").status_code == 200
    assert api.call("GET", "/warehouses").status_code == 502

    sandbox.inject_fault(disconnect=True, count=1)
    with pytest.raises(requests.ConnectionError):
        api.call("GET", "/customers")
    requests.post(f"{BASE}/_control/faults", json={"status": 500})
    assert requests.delete(f"{BASE}/_control/faults").status_code == 204
    assert api.call("GET", "/customers").status_code == 200


def test_request_log_and_reset(api: Api, sandbox: CartonCloudSandbox) -> None:
    api.call("GET", "/customers")
    logged = requests.get(f"{BASE}/_control/requests").json()
    assert logged == [{"method": "POST", "path": "/uaa/oauth/token", "status": 200},
                      {"method": "GET", "path": f"/tenants/{TENANT_ID}/customers", "status": 200}]

    assert requests.post(f"{BASE}/_control/reset").status_code == 204
    assert sandbox.request_log == [] and sandbox.tenants == {}
    assert api.call("GET", "/customers").status_code == 401


def test_handle_can_be_driven_without_any_http_library(sandbox: CartonCloudSandbox) -> None:
    response = sandbox.handle(SandboxRequest("GET", "/nowhere"))

    assert response.status == 404 and response.parsed() == [{"message": "Not Found"}]


# --- the client this sandbox stands in for ---------------------------------------------------------------------------


def test_our_client_round_trips_against_the_sandbox(api: Api, sandbox: CartonCloudSandbox) -> None:
    """What the client sends the sandbox accepts, and what the sandbox answers the client parses."""
    from integrations.cartoncloud import client as cc
    from integrations.cartoncloud import models as m
    from integrations.core.http import UpstreamSession
    from pydantic import SecretStr

    client = cc.CartonCloudClient(base_url=BASE, tenant_id=TENANT_ID, client_id=CLIENT_ID,
                                  client_secret=SecretStr(CLIENT_SECRET),
                                  session=UpstreamSession("CartonCloud", sleep=lambda _: None),
                                  clock=lambda: sandbox.now().timestamp())
    order = m.OutboundOrder.model_validate(order_body("CLIENT-1"))

    created = client.create_outbound_order(order)
    again = client.create_outbound_order(order)
    sandbox.set_outbound_order_status(TENANT_ID, str(created.order.id), "DISPATCHED", tracking_number="TRK-C",
                                      carrier="Aramex")
    polled = list(client.outbound_orders_modified_since(sandbox.now() - timedelta(minutes=1),
                                                        customer_id=CUSTOMER_ID))
    [consignment] = client.consignments_from_order(str(created.order.id))
    quote = client.quote(m.QuoteRequest.model_validate(quote_body()))

    assert created.order.status == m.OutboundOrderStatus.AWAITING_PICK_AND_PACK and not created.with_issues
    assert again.already_existed and again.order.id == created.order.id
    assert [o.status for o in polled] == [m.OutboundOrderStatus.DISPATCHED]
    assert consignment.references is not None and consignment.references.tracking == "TRK-C"
    assert [c.fee.amount for c in quote.charges] == [Decimal("12"), Decimal("0.6"), Decimal("10")]
