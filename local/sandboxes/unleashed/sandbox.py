"""The Unleashed sandbox: the surfaces mixed into one class, and its route table."""

from __future__ import annotations

from typing import Any

from .control import ControlApi
from .model import GUID
from .orders import SalesApi


class UnleashedSandbox(ControlApi, SalesApi):
    """Any number of Unleashed accounts on one host (as ``api.unleashedsoftware.com`` serves every account),
    each reached with its own API ID and key."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._register_routes()

    def _register_routes(self) -> None:
        page = r"(?:/(?:Page/)?(?P<page>\d+))?"
        guid = rf"(?P<guid>{GUID})"
        self.route("GET", rf"/SalesOrders{page}", self.api(self._list_orders))
        self.route("GET", rf"/SalesOrders/{guid}", self.api(self._get_order))
        self.route("GET", rf"/SalesShipments{page}", self.api(self._list_shipments))
        self.route("GET", rf"/SalesShipments/{guid}", self.api(self._get_shipment))
        self.route("PUT", rf"/SalesShipments/{guid}", self.api(self._put_shipment))
        self.route("GET", r"/Companies(?:/\d+)?", self.api(self._companies))
        self.route("GET", r"/webhooks/subscriptions", self.api(self._list_subscriptions))
        self.route("POST", r"/webhooks/subscriptions", self.api(self._create_subscription))
        self.route("DELETE", r"/webhooks/subscriptions/(?P<subscription_id>[^/]+)",
                   self.api(self._delete_subscription))

        a = r"/_control/accounts/(?P<api_id>[^/]+)"
        o = rf"{a}/sales-orders/(?P<guid>[^/]+)"
        self.control_route("POST", r"/_control/accounts", self._control_add_account)
        self.control_route("GET", rf"{a}", self._control_account)
        self.control_route("PATCH", rf"{a}", self._control_configure)
        self.control_route("POST", rf"{a}/sales-orders", self._control_place)
        self.control_route("GET", rf"{a}/sales-orders", self._control_orders)
        self.control_route("GET", rf"{o}", self._control_order)
        self.control_route("PATCH", rf"{o}", self._control_edit_order)
        self.control_route("POST", rf"{o}/place", self._control_place_existing)
        self.control_route("POST", rf"{o}/shipments", self._control_add_shipment)
        self.control_route("GET", rf"{a}/sales-shipments/(?P<guid>[^/]+)", self._control_shipment)
        self.control_route("PATCH", rf"{a}/sales-shipments/(?P<guid>[^/]+)", self._control_edit_shipment)
        self.control_route("GET", rf"{a}/subscriptions", self._control_subscriptions)
        self.control_route("POST", rf"{a}/subscriptions", self._control_subscribe)
        self.control_route("DELETE", rf"{a}/subscriptions/(?P<subscription_id>[^/]+)", self._control_unsubscribe)
        self.control_route("GET", rf"{a}/usage", self._control_usage)
