"""The Rose Rocket kit: an organisation in the Rose Rocket sandbox (at Rose Rocket's own addresses) whose webhooks POST
straight into our door, and the tenant's WMS.

Rose Rocket is tenant-level and two-way; the contract's *record* is a Rose Rocket order of the matched customer moved
to Delivered (the importer's side: door, poller, backfill), its *counterpart* the WMS consignment made from it. Rose
Rocket signs nothing: a delivery is genuine when the URL carries the integration's token (``Delivery.query``), so a
forged delivery is a wrong token, a missing one no token, and a tampered one an envelope naming another organisation.
A WMS change of the record is a tracking change of its consignment.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from integrations.core.context import core, use
from integrations.core.integration_record import Integration, IntegrationStatus, LivePeriod
from integrations.core.integration_types import SHOWN_ONCE
from integrations.rose_rocket import clients as rose_rocket_clients
from integrations.rose_rocket.matches import Match, MatchStore
from integrations.rose_rocket.refs import order_ref

from local.sandboxes.base import Sandbox
from local.sandboxes.rose_rocket import RoseRocketSandbox
from local.sandboxes.transports import install_responses
from tests.contract.kit import ConnectorKit, Delivery, other_lambda
from tests.functional.rose_rocket_helpers import unhurried_budget

API_HOST, AUTH_HOST = "https://network.roserocket.com", "https://a.roserocket.com"
ORG, CLIENT_ID, SECRET = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098", "contract-rr-client", "contract-rr-secret-0001"
USER = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"


class RoseRocketKit(ConnectorKit):
    key: ClassVar[str] = "rose_rocket"

    def start_platform(self, rsps: responses.RequestsMock) -> None:
        # The organisation's budget (requestsPerMinute, unit-tested) would only make the suite wait.
        self.patched = pytest.MonkeyPatch()
        self.patched.setattr(rose_rocket_clients, "organisation_budget", unhurried_budget)
        self.platform = RoseRocketSandbox(sender=self._send, dialect=self.dialect)
        install_responses(rsps, self.platform, API_HOST)
        install_responses(rsps, self.platform, AUTH_HOST)
        self.org = self.platform.add_org(ORG, client_id=CLIENT_ID, client_secret=SECRET, service_user=USER)
        with self.platform.writing(self.org, USER) as records:
            self.customer = records.create("customer", {"name": "Steam Chef Store"})
            # An organisation has orders before the integration: one on the road (what the live check reads).
            records.create("order", {"customer": {"id": self.customer["id"]}, "status": "in transit",
                                     "tasks": [{"taskType": "pickup", "stops": [{"address": {"companyName": "Mill"}}],
                                                "commodities": [{"commodityType": "skid", "quantity": 1}]}]})
            records.status_changes.clear()  # there before us: no webhook
        self.tokens: dict[str, str] = {}

    def stop(self) -> None:
        self.patched.undo()

    def _send(self, url: str, headers: dict[str, str], body: bytes) -> int:
        parts = urlsplit(url)
        return self.world.service.http("POST", parts.path, headers=headers, body=body, query=parts.query).status

    # --- configuring ------------------------------------------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {"clientId": CLIENT_ID, "clientSecret": SECRET, "orgId": ORG, "serviceAccountUserId": USER}

    def bad_credentials(self) -> list[tuple[dict[str, str], str]]:
        return [({**self.credentials(), "clientSecret": "not-the-secret"}, "clientSecret"),
                ({**self.credentials(), "orgId": str(uuid.uuid4())}, "orgId"),
                ({**self.credentials(), "serviceAccountUserId": str(uuid.uuid4())}, "serviceAccountUserId")]

    def order_settings(self) -> dict[str, Any]:
        return {"defaultWarehouseId": self.world.tenant.warehouse_id, "defaultServiceType": "STANDARD"}

    def fulfilment_settings(self) -> dict[str, Any]:
        return {"updateConsignmentsWhileDelivered": True}

    def draft(self) -> Integration:
        """A tenant-level integration (no customer) with every step done, as the management API stores it, and its
        one customer matched."""
        stores = core()
        integration_type = self.connector.load_integration_type()
        credentials = integration_type.credentials_model.model_validate(self.credentials())
        facts = integration_type.check_credentials(stores.tenants.get(self.world.tenant.tenant_id), credentials)
        now = datetime.now(UTC)
        integration_id = str(uuid.uuid4())
        values = {k: str(v) for k, v in credentials.model_dump(by_alias=True, mode="json").items() if v is not None}
        draft = Integration(
            integration_id=integration_id, tenant_id=self.world.tenant.tenant_id, scope="tenant", type=self.key,
            name=f"Contract {integration_id[:6]}", completed_step=3, account=ORG,
            credentials=stores.vault.seal(values, tenant_id=self.world.tenant.tenant_id, integration_id=integration_id),
            order_settings=self.order_settings(), fulfilment_settings=self.fulfilment_settings(),
            platform_state=facts, created_at=now, updated_at=now)
        other_lambda().create(draft)
        MatchStore(integration_id).replace(
            [Match(self.world.tenant.customer_id, "Steam Chef Store", self.customer["id"], self.customer["fullId"],
                   "Steam Chef Store")], previous=None, by="contract")
        return draft

    def finish(self, draft: Integration) -> Integration:
        """As the management API finishes it (in another Lambda): start, keep what is handed over once aside."""
        with use(replace(core(), integrations=other_lambda())) as management:
            started = dict(self.connector.load_integration_type().start(self.context(draft)))
            shown = started.pop(SHOWN_ONCE, {})
            if shown.get("webhookUrl"):
                self.tokens[draft.integration_id] = parse_qs(urlsplit(shown["webhookUrl"]).query)["token"][0]
            live = draft.model_copy(update={"status": IntegrationStatus.LIVE,
                                            "live_periods": [LivePeriod(start=datetime.now(UTC))],
                                            "platform_state": {**draft.platform_state, **started}})
            return management.integrations.save(live, previous=management.integrations.get(draft.integration_id)
                                                 or draft)

    def _destinations(self, integration: Integration) -> list[dict[str, Any]]:
        return [r for r in self.org.store.records.values() if r["objectKey"] == "webhookDestination"
                and f"/webhooks/rose-rocket/{integration.integration_id}?" in (r.get("url") or "")]

    def triggers(self, integration: Integration) -> int:
        return len(self._destinations(integration))

    def remove_triggers_on_platform(self, integration: Integration) -> None:
        with self.platform.writing(self.org, USER) as records:
            for destination in self._destinations(integration):
                records.delete(destination)

    # --- records ------------------------------------------------------------------------------------------------------

    def new_record(self, *, lose_deliveries: bool = False) -> str:
        """An order of the matched customer, moved to Delivered by a dispatcher (its webhook lost, if asked)."""
        address = {"companyName": "Harbour Cafe", "address1": "1 Wharf St", "city": "Brisbane", "stateCode": "QLD",
                   "postalCode": "4000", "countryCode": "AU"}
        with self.platform.writing(self.org, USER) as records:
            order = records.create("order", {
                "customer": {"id": self.customer["id"]},
                "tasks": [{"taskType": "pickup", "stops": [{"address": {**address, "companyName": "Steam Chef"}}],
                           "commodities": [{"commodityType": "pallet", "description": "Steam pots", "quantity": 2,
                                            "weight": 300, "weightUnit": "kgs", "length": 120, "width": 100,
                                            "height": 150, "dimensionUnit": "cm"}]},
                          {"taskType": "delivery", "stops": [{"address": address}]}]})
        if lose_deliveries:
            self.platform.drop_webhooks(1)
        with self.platform.writing(self.org, USER) as records:
            records.update(records.get(order["id"]), {"status": "delivered"})
        return str(order["id"])

    def _token(self, integration: Integration) -> str:
        return self.tokens.get(integration.integration_id, "no-token-yet")

    def signed(self, integration: Integration, body: bytes, *, token: str | None = None) -> Delivery:
        """Any body at the integration's URL (its token is all Rose Rocket's webhooks carry)."""
        return Delivery({"Content-Type": "application/json"}, body, query=f"token={token or self._token(integration)}")

    def deliveries(self, integration: Integration, record_id: str) -> list[Delivery]:
        """Rose Rocket's "Order Status Changed" envelope about the record, at the integration's URL."""
        spelled = self.platform.shown  # as this organisation spells statuses
        body = json.dumps({"id": str(uuid.uuid4()), "type": "Order Status Changed", "refId": record_id,
                           "ownerId": USER, "orgId": ORG, "createdAt": "2026-11-30T02:55:37.144Z",
                           "objectKey": "order",
                           "json": {"status": spelled({"objectKey": "order", "status": "delivered"})["status"],
                                    "previousStatus": spelled({"objectKey": "order", "status": "in transit"})[
                                        "status"]}})
        return [self.signed(integration, body.encode())]

    def forgeries(self, integration: Integration, genuine: Delivery) -> dict[str, Delivery]:
        return {"forged": self.signed(integration, genuine.body, token="guessed-" + "x" * 35),
                "missing": Delivery(genuine.headers, genuine.body),
                "non-ascii": self.signed(integration, genuine.body, token="é" * 43),
                # unsigned, so "tampered" is what can be told: an envelope for another organisation
                "tampered": self.signed(integration, genuine.body.replace(ORG.encode(), str(uuid.uuid4()).encode()))}

    def counterparts(self) -> list[dict[str, Any]]:
        return [c for c in self.world.wms.consignments(self.world.tenant.tenant_id)
                if (c.get("properties") or {}).get("roseRocketOrderId")]

    def counterpart_of(self, integration: Integration, record_id: str) -> str | None:
        link = core().links.find(order_ref(integration.integration_id, record_id))
        wms = link.wms if link is not None and link.bound else None
        return wms.entity_id if wms is not None else None

    def change_in_wms(self, integration: Integration, record_id: str) -> None:
        consignment = self.counterpart_of(integration, record_id)
        assert consignment
        self.world.wms.set_consignment_tracking(self.world.tenant.tenant_id, consignment, "TRK-1", carrier="Aramex")

    # --- faults ------------------------------------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox:
        return self.platform

    def fault(self, status: int, *, count: int, retry_after: int | None = None) -> None:
        self.platform.inject_fault(status, count=count, retry_after=retry_after, path_pattern=r"^/api/v2/")

    def revoke(self) -> None:
        self.platform.rotate_secret(ORG)  # Settings → API Settings → Rotate Secret: ours stops working at once

    def restore(self) -> None:
        self.platform.rotate_secret(ORG, SECRET)

    def platform_writes(self) -> int:
        return sum(1 for method, path, _ in self.platform.request_log
                   if method in ("POST", "PUT", "PATCH", "DELETE") and path.startswith("/api/v2/")
                   and not path.endswith("/search"))


KIT = RoseRocketKit
