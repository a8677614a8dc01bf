"""What the Starshipit functional tests share: the WMS (CartonCloud sandbox) and a Starshipit account (Starshipit
sandbox at Starshipit's real address) reached in-process through one ``responses`` mock, a live integration made the
way the management frame makes one (check, seal, start, go live), and the doors and queues of our functions.

Starshipit's tracking webhooks POST straight into our door (as Starshipit would, to the URL the user set in its
settings); the WMS's change notifications are delivered by :meth:`StarshipitWorld.deliver_wms_notifications`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from integrations.cartoncloud.clients import wms_client
from integrations.cartoncloud.models import (
    Address,
    Country,
    Deliver,
    DeliveryMethod,
    EntityRef,
    Measures,
    Money,
    OutboundOrder,
    OutboundOrderDetails,
    OutboundOrderItem,
    OutboundOrderItemDetails,
    References,
    State,
)
from integrations.core.context import core
from integrations.core.crypto import Credentials
from integrations.core.integration_record import Integration, IntegrationStatus, LivePeriod
from integrations.core.integration_types import IntegrationContext
from integrations.starshipit.client import DEFAULT_BASE_URL
from integrations.starshipit.door import sign
from integrations.starshipit.integration_type import INTEGRATION_TYPE
from integrations.starshipit.models import StarshipitCredentials
from integrations.starshipit.refs import wms_order_ref

from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.starshipit import StarshipitSandbox
from local.sandboxes.transports import install_responses

from .conftest import WMS_BASE, DemoTenant, Service, log_of, seed_tenant
from .wms_helpers import deliver

API_BASE = "https://integrations.test"
ACCOUNT = "steam-chef"
API_KEY, SUBSCRIPTION_KEY, WEBHOOK_SECRET = "ssi-api-key-0001", "ssi-subscription-0001", "ssi-webhook-secret-0001"
QUEUES = ("StarshipitQueue", "WmsQueue", "StatusChangeQueue")
ADDRESS = {"contact_name": "Jane Citizen", "company_name": "Steam Chef Pty Ltd", "address1": "20 George Street",
           "address2": "Level 3", "suburb": "Sydney", "city": "Sydney", "state": State(code="NSW"),
           "postcode": "2000", "country": Country(iso2_code="AU"), "phone": "0290988227", "email": "jane@example.com"}


class DoorSender:
    """Starshipit's webhook sender: POSTs each delivery to our door in-process, answers its HTTP status."""

    def __init__(self) -> None:
        self.service: Service | None = None
        self.answers: list[tuple[str, int]] = []
        self.outage: int | None = None

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> int:
        assert self.service is not None
        if self.outage is not None:
            return self.outage
        status = self.service.http("POST", urlsplit(url).path, headers=headers, body=body).status
        self.answers.append((url, status))
        return status


@dataclass
class StarshipitWorld:
    service: Service
    wms: CartonCloudSandbox
    starshipit: StarshipitSandbox
    tenant: DemoTenant
    notifications: RecordingSender
    door: DoorSender
    rsps: responses.RequestsMock
    integration: Integration | None = None
    delivered: int = field(default=0)
    #: Each placed WMS order's customer reference: the number it shows in Starshipit.
    references: dict[str, str] = field(default_factory=dict)

    # --- the integration ----------------------------------------------------------------------------------------

    def connect(self, *, trigger: str = "PACKED", webhook: bool = True, requests_per_second: int = 20,
                **settings: Any) -> Integration:
        """A live integration, made as the management frame makes one; ``webhook``: its URL and secret are set in
        Starshipit's settings too, as the user would."""
        stores = core()
        fulfilment = {k: settings.pop(k) for k in ("writeTracking", "createMissingConsignment") if k in settings}
        credentials = StarshipitCredentials(api_key=API_KEY, subscription_key=SUBSCRIPTION_KEY,
                                            webhook_secret=WEBHOOK_SECRET if webhook else None)
        facts = INTEGRATION_TYPE.check_credentials(stores.tenants.get(self.tenant.tenant_id), credentials)
        now = datetime.now(UTC)
        integration_id = str(uuid.uuid4())
        values = {k: str(v) for k, v in credentials.model_dump(by_alias=True, mode="json").items() if v is not None}
        draft = Integration(
            integration_id=integration_id, tenant_id=self.tenant.tenant_id, customer_id=self.tenant.customer_id,
            type="starshipit", name=f"Starshipit {integration_id[:4]}", completed_step=3,
            credentials=stores.vault.seal(values, tenant_id=self.tenant.tenant_id, integration_id=integration_id),
            order_settings={"createShipmentAt": trigger, "requestsPerSecond": requests_per_second, **settings},
            fulfilment_settings=fulfilment, platform_state=facts, created_at=now, updated_at=now)
        stores.integrations.create(draft)
        started = INTEGRATION_TYPE.start(self.context(draft))
        live = draft.model_copy(update={"status": IntegrationStatus.LIVE, "live_periods": [LivePeriod(start=now)],
                                        "platform_state": {**draft.platform_state, **started}})
        self.integration = stores.integrations.save(live, previous=draft)
        stores.integrations.forget(integration_id)
        if webhook:
            self.starshipit.set_webhook(ACCOUNT, started["deliveryUrl"], WEBHOOK_SECRET)
        return self.integration

    def context(self, integration: Integration | None = None) -> IntegrationContext:
        integration = integration or self.fresh()
        stores = core()
        opened = stores.vault.open(integration.credentials, tenant_id=integration.tenant_id,
                                   integration_id=integration.integration_id) if integration.credentials \
            else Credentials({})
        return IntegrationContext(tenant=stores.tenants.get(integration.tenant_id), integration=integration,
                                  credentials=opened, api_base_url=API_BASE)

    def fresh(self) -> Integration:
        assert self.integration is not None
        found = core().integrations.get(self.integration.integration_id)
        assert found is not None
        self.integration = found
        return found

    def update(self, **changes: Any) -> Integration:
        previous = self.fresh()
        self.integration = core().integrations.save(previous.model_copy(update=changes), previous=previous)
        core().integrations.forget(previous.integration_id)
        return self.integration

    @property
    def integration_id(self) -> str:
        assert self.integration is not None
        return self.integration.integration_id

    # --- the WMS -------------------------------------------------------------------------------------------------

    def place(self, reference: str | None = None, *, lines: list[tuple[str, int]] | None = None,
              address: dict[str, Any] | None = None, service: str | None = "Express",
              warehouse_id: str | None = None, pickup: bool = False) -> str:
        """Create an outbound order in the WMS (through our own WMS client); returns its id."""
        order = OutboundOrder(
            references=References(customer=reference or f"SO-{uuid.uuid4().hex[:8]}"),
            customer=EntityRef(id=self.tenant.customer_id),
            warehouse=EntityRef(id=warehouse_id or self.tenant.warehouse_id),
            details=OutboundOrderDetails(
                instructions="Fragile",
                deliver=Deliver(address=Address(**{**ADDRESS, **(address or {})}), instructions="Leave at door",
                                method=DeliveryMethod(type="PICKUP" if pickup else "SHIPPING",
                                                      requested_service=service))),
            items=[OutboundOrderItem(
                details=OutboundOrderItemDetails(product=EntityRef(references=References(code=sku)),
                                                 approximate_unit_price=Money(amount=Decimal("24.95"),
                                                                              currency="AUD")),
                measures=Measures(quantity=quantity, weight=Decimal("1.3") * quantity))
                for sku, quantity in (lines or [("SKU-1", 2)])])
        created = wms_client(core().tenants.get(self.tenant.tenant_id)).create_outbound_order(order)
        assert created.order.id and not created.with_issues, created
        self.references[created.order.id] = str(order.references.customer)
        return created.order.id

    def move(self, order_id: str, status: str = "PACKED", **tracking: str) -> None:
        """A warehouse user moves the order (``tracking_number=…, carrier=…``); the WMS then notifies."""
        self.wms.set_outbound_order_status(self.tenant.tenant_id, order_id, status, **tracking)

    def consignments(self, order_id: str | None = None) -> list[dict[str, Any]]:
        found = self.wms.consignments(self.tenant.tenant_id)
        return [c for c in found if order_id is None or (c.get("generatedFromTask") or {}).get("id") == order_id]

    # --- Starshipit ----------------------------------------------------------------------------------------------

    def keys(self) -> dict[str, str]:
        """The account's API headers (for calling the sandbox's vendor API by hand, as another channel would)."""
        account = self.starshipit.accounts[ACCOUNT]
        return {"StarShipIT-Api-Key": account.api_key, "Ocp-Apim-Subscription-Key": account.subscription_key}

    def ssi_orders(self) -> list[dict[str, Any]]:
        return self.starshipit.orders(ACCOUNT)

    def ssi_order_for(self, wms_order_id: str) -> dict[str, Any]:
        """The Starshipit order the export made (or bound) for a WMS order: the one its link leads to."""
        return self.starshipit.order(ACCOUNT, self.link(wms_order_id)["memo"]["starshipitOrderId"])

    def number_of(self, wms_order_id: str) -> str:
        """The order number people see in Starshipit for a WMS order."""
        return str(self.ssi_order_for(wms_order_id)["order_number"])

    def numbers(self) -> list[str]:
        return [str(o["order_number"]) for o in self.ssi_orders()]

    def tracking_webhook(self, order_number: str, *, secret: str | None = WEBHOOK_SECRET, **fields: Any) -> Any:
        """A tracking webhook about Starshipit's order ``order_number``, signed as Starshipit signs it (``secret``
        None: unsigned, as Starshipit sends it when no secret is set), POSTed at our door."""
        body = json.dumps({"order_number": order_number, "carrier_name": "Australia Post", "carrier_service": "7B05",
                           "tracking_number": "QQQ1", "tracking_status": "InTransit",
                           "last_updated_date": "2026-11-21T04:56:07.3453198Z", **fields}).encode()
        return self.post_webhook(body, {"X-Starshipit-Signature": sign(secret, body)} if secret else {})

    def post_webhook(self, body: bytes, headers: dict[str, str], integration_id: str | None = None) -> Any:
        return self.service.http("POST", f"/webhooks/starshipit/{integration_id or self.integration_id}",
                                 headers={"Content-Type": "application/json", **headers}, body=body)

    # --- our side ------------------------------------------------------------------------------------------------

    def pump(self, rounds: int = 8) -> None:
        """Work every queue until all are quiet, delivering the WMS's notifications as they are sent."""
        for _ in range(rounds):
            worked = sum(self.service.pump(queue) for queue in QUEUES)
            worked += self.deliver_wms_notifications()
            if not worked:
                return

    def deliver_wms_notifications(self) -> int:
        fresh = self.notifications.sent[self.delivered:]
        for notification in fresh:
            assert deliver(self.service, notification).status == 202
        self.delivered += len(fresh)
        return len(fresh)

    def key(self, wms_order_id: str) -> str:
        return wms_order_ref(self.integration_id, self.tenant.tenant_id, wms_order_id).key

    def history(self, wms_order_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        return log_of(self.key(wms_order_id))

    def link(self, wms_order_id: str) -> dict[str, Any]:
        link, _ = self.history(wms_order_id)
        assert link is not None, f"outbound order {wms_order_id} has no sync link"
        return link

    def events(self, wms_order_id: str) -> list[str]:
        return [entry["event"] for entry in self.history(wms_order_id)[1]]


@pytest.fixture(name="world")
def starshipit_world_fixture(stack, service) -> StarshipitWorld:
    notifications = RecordingSender()
    door = DoorSender()
    door.service = service
    wms = CartonCloudSandbox(sender=notifications, strict_numbers=True)
    sandbox = StarshipitSandbox(sender=door)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, wms, WMS_BASE)
        install_responses(rsps, sandbox, DEFAULT_BASE_URL)
        tenant = DemoTenant(tenant_id=str(uuid.uuid4()), client_id="cc-client-" + uuid.uuid4().hex[:6],
                            client_secret="cc-secret-" + uuid.uuid4().hex,
                            notification_secret="notify-secret-" + uuid.uuid4().hex, customer_id="",
                            warehouse_id="")
        wms.add_tenant(tenant.tenant_id, client_id=tenant.client_id, client_secret=tenant.client_secret,
                       notification_url=f"{API_BASE}/wms/{tenant.tenant_id}/notifications",
                       notification_secret=tenant.notification_secret)
        warehouse = wms.add_warehouse(tenant.tenant_id, name="Brisbane DC")
        other = wms.add_warehouse(tenant.tenant_id, name="Perth DC")
        customer = wms.add_customer(tenant.tenant_id, name="Steam Chef Store",
                                    warehouse_ids=[warehouse["id"], other["id"]])
        tenant.customer_id, tenant.warehouse_id = customer["id"], warehouse["id"]
        for code, name in (("SKU-1", "Steam Pot"), ("SKU-2", "Bamboo Steamer")):
            wms.add_product(tenant.tenant_id, customer_id=tenant.customer_id, code=code, name=name)
        seed_tenant(tenant)
        sandbox.add_account(ACCOUNT, api_key=API_KEY, subscription_key=SUBSCRIPTION_KEY, tier="production")
        yield StarshipitWorld(service=service, wms=wms, starshipit=sandbox, tenant=tenant, notifications=notifications,
                              door=door, rsps=rsps)


@pytest.fixture(name="connected")
def connected_fixture(world: StarshipitWorld) -> StarshipitWorld:
    """``world`` with a live integration (trigger PACKED, tracking written back, webhooks configured)."""
    world.connect()
    return world


def other_warehouse(world: StarshipitWorld) -> str:
    warehouses = world.wms.tenant(world.tenant.tenant_id).warehouses.values()
    return next(w["id"] for w in warehouses if w["name"] == "Perth DC")
