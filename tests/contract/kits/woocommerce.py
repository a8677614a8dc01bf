"""The WooCommerce kit: a store in the WooCommerce sandbox whose webhooks POST straight into our door."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
import responses
from integrations.core.context import core
from integrations.core.integration_record import Integration
from integrations.woocommerce import client as woocommerce_client
from integrations.woocommerce.refs import order_ref

from local.sandboxes.base import Sandbox
from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox
from tests.contract.kit import ConnectorKit, Delivery, other_lambda

WOO_BASE = "https://woo.test"
SLUG = "contract-shop"
STORE_URL = f"{WOO_BASE}/{SLUG}"


class WooCommerceKit(ConnectorKit):
    key: ClassVar[str] = "woocommerce"

    def start_platform(self, rsps: responses.RequestsMock) -> None:
        # The store's budget (3 requests/s across every Lambda, tested on its own) would only make the suite wait.
        self.patched = pytest.MonkeyPatch()
        self.patched.setattr(woocommerce_client, "STORE_RATE", 10_000.0)
        self.losing = False
        self.store = WooCommerceSandbox(sender=self._send)
        install_responses(rsps, self.store, WOO_BASE)
        shop = self.store.add_store(SLUG, name="Contract shop", home=STORE_URL)
        self.key_pair = next(iter(shop.keys.values()))
        self.saved_keys: dict[str, Any] = {}

    def stop(self) -> None:
        self.patched.undo()

    def _send(self, url: str, headers: dict[str, str], body: bytes) -> int:
        if self.losing:
            return 503  # the delivery never reached us (WooCommerce won't retry it)
        return self.world.service.http("POST", urlsplit(url).path, headers=headers, body=body).status

    # --- configuring ------------------------------------------------------------------------------------------------

    def credentials(self) -> dict[str, str]:
        return {"storeUrl": STORE_URL, "consumerKey": self.key_pair.consumer_key,
                "consumerSecret": self.key_pair.consumer_secret}

    def bad_credentials(self) -> list[tuple[dict[str, str], str]]:
        return [({**self.credentials(), "consumerSecret": "cs_wrong"}, "consumerSecret"),
                ({**self.credentials(), "consumerKey": "ck_unknown"}, "consumerKey"),
                ({**self.credentials(), "storeUrl": f"{WOO_BASE}/no-such-shop"}, "storeUrl")]

    def order_settings(self) -> dict[str, Any]:
        return {"warehouseId": self.world.tenant.warehouse_id}

    def fulfilment_settings(self) -> dict[str, Any]:
        return {"completeFulfilment": True, "sendTracking": True}

    def triggers(self, integration: Integration) -> int:
        url = f"/webhooks/woocommerce/{integration.integration_id}"
        return sum(1 for hook in self.store.webhooks(SLUG)
                   if hook["delivery_url"].endswith(url) and hook["status"] == "active")

    def remove_triggers_on_platform(self, integration: Integration) -> None:
        for hook in self.store.webhooks(SLUG):
            self.store.delete_webhook(SLUG, hook["id"])

    # --- records ------------------------------------------------------------------------------------------------------

    def new_record(self, *, lose_deliveries: bool = False) -> str:
        self.losing = lose_deliveries
        try:
            return str(self.store.place_order(SLUG, [{"sku": "SKU-1", "quantity": 2, "price": "24.95"}])["id"])
        finally:
            self.losing = False

    def _secret(self, integration: Integration) -> str:
        # Read as the platform knows it, not through this process's cache (which the door shares).
        sealed = other_lambda().get(integration.integration_id).platform_state["webhookSecret"]
        return core().vault.open(sealed, tenant_id=integration.tenant_id,
                                 integration_id=integration.integration_id).reveal("secret")

    def signed(self, integration: Integration, body: bytes, *, secret: str | None = None) -> Delivery:
        signature = base64.b64encode(hmac.new((secret or self._secret(integration)).encode(), body,
                                              hashlib.sha256).digest()).decode()
        return Delivery({"X-WC-Webhook-Signature": signature, "X-WC-Webhook-Topic": "order.updated",
                         "X-WC-Webhook-ID": "1", "X-WC-Webhook-Delivery-ID": "d-1",
                         "X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": "updated"}, body)

    def deliveries(self, integration: Integration, record_id: str) -> list[Delivery]:
        body = json.dumps(self.store.order(SLUG, int(record_id))).encode()
        return [self.signed(integration, body)]

    def forgeries(self, integration: Integration, genuine: Delivery) -> dict[str, Delivery]:
        forged = self.signed(integration, genuine.body, secret="guessed-secret")
        missing = Delivery({k: v for k, v in genuine.headers.items() if k != "X-WC-Webhook-Signature"}, genuine.body)
        non_ascii = Delivery({**genuine.headers, "X-WC-Webhook-Signature": "é" * 44}, genuine.body)
        tampered = Delivery(genuine.headers, genuine.body.replace(b'"processing"', b'"completed"'))
        return {"forged": forged, "missing": missing, "non-ascii": non_ascii, "tampered": tampered}

    def counterparts(self) -> list[dict[str, Any]]:
        return self.world.wms.outbound_orders(self.world.tenant.tenant_id)

    def counterpart_of(self, integration: Integration, record_id: str) -> str | None:
        link = core().links.find(order_ref(integration.integration_id, record_id))
        return link.wms_order_id if link is not None else None

    # --- faults ------------------------------------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox:
        return self.store

    def fault(self, status: int, *, count: int, retry_after: int | None = None) -> None:
        self.store.inject_fault(status, count=count, retry_after=retry_after, path_pattern=r"/wp-json/")

    def revoke(self) -> None:
        keys = self.store.store(SLUG).keys
        self.saved_keys = dict(keys)
        keys.clear()

    def restore(self) -> None:
        self.store.store(SLUG).keys.update(self.saved_keys)

    def platform_writes(self) -> int:
        return sum(len(self.store.requests_to(r".*", method=method)) for method in ("POST", "PUT", "DELETE"))


KIT = WooCommerceKit
