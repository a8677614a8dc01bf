"""The README's Rose Rocket walkthrough, end to end through the local stack over HTTP only (issues 13 and 14's "done
when").

A tenant admin configures the tenant-level integration with the stack's demo Rose Rocket organisation, exports the
tenant's WMS customers, imports matches (one bad row reported, then fixed), and then: a consignment a WMS user enters
creates one Rose Rocket order with a service type Rose Rocket didn't have; an order a dispatcher moves to Delivered
creates one WMS consignment; an edit while Delivered updates it (found by the poll: edits send no webhook); deleting
the order changes nothing in the WMS; a manual push sends a consignment's current state.

Rating and invoices (issue 14): the widget rates an order (a requirement missing → 422 naming it; fixed → rates),
saves, re-rates (replacing only our lines); the WMS's invoices then walk Draft → Approved + Paid, and a second one is
voided, with Rose Rocket's invoice and order statuses checked after each step.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
import requests

from local import demo

from .conftest import StackClient, wait_for

pytestmark = pytest.mark.e2e

WAREHOUSE_STOPS = {"companyName": "Steam Chef", "address1": "9 Mill Rd", "city": "Yatala", "stateCode": "QLD",
                   "postalCode": "4207", "countryCode": "AU"}
CAFE = {"companyName": "Harbour Cafe", "address1": "1 Wharf St", "city": "Brisbane", "stateCode": "QLD",
        "postalCode": "4000", "countryCode": "AU"}


class Dispatch:
    """The tenant admin (our API), a WMS user (the WMS sandbox's control API) and a Rose Rocket dispatcher (the Rose
    Rocket sandbox's control API)."""

    def __init__(self, client: StackClient) -> None:
        self.client = client
        facts = client.local("GET", "demo")
        self.rr = facts["rose_rocket"]
        self.admin = facts["management"]["adminToken"]
        self.control = self.rr["control"]
        self.item = ""
        self.webhook_url = ""
        self.rating_credential = ""

    def api(self, method: str, path: str, body: Any = None, *, csv_text: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.admin}"}
        if csv_text is not None:
            headers["Content-Type"] = "text/csv"
            return requests.request(method, f"{self.client.api}{self.item}{path}", data=csv_text.encode(),
                                    headers=headers, timeout=30)
        return requests.request(method, f"{self.client.api}{self.item}{path}", json=body, headers=headers,
                                timeout=30)

    def connect(self) -> None:
        created = self.api("POST", f"/tenants/{demo.TENANT_ID}/integrations",
                           {"type": "rose_rocket", "name": f"Dispatch {uuid.uuid4().hex[:6]}"})
        assert created.status_code == 201, created.text
        assert created.json()["scope"] == "tenant" and created.json()["customerId"] is None
        self.item = f"/tenants/{demo.TENANT_ID}/integrations/{created.json()['integrationId']}"
        for step, body in (
            ("authentication", {key: self.rr[key] for key in ("clientId", "clientSecret", "orgId",
                                                              "serviceAccountUserId")}),
            ("orderCreation", {"defaultWarehouseId": demo.WAREHOUSE_ID}),
            ("fulfilment", {}),
        ):
            answer = self.api("PUT", f"/steps/{step}", body)
            assert answer.status_code == 200, (step, answer.text)
        live = self.api("POST", "/finish")
        assert live.status_code == 200 and live.json()["status"] == "LIVE", live.text
        self.webhook_url = live.json()["shownOnce"]["webhookUrl"]
        self.rating_credential = live.json()["shownOnce"]["ratingCredential"]
        again = self.api("GET", "")
        assert "shownOnce" not in again.json()  # handed over once, never again

    # --- the WMS -------------------------------------------------------------------------------------------------

    def enter_consignment(self, service_type: str) -> str:
        body = {"customer": {"id": demo.CUSTOMER_ID}, "references": {"customer": f"PO-{uuid.uuid4().hex[:5]}"},
                "details": {"type": "DELIVERY",
                            "collect": {"address": {"companyName": "Steam Chef", "address1": "9 Mill Rd",
                                                    "city": "Yatala", "postcode": "4207"}},
                            "deliver": {"address": {"companyName": "Harbour Cafe", "address1": "1 Wharf St",
                                                    "city": "Brisbane", "postcode": "4000",
                                                    "country": {"iso2Code": "AU"}},
                                        "instructions": "Dock 2"}},
                "properties": {"serviceType": service_type},
                "items": [{"properties": {"description": "Steam pots", "length": 60, "width": 40, "height": 40},
                           "measures": {"quantity": 3, "weight": 45}}]}
        return str(self.client.wms_control("POST", f"tenants/{demo.TENANT_ID}/consignments", **body)["id"])

    def wms_consignments(self) -> list[dict[str, Any]]:
        return self.client.wms_control("GET", f"tenants/{demo.TENANT_ID}/consignments")  # type: ignore[no-any-return]

    def consignment_of(self, order_id: str) -> list[dict[str, Any]]:
        return [c for c in self.wms_consignments() if (c.get("properties") or {}).get("roseRocketOrderId") == order_id]

    # --- Rose Rocket ---------------------------------------------------------------------------------------------

    def dispatcher(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        answer = requests.request(method, f"{self.control}{path}", json=body, params=params or None, timeout=10)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def matched(self) -> None:
        """Steam Chef Store matched (idempotent: the same file again changes nothing)."""
        numbers = dict(self.rr["customers"])
        rows = [f"{name},{self.rr['wmsCustomers'][name]},{numbers[name] if name == 'Steam Chef Store' else ''}"
                for name in numbers]
        imported = self.api("POST", "/customer-matches", csv_text="Customer Name,Customer UUID,Rose Rocket Customer\n"
                            + "\n".join(rows) + "\n")
        assert imported.status_code == 200, imported.text

    def objects(self, object_key: str) -> list[dict[str, Any]]:
        return self.dispatcher("GET", "/objects", objectKey=object_key)  # type: ignore[no-any-return]

    def orders_for(self, consignment_id: str) -> list[dict[str, Any]]:
        return [o for o in self.objects("order") if o.get("externalId") == consignment_id]

    def widget(self, order_id: str, path: str = "", body: Any = None) -> requests.Response:
        """The Rose Rocket rating widget: our rating routes with the integration's rating credential."""
        return requests.post(f"{self.client.api}{self.item}/orders/{order_id}/rates{path}", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {self.rating_credential}"})

    def wms_invoice(self, path: str = "", **body: Any) -> dict[str, Any]:
        """A WMS finance user (the WMS sandbox's control API): invoices notify us as signed INVOICE notifications."""
        return self.client.wms_control("POST", f"tenants/{demo.TENANT_ID}/invoices{path}", **body)  # type: ignore

    def order_and_invoice(self, order_id: str) -> tuple[str, str | None, bool | None]:
        order = self.dispatcher("GET", f"/orders/{order_id}")
        invoice = order.get("invoice") or {}
        return order["status"], invoice.get("status"), invoice.get("voided")

    def poll(self) -> None:
        fired = requests.post(f"{self.client.api}/_local/schedules/RoseRocketPollScheduleFunction", timeout=30)
        assert fired.status_code == 200, fired.text


@pytest.fixture(scope="module")
def dispatch(local_stack) -> Dispatch:
    walk = Dispatch(StackClient(local_stack))
    walk.connect()
    return walk


def test_the_readme_walkthrough(dispatch: Dispatch):
    # Finish registered our webhook URL with Rose Rocket.
    [destination] = [d for d in dispatch.objects("webhookDestination") if d["url"] == dispatch.webhook_url]

    # The tenant's WMS customers, as Rose Rocket's import takes them.
    export = dispatch.api("GET", "/customers/export")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv"), export.text
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["Customer Name", "Customer UUID"]
    assert ["Steam Chef Store", demo.CUSTOMER_ID] in rows and ["Harbour Foods", dispatch.rr["wmsCustomers"][
        "Harbour Foods"]] in rows

    # The admin fills in the Rose Rocket customers; one is mistyped: nothing is applied, that row is named.
    def filled(harbour: str) -> str:
        numbers = {"Steam Chef Store": dispatch.rr["customers"]["Steam Chef Store"], "Harbour Foods": harbour}
        lines = ["Customer Name,Customer UUID,Rose Rocket Customer"]
        lines += [f"{name},{uuid_},{numbers.get(name, '')}" for name, uuid_ in rows[1:]]
        return "\n".join(lines) + "\n"

    harbour_row = next(n for n, row in enumerate(rows[1:], start=2) if row[0] == "Harbour Foods")
    refused = dispatch.api("POST", "/customer-matches", csv_text=filled("CUST-4040"))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [f"row {harbour_row}: Rose Rocket Customer"]
    assert dispatch.api("GET", "/customer-matches").json()["matched"] == []
    imported = dispatch.api("POST", "/customer-matches", csv_text=filled(""))
    assert imported.status_code == 200 and imported.json()["matched"] == 1, imported.text
    chef_id = dispatch.rr["customerIds"]["Steam Chef Store"]
    wait_for(lambda: [c for c in dispatch.objects("customer") if c["id"] == chef_id
                      and c["externalId"] == demo.CUSTOMER_ID], what="the match written to Rose Rocket's customer")

    # A WMS user enters a consignment with a service type Rose Rocket doesn't have: one order, one new service type.
    service_type = f"TAILGATE-{uuid.uuid4().hex[:4].upper()}"
    consignment = dispatch.enter_consignment(service_type)
    [order] = wait_for(lambda: dispatch.orders_for(consignment), what="the consignment's Rose Rocket order")
    [created_type] = [s for s in dispatch.objects("serviceType") if s["externalId"] == service_type]
    detail = dispatch.dispatcher("GET", f"/orders/{order['id']}")
    assert detail["customer"]["id"] == chef_id and detail["serviceType"]["id"] == created_type["id"]
    delivery = next(t for t in detail["tasks"] if t["taskType"] == "delivery")
    assert delivery["stops"][0]["address"]["companyName"] == "Harbour Cafe"
    dispatch.client.wait_idle()
    assert len(dispatch.orders_for(consignment)) == 1  # webhooks and notifications may come twice: still one

    # A dispatcher's order moved to Delivered: one WMS consignment, linked back by externalId.
    entered = dispatch.dispatcher("POST", "/orders", {
        "customerId": chef_id, "refNum": "E2E-REF-1", "pickup": WAREHOUSE_STOPS, "delivery": CAFE,
        "commodities": [{"commodityType": "pallet", "description": "Steam pots", "quantity": 2, "weight": 300,
                         "weightUnit": "kgs", "length": 120, "width": 100, "height": 150, "dimensionUnit": "cm"}]})
    dispatch.dispatcher("POST", f"/orders/{entered['id']}/status", {"status": "delivered"})
    [made] = wait_for(lambda: dispatch.consignment_of(entered["id"]), what="the Delivered order's WMS consignment")
    assert made["status"] == "DELIVERED" and made["references"]["customer"] == "E2E-REF-1"
    wait_for(lambda: dispatch.dispatcher("GET", f"/orders/{entered['id']}")["externalId"] == made["id"],
             what="the order's externalId set to the consignment")
    dispatch.client.wait_idle()
    assert len(dispatch.consignment_of(entered["id"])) == 1

    # An edit while Delivered sends no webhook: the poll finds it and updates the consignment.
    dispatch.dispatcher("PATCH", f"/orders/{entered['id']}", {"delivery": {"address1": "2 Wharf St"}})
    dispatch.poll()

    def edited() -> dict[str, Any] | None:
        [current] = dispatch.consignment_of(entered["id"])
        return current if current["details"]["deliver"]["address"]["address1"] == "2 Wharf St" else None

    version = wait_for(edited, what="the edit in the WMS consignment")["version"]

    # Deleted in Rose Rocket: the consignment stays, unchanged.
    dispatch.dispatcher("DELETE", f"/orders/{entered['id']}")
    dispatch.poll()
    dispatch.client.wait_idle()
    [kept] = dispatch.consignment_of(entered["id"])
    assert kept["version"] == version and kept["details"]["deliver"]["address"]["address1"] == "2 Wharf St"

    # The manual push: the WMS user changes the first consignment and sends it now.
    dispatch.client.wms_control("PATCH", f"tenants/{demo.TENANT_ID}/consignments/{consignment}",
                                details={"deliver": {"instructions": "Ring the bell"}})
    dispatch.client.wait_idle()
    pushed = dispatch.api("POST", f"/consignments/{consignment}/push")
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["roseRocketOrderId"] == order["id"] and pushed.json()["created"] is False
    again = dispatch.api("POST", f"/consignments/{consignment}/push").json()
    assert again["changed"] == []  # nothing new to send
    detail = dispatch.dispatcher("GET", f"/orders/{order['id']}")
    delivery = next(t for t in detail["tasks"] if t["taskType"] == "delivery")
    assert delivery["stops"][0]["specialInstructions"] == "Ring the bell"
    assert len(dispatch.orders_for(consignment)) == 1
    assert destination["url"] == dispatch.webhook_url


def test_the_door_refuses_a_forged_url_and_a_malformed_body(dispatch: Dispatch):
    forged = dispatch.webhook_url.split("token=")[0] + "token=" + "A" * 43
    envelope = {"id": str(uuid.uuid4()), "type": "Order Status Changed", "refId": str(uuid.uuid4()),
                "payload": {"id": str(uuid.uuid4()), "status": "delivered"}}
    assert requests.post(forged, json=envelope, timeout=10).status_code == 401
    malformed = requests.post(dispatch.webhook_url, data=b"{not json", timeout=10,
                              headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400, malformed.text


def test_rating_saving_rerating_and_invoice_statuses(dispatch: Dispatch):
    dispatch.matched()
    chef_id = dispatch.rr["customerIds"]["Steam Chef Store"]
    pallets = [{"commodityType": "pallet", "description": "Steam pots", "quantity": 2, "weight": 300,
                "weightUnit": "kgs", "length": 120, "width": 100, "height": 150, "dimensionUnit": "cm"}]
    order = dispatch.dispatcher("POST", "/orders", {"customerId": chef_id, "refNum": "E2E-RATE-1",
                                                    "pickup": WAREHOUSE_STOPS, "delivery": CAFE,
                                                    "commodities": pallets})["id"]

    # The widget rates it: the service type is missing, and named.
    missing = dispatch.widget(order)
    assert missing.status_code == 422, missing.text
    assert [e["field"] for e in missing.json()["errors"]] == ["serviceType"]
    service_type = dispatch.dispatcher("POST", "/objects", {"objectKey": "serviceType",
                                                            "json": {"name": "GENERAL", "externalId": "GENERAL"}})
    dispatch.dispatcher("PATCH", f"/orders/{order}", {"serviceTypeId": service_type["id"]})
    rates = dispatch.widget(order)
    assert rates.status_code == 200, rates.text
    first = rates.json()
    # The demo tenant's rate card: 2 × $6.00, fuel 5 %, $10 flat.
    assert [(line["type"], line["amount"]) for line in first["lineItems"]] == [
        ("Freight", 12), ("fuel", 0.6), ("accessorial", 10)]
    assert first["total"] == 22.6 and first["currency"] == "AUD"

    # Saved onto the sell quote; a dispatcher adds a line; a re-rate after a change replaces only ours.
    saved = dispatch.widget(order, f"/{first['quoteId']}/save")
    assert saved.status_code == 200 and len(saved.json()["saved"]) == 3, saved.text
    dispatch.dispatcher("POST", f"/orders/{order}/sell-quote/line-items",
                        {"type": "accessorial", "description": "Hand unload", "rate": 40, "quantity": 1,
                         "currency": "AUD"})
    dispatch.dispatcher("PATCH", f"/orders/{order}", {"commodities": [{**pallets[0], "quantity": 5}]})
    second = dispatch.widget(order).json()
    assert second["lineItems"][0]["amount"] == 30
    resaved = dispatch.widget(order, f"/{second['quoteId']}/save").json()
    assert resaved["replaced"] == 3 and resaved["kept"] == 1
    lines = dispatch.dispatcher("GET", f"/orders/{order}")["sellQuote"]["lineItems"]
    assert sorted((line["description"], line["amount"]) for line in lines) == sorted(
        [(line["description"], line["amount"]) for line in second["lineItems"]] + [("Hand unload", 40)])

    # Delivered: its WMS consignment is made; the WMS invoices it.
    dispatch.dispatcher("POST", f"/orders/{order}/status", {"status": "delivered"})
    [consignment] = wait_for(lambda: dispatch.consignment_of(order), what="the rated order's WMS consignment")
    invoice = dispatch.wms_invoice(consignmentIds=[consignment["id"]])
    dispatch.client.wait_idle()
    assert dispatch.order_and_invoice(order) == ("delivered", None, None)  # Draft / Awaiting: no invoice, Delivered
    dispatch.wms_invoice(f"/{invoice['id']}/approve")  # Approved / Awaiting (decided): sent, the order Invoiced
    wait_for(lambda: dispatch.order_and_invoice(order) == ("invoiced", "sent", False),
             what="the order invoiced with its invoice sent")
    dispatch.wms_invoice(f"/{invoice['id']}/pay")
    wait_for(lambda: dispatch.order_and_invoice(order) == ("invoiced", "paid", False),
             what="the order invoiced with its invoice paid")
    made = dispatch.dispatcher("GET", f"/orders/{order}")["invoice"]
    assert made["externalId"] == f"cartoncloud-invoice:{invoice['id']}:{order}"
    locked = dispatch.widget(order)
    assert locked.status_code == 409 and "invoiced" in locked.json()["detail"]  # re-rating stops once invoiced

    # A second invoice, voided: the invoice shows voided, its order stays invoiced.
    consignment_id = dispatch.enter_consignment("GENERAL")
    [other] = wait_for(lambda: dispatch.orders_for(consignment_id), what="the second consignment's order")
    second_invoice = dispatch.wms_invoice(consignmentIds=[consignment_id])
    dispatch.client.wait_idle()
    assert dispatch.order_and_invoice(other["id"]) == ("new", None, None)
    dispatch.wms_invoice(f"/{second_invoice['id']}/void")
    wait_for(lambda: dispatch.order_and_invoice(other["id"]) == ("invoiced", "created", True),
             what="the voided invoice shown on its order")
    assert dispatch.order_and_invoice(order) == ("invoiced", "paid", False)  # the first one untouched
