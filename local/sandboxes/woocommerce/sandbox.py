"""The WooCommerce sandbox: the store surfaces mixed into one class, and its route tables."""

from __future__ import annotations

from .control import ControlApi
from .model import TRACKING_NAMESPACE
from .rest import RestFrame


class WooCommerceSandbox(RestFrame, ControlApi):
    """Any number of WooCommerce stores, each under its own path prefix."""

    name = "woocommerce"

    def _register_routes(self) -> None:
        store = r"/(?P<store>[^/_][^/]*)"
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            self.route(method, rf"{store}/wp-json(?P<route>/.*)?", self._pretty)
            self.route(method, rf"{store}/?", self._query_route)
        s = r"/_control/stores/(?P<slug>[^/]+)"
        self.control_route("POST", r"/_control/stores", self._control_add_store)
        self.control_route("GET", r"/_control/stores", self._control_list_stores)
        self.control_route("GET", rf"{s}", self._control_get_store)
        self.control_route("PATCH", rf"{s}", self._control_configure_store)
        self.control_route("POST", rf"{s}/keys", self._control_add_key)
        self.control_route("DELETE", rf"{s}/keys/(?P<consumer_key>[^/]+)", self._control_revoke_key)
        self.control_route("POST", rf"{s}/orders", self._control_place_order)
        self.control_route("GET", rf"{s}/orders", self._control_list_orders)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)", self._control_get_order)
        self.control_route("PATCH", rf"{s}/orders/(?P<order_id>\d+)", self._control_edit_order)
        self.control_route("POST", rf"{s}/orders/(?P<order_id>\d+)/status", self._control_order_status)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)/notes", self._control_notes)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)/trackings", self._control_trackings)
        self.control_route("GET", rf"{s}/webhooks", self._control_list_webhooks_of_store)
        self.control_route("POST", rf"{s}/webhooks/(?P<webhook_id>\d+)/status", self._control_webhook_status)
        self.control_route("DELETE", rf"{s}/webhooks/(?P<webhook_id>\d+)", self._control_delete_webhook)
        self.control_route("POST", rf"{s}/deliveries/hold", self._control_hold)
        self.control_route("POST", rf"{s}/deliveries/release", self._control_release)

    def _register_rest_routes(self) -> None:
        wc = "wc/v3"
        order = r"(?P<order_id>\d+)"
        self._rest_route("GET", r"/?", self._index, "", "")
        self._rest_route("GET", rf"/{wc}/orders", self._list_orders, "list", wc)
        self._rest_route("GET", rf"/{wc}/orders/{order}", self._get_order, "view", wc)
        for method in ("PUT", "POST", "PATCH"):
            self._rest_route(method, rf"/{wc}/orders/{order}", self._update_order, "edit", wc)
        self._rest_route("GET", rf"/{wc}/orders/{order}/notes", self._list_notes, "list", wc)
        self._rest_route("POST", rf"/{wc}/orders/{order}/notes", self._create_note, "create", wc)
        self._rest_route("GET", rf"/{wc}/webhooks", self._list_webhooks, "list", wc)
        self._rest_route("POST", rf"/{wc}/webhooks", self._create_webhook, "create", wc)
        self._rest_route("POST", rf"/{wc}/webhooks/batch", self._batch_webhooks, "batch", wc)
        hook = r"(?P<webhook_id>\d+)"
        self._rest_route("GET", rf"/{wc}/webhooks/{hook}", self._get_webhook, "view", wc)
        for method in ("PUT", "POST", "PATCH"):
            self._rest_route(method, rf"/{wc}/webhooks/{hook}", self._update_webhook, "edit", wc)
        self._rest_route("DELETE", rf"/{wc}/webhooks/{hook}", self._delete_webhook, "delete", wc)
        st = TRACKING_NAMESPACE
        self._rest_route("GET", rf"/{st}/orders/{order}/shipment-trackings", self._list_trackings, "list", st)
        self._rest_route("POST", rf"/{st}/orders/{order}/shipment-trackings", self._create_tracking, "edit", st)
        tracking = r"(?P<tracking_id>[0-9a-f]+)"
        self._rest_route("GET", rf"/{st}/orders/{order}/shipment-trackings/{tracking}", self._get_tracking, "view",
                         st)
        self._rest_route("DELETE", rf"/{st}/orders/{order}/shipment-trackings/{tracking}", self._delete_tracking,
                         "edit", st)
        self._rest_route("GET", rf"/{st}/shipment-trackings/providers", self._providers, "", st)
