"""The per-connector kit the contract suite runs with (as Singer SDK's tap tests take a tap class and a config).

A kit knows how to play its platform: its sandbox, good and bad credentials, settings, how a record comes into
being there, what a genuine delivery at the door looks like, how to see our triggers on the platform, faults, and
what a counterpart is. Everything else — the frame, the queues, the WMS — the suite drives itself. A kit lives in
``tests/contract/kits/<connector key>.py`` as ``KIT`` (a subclass of :class:`ConnectorKit`); a shipped connector
without one fails the suite.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import responses
from integrations.core.connectors import Connector, get
from integrations.core.context import core, use
from integrations.core.crypto import Credentials
from integrations.core.integration_record import Integration, IntegrationStatus, LivePeriod
from integrations.core.integration_types import IntegrationContext
from integrations.core.settings import settings
from integrations.core.stores.integrations import IntegrationStore

from local.sandboxes.base import RecordingSender, Sandbox
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses
from tests.functional.conftest import WMS_BASE, DemoTenant, Service, seed_tenant
from tests.functional.wms_helpers import deliver

API_BASE = "https://integrations.test"


@dataclass
class Delivery:
    """One request at the connector's door."""

    headers: dict[str, str]
    body: bytes
    #: The door URL's query string: what authenticates a platform that signs nothing (Rose Rocket's URL token).
    query: str = ""


@dataclass
class World:
    service: Service
    rsps: responses.RequestsMock
    wms: CartonCloudSandbox
    tenant: DemoTenant
    notifications: RecordingSender
    delivered: int = field(default=0)


class ConnectorKit(ABC):
    key: ClassVar[str]
    #: Records on the platform can be synced into the WMS (an importer, a door, a poller). A connector that starts
    #: from the WMS (an exporter) says False; the suite's trigger hooks below let the same promises be checked for it.
    imports: ClassVar[bool] = True
    #: The door's signature carries a timestamp (a stale one must be refused).
    signs_timestamps: ClassVar[bool] = False
    #: The status a genuine delivery at the door is answered with (a platform may ask for exactly 200).
    accepted: ClassVar[int] = 202

    def __init__(self) -> None:
        self._world: World | None = None
        #: How the platform's sandbox answers the connector's open questions (``{assumption key: answer}``; empty:
        #: as the connector assumes). Pass it to the sandbox: ``XSandbox(..., dialect=self.dialect)``.
        self.dialect: dict[str, str] = {}

    @property
    def connector(self) -> Connector:
        found = get(self.key)
        assert found is not None
        return found

    @property
    def world(self) -> World:
        assert self._world is not None, "start() first"
        return self._world

    # --- the environment --------------------------------------------------------------------------------------------

    def start(self, service: Service, rsps: responses.RequestsMock) -> World:
        """The WMS sandbox with a tenant, a customer, a warehouse and products, and the platform's sandbox."""
        notifications = RecordingSender()
        wms = CartonCloudSandbox(sender=notifications)
        install_responses(rsps, wms, WMS_BASE)
        tenant = DemoTenant(tenant_id=str(uuid.uuid4()), client_id="cc-" + uuid.uuid4().hex[:6],
                            client_secret="cs-" + uuid.uuid4().hex, notification_secret="n-" + uuid.uuid4().hex,
                            customer_id="", warehouse_id="")
        wms.add_tenant(tenant.tenant_id, client_id=tenant.client_id, client_secret=tenant.client_secret,
                       notification_url=f"{API_BASE}/wms/{tenant.tenant_id}/notifications",
                       notification_secret=tenant.notification_secret)
        warehouse = wms.add_warehouse(tenant.tenant_id, name="Brisbane DC")
        customer = wms.add_customer(tenant.tenant_id, name="Steam Chef Store", warehouse_ids=[warehouse["id"]])
        tenant.customer_id, tenant.warehouse_id = customer["id"], warehouse["id"]
        for code in ("SKU-1", "SKU-2"):
            wms.add_product(tenant.tenant_id, customer_id=tenant.customer_id, code=code, name=code)
        seed_tenant(tenant)
        self._world = World(service, rsps, wms, tenant, notifications)
        self.start_platform(rsps)
        return self._world

    @abstractmethod
    def start_platform(self, rsps: responses.RequestsMock) -> None:
        """Start the platform's sandbox (in-process through ``rsps``) with one account."""

    def stop(self) -> None:
        """Undo what ``start_platform`` changed outside the kit (called after each test)."""

    # --- configuring ------------------------------------------------------------------------------------------------

    @abstractmethod
    def credentials(self) -> dict[str, str]:
        """The authentication step's body for the sandbox account (API field names)."""

    @abstractmethod
    def bad_credentials(self) -> list[tuple[dict[str, str], str]]:
        """Bodies the platform refuses, each with the field the refusal must name."""

    @abstractmethod
    def order_settings(self) -> dict[str, Any]: ...

    @abstractmethod
    def fulfilment_settings(self) -> dict[str, Any]: ...

    def draft(self) -> Integration:
        """An integration with every step done, not yet finished (stored, as the management API stores it)."""
        stores = core()
        integration_type = self.connector.load_integration_type()
        credentials = integration_type.credentials_model.model_validate(self.credentials())
        facts = integration_type.check_credentials(stores.tenants.get(self.world.tenant.tenant_id), credentials)
        now = datetime.now(UTC)
        integration_id = str(uuid.uuid4())
        values = {k: str(v) for k, v in credentials.model_dump(by_alias=True, mode="json").items() if v is not None}
        draft = Integration(
            integration_id=integration_id, tenant_id=self.world.tenant.tenant_id,
            customer_id=self.world.tenant.customer_id,
            type=self.key, name=f"Contract {integration_id[:6]}", completed_step=3,
            credentials=stores.vault.seal(values, tenant_id=self.world.tenant.tenant_id, integration_id=integration_id),
            order_settings=self.order_settings(), fulfilment_settings=self.fulfilment_settings(),
            platform_state=facts, created_at=now, updated_at=now)
        other_lambda().create(draft)
        return draft

    def finish(self, draft: Integration) -> Integration:
        """Start its triggers and make it live, as the management API does — in another Lambda: this process's
        cached copy of the integration is not updated, as a warm door's would not be."""
        with use(replace(core(), integrations=other_lambda())) as management:
            started = self.connector.load_integration_type().start(self.context(draft))
            live = draft.model_copy(update={"status": IntegrationStatus.LIVE,
                                            "live_periods": [LivePeriod(start=datetime.now(UTC))],
                                            "platform_state": {**draft.platform_state, **started}})
            return management.integrations.save(live, previous=management.integrations.get(draft.integration_id)
                                                 or draft)

    def connect(self) -> Integration:
        return self.finish(self.draft())

    def context(self, integration: Integration) -> IntegrationContext:
        stores = core()
        opened = stores.vault.open(integration.credentials, tenant_id=integration.tenant_id,
                                   integration_id=integration.integration_id) if integration.credentials \
            else Credentials({})
        return IntegrationContext(tenant=stores.tenants.get(integration.tenant_id), integration=integration,
                                  credentials=opened, api_base_url=API_BASE)

    @abstractmethod
    def triggers(self, integration: Integration) -> int:
        """How many of our triggers (webhooks) the platform holds for the integration."""

    @abstractmethod
    def remove_triggers_on_platform(self, integration: Integration) -> None:
        """Someone removed our triggers on the platform by hand (so stop finds them gone)."""

    # --- records ------------------------------------------------------------------------------------------------------

    @abstractmethod
    def new_record(self, *, lose_deliveries: bool = False) -> str:
        """Make a record on the platform that syncs (its deliveries lost, if asked); returns its id."""

    @abstractmethod
    def deliveries(self, integration: Integration, record_id: str) -> list[Delivery]:
        """Genuine, signed deliveries about the record, as the platform sends them."""

    @abstractmethod
    def forgeries(self, integration: Integration, genuine: Delivery) -> dict[str, Delivery]:
        """Bad variants of a genuine delivery: ``forged``, ``missing``, ``non-ascii`` (and ``stale`` if the
        signature is timestamped)."""

    @abstractmethod
    def signed(self, integration: Integration, body: bytes) -> Delivery:
        """Any body, signed as the platform signs (to show the door refuses a signed body it can't use)."""

    @abstractmethod
    def counterparts(self) -> list[dict[str, Any]]:
        """The WMS records made from the platform's records (for this tenant)."""

    @abstractmethod
    def counterpart_of(self, integration: Integration, record_id: str) -> str | None:
        """The WMS id the record's link is bound to."""

    # --- faults ------------------------------------------------------------------------------------------------------

    @property
    @abstractmethod
    def sandbox(self) -> Sandbox:
        """The platform's sandbox: its request log says what the platform answered us, and when."""

    @abstractmethod
    def fault(self, status: int, *, count: int, retry_after: int | None = None) -> None:
        """The platform answers the next ``count`` calls with ``status``."""

    @property
    def sends_retry_after(self) -> bool:
        """Whether the platform's 429 carries the ``Retry-After`` asked of :meth:`fault` (in the kit's dialect)."""
        return True

    @abstractmethod
    def revoke(self) -> None:
        """The account's credentials stop working (401/403)."""

    @abstractmethod
    def restore(self) -> None: ...

    @abstractmethod
    def platform_writes(self) -> int:
        """Write calls made to the platform so far."""

    # --- the record's signals (an importer's defaults; an exporter's record starts in the WMS) --------------------

    def trigger(self, integration: Integration, record_id: str) -> None:
        """Send every signal about the record once, as its source sends it: the platform's genuine deliveries at the
        door (an exporter: the WMS's notification of the record's change)."""
        for delivery in self.deliveries(integration, record_id):
            answer = self.world.service.http("POST", self.door_path(integration.integration_id),
                                         headers=delivery.headers, body=delivery.body, query=delivery.query)
            assert answer.status == self.accepted, (answer.status, answer.body)

    def poll(self, event: dict[str, Any] | None = None) -> None:
        """Run the safety net for missed signals once (its schedule): the connector's poller by default."""
        self.world.service.schedule(self.connector.schedules[0], event)

    def safety_net_cursor(self, integration: Integration) -> str:
        """The cursor the safety net moves."""
        poller = self.connector.load_poller()
        assert poller is not None
        return poller.cursor_key(integration)

    def record_key(self, integration: Integration, record_id: str) -> str:
        """The sync-log key a failure about the record is recorded under (its link's)."""
        return f"{integration.integration_id}#{self.key}#order#{record_id}"

    def wms_order_of(self, integration: Integration, record_id: str) -> str | None:
        """The WMS outbound order of the record (an importer's counterpart; an exporter's record itself)."""
        return self.counterpart_of(integration, record_id)

    def change_in_wms(self, integration: Integration, record_id: str) -> None:
        """A warehouse user changes the record's WMS counterpart in a way the WMS notifies: by default its outbound
        order is dispatched with tracking (a connector whose WMS records are consignments changes one of those)."""
        wms_id = self.wms_order_of(integration, record_id)
        assert wms_id
        self.world.wms.set_outbound_order_status(self.world.tenant.tenant_id, wms_id, "DISPATCHED",
                                                 tracking_number="TRK-1", carrier="Aramex")

    # --- driving ----------------------------------------------------------------------------------------------------

    def queues(self) -> tuple[str, ...]:
        return (self.connector.queue, "WmsQueue", "StatusChangeQueue")

    def pump(self, rounds: int = 8) -> None:
        """Work every queue until all are quiet, delivering the WMS's notifications as they are sent."""
        for _ in range(rounds):
            worked = sum(self.world.service.pump(queue) for queue in self.queues())
            fresh = self.world.notifications.sent[self.world.delivered:]
            for notification in fresh:
                assert deliver(self.world.service, notification).status == 202
            self.world.delivered += len(fresh)
            if not worked and not fresh:
                return

    def door_path(self, integration_id: str) -> str:
        door = self.connector.doors[0]
        return door.path.replace("{integrationId}", integration_id)


def other_lambda() -> IntegrationStore:
    """The integrations table as another Lambda (the management API) reads and writes it: its own cache."""
    config = settings()
    return IntegrationStore(config.integrations_table, config.live_periods_table)
