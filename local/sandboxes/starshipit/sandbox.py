"""The Starshipit sandbox: the API surfaces mixed into one class, and its route table."""

from __future__ import annotations

from .control import ControlApi


class StarshipitSandbox(ControlApi):
    """Starshipit's API for any number of accounts, each reached with its API key and subscription key."""

    name = "starshipit"

    def _register_routes(self) -> None:
        self._api("POST", r"/api/orders", self._create_order)
        self._api("PUT", r"/api/orders", self._update_order)
        self._api("GET", r"/api/orders", self._get_order)
        self._api("GET", r"/api/orders/search", self._search)
        self._api("DELETE", r"/api/orders", self._delete_order)
        self._api("GET", r"/api/orders/unshipped", self._unshipped)
        self._api("GET", r"/api/orders/shipped", self._shipped)
        self._api("POST", r"/api/orders/shipment", self._shipment)

        a = r"/_control/accounts/(?P<account_id>[^/]+)"
        o = rf"{a}/orders/(?P<order_id>\d+)"
        self.control_route("POST", r"/_control/accounts", self._control_add_account)
        self.control_route("GET", rf"{a}", self._control_get_account)
        self.control_route("PATCH", rf"{a}", self._control_configure_account)
        self.control_route("PUT", rf"{a}/webhook", self._control_set_webhook)
        self.control_route("DELETE", rf"{a}/webhook", self._control_remove_webhook)
        self.control_route("POST", rf"{a}/api-key", self._control_api_key)
        self.control_route("GET", rf"{a}/orders", self._control_list_orders)
        self.control_route("POST", rf"{a}/orders", self._control_load_orders)
        self.control_route("POST", rf"{a}/webhook-deliveries", self._control_deliver)
        self.control_route("GET", rf"{o}", self._control_get_order)
        self.control_route("POST", rf"{o}/ship", self._control_ship)
        self.control_route("POST", rf"{o}/tracking", self._control_tracking)
