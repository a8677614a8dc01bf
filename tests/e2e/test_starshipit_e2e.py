"""The README's Starshipit walkthrough, end to end through the local stack over HTTP only (issue 12, "Done when").

Configure the integration with the management API (trigger PACKED), pack a WMS order and see one Starshipit order
with its address and lines, ship it in the Starshipit sandbox, run the poll and see the tracking on the WMS
consignment, print the label through our API and get the PDF. Then: the same WMS notification delivered three times
while the WMS poll runs makes one Starshipit order; Starshipit's signed tracking webhooks reach our door.
"""

from __future__ import annotations

import threading
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
        self.ssi = facts["starshipit"]
        self.token = facts["management"]["customerToken"]
        self.control = self.ssi["control"]
        self.integration_id = ""
        self.base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"

    # --- the customer, in the management API and the labels API ---

    def api(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        return requests.request(method, f"{self.client.api}{path}", json=body, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}", **headers})

    def create_integration(self) -> None:
        created = self.api("POST", self.base, {"type": "starshipit", "name": f"Labels {uuid.uuid4().hex[:6]}"})
        assert created.status_code == 201, created.text
        item = f"{self.base}/{created.json()['integrationId']}"
        for step, body in (
            ("authentication", {"apiKey": self.ssi["apiKey"], "subscriptionKey": self.ssi["subscriptionKey"],
                                "webhookSecret": self.ssi["webhookSecret"]}),
            ("orderCreation", {"createShipmentAt": "PACKED"}),
            ("fulfilment", {"writeTracking": True}),
        ):
            answer = self.api("PUT", f"{item}/steps/{step}", body)
            assert answer.status_code == 200, (step, answer.text)
        live = self.api("POST", f"{item}/finish")
        assert live.status_code == 200 and live.json()["status"] == "LIVE", live.text
        self.integration_id = created.json()["integrationId"]

    def label(self, wms_order_id: str, accept: str = "application/json") -> requests.Response:
        return self.api("POST", f"{self.base}/{self.integration_id}/labels", {"wmsOrderId": wms_order_id},
                        Accept=accept)

    # --- Starshipit, as its user, warehouse and courier (its sandbox's control API) ---

    def ssi_control(self, method: str, path: str = "", body: Any = None) -> Any:
        answer = requests.request(method, f"{self.control}{path}", json=body, timeout=10)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def ssi_order(self, number: str) -> dict[str, Any] | None:
        """The Starshipit order with this number: a WMS order's customer reference (the number people know)."""
        return next((o for o in self.ssi_control("GET", "/orders") if o["order_number"] == number), None)

    def ssi_calls(self, method: str, path: str) -> int:
        log = requests.get(f"{self.ssi['control'].split('/_control')[0]}/_control/requests", timeout=10).json()
        return sum(1 for call in log if call["method"] == method and call["path"] == path and call["status"] == 200)

    # --- the WMS ---

    def consignment_tracking(self, wms_order_id: str) -> str | None:
        consignments = self.client.wms_control("GET", f"tenants/{demo.TENANT_ID}/consignments")
        return next(((c.get("references") or {}).get("tracking") for c in consignments
                     if (c.get("generatedFromTask") or {}).get("id") == wms_order_id), None)

    def exported(self, reference: str) -> tuple[str, dict[str, Any]]:
        order_id = self.client.place_order(reference, quantity=3)
        self.client.move_order(order_id, "PACKED")
        return order_id, wait_for(lambda: self.ssi_order(reference), what=f"{reference} in Starshipit")


@pytest.fixture(scope="module")
def walk(local_stack) -> Walkthrough:
    walkthrough = Walkthrough(StackClient(local_stack))
    walkthrough.create_integration()
    return walkthrough


def test_the_readme_walkthrough(walk: Walkthrough):
    # A warehouse user packs a WMS order: one Starshipit order, with the WMS order's address and lines.
    order_id, order = walk.exported("SSI-E2E-1")
    assert order["order_number"] == order["reference"] == "SSI-E2E-1" and order["status"] == "Unshipped"
    assert order["destination"] == {"name": "Jane Citizen", "street": "1 Example St", "suburb": "Perth",
                                    "city": "Perth", "post_code": "6000", "country": "AU"}
    assert [(i["sku"], i["quantity"]) for i in order["items"]] == [("SKU-1", 3)]

    # It is shipped in Starshipit; no webhook is set up yet, so nothing reaches us…
    walk.ssi_control("POST", f"/orders/{order['order_id']}/ship", {"trackingNumber": "QQQ-E2E-1",
                                                                   "carrier": "AusPost"})
    walk.client.wait_idle()
    assert walk.consignment_tracking(order_id) is None
    # …until the poll: the WMS consignment then carries the tracking number.
    fired = requests.post(f"{walk.client.api}/_local/schedules/StarshipitPollScheduleFunction", timeout=30)
    assert fired.status_code == 200, fired.text
    assert wait_for(lambda: walk.consignment_tracking(order_id), what="tracking on the consignment") == "QQQ-E2E-1"

    # The label through our API: the PDF itself — the label made when it shipped, not a second shipment.
    shipments = walk.ssi_control("GET")["shipments"]
    pdf = walk.label(order_id, accept="application/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf", pdf.text
    assert pdf.content.startswith(b"%PDF-") and pdf.headers["X-Reprint"] == "true"
    assert pdf.headers["X-Tracking-Numbers"] == "QQQ-E2E-1"
    assert walk.ssi_control("GET")["shipments"] == shipments

    # A second order, printed through our API first: its tracking comes back with the label.
    second, _ = walk.exported("SSI-E2E-2")
    label = walk.label(second)
    assert label.status_code == 200 and label.json()["reprint"] is False, label.text
    numbers = ", ".join(label.json()["trackingNumbers"])
    assert wait_for(lambda: walk.consignment_tracking(second), what="the label's tracking in the WMS") == numbers
    again = walk.label(second).json()
    assert again["reprint"] is True and again["labels"] == label.json()["labels"]
    assert walk.ssi_control("GET")["shipments"] == shipments + 1


def test_three_deliveries_of_one_notification_and_the_poll_at_once_make_one_order(walk: Walkthrough):
    creates = walk.ssi_calls("POST", "/api/orders")
    walk.client.wms_control("POST", "notifications", drop=1)  # the WMS's first delivery is lost…
    order_id = walk.client.place_order("SSI-E2E-DUP", quantity=1)
    walk.client.move_order(order_id, "PACKED")
    sent = walk.client.wms_control("GET", "notifications")
    [notification] = [d["body"]["id"] for d in sent if d["body"]["entityId"] == order_id]

    def redeliver() -> None:
        walk.client.wms_control("POST", "notifications/redeliver", id=notification)

    def poll() -> None:
        assert requests.post(f"{walk.client.api}/_local/schedules/WmsPollScheduleFunction", timeout=30).ok

    # …then it arrives three times while the WMS poll (the safety net) runs.
    threads = [threading.Thread(target=redeliver) for _ in range(3)] + [threading.Thread(target=poll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_for(lambda: walk.ssi_order("SSI-E2E-DUP"), what="the order in Starshipit")
    walk.client.wait_idle()
    assert [o["order_number"] for o in walk.ssi_control("GET", "/orders")].count("SSI-E2E-DUP") == 1
    assert walk.ssi_calls("POST", "/api/orders") == creates + 1
    assert walk.client.queue("StarshipitDeadLetterQueue")["visible"] == 0


def test_starshipits_signed_tracking_webhooks_reach_the_door(walk: Walkthrough):
    url = walk.ssi["webhookUrl"].replace("{integrationId}", walk.integration_id)
    walk.ssi_control("PUT", "/webhook", {"url": url, "secret": walk.ssi["webhookSecret"]})
    order_id, order = walk.exported("SSI-E2E-HOOK")
    walk.ssi_control("POST", f"/orders/{order['order_id']}/ship", {"trackingNumber": "QQQ-HOOK-1"})
    assert wait_for(lambda: walk.consignment_tracking(order_id), what="tracking by webhook") == "QQQ-HOOK-1"
    deliveries = requests.get(f"{walk.control.split('/_control')[0]}/_control/webhooks", timeout=10).json()
    ours = [d for d in deliveries if d["url"] == url]
    assert ours and {d["status"] for d in ours} == {200}
    assert {d["body"]["tracking_status"] for d in ours} >= {"Printed", "Dispatched"}
