"""WooCommerce's ``/_control/`` API: the shop's side of each store (stores and keys, orders, notes, trackings,
webhooks, held deliveries)."""

from __future__ import annotations

from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from .model import WEBHOOK_STATUSES, Store
from .orders import OrdersApi
from .tracking import TrackingApi


class ControlApi(OrdersApi, TrackingApi):
    """The control routes' handlers (the routes themselves are listed in :mod:`.sandbox`)."""

    def _control_add_store(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        host = request.header("Host")
        slug = pick(body, "slug")
        home = pick(body, "home") or (f"http://{host}/{slug}" if host and slug else None)
        store = self.add_store(
            slug, name=pick(body, "name") or "Demo Store", home=home,
            timezone=pick(body, "timezone") or "Australia/Brisbane", currency=pick(body, "currency") or "AUD",
            shipment_tracking=pick(body, "shipmentTracking", "shipment_tracking") is not False,
            permalinks=pick(body, "permalinks") or "pretty",
            strips_authorization=bool(pick(body, "stripsAuthorization", "strips_authorization")),
            max_failures=int(pick(body, "maxFailures", "max_failures") or 5),
            consumer_key=pick(body, "consumerKey", "consumer_key"),
            consumer_secret=pick(body, "consumerSecret", "consumer_secret"),
        )
        if host and not pick(body, "home"):
            store.home = f"http://{host}/{store.slug}"
        return SandboxResponse.json(201, self._store_view(store, host))

    def _store_view(self, store: Store, host: str | None) -> dict[str, Any]:
        view = store.to_json()
        if host:
            view["storeUrl"] = f"http://{host}/{store.slug}"
        return view

    def _control_list_stores(self, request: SandboxRequest) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, [self._store_view(s, request.header("Host"))
                                              for s in self.stores.values()])

    def _control_get_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, self._store_view(self.store(slug), request.header("Host")))

    def _control_configure_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        store = self.configure_store(
            slug, shipment_tracking=pick(body, "shipmentTracking", "shipment_tracking"),
            permalinks=pick(body, "permalinks"),
            strips_authorization=pick(body, "stripsAuthorization", "strips_authorization"),
            max_failures=pick(body, "maxFailures", "max_failures"))
        return SandboxResponse.json(200, self._store_view(store, request.header("Host")))

    def _control_add_key(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        key = self.add_key(slug, permissions=pick(body, "permissions") or "read_write",
                           can_manage=pick(body, "canManage", "can_manage") is not False)
        return SandboxResponse.json(201, key.to_json())

    def _control_revoke_key(self, request: SandboxRequest, slug: str, consumer_key: str) -> SandboxResponse:
        revoked = self.revoke_key(slug, consumer_key)
        return SandboxResponse.json(200, {"revoked": revoked.consumer_key})

    def _control_place_order(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        lines = pick(body, "lineItems", "line_items")
        if not isinstance(lines, list):
            raise ControlError("lineItems must be a list of {sku, quantity, name?, price?}")
        method = pick(body, "shippingMethod", "shipping_method")
        if isinstance(method, dict):
            method = (method.get("methodId") or method.get("method_id") or "flat_rate:1",
                      method.get("title") or method.get("method_title") or "Flat rate",
                      str(method.get("total") or "0.00"))
        order = self.place_order(
            slug, lines, status=pick(body, "status") or "processing", billing=pick(body, "billing"),
            shipping=pick(body, "shipping"), customer_note=pick(body, "customerNote", "customer_note") or "",
            shipping_method=tuple(method) if method else ("flat_rate:1", "Flat rate", "10.00"),  # type: ignore[arg-type]
            currency=pick(body, "currency"), number=pick(body, "number"))
        return SandboxResponse.json(201, order)

    def _control_list_orders(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        with self.transaction():
            store = self.store(slug)
            return SandboxResponse.json(200, [self.order_json(store, o) for o in store.orders.values()])

    def _control_get_order(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.order(slug, int(order_id)))

    def _control_edit_order(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(200, self.edit_order(
            slug, int(order_id), line_items=pick(body, "lineItems", "line_items"), shipping=pick(body, "shipping"),
            customer_note=pick(body, "customerNote", "customer_note")))

    def _control_order_status(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        status = pick(body, "status")
        if not status:
            raise ControlError("status is required")
        return SandboxResponse.json(200, self.set_order_status(slug, int(order_id), status))

    def _control_notes(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.notes(slug, int(order_id)))

    def _control_trackings(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.trackings(slug, int(order_id)))

    def _control_list_webhooks_of_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.webhooks(slug))

    def _control_webhook_status(self, request: SandboxRequest, slug: str, webhook_id: str) -> SandboxResponse:
        status = pick(control_body(request), "status")
        if status not in WEBHOOK_STATUSES:
            raise ControlError(f"status must be one of {', '.join(WEBHOOK_STATUSES)}")
        return SandboxResponse.json(200, self.set_webhook_status(slug, int(webhook_id), status))

    def _control_delete_webhook(self, request: SandboxRequest, slug: str, webhook_id: str) -> SandboxResponse:
        self.delete_webhook(slug, int(webhook_id))
        return SandboxResponse.empty(204)

    def _control_hold(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        self.hold_deliveries(slug)
        return SandboxResponse.json(200, {"holding": True})

    def _control_release(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        order = pick(control_body(request), "order") or "fifo"
        if order not in ("fifo", "reverse", "random"):
            raise ControlError("order must be fifo, reverse or random")
        return SandboxResponse.json(200, {"sent": self.release_deliveries(slug, order=order)})
