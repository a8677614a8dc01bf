"""The Unleashed kit: an account in the Unleashed sandbox whose signed deliveries POST straight into our door.

A "record" of the contract is a sales order placed with one shipment (its WMS counterpart is that shipment's WMS
order); its sync log is the order's (``{integration}#unleashed#order#{guid}``), where a failure of its re-read is
recorded.

The account has history, as a real one does: a Completed order whose Dispatched shipment carries a batch number
(nothing syncs from it; the live check's probes need one to look at).

Under ``subscription-api=absent`` Unleashed sends the integration nothing: there is no genuine delivery (the door
tests skip, saying so), a record's signal is the poll's — its work item for the order, made by the poller itself —
and a record "whose deliveries reach us" is found by the poll.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
import responses
from integrations.core.context import core
from integrations.core.integration_record import Integration
from integrations.core.workitems import enqueue
from integrations.unleashed.models import SalesOrder
from integrations.unleashed.refs import order_ref, shipment_ref

from local.sandboxes.base import Sandbox
from local.sandboxes.transports import install_responses
from local.sandboxes.unleashed import SIGNATURE_HEADER, TIMESTAMP_HEADER, UnleashedSandbox, sign
from tests.contract.kit import ConnectorKit, Delivery, other_lambda

UNLEASHED_BASE = "https://api.unleashedsoftware.com"
API_ID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


class UnleashedKit(ConnectorKit):
    key: ClassVar[str] = "unleashed"
    signs_timestamps: ClassVar[bool] = True

    def start_platform(self, rsps: responses.RequestsMock) -> None:
        self.losing = False
        self.unleashed = UnleashedSandbox(sender=self._send, dialect=self.dialect)
        install_responses(rsps, self.unleashed, UNLEASHED_BASE)
        self.account = self.unleashed.add_account(api_id=API_ID, products=["SKU-1", "SKU-2"])
        self.unleashed.place_order(
            API_ID, [{"code": "SKU-2", "quantity": 3, "unitPrice": 12.5, "discountRate": 0.1}], status="Completed",
            notify=False, shipments=[{"status": "Dispatched", "lines": [
                {"line": 1, "quantity": 3, "batchNumbers": [{"Number": "LOT-7", "Quantity": 3}]}]}])
        self.saved_key = ""

    @property
    def sends_nothing(self) -> bool:
        """Unleashed has no subscription API in this dialect: no webhook reaches the integration."""
        return self.dialect.get("subscription-api") == "absent"

    def _send(self, url: str, headers: dict[str, str], body: bytes) -> int:
        if self.losing:
            return 503  # the delivery never reached us (the poll is the safety net)
        return self.world.service.http("POST", urlsplit(url).path, headers=headers, body=body).status

    # --- configuring ------------------------------------------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {"apiId": API_ID, "apiKey": self.account.api_key}

    def bad_credentials(self) -> list[tuple[dict[str, str], str]]:
        return [({**self.credentials(), "apiKey": "not-the-key"}, "apiKey"),
                ({**self.credentials(), "apiId": "00000000-0000-4000-8000-000000000000"}, "apiKey")]

    def order_settings(self) -> dict[str, Any]:
        return {"defaultWarehouseId": self.world.tenant.warehouse_id, "includeComments": True}

    def fulfilment_settings(self) -> dict[str, Any]:
        return {"completeShipments": True}

    def triggers(self, integration: Integration) -> int:
        url = f"/webhooks/unleashed/{integration.integration_id}"
        return sum(1 for hook in self.unleashed.subscriptions(API_ID)
                   if hook["notificationUrl"].endswith(url) and hook["isActive"])

    def remove_triggers_on_platform(self, integration: Integration) -> None:
        for hook in self.unleashed.subscriptions(API_ID):
            self.unleashed.account(API_ID).subscriptions.pop(hook["subscriptionId"])

    # --- records ------------------------------------------------------------------------------------------------------

    def new_record(self, *, lose_deliveries: bool = False) -> str:
        self.losing = lose_deliveries
        try:
            order = self.unleashed.place_order(API_ID, [{"code": "SKU-1", "quantity": 2, "unitPrice": 24.95}],
                                               shipments=[{}])
        finally:
            self.losing = False
        if self.sends_nothing and not lose_deliveries:
            self.poll()  # polling alone: the poll is how a record reaches us
        return str(order["Guid"])

    def trigger(self, integration: Integration, record_id: str) -> None:
        if not self.sends_nothing:
            super().trigger(integration, record_id)
            return
        poller = self.connector.load_poller()
        assert poller is not None
        order = SalesOrder.model_validate(self.unleashed.order(API_ID, record_id))
        enqueue(self.connector.queue_url(), poller.work_item(integration, order, source="poller"))

    def _key(self, integration: Integration) -> str:
        # Read as the platform knows it, not through this process's cache (which the door shares).
        sealed = other_lambda().get(integration.integration_id).platform_state["webhookSigningKey"]
        return core().vault.open(sealed, tenant_id=integration.tenant_id,
                                 integration_id=integration.integration_id).reveal("secret")

    def signed(self, integration: Integration, body: bytes, *, key: str | None = None,
               timestamp: int | None = None) -> Delivery:
        at = timestamp if timestamp is not None else int(time.time())
        return Delivery({"Content-Type": "application/json", TIMESTAMP_HEADER: str(at),
                         SIGNATURE_HEADER: sign(key or self._key(integration), at, body)}, body)

    def deliveries(self, integration: Integration, record_id: str) -> list[Delivery]:
        if self.sends_nothing:
            pytest.skip("Unleashed has no subscription API in this dialect, so it sends the integration nothing: no "
                        "delivery is genuine (the door refuses every one without a signing key: "
                        "tests/functional/test_unleashed_webhook_door.py)")
        [subscription] = [s for s in self.unleashed.subscriptions(API_ID)
                          if s["notificationUrl"].endswith(integration.integration_id)]
        headers, body = self.unleashed.delivery(subscription, "salesorder.updated", record_id)
        return [Delivery(headers, body)]

    def forgeries(self, integration: Integration, genuine: Delivery) -> dict[str, Delivery]:
        at = int(genuine.headers[TIMESTAMP_HEADER])
        forged = self.signed(integration, genuine.body, key="guessed-key", timestamp=at)
        missing = Delivery({k: v for k, v in genuine.headers.items() if k != SIGNATURE_HEADER}, genuine.body)
        non_ascii = Delivery({**genuine.headers, SIGNATURE_HEADER: "é" * 44}, genuine.body)
        tampered = Delivery(genuine.headers, genuine.body.replace(b"salesorder.updated", b"salesorder.created"))
        stale = self.signed(integration, genuine.body, timestamp=at - 600)
        return {"forged": forged, "missing": missing, "non-ascii": non_ascii, "tampered": tampered, "stale": stale}

    def counterparts(self) -> list[dict[str, Any]]:
        return self.world.wms.outbound_orders(self.world.tenant.tenant_id)

    def counterpart_of(self, integration: Integration, record_id: str) -> str | None:
        shipments = self.unleashed.shipments_of(API_ID, record_id)
        if not shipments:
            return None
        link = core().links.find(shipment_ref(integration.integration_id, shipments[0]["Guid"]))
        return link.wms_order_id if link is not None else None

    def record_key(self, integration: Integration, record_id: str) -> str:
        return order_ref(integration.integration_id, record_id).key

    # --- faults ------------------------------------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox:
        return self.unleashed

    def fault(self, status: int, *, count: int, retry_after: int | None = None) -> None:
        self.unleashed.inject_fault(status, count=count, retry_after=retry_after, path_pattern=r"^/Sales")

    def revoke(self) -> None:
        self.saved_key = self.account.api_key
        self.unleashed.configure(API_ID, api_key="revoked-" + self.saved_key)

    def restore(self) -> None:
        self.unleashed.configure(API_ID, api_key=self.saved_key)

    def platform_writes(self) -> int:
        return sum(len(self.unleashed.requests_to(r".*", method=method)) for method in ("POST", "PUT", "DELETE"))


KIT = UnleashedKit
