"""What the Rose Rocket functional tests share: the WMS (CartonCloud sandbox) and a Rose Rocket organisation (the Rose
Rocket sandbox at Rose Rocket's own addresses) reached in-process through one ``responses`` mock; a tenant admin who
configures the tenant-level integration through the management API and uses its actions; Rose Rocket's webhooks
POSTed straight into our door (the URL handed over at finish), and the WMS's notifications delivered as sent.

The tenant has two WMS customers, Steam Chef Store (``chef``) and Harbour Foods (``harbour``); the organisation has
both as customers (``CUST-1``, ``CUST-2``), unmatched until a test imports matches.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from integrations.core.context import core
from integrations.core.ratelimit import SpacedBudget
from integrations.rose_rocket import clients as rose_rocket_clients

from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.rose_rocket import ORDER_PATHS, RoseRocketSandbox
from local.sandboxes.rose_rocket.records import Records
from local.sandboxes.transports import install_responses

from .conftest import WMS_BASE, DemoTenant, HttpResult, Service, log_of, seed_tenant
from .management_support import HS256_KEY, mint
from .wms_helpers import deliver

API_HOST, AUTH_HOST = "https://network.roserocket.com", "https://a.roserocket.com"
ORG, CLIENT_ID, SECRET = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098", "rr-client-functional", "rr-secret-functional-01"
USER = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
QUEUES = ("RoseRocketQueue", "WmsQueue", "StatusChangeQueue")
CREDENTIALS = {"clientId": CLIENT_ID, "clientSecret": SECRET, "orgId": ORG, "serviceAccountUserId": USER}
CONSIGNEE = {"companyName": "Harbour Cafe", "address1": "1 Wharf St", "suburb": "Brisbane", "city": "Brisbane",
             "state": {"code": "QLD"}, "postcode": "4000", "country": {"iso2Code": "AU"}}
PALLET = {"commodityType": "pallet", "description": "Steam pots", "quantity": 2, "weight": 300, "weightUnit": "kgs",
          "length": 120, "width": 100, "height": 150, "dimensionUnit": "cm"}


class DoorSender:
    """Rose Rocket's webhook sender: POSTs each delivery to our door in-process (path and query), as Rose Rocket
    would to the URL registered with it."""

    def __init__(self) -> None:
        self.service: Service | None = None
        self.answers: list[int] = []
        self.outage: int | None = None

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> int:
        assert self.service is not None
        if self.outage is not None:
            return self.outage
        parts = urlsplit(url)
        status = self.service.http("POST", parts.path, headers=headers, body=body, query=parts.query).status
        self.answers.append(status)
        return status


@dataclass
class RoseRocketWorld:
    service: Service
    wms: CartonCloudSandbox
    rose_rocket: RoseRocketSandbox
    tenant: DemoTenant
    notifications: RecordingSender
    door: DoorSender
    rsps: responses.RequestsMock
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    wms_customers: dict[str, str] = field(default_factory=dict)
    integration_id: str = ""
    webhook_url: str = ""
    rating_credential: str = ""
    delivered: int = 0

    # --- as the tenant admin, through our API ------------------------------------------------------------------

    @property
    def admin(self) -> str:
        return mint(self.tenant.tenant_id, "admin")

    def api(self, method: str, path: str, body: Any = None, *, token: str | None = None, raw: bytes | None = None,
            content_type: str = "application/json", query: str = "") -> HttpResult:
        headers = {"authorization": f"Bearer {token or self.admin}", "content-type": content_type}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return self.service.http(method, path, headers=headers, body=data, query=query)

    @property
    def base(self) -> str:
        return f"/tenants/{self.tenant.tenant_id}/integrations/{self.integration_id}"

    def connect(self, name: str = "Rose Rocket", **order_settings: Any) -> dict[str, Any]:
        """Create, configure and finish the tenant-level integration as an admin; keep the webhook URL handed over."""
        created = self.api("POST", f"/tenants/{self.tenant.tenant_id}/integrations", {"type": "rose_rocket",
                                                                                      "name": name})
        assert created.status == 201, created.body
        self.integration_id = created.json()["integrationId"]
        for step, body in (("authentication", CREDENTIALS),
                           ("orderCreation", {"defaultWarehouseId": self.tenant.warehouse_id, **order_settings}),
                           ("fulfilment", {})):
            answer = self.api("PUT", f"{self.base}/steps/{step}", body)
            assert answer.status == 200, (step, answer.body)
        live = self.api("POST", f"{self.base}/finish")
        assert live.status == 200, live.body
        self.webhook_url = live.json()["shownOnce"]["webhookUrl"]
        self.rating_credential = live.json()["shownOnce"]["ratingCredential"]
        return live.json()  # type: ignore[no-any-return]

    # --- the Rose Rocket widget, with the rating credential --------------------------------------------------------

    def rate(self, order_id: str, *, credential: str | None = None) -> HttpResult:
        given = self.rating_credential if credential is None else credential
        return self.service.http("POST", f"{self.base}/orders/{order_id}/rates",
                                 headers={"authorization": f"Bearer {given}"} if given else {})

    def save(self, order_id: str, quote_id: str, body: Any = None, *, credential: str | None = None) -> HttpResult:
        raw = json.dumps(body).encode() if body is not None else b""
        given = self.rating_credential if credential is None else credential
        return self.service.http("POST", f"{self.base}/orders/{order_id}/rates/{quote_id}/save", body=raw,
                                 headers={"authorization": f"Bearer {given}", "content-type": "application/json"})

    def service_type(self, code: str = "EXPRESS") -> str:
        """A service type a dispatcher made in Rose Rocket (Object Builder)."""
        org = self.rose_rocket.org(ORG)
        with self.rose_rocket.writing(org, USER) as records:
            return str(records.create("serviceType", {"name": code, "externalId": code})["id"])

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.webhook_url).query)["token"][0]

    def import_matches(self, text: str) -> HttpResult:
        return self.api("POST", f"{self.base}/customer-matches", raw=text.encode(), content_type="text/csv")

    def match(self, *names: str) -> None:
        rows = "".join(f"{self.customers[n]['fullId']},{self.wms_customers[n]}\n" for n in names)
        answer = self.import_matches("Rose Rocket Customer,Customer UUID\n" + rows)
        assert answer.status == 200, answer.body
        self.pump()

    # --- the WMS, as its users ------------------------------------------------------------------------------------

    def consignment(self, customer: str = "chef", *, service_type: str | None = "EXPRESS", **extra: Any) -> str:
        """A consignment a WMS user enters (the WMS notifies it as created)."""
        body = {"customer": {"id": self.wms_customers[customer]},
                "references": {"customer": f"PO-{uuid.uuid4().hex[:4]}"},
                "details": {"type": "DELIVERY", "collect": {"address": {"companyName": "Steam Chef", "address1":
                                                                        "9 Mill Rd", "city": "Yatala", "postcode":
                                                                        "4207", "state": {"code": "QLD"}}},
                            "deliver": {"address": dict(CONSIGNEE), "instructions": "Leave at dock 2"}},
                "properties": {"serviceType": service_type} if service_type else {},
                "items": [{"properties": {"description": "Steam pots"}, "measures": {"quantity": 4, "weight": 40}}],
                **extra}
        return str(self.wms.enter_consignment(self.tenant.tenant_id, body)["id"])

    def wms_consignments(self) -> list[dict[str, Any]]:
        return self.wms.consignments(self.tenant.tenant_id)

    def wms_consignment(self, consignment_id: str) -> dict[str, Any]:
        return next(c for c in self.wms_consignments() if c["id"] == consignment_id)

    # --- Rose Rocket, as its dispatcher ---------------------------------------------------------------------------

    def records(self) -> Records:
        org = self.rose_rocket.org(ORG)
        return Records(org.store, self.rose_rocket.stamp(), USER)

    def order(self, customer: str = "chef", **fields: Any) -> str:
        """An order a dispatcher enters in Rose Rocket (status new: no webhook)."""
        org = self.rose_rocket.org(ORG)
        with self.rose_rocket.writing(org, USER) as records:
            order = records.create("order", {
                "customer": {"id": self.customers[customer]["id"]}, "refNum": fields.pop("refNum", "CUST-REF-1"),
                "tasks": [{"taskType": "pickup", "stops": [{"address": {
                    "companyName": "Steam Chef", "address1": "9 Mill Rd", "city": "Yatala", "stateCode": "QLD",
                    "postalCode": "4207", "countryCode": "AU"}}], "commodities": [dict(PALLET)]},
                    {"taskType": "delivery", "stops": [{"address": {
                        "companyName": "Harbour Cafe", "address1": "1 Wharf St", "city": "Brisbane",
                        "stateCode": "QLD", "postalCode": "4000", "countryCode": "AU"}}]}], **fields})
        return str(order["id"])

    def move(self, order_id: str, status: str) -> None:
        """The dispatcher moves the order (Rose Rocket sends "Order Status Changed" to our door)."""
        org = self.rose_rocket.org(ORG)
        with self.rose_rocket.writing(org, USER) as records:
            records.update(records.get(order_id), {"status": status})

    def rr_order(self, order_id: str) -> dict[str, Any] | None:
        records = self.records()
        found = self.rose_rocket.org(ORG).store.records.get(order_id)
        return records.render(found, ORDER_PATHS) if found else None

    def rr_orders(self) -> list[dict[str, Any]]:
        records = self.records()
        return [records.render(r, ORDER_PATHS) for r in self.rose_rocket.org(ORG).store.records.values()
                if r["objectKey"] == "order"]

    def sell_lines(self, order_id: str) -> list[dict[str, Any]]:
        order = self.rr_order(order_id) or {}
        return list((order.get("sellQuote") or {}).get("lineItems") or [])

    def rr_objects(self, object_key: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rose_rocket.org(ORG).store.records.values() if r["objectKey"] == object_key]

    # --- our side -------------------------------------------------------------------------------------------------

    def pump(self, rounds: int = 10) -> None:
        """Work every queue until quiet, delivering the WMS's notifications as they are sent."""
        for _ in range(rounds):
            worked = sum(self.service.pump(queue) for queue in QUEUES)
            fresh = self.notifications.sent[self.delivered:]
            for notification in fresh:
                assert deliver(self.service, notification).status == 202
            self.delivered += len(fresh)
            if not worked and not fresh:
                return

    def poll(self, minute: str = "2026-11-30T00:05:00Z") -> None:
        self.service.schedule("RoseRocketPollScheduleFunction", {"scheduledTime": minute})
        self.pump()

    def order_log(self, order_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        return log_of(f"{self.integration_id}#rose_rocket#order#{order_id}")

    def consignment_log(self, consignment_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        return log_of(f"{self.integration_id}#wms#CONSIGNMENT#{consignment_id}")

    def link_of_order(self, order_id: str) -> Any:
        from integrations.rose_rocket.refs import order_ref

        return core().links.find(order_ref(self.integration_id, order_id))


def unhurried_budget(table_name: str, *, per_minute: int, interactive: bool) -> SpacedBudget:
    """The organisation's budget as these tests use it: the same table and keys, a rate no test reaches."""
    return SpacedBudget(table_name, per_second=10_000.0)


@pytest.fixture
def world(service, monkeypatch) -> RoseRocketWorld:
    # The organisation's budget (requestsPerMinute spaced across every Lambda: tests/unit/test_rose_rocket_client.py)
    # would only make these tests wait 0.2 s a call; each call still takes its turn in RateBudgetTable.
    monkeypatch.setattr(rose_rocket_clients, "organisation_budget", unhurried_budget)
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)
    notifications, door = RecordingSender(), DoorSender()
    door.service = service
    wms = CartonCloudSandbox(sender=notifications, strict_numbers=True)
    sandbox = RoseRocketSandbox(sender=door)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, wms, WMS_BASE)
        install_responses(rsps, sandbox, API_HOST)
        install_responses(rsps, sandbox, AUTH_HOST)
        tenant = DemoTenant(tenant_id=str(uuid.uuid4()), client_id="cc-rr", client_secret="cs-" + uuid.uuid4().hex,
                            notification_secret="n-" + uuid.uuid4().hex, customer_id="", warehouse_id="")
        wms.add_tenant(tenant.tenant_id, client_id=tenant.client_id, client_secret=tenant.client_secret,
                       notification_url=f"https://integrations.test/wms/{tenant.tenant_id}/notifications",
                       notification_secret=tenant.notification_secret)
        warehouse = wms.add_warehouse(tenant.tenant_id, name="Brisbane DC")
        chef = wms.add_customer(tenant.tenant_id, name="Steam Chef Store", warehouse_ids=[warehouse["id"]])
        harbour = wms.add_customer(tenant.tenant_id, name="Harbour Foods", warehouse_ids=[warehouse["id"]])
        tenant.customer_id, tenant.warehouse_id = chef["id"], warehouse["id"]
        seed_tenant(tenant)
        org = sandbox.add_org(ORG, client_id=CLIENT_ID, client_secret=SECRET, service_user=USER)
        with sandbox.writing(org, USER) as records:
            customers = {"chef": records.render(records.create("customer", {"name": "Steam Chef Store"})),
                         "harbour": records.render(records.create("customer", {"name": "Harbour Foods"}))}
        yield RoseRocketWorld(service, wms, sandbox, tenant, notifications, door, rsps, customers,
                 {"chef": chef["id"], "harbour": harbour["id"]})
