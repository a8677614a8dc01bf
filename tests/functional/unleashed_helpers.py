"""What the Unleashed functional tests share: an Unleashed account (the Unleashed sandbox) and the WMS (the CartonCloud
sandbox) reached in-process through one ``responses`` mock, a live integration between them made the way the
management frame makes one (check credentials, start, go live), and the doors and queues of our functions.

Unleashed's webhook deliveries go straight into our door (``service.http``); the WMS's change notifications are
delivered by :meth:`UnleashedWorld.deliver_wms_notifications`. The sandbox answers on Unleashed's own host, which is
what template.yaml's ``UnleashedApiUrl`` gives every function.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from integrations.core.context import core
from integrations.core.crypto import Credentials
from integrations.core.integration_record import Integration, IntegrationStatus, LivePeriod
from integrations.core.integration_types import IntegrationContext
from integrations.unleashed.integration_type import INTEGRATION_TYPE
from integrations.unleashed.refs import order_ref, shipment_ref, usage_ref
from integrations.unleashed.settings import UnleashedCredentials

from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses
from local.sandboxes.unleashed import UnleashedSandbox

from .conftest import WMS_BASE, DemoTenant, Service, log_of, seed_tenant
from .wms_helpers import deliver

UNLEASHED_BASE = "https://api.unleashedsoftware.com"
API_BASE = "https://integrations.test"
API_ID = "0b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
QUEUES = ("UnleashedQueue", "WmsQueue", "StatusChangeQueue")
TWO_LINES = [{"code": "SKU-1", "quantity": 2, "unitPrice": 24.95}, {"code": "SKU-2", "quantity": 1,
                                                                      "unitPrice": 12.5}]
TWO_SHIPMENTS = [{"lines": [{"line": 1, "quantity": 2}], "comments": "First box"},
                 {"lines": [{"line": 2, "quantity": 1}]}]


class DoorSender:
    """The account's webhook sender: POSTs each delivery to our door in-process, answers its HTTP status."""

    def __init__(self) -> None:
        self.service: Service | None = None
        self.answers: list[tuple[str, int]] = []
        #: A status the sandbox sees instead of reaching us (a lost delivery), e.g. 503.
        self.outage: int | None = None

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> int:
        assert self.service is not None
        if self.outage is not None:
            self.answers.append((url, self.outage))
            return self.outage
        status = self.service.http("POST", urlsplit(url).path, headers=headers, body=body).status
        self.answers.append((url, status))
        return status


@dataclass
class UnleashedWorld:
    service: Service
    wms: CartonCloudSandbox
    unleashed: UnleashedSandbox
    tenant: DemoTenant
    notifications: RecordingSender
    door: DoorSender
    rsps: responses.RequestsMock
    api_key: str = ""
    integration: Integration | None = None
    delivered: int = field(default=0)

    # --- the integration ----------------------------------------------------------------------------------------

    def connect(self, *, warehouse_id: str | None = "", mappings: list[dict[str, str]] | None = None,
                include_comments: bool = True, complete_shipments: bool = True, calls_per_month: int = 60_000,
                api_id: str = API_ID) -> Integration:
        """A live integration made the way the management frame makes one: check, seal, start, go live."""
        stores = core()
        key = self.unleashed.account(api_id).api_key
        credentials = UnleashedCredentials(api_id=api_id, api_key=key)
        facts = INTEGRATION_TYPE.check_credentials(stores.tenants.get(self.tenant.tenant_id), credentials)
        now = datetime.now(UTC)
        integration_id = str(uuid.uuid4())
        order_settings: dict[str, Any] = {"includeComments": include_comments, "apiCallsPerMonth": calls_per_month,
                                          "warehouseMappings": mappings or []}
        if warehouse_id is not None:
            order_settings["defaultWarehouseId"] = warehouse_id or self.tenant.warehouse_id
        draft = Integration(
            integration_id=integration_id, tenant_id=self.tenant.tenant_id, customer_id=self.tenant.customer_id,
            type="unleashed", name=f"Unleashed {integration_id[:4]}", completed_step=3,
            customer_name="Steam Chef Store",
            credentials=stores.vault.seal({"apiId": api_id, "apiKey": key}, tenant_id=self.tenant.tenant_id,
                                          integration_id=integration_id),
            order_settings=order_settings, fulfilment_settings={"completeShipments": complete_shipments},
            platform_state=facts, created_at=now, updated_at=now)
        stores.integrations.create(draft)
        started = INTEGRATION_TYPE.start(self.context(draft))
        live = draft.model_copy(update={"status": IntegrationStatus.LIVE, "live_periods": [LivePeriod(start=now)],
                                        "platform_state": {**draft.platform_state, **started}})
        self.integration = stores.integrations.save(live, previous=draft)
        stores.integrations.forget(integration_id)
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

    # --- Unleashed ---------------------------------------------------------------------------------------------

    def place(self, lines: list[dict[str, Any]] | None = None, *, shipments: list[dict[str, Any]] | None = None,
              **kwargs: Any) -> dict[str, Any]:
        """A Placed sales order (one shipment of everything unless ``shipments`` says otherwise)."""
        return self.unleashed.place_order(API_ID, lines or [{"code": "SKU-1", "quantity": 2, "unitPrice": 24.95}],
                                          shipments=[{}] if shipments is None else shipments, **kwargs)

    def shipments(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        return sorted(self.unleashed.shipments_of(API_ID, order["Guid"]), key=lambda s: s["ShipmentNumber"])

    def shipment(self, guid: str) -> dict[str, Any]:
        return self.unleashed.shipment(API_ID, guid)

    # --- our side --------------------------------------------------------------------------------------------------

    def pump(self, rounds: int = 8) -> None:
        """Work every queue until all are quiet (a write-back can cause a notification)."""
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

    def history(self, guid: str, kind: str = "shipment") -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        ref = shipment_ref(self.integration_id, guid) if kind == "shipment" else order_ref(self.integration_id, guid)
        return log_of(ref.key)

    def link(self, shipment_guid: str) -> dict[str, Any]:
        link, _ = self.history(shipment_guid)
        assert link is not None, f"shipment {shipment_guid} has no sync link"
        return link

    def events(self, guid: str, kind: str = "shipment") -> list[str]:
        return [entry["event"] for entry in self.history(guid, kind)[1]]

    def usage_log(self) -> list[dict[str, Any]]:
        return log_of(usage_ref(self.integration_id).key)[1]

    def wms_orders(self) -> list[dict[str, Any]]:
        return self.wms.outbound_orders(self.tenant.tenant_id)

    def wms_order_for(self, shipment_guid: str) -> dict[str, Any]:
        wms_id = self.link(shipment_guid)["wmsOrderId"]
        return next(o for o in self.wms_orders() if o["id"] == wms_id)

    def dispatch(self, shipment_guid: str, *, tracking: str | None = "TRK-1", carrier: str | None = "Aramex"
                 ) -> dict[str, Any]:
        """A warehouse user dispatches the shipment's WMS order (with a tracking number)."""
        return self.wms.set_outbound_order_status(self.tenant.tenant_id, self.link(shipment_guid)["wmsOrderId"],
                                                  "DISPATCHED", tracking_number=tracking, carrier=carrier)


@pytest.fixture(name="world")
def unleashed_world_fixture(stack, service) -> UnleashedWorld:
    notifications = RecordingSender()
    door = DoorSender()
    door.service = service
    wms = CartonCloudSandbox(sender=notifications)
    unleashed = UnleashedSandbox(sender=door)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, wms, WMS_BASE)
        install_responses(rsps, unleashed, UNLEASHED_BASE)
        tenant = DemoTenant(tenant_id=str(uuid.uuid4()), client_id="cc-client-" + uuid.uuid4().hex[:6],
                            client_secret="cc-secret-" + uuid.uuid4().hex,
                            notification_secret="notify-secret-" + uuid.uuid4().hex, customer_id="",
                            warehouse_id="")
        wms.add_tenant(tenant.tenant_id, client_id=tenant.client_id, client_secret=tenant.client_secret,
                       notification_url=f"{API_BASE}/wms/{tenant.tenant_id}/notifications",
                       notification_secret=tenant.notification_secret)
        warehouse = wms.add_warehouse(tenant.tenant_id, name="Brisbane DC")
        customer = wms.add_customer(tenant.tenant_id, name="Steam Chef Store", warehouse_ids=[warehouse["id"]])
        tenant.customer_id, tenant.warehouse_id = customer["id"], warehouse["id"]
        for code, name in (("SKU-1", "Steam Pot"), ("SKU-2", "Bamboo Steamer")):
            wms.add_product(tenant.tenant_id, customer_id=tenant.customer_id, code=code, name=name)
        seed_tenant(tenant)
        account = unleashed.add_account(api_id=API_ID, company_name="Steam Chef Wholesale",
                                        warehouses=["MAIN", "AKL"], products=["SKU-1", "SKU-2"])
        yield UnleashedWorld(service=service, wms=wms, unleashed=unleashed, tenant=tenant, notifications=notifications,
                  door=door, rsps=rsps, api_key=account.api_key)


@pytest.fixture(name="connected")
def connected_fixture(world: UnleashedWorld) -> UnleashedWorld:
    """``world`` with a live integration (default warehouse, comments and dispatch write-back on)."""
    world.connect()
    return world
