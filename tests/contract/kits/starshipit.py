"""The Starshipit kit: a Starshipit account (the sandbox at Starshipit's own address) whose tracking webhooks POST
straight into our door, and a WMS whose packed orders are the records.

Starshipit starts from the WMS (``imports = False``): a *record* is a WMS outbound order of the customer that gets
PACKED (the integration's trigger); its *counterpart* is the Starshipit order made from it; its *signal* is the WMS's
change notification, redelivered by :meth:`trigger`; the *safety net* for a lost notification is the WMS poll (core's
cursor on ``/timestamps/modified/time``), run by :meth:`poll`. The door's deliveries are Starshipit's signed
tracking webhooks about the record, answered ``200`` as Starshipit asks (:attr:`accepted`).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import urlsplit

import responses
from integrations.cartoncloud.clients import wms_client
from integrations.cartoncloud.poller import ORDERS
from integrations.core.context import core
from integrations.core.integration_record import Integration
from integrations.core.records import RecordRef
from integrations.starshipit.client import DEFAULT_BASE_URL
from integrations.starshipit.refs import delivery_url, wms_order_ref

from local.sandboxes.base import Sandbox
from local.sandboxes.starshipit import StarshipitSandbox
from local.sandboxes.transports import install_responses
from tests.builders import outbound_order
from tests.contract.kit import API_BASE, ConnectorKit, Delivery
from tests.functional.wms_helpers import deliver

ACCOUNT = "contract"
API_KEY, SUBSCRIPTION_KEY, WEBHOOK_SECRET = "contract-api-key", "contract-subscription-key", "contract-whsec-0001"


class StarshipitKit(ConnectorKit):
    key: ClassVar[str] = "starshipit"
    imports: ClassVar[bool] = False
    accepted: ClassVar[int] = 200

    def start_platform(self, rsps: responses.RequestsMock) -> None:
        self.platform = StarshipitSandbox(sender=self._send, dialect=self.dialect)
        install_responses(rsps, self.platform, DEFAULT_BASE_URL)
        # A Production subscription; the integration's rate below matches it (the 2/s budget is tested on its own).
        self.platform.add_account(ACCOUNT, api_key=API_KEY, subscription_key=SUBSCRIPTION_KEY, tier="production")
        self.notification_of: dict[str, str] = {}
        #: Each record's customer reference: the number its Starshipit order shows.
        self.reference_of: dict[str, str] = {}

    def _send(self, url: str, headers: dict[str, str], body: bytes) -> int:
        return self.world.service.http("POST", urlsplit(url).path, headers=headers, body=body).status

    # --- configuring ------------------------------------------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {"apiKey": API_KEY, "subscriptionKey": SUBSCRIPTION_KEY, "webhookSecret": WEBHOOK_SECRET}

    def bad_credentials(self) -> list[tuple[dict[str, str], str]]:
        return [({**self.credentials(), "subscriptionKey": "not-a-subscription"}, "subscriptionKey"),
                ({**self.credentials(), "apiKey": "not-an-api-key"}, "apiKey")]

    def order_settings(self) -> dict[str, Any]:
        return {"createShipmentAt": "PACKED", "requestsPerSecond": 20}

    def fulfilment_settings(self) -> dict[str, Any]:
        return {"writeTracking": True}

    def finish(self, draft: Integration) -> Integration:
        live = super().finish(draft)
        # The user sets the notification URL and secret in Starshipit → Settings → Tracking & notifications.
        self.platform.set_webhook(ACCOUNT, delivery_url(API_BASE, live.integration_id), WEBHOOK_SECRET)
        return live

    def triggers(self, integration: Integration) -> int:
        url = self.platform.account(ACCOUNT).webhook_url or ""
        return 1 if url.endswith(f"/webhooks/starshipit/{integration.integration_id}") else 0

    def remove_triggers_on_platform(self, integration: Integration) -> None:
        self.platform.set_webhook(ACCOUNT, None)

    # --- records ------------------------------------------------------------------------------------------------------

    def new_record(self, *, lose_deliveries: bool = False) -> str:
        """A WMS order of the customer, packed (its notification lost, if asked)."""
        tenant = self.world.tenant
        reference = f"SO-{len(self.notification_of) + 1001}"
        created = wms_client(core().tenants.get(tenant.tenant_id)).create_outbound_order(
            outbound_order(tenant.customer_id, reference=reference, warehouse_id=tenant.warehouse_id))
        order_id = created.order.id
        assert order_id
        self.reference_of[order_id] = reference
        if lose_deliveries:
            self.world.wms.drop_notifications(1)
        self.world.wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED")
        sent = next(d for d in reversed(self.world.wms.deliveries) if d.json()["entityId"] == order_id)
        self.notification_of[order_id] = sent.json()["id"]
        return order_id

    def trigger(self, integration: Integration, record_id: str) -> None:
        """The WMS delivers the record's notification (again, with the same id, freshly signed)."""
        self.world.wms.redeliver_notification(self.notification_of[record_id])
        for notification in self.world.notifications.sent[self.world.delivered:]:
            assert deliver(self.world.service, notification).status == 202
        self.world.delivered = len(self.world.notifications.sent)

    def poll(self, event: dict[str, Any] | None = None) -> None:
        self.world.service.schedule("WmsPollScheduleFunction", event)

    def safety_net_cursor(self, integration: Integration) -> str:
        return ORDERS.cursor_key(core().tenants.get(integration.tenant_id))

    def record_key(self, integration: Integration, record_id: str) -> str:
        return wms_order_ref(integration.integration_id, integration.tenant_id, record_id).key

    def wms_order_of(self, integration: Integration, record_id: str) -> str | None:
        return record_id

    def signed(self, integration: Integration, body: bytes, *, secret: str = WEBHOOK_SECRET) -> Delivery:
        """Signed as the sandbox signs (hex, or base64 in that dialect)."""
        signature = self.platform.signature(secret, body)
        return Delivery({"Content-Type": "application/json", "X-Starshipit-Signature": signature}, body)

    def deliveries(self, integration: Integration, record_id: str) -> list[Delivery]:
        """Starshipit's tracking webhook about the record's order (its number: the customer reference), as it
        signs it."""
        body = json.dumps({"order_number": self.reference_of[record_id], "carrier_name": "Australia Post",
                           "carrier_service": "7B05",
                           "shipment_date": "2026-11-30T02:55:37.1446912Z", "tracking_number": "QQQ0001",
                           "tracking_status": "Dispatched", "last_updated_date": "2026-11-30T02:56:07.3453198Z"})
        return [self.signed(integration, body.encode())]

    def forgeries(self, integration: Integration, genuine: Delivery) -> dict[str, Delivery]:
        forged = self.signed(integration, genuine.body, secret="guessed-secret")
        missing = Delivery({k: v for k, v in genuine.headers.items() if k != "X-Starshipit-Signature"}, genuine.body)
        non_ascii = Delivery({**genuine.headers, "X-Starshipit-Signature": "é" * 64}, genuine.body)
        tampered = Delivery(genuine.headers, genuine.body.replace(b'"Dispatched"', b'"Delivered"'))
        return {"forged": forged, "missing": missing, "non-ascii": non_ascii, "tampered": tampered}

    def counterparts(self) -> list[dict[str, Any]]:
        return [{"id": str(order["order_id"]), **order} for order in self.platform.orders(ACCOUNT)]

    def counterpart_of(self, integration: Integration, record_id: str) -> str | None:
        link = core().links.find(wms_order_ref(integration.integration_id, integration.tenant_id, record_id))
        if link is None or not link.platform_record_key:
            return None
        return RecordRef.parse(link.platform_record_key).record_id

    # --- faults ------------------------------------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox:
        return self.platform

    @property
    def sends_retry_after(self) -> bool:
        return self.dialect.get("retry-after", "sent") == "sent"

    def fault(self, status: int, *, count: int, retry_after: int | None = None) -> None:
        self.platform.inject_fault(status, count=count, retry_after=retry_after, path_pattern=r"^/api/")

    def revoke(self) -> None:
        self.platform.regenerate_api_key(ACCOUNT)  # Settings → API → Regenerate: the stored key stops working

    def restore(self) -> None:
        self.platform.regenerate_api_key(ACCOUNT, API_KEY)

    def platform_writes(self) -> int:
        return sum(len(self.platform.requests_to(r"^/api/", method=method)) for method in ("POST", "PUT", "DELETE"))


KIT = StarshipitKit
