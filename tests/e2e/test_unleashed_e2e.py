"""The README's Unleashed walkthrough, end to end through the local stack over HTTP only (issue 11's done-criteria).

Configure the integration with the management API (a customer user, the stack's demo Unleashed account and WMS
tenant), place an order with two shipments in Unleashed, see two WMS orders with references ``{order} | {shipment}``,
dispatch one in the WMS, and see that shipment Dispatched with its tracking and package count while the other is
untouched. Then the same with Order Management switched off in Unleashed. Then the calls this month, on the
integration's usage record, through the management API.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from local import demo

from .conftest import StackClient, wait_for

pytestmark = pytest.mark.e2e


class Walkthrough:
    def __init__(self, client: StackClient) -> None:
        self.client = client
        facts = client.local("GET", "demo")
        self.account = facts["unleashed"]
        self.token = facts["management"]["customerToken"]
        self.control = self.account["control"]
        self.item = ""
        self.integration_id = ""

    # --- the customer, in the management API ---

    def api(self, method: str, path: str, body: Any = None, **params: str) -> requests.Response:
        return requests.request(method, f"{self.client.api}{path}", json=body, params=params or None, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}"})

    def create_integration(self) -> None:
        base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
        created = self.api("POST", base, {"type": "unleashed", "name": f"Steam Chef Unleashed {uuid.uuid4().hex[:6]}"})
        assert created.status_code == 201, created.text
        self.integration_id = created.json()["integrationId"]
        self.item = f"{base}/{self.integration_id}"
        wrong = self.api("PUT", f"{self.item}/steps/authentication", {"apiId": self.account["apiId"],
                                                                      "apiKey": "not-the-key"})
        assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "apiKey", wrong.text
        for step, body in (
            ("authentication", {"apiId": self.account["apiId"], "apiKey": self.account["apiKey"]}),
            ("orderCreation", {"defaultWarehouseId": demo.WAREHOUSE_ID, "includeComments": True}),
            ("fulfilment", {"completeShipments": True}),
        ):
            answer = self.api("PUT", f"{self.item}/steps/{step}", body)
            assert answer.status_code == 200, (step, answer.text)
        live = self.api("POST", f"{self.item}/finish")
        assert live.status_code == 200 and live.json()["status"] == "LIVE", live.text

    # --- Unleashed and the warehouse, through their sandboxes' control APIs ---

    def unleashed(self, method: str, path: str = "", body: Any = None) -> Any:
        answer = requests.request(method, f"{self.control}{path}", json=body, timeout=10)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def place_two_shipments(self) -> dict[str, Any]:
        return self.unleashed("POST", "/sales-orders", {
            "lines": [{"code": "SKU-1", "quantity": 2, "unitPrice": 39.95}, {"code": "SKU-2", "quantity": 1}],
            "shipments": [{"lines": [{"line": 1, "quantity": 2}], "comments": "Fragile"},
                          {"lines": [{"line": 2, "quantity": 1}]}],
            "comments": "Deliver to the back door"})

    def wms_orders(self, number: str) -> list[dict[str, Any]]:
        orders = self.client.wms_control("GET", f"tenants/{demo.TENANT_ID}/outbound-orders")
        return [o for o in orders if (o["references"].get("customer") or "").startswith(f"{number} | ")]

    def shipment(self, guid: str) -> dict[str, Any]:
        return self.unleashed("GET", f"/sales-shipments/{guid}")  # type: ignore[no-any-return]

    def sync_log(self, record: str) -> dict[str, Any]:
        answer = self.api("GET", f"{self.item}/sync-log/entries", record=record)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def order_to_dispatch(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Place an order with two shipments, wait for its two WMS orders, dispatch the first shipment's in the
        WMS; returns the first shipment (dispatched), the second (as it was), and the first's WMS order."""
        order = self.place_two_shipments()
        first, second = sorted(order["SalesShipments"], key=lambda s: s["ShipmentNumber"])
        made = wait_for(lambda: self.wms_orders(order["OrderNumber"]) if len(self.wms_orders(
            order["OrderNumber"])) == 2 else None, what="two WMS orders for the two shipments")
        references = sorted(o["references"]["customer"] for o in made)
        assert references == [f"{order['OrderNumber']} | {first['ShipmentNumber']}",
                              f"{order['OrderNumber']} | {second['ShipmentNumber']}"]
        wms = next(o for o in made if o["references"]["customer"].endswith(first["ShipmentNumber"]))
        assert wms["customer"]["id"] == demo.CUSTOMER_ID and wms["warehouse"]["id"] == demo.WAREHOUSE_ID
        assert [(i["details"]["product"]["references"]["code"], i["measures"]["quantity"]) for i in wms["items"]] \
            == [("SKU-1", 2)]
        assert wms["details"]["instructions"] == "Order: Deliver to the back door\nShipment: Fragile"
        before = self.shipment(second["Guid"])
        self.client.move_order(wms["id"], "DISPATCHED", trackingNumber=f"TRK-{uuid.uuid4().hex[:6]}",
                               carrier="Aramex")
        return first, before, wms


@pytest.fixture(scope="module")
def walk(local_stack) -> Walkthrough:
    walkthrough = Walkthrough(StackClient(local_stack))
    walkthrough.create_integration()
    return walkthrough


def test_the_readme_walkthrough_two_shipments_one_dispatched(walk: Walkthrough):
    subscriptions = [s for s in walk.unleashed("GET", "/subscriptions")
                     if walk.integration_id in s["notificationUrl"]]
    assert len(subscriptions) == 1
    first, second, wms = walk.order_to_dispatch()

    def dispatched() -> dict[str, Any] | None:
        current = walk.shipment(first["Guid"])
        return current if current["ShipmentStatus"] == "Dispatched" else None

    shipment = wait_for(dispatched, what="the first shipment Dispatched in Unleashed")
    consignments = walk.client.wms_control("GET", f"tenants/{demo.TENANT_ID}/consignments")
    tracking = next(c["references"]["tracking"] for c in consignments if c["generatedFromTask"]["id"] == wms["id"])
    assert shipment["TrackingNumber"] == tracking and shipment["NumberOfPackages"] == 1
    assert shipment["ShippingCompany"]["Name"] == "Aramex" and shipment["DispatchDate"]
    walk.client.wait_idle()
    assert walk.shipment(second["Guid"]) == second  # the other shipment is untouched
    log = walk.sync_log(f"{walk.integration_id}#unleashed#shipment#{first['Guid']}")
    assert [e["event"] for e in log["entries"]] == ["created", "write-back"] and log["status"] == "SYNCED"


def test_the_same_with_order_management_off(walk: Walkthrough):
    walk.unleashed("PATCH", "", {"orderManagement": False})
    try:
        first, second, _ = walk.order_to_dispatch()

        def written() -> dict[str, Any] | None:
            current = walk.shipment(first["Guid"])
            return current if current["NumberOfPackages"] else None

        shipment = wait_for(written, what="the first shipment's dispatch details in Unleashed")
        assert shipment["ShipmentStatus"] is None  # Order Management off: no status can be set
        assert shipment["DispatchDate"] and shipment["NumberOfPackages"] == 1 and shipment["TrackingNumber"]
        walk.client.wait_idle()
        assert walk.shipment(second["Guid"]) == second
        log = walk.sync_log(f"{walk.integration_id}#unleashed#shipment#{first['Guid']}")
        assert "Order Management is off" in log["entries"][-1]["message"] and log["status"] == "SYNCED"
    finally:
        walk.unleashed("PATCH", "", {"orderManagement": True})


def test_the_calls_made_this_month_are_on_the_integration(walk: Walkthrough):
    walk.client.wait_idle()
    sandbox = walk.account["apiUrl"]
    received = len(requests.get(f"{sandbox}/_control/requests", timeout=10).json())
    fired = requests.post(f"{walk.client.api}/_local/schedules/UnleashedPollScheduleFunction", timeout=30)
    assert fired.status_code == 200, fired.text
    record = f"{walk.integration_id}#unleashed#integration#api-usage"

    def reported() -> list[dict[str, Any]] | None:
        entries = walk.sync_log(record)["entries"]
        return entries or None

    [entry] = wait_for(reported, what="the usage report")
    calls = int(entry["message"].split("so far: ")[1].split(" ")[0])
    # every call the account received before this poll (configuring, re-reads, write-backs; the refused wrong key
    # too: we count sends, Unleashed only successes) — the demo account is this integration's alone
    assert calls == received
    listed = walk.api("GET", f"{walk.item}/sync-log").json()["records"]
    assert record in [r["recordKey"] for r in listed]
