"""What the WooCommerce functional tests share: a store (the WooCommerce sandbox) and the WMS (the CartonCloud
sandbox) reached in-process through one ``responses`` mock, a live integration between them made the way the
management frame makes one (check credentials, start, go live), and the doors and queues of our functions.

The store delivers its webhooks straight into our webhook door (``service.http``), as WooCommerce would POST them;
the WMS's change notifications are delivered by :meth:`Woo.deliver_wms_notifications`.
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
from integrations.woocommerce import client as woocommerce_client
from integrations.woocommerce.integration_type import INTEGRATION_TYPE
from integrations.woocommerce.models import (
    WooCommerceCredentials,
    WooCommerceFulfilmentSettings,
    WooCommerceOrderSettings,
)
from integrations.woocommerce.refs import order_ref

from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox

from .conftest import WMS_BASE, DemoTenant, Service, log_of, seed_tenant
from .wms_helpers import deliver

WOO_BASE = "https://woo.test"
API_BASE = "https://integrations.test"
SLUG = "shop"
STORE_URL = f"{WOO_BASE}/{SLUG}"
QUEUES = ("WooCommerceQueue", "WmsQueue", "StatusChangeQueue")


class DoorSender:
    """The store's webhook sender: POSTs each delivery to our door in-process, answers its HTTP status."""

    def __init__(self) -> None:
        self.service: Service | None = None
        self.answers: list[tuple[str, int]] = []
        #: Make the door unreachable (a status the store sees instead of calling us), e.g. 503 during an outage.
        self.outage: int | None = None
        #: When a list: keep deliveries here (answering 200) for the test to post later, in any order.
        self.holding: list[tuple[str, dict[str, str], bytes]] | None = None

    def post(self, url: str, headers: dict[str, str], body: bytes) -> int:
        assert self.service is not None
        return self.service.http("POST", urlsplit(url).path, headers=headers, body=body).status

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> int:
        assert self.service is not None
        if self.holding is not None:
            self.holding.append((url, dict(headers), body))
            return 200
        if self.outage is not None:
            self.answers.append((url, self.outage))
            return self.outage
        status = self.post(url, headers, body)
        self.answers.append((url, status))
        return status


@dataclass
class Woo:
    service: Service
    wms: CartonCloudSandbox
    store: WooCommerceSandbox
    tenant: DemoTenant
    notifications: RecordingSender
    door: DoorSender
    rsps: responses.RequestsMock
    integration: Integration | None = None
    consumer_key: str = ""
    consumer_secret: str = ""
    delivered: int = field(default=0)

    # --- the integration ----------------------------------------------------------------------------------------

    def connect(self, *, complete_fulfilment: bool = True, send_tracking: bool = True,
                warehouse_id: str | None = None, store: str = SLUG, customer_id: str | None = None) -> Integration:
        """Make a live integration the way the management frame does: check, seal, start, go live (with the demo
        store, or another store of the sandbox by its slug)."""
        stores = core()
        if store == SLUG:
            key, secret = self.consumer_key, self.consumer_secret
        else:
            api_key = next(iter(self.store.store(store).keys.values()))
            key, secret = api_key.consumer_key, api_key.consumer_secret
        credentials = WooCommerceCredentials(store_url=f"{WOO_BASE}/{store}", consumer_key=key,
                                             consumer_secret=secret)
        facts = INTEGRATION_TYPE.check_credentials(stores.tenants.get(self.tenant.tenant_id), credentials)
        now = datetime.now(UTC)
        integration_id = str(uuid.uuid4())
        values = {k: str(v) for k, v in credentials.model_dump(by_alias=True, mode="json").items()}
        draft = Integration(
            integration_id=integration_id, tenant_id=self.tenant.tenant_id,
            customer_id=customer_id or self.tenant.customer_id,
            type="woocommerce", name=f"Shop {integration_id[:4]}", completed_step=3, customer_name="Steam Chef Store",
            credentials=stores.vault.seal(values, tenant_id=self.tenant.tenant_id, integration_id=integration_id),
            order_settings=WooCommerceOrderSettings(warehouse_id=warehouse_id or self.tenant.warehouse_id)
            .model_dump(by_alias=True, mode="json"),
            fulfilment_settings=WooCommerceFulfilmentSettings(complete_fulfilment=complete_fulfilment,
                                                              send_tracking=send_tracking)
            .model_dump(by_alias=True, mode="json"),
            platform_state=facts, created_at=now, updated_at=now,
        )
        stores.integrations.create(draft)
        started = INTEGRATION_TYPE.start(self.context(draft))
        live = draft.model_copy(update={"status": IntegrationStatus.LIVE, "live_periods": [LivePeriod(start=now)],
                                        "platform_state": {**draft.platform_state, **started}})
        self.integration = stores.integrations.save(live, previous=draft)
        core().integrations.forget(integration_id)
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

    # --- the shop ------------------------------------------------------------------------------------------------

    def place(self, lines: list[dict[str, Any]] | None = None, **kwargs: Any) -> dict[str, Any]:
        return self.store.place_order(SLUG, lines or [{"sku": "SKU-1", "quantity": 2, "price": "24.95"}], **kwargs)

    def hooks(self) -> list[dict[str, Any]]:
        return self.store.webhooks(SLUG)

    # --- our side --------------------------------------------------------------------------------------------------

    def pump(self, rounds: int = 6) -> None:
        """Work every queue until all are quiet (a write-back can cause a webhook, a dispatch a notification)."""
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

    def history(self, order_id: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        return log_of(order_ref(self.integration_id, order_id).key)

    def link(self, order_id: int) -> dict[str, Any]:
        link, _ = self.history(order_id)
        assert link is not None, f"order {order_id} has no sync link"
        return link

    def events(self, order_id: int) -> list[str]:
        return [entry["event"] for entry in self.history(order_id)[1]]

    def wms_orders(self) -> list[dict[str, Any]]:
        return self.wms.outbound_orders(self.tenant.tenant_id)

    def wms_order_for(self, order_id: int) -> dict[str, Any]:
        wms_id = self.link(order_id)["wmsOrderId"]
        return next(o for o in self.wms_orders() if o["id"] == wms_id)


@pytest.fixture(name="woo")
def woo_fixture(stack, service, monkeypatch) -> Woo:
    # The store's budget (3 requests/s across every Lambda, tested in tests/functional/test_rate_budget.py) would
    # only make these tests wait; here the store answers in microseconds. Each call still takes its turn in
    # RateBudgetTable, so the AWS requests counted here are the deployed ones.
    monkeypatch.setattr(woocommerce_client, "STORE_RATE", 10_000.0)
    notifications = RecordingSender()
    door = DoorSender()
    door.service = service
    wms = CartonCloudSandbox(sender=notifications)
    store = WooCommerceSandbox(sender=door)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, wms, WMS_BASE)
        install_responses(rsps, store, WOO_BASE)
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
        shop = store.add_store(SLUG, name="Steam Chef", home=STORE_URL)
        key = next(iter(shop.keys.values()))
        yield Woo(service=service, wms=wms, store=store, tenant=tenant, notifications=notifications, door=door,
                  rsps=rsps, consumer_key=key.consumer_key, consumer_secret=key.consumer_secret)


@pytest.fixture(name="connected")
def connected_fixture(woo: Woo) -> Woo:
    """``woo`` with a live integration (complete fulfilment and tracking on)."""
    woo.connect()
    return woo
