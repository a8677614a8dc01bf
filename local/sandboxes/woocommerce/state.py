"""The WooCommerce sandbox's state: its stores (each with keys, orders, notes, trackings, webhooks), the id counters,
the clock and error shape, and the methods that add and configure stores and keys.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..base import ControlError, Sandbox, SandboxResponse, Sender
from .model import ApiKey, RestRoute, Store, WcError, rest_response


class WooCommerceState(Sandbox):
    """Any number of stores and what they hold, the clock and the error shape: what every surface builds on."""

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        now: Callable[[], datetime] | None = None,
        seed: int | None = None,
        async_webhooks: bool | None = None,
        updated_after_created: bool = True,
    ) -> None:
        """``updated_after_created``: follow every ``order.created`` delivery with ``order.updated`` for the same
        order, as WooCommerce does at checkout (woocommerce#19764)."""
        super().__init__(sender=sender, now=now, seed=seed, async_webhooks=async_webhooks)
        self.updated_after_created = updated_after_created
        self.stores: dict[str, Store] = {}
        self._next_order = 1001
        self._next_note = 5001
        self._next_webhook = 1
        self._next_product = 101
        self._delivery_meta: dict[int, tuple[str, int]] = {}
        self._rest: list[RestRoute] = []
        self._register_rest_routes()
        self._register_routes()

    # --- clock, errors ------------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)

    def _dates(self, store: Store, moment: datetime) -> tuple[str, str]:
        """(site-local, GMT) as WooCommerce writes them: no offset, whole seconds."""
        local = moment.astimezone(store.zone).replace(tzinfo=None).isoformat(timespec="seconds")
        return local, moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        """WooCommerce's error shape (faults use it too; a 404 outside any store is WordPress's HTML page)."""
        code = {401: "woocommerce_rest_authentication_error", 404: "rest_no_route", 429: "too_many_requests",
                405: "rest_no_route"}.get(status, "internal_server_error" if status >= 500 else "rest_error")
        return rest_response(status, {"code": code, "message": message, "data": {"status": status}}, headers)

    def _wc_error(self, exc: WcError) -> SandboxResponse:
        return rest_response(exc.status, {"code": exc.code, "message": exc.message,
                                          "data": {"status": exc.status, **exc.data}})

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.stores.clear()
            self._delivery_meta.clear()

    def _register_routes(self) -> None:
        """Register the store and control routes (:class:`~.sandbox.WooCommerceSandbox` lists them all)."""

    def _register_rest_routes(self) -> None:
        """Register the REST routes inside a store (:class:`~.sandbox.WooCommerceSandbox` lists them all)."""

    # --- stores and keys (Python API) ---------------------------------------------------------------------------------

    def add_store(self, slug: str | None = None, *, name: str = "Demo Store", home: str | None = None,
                  timezone: str = "Australia/Brisbane", currency: str = "AUD", shipment_tracking: bool = True,
                  permalinks: str = "pretty", strips_authorization: bool = False, max_failures: int = 5,
                  consumer_key: str | None = None, consumer_secret: str | None = None) -> Store:
        """A store with one Read/Write key (given or generated). ``home`` is the URL the store reports."""
        slug = slug or f"shop-{secrets.token_hex(3)}"
        if not slug.replace("-", "").replace("_", "").isalnum() or slug.startswith("_"):
            raise ControlError("slug must be letters, digits, - and _")
        if permalinks not in ("pretty", "plain"):
            raise ControlError("permalinks must be pretty or plain")
        ZoneInfo(timezone)
        store = Store(slug=slug, name=name, home=(home or f"https://{slug}.example.test").rstrip("/"),
                      timezone=timezone, currency=currency, shipment_tracking=shipment_tracking,
                      permalinks=permalinks, strips_authorization=strips_authorization, max_failures=max_failures)
        with self.transaction():
            if slug in self.stores:
                raise ControlError(f"store {slug} exists already")
            self.stores[slug] = store
            self.add_key(slug, consumer_key=consumer_key, consumer_secret=consumer_secret)
        return store

    def store(self, slug: str) -> Store:
        found = self.stores.get(slug)
        if found is None:
            raise ControlError(f"unknown store {slug}", 404)
        return found

    def add_key(self, slug: str, *, permissions: str = "read_write", can_manage: bool = True,
                consumer_key: str | None = None, consumer_secret: str | None = None) -> ApiKey:
        if permissions not in ("read", "write", "read_write"):
            raise ControlError("permissions must be read, write or read_write")
        key = ApiKey(consumer_key=consumer_key or f"ck_{secrets.token_hex(20)}",
                     consumer_secret=consumer_secret or f"cs_{secrets.token_hex(20)}", permissions=permissions,
                     can_manage=can_manage)
        with self.transaction():
            self.store(slug).keys[key.consumer_key] = key
        return key

    def revoke_key(self, slug: str, consumer_key: str) -> ApiKey:
        """WooCommerce → Settings → Advanced → REST API → Revoke: the key stops working at once (401)."""
        with self.transaction():
            key = self.store(slug).keys.pop(consumer_key, None)
        if key is None:
            raise ControlError(f"store {slug} has no key {consumer_key}")
        return key

    def configure_store(self, slug: str, *, shipment_tracking: bool | None = None, permalinks: str | None = None,
                        strips_authorization: bool | None = None, max_failures: int | None = None) -> Store:
        with self.transaction():
            store = self.store(slug)
            if shipment_tracking is not None:
                store.shipment_tracking = bool(shipment_tracking)
            if permalinks is not None:
                if permalinks not in ("pretty", "plain"):
                    raise ControlError("permalinks must be pretty or plain")
                store.permalinks = permalinks
            if strips_authorization is not None:
                store.strips_authorization = bool(strips_authorization)
            if max_failures is not None:
                store.max_failures = int(max_failures)
            return store

    # --- orders as the REST API shows them ----------------------------------------------------------------------------

    def _order(self, store: Store, order_id: str | int, code: str = "woocommerce_rest_shop_order_invalid_id"
               ) -> dict[str, Any]:
        order = store.orders.get(int(order_id))
        if order is None or order["status"] == "checkout-draft":
            raise WcError(404, code, "Invalid ID.")
        return order

    def order_json(self, store: Store, order: dict[str, Any]) -> dict[str, Any]:
        """An order as the REST API (and a webhook) shows it now."""
        shown = copy.deepcopy(order)
        shown["_links"] = {
            "self": [{"href": f"{store.home}/wp-json/wc/v3/orders/{order['id']}"}],
            "collection": [{"href": f"{store.home}/wp-json/wc/v3/orders"}],
        }
        return shown
