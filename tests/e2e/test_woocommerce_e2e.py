"""The README's WooCommerce walkthrough, end to end through the local stack over HTTP only.

Create the integration with the management API (a customer user, the stack's demo WooCommerce store and WMS
tenant), place an order in the store, see it in the WMS sandbox, dispatch it there with a tracking number, see the
store order Completed with its tracking row and our note. Then the safety net: a disabled webhook is healed by the
poll and the order it missed is created.
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
        self.shop = facts["woocommerce"]
        self.token = facts["management"]["customerToken"]
        self.control = self.shop["control"]
        self.integration_id = ""

    # --- the customer, in the management API ---

    def api(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, f"{self.client.api}{path}", json=body, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}"})

    def create_integration(self) -> str:
        base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
        created = self.api("POST", base, {"type": "woocommerce", "name": f"Steam Chef {uuid.uuid4().hex[:6]}"})
        assert created.status_code == 201, created.text
        item = f"{base}/{created.json()['integrationId']}"
        for step, body in (
            ("authentication", {"storeUrl": self.shop["storeUrl"], "consumerKey": self.shop["consumerKey"],
                                "consumerSecret": self.shop["consumerSecret"]}),
            ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
            ("fulfilment", {"completeFulfilment": True, "sendTracking": True}),
        ):
            answer = self.api("PUT", f"{item}/steps/{step}", body)
            assert answer.status_code == 200, (step, answer.text)
        live = self.api("POST", f"{item}/finish")
        assert live.status_code == 200 and live.json()["status"] == "LIVE", live.text
        self.integration_id = created.json()["integrationId"]
        return item

    # --- the shop and the warehouse, through their sandboxes' control APIs ---

    def shop_control(self, method: str, path: str = "", body: Any = None) -> Any:
        answer = requests.request(method, f"{self.control}{path}", json=body, timeout=10)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def wms_order(self, reference: str) -> dict[str, Any] | None:
        orders = self.client.wms_control("GET", f"tenants/{demo.TENANT_ID}/outbound-orders")
        return next((o for o in orders if o["references"].get("customer") == reference), None)

    def sync_log(self, order_id: int) -> dict[str, Any]:
        key = f"{self.integration_id}#woocommerce#order#{order_id}"
        answer = requests.get(f"{self.client.api}/_local/sync-log", params={"key": key}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def walk(local_stack) -> Walkthrough:
    walkthrough = Walkthrough(StackClient(local_stack))
    walkthrough.create_integration()
    return walkthrough


def test_the_readme_walkthrough(walk: Walkthrough):
    # Our webhooks are on the store, and the store's activation pings got 200 from our door.
    ours = [h for h in walk.shop_control("GET", "/webhooks") if walk.integration_id in h["delivery_url"]]
    assert sorted(h["topic"] for h in ours) == ["order.created", "order.updated"]
    assert all(h["status"] == "active" and h["pings"] == [200] for h in ours), ours

    # A customer checks out in the store…
    order = walk.shop_control("POST", "/orders", {"lineItems": [{"sku": "SKU-1", "quantity": 2, "price": "39.95"}],
                                                  "customerNote": "Leave at reception"})
    # …and the order appears in the WMS, for the demo customer and warehouse.
    wms_order = wait_for(lambda: walk.wms_order(order["number"]), what="the store order in the WMS")
    assert wms_order["customer"]["id"] == demo.CUSTOMER_ID and wms_order["warehouse"]["id"] == demo.WAREHOUSE_ID
    assert wms_order["details"]["deliver"]["instructions"] == "Leave at reception"
    assert wms_order["items"][0]["measures"]["quantity"] == 2

    # A warehouse user dispatches it with a tracking number…
    walk.client.move_order(wms_order["id"], "DISPATCHED", trackingNumber="TRK-E2E-1", carrier="Aramex",
                           trackingUrl="https://track.example/TRK-E2E-1")

    # …and the store order becomes Completed, with its tracking row and our note.
    def completed() -> dict[str, Any] | None:
        current = walk.shop_control("GET", f"/orders/{order['id']}")
        return current if current["status"] == "completed" else None

    wait_for(completed, what="the store order completed")
    trackings = walk.shop_control("GET", f"/orders/{order['id']}/trackings")
    assert [(t["tracking_number"], t["tracking_provider"]) for t in trackings] == [("TRK-E2E-1", "Aramex")]
    notes = [n["note"] for n in walk.shop_control("GET", f"/orders/{order['id']}/notes")]
    assert any(wms_order["id"] in note and "TRK-E2E-1" in note for note in notes), notes

    # The order's sync log tells the story (the write-back is logged once the store has taken all of it).
    def told() -> list[str] | None:
        events = [entry["event"] for entry in walk.sync_log(order["id"])["entries"]]
        return events if "write-back" in events else None

    events = wait_for(told, what="the write-back in the order's sync log")
    assert events.index("created") < events.index("write-back"), events


def test_a_disabled_webhook_is_healed_by_the_poll_and_its_missed_order_created(walk: Walkthrough):
    ours = [h for h in walk.shop_control("GET", "/webhooks") if walk.integration_id in h["delivery_url"]]
    for hook in ours:  # as WooCommerce does after repeated failed deliveries
        walk.shop_control("POST", f"/webhooks/{hook['id']}/status", {"status": "disabled"})
    order = walk.shop_control("POST", "/orders", {"lineItems": [{"sku": "SKU-2", "quantity": 1}]})
    walk.client.wait_idle()
    assert walk.wms_order(order["number"]) is None  # nothing was delivered

    fired = requests.post(f"{walk.client.api}/_local/schedules/WooCommercePollScheduleFunction", timeout=30)
    assert fired.status_code == 200, fired.text
    wait_for(lambda: walk.wms_order(order["number"]), what="the missed order created by the poll")
    healed = [h for h in walk.shop_control("GET", "/webhooks") if walk.integration_id in h["delivery_url"]]
    assert {h["status"] for h in healed} == {"active"}
