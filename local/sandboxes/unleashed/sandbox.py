"""The Unleashed sandbox: the surfaces mixed into one class, and its route table.

Control routes (``/_control/…``; module docstrings of :mod:`.control` and :mod:`.records` give the bodies):

- ``POST /_control/accounts``, ``GET|PATCH /_control/accounts/{apiId}``, ``GET …/usage``;
- ``POST …/sales-orders``: our short form (``{lines, shipments…}``) **or Unleashed's own JSON as it is** — one
  ``SalesOrder`` (e.g. tests/fixtures/vendor/unleashed/salesorder.response.json) or a ``GET /SalesOrders`` page
  (``{"Pagination", "Items"}``, e.g. salesorders-list.response.json), kept whole and served back unchanged;
- ``GET …/sales-orders``, ``GET …/sales-orders/{guid}`` (with its ``SalesShipments``), ``GET …/sales-orders/{guid}/
  record`` (the order exactly as stored), ``PATCH …/sales-orders/{guid}``, ``POST …/sales-orders/{guid}/place``,
  ``POST …/sales-orders/{guid}/shipments``;
- ``GET|PATCH …/sales-shipments/{guid}``; ``POST …/products`` (Unleashed's Product JSON), ``GET …/products``;
- ``GET|POST …/subscriptions``, ``DELETE …/subscriptions/{id}``;
- the base frame's ``/_control/faults``, ``/_control/requests`` (``?bodies=1``: with each request's query and
  body), ``/_control/webhooks``, ``/_control/reset`` and ``/_control/dialect``.
"""

from __future__ import annotations

from typing import Any

from ..base import SandboxRequest, SandboxResponse
from .control import ControlApi
from .model import GUID
from .orders import SalesApi
from .state import Handler


class UnleashedSandbox(ControlApi, SalesApi):
    """Any number of Unleashed accounts on one host (as ``api.unleashedsoftware.com`` serves every account),
    each reached with its own API ID and key."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._register_routes()

    def subscription_api(self, handler: Handler) -> Handler:
        """The subscription paths, unless the ``subscription-api`` dialect is ``absent``: then they answer as any
        path Unleashed doesn't have (no authentication, ``404``)."""
        gated = self.api(handler)

        def route(request: SandboxRequest, **params: str) -> SandboxResponse:
            if self.speaks("subscription-api", "absent"):
                return self.error(404, "Not Found")
            return gated(request, **params)

        return route

    def _register_routes(self) -> None:
        page = r"(?:/(?:Page/)?(?P<page>\d+))?"
        guid = rf"(?P<guid>{GUID})"
        self.route("GET", rf"/SalesOrders{page}", self.api(self._list_orders))
        self.route("GET", rf"/SalesOrders/{guid}", self.api(self._get_order))
        self.route("GET", rf"/SalesShipments{page}", self.api(self._list_shipments))
        self.route("GET", rf"/SalesShipments/{guid}", self.api(self._get_shipment))
        self.route("PUT", rf"/SalesShipments/{guid}", self.api(self._put_shipment))
        self.route("GET", r"/Companies(?:/\d+)?", self.api(self._companies))
        self.route("GET", rf"/ShippingCompanies{page}", self.api(self._shipping_companies))
        self.route("GET", rf"/Products{page}", self.api(self._list_products))
        self.route("GET", rf"/Products/{guid}", self.api(self._get_product))
        self.route("GET", r"/webhooks/subscriptions", self.subscription_api(self._list_subscriptions))
        self.route("POST", r"/webhooks/subscriptions", self.subscription_api(self._create_subscription))
        self.route("DELETE", r"/webhooks/subscriptions/(?P<subscription_id>[^/]+)",
                   self.subscription_api(self._delete_subscription))

        a = r"/_control/accounts/(?P<api_id>[^/]+)"
        o = rf"{a}/sales-orders/(?P<guid>[^/]+)"
        self.control_route("POST", r"/_control/accounts", self._control_add_account)
        self.control_route("GET", rf"{a}", self._control_account)
        self.control_route("PATCH", rf"{a}", self._control_configure)
        self.control_route("POST", rf"{a}/sales-orders", self._control_place)
        self.control_route("GET", rf"{a}/sales-orders", self._control_orders)
        self.control_route("GET", rf"{o}", self._control_order)
        self.control_route("GET", rf"{o}/record", self._control_order_record)
        self.control_route("PATCH", rf"{o}", self._control_edit_order)
        self.control_route("POST", rf"{o}/place", self._control_place_existing)
        self.control_route("POST", rf"{o}/shipments", self._control_add_shipment)
        self.control_route("GET", rf"{a}/sales-shipments/(?P<guid>[^/]+)", self._control_shipment)
        self.control_route("PATCH", rf"{a}/sales-shipments/(?P<guid>[^/]+)", self._control_edit_shipment)
        self.control_route("POST", rf"{a}/products", self._control_add_product)
        self.control_route("GET", rf"{a}/products", self._control_products)
        self.control_route("GET", rf"{a}/subscriptions", self._control_subscriptions)
        self.control_route("POST", rf"{a}/subscriptions", self._control_subscribe)
        self.control_route("DELETE", rf"{a}/subscriptions/(?P<subscription_id>[^/]+)", self._control_unsubscribe)
        self.control_route("GET", rf"{a}/usage", self._control_usage)
