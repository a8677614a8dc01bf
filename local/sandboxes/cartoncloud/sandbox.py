"""The CartonCloud sandbox: the API surfaces mixed into one class, and its route table."""

from __future__ import annotations

from .auth import AuthApi
from .catalog import CatalogApi
from .consignments import ConsignmentsApi
from .control import ControlApi
from .invoices import Invoices
from .model import WAREHOUSE_PRODUCT_VERSIONS
from .orders import OutboundOrdersApi


class CartonCloudSandbox(AuthApi, OutboundOrdersApi, ConsignmentsApi, CatalogApi, ControlApi, Invoices):
    """CartonCloud's API for any number of tenants, each with one API client (client id + secret)."""

    name = "cartoncloud"

    def _register_routes(self) -> None:
        self.route("POST", r"/uaa/oauth/token", self._token_endpoint)
        self.route("GET", r"/uaa/userinfo", self._userinfo)
        uuid_ = r"(?P<entity_id>[^/]+)"
        self._api("POST", r"/outbound-orders", self._create_outbound_order)
        self._api("POST", r"/outbound-orders/search", self._search_outbound_orders)
        self._api("GET", rf"/outbound-orders/{uuid_}", self._get_outbound_order)
        self._api("POST", r"/consignments", self._create_consignment)
        self._api("POST", r"/consignments/quote", self._quote)
        self._api("POST", r"/consignments/search", self._search_consignments)
        self._api("GET", rf"/consignments/{uuid_}", self._get_consignment)
        self._api("PUT", rf"/consignments/{uuid_}", self._update_consignment)
        self._api("GET", r"/customers", self._list_customers)
        self._api("GET", rf"/customers/{uuid_}", self._get_customer)
        self._api("GET", rf"/customers/{uuid_}/warehouses", self._list_customer_warehouses)
        self._api("GET", r"/warehouses", self._list_warehouses)
        self._api("POST", r"/warehouse-products", self._create_warehouse_product, WAREHOUSE_PRODUCT_VERSIONS)
        self._api("POST", r"/warehouse-products/search", self._search_warehouse_products, WAREHOUSE_PRODUCT_VERSIONS)
        self._api("GET", rf"/warehouse-products/{uuid_}", self._get_warehouse_product, WAREHOUSE_PRODUCT_VERSIONS)

        t = r"/_control/tenants/(?P<tenant_id>[^/]+)"
        self.control_route("POST", r"/_control/tenants", self._control_add_tenant)
        self.control_route("GET", rf"{t}", self._control_get_tenant)
        self.control_route("POST", rf"{t}/customers", self._control_add_customer)
        self.control_route("POST", rf"{t}/warehouses", self._control_add_warehouse)
        self.control_route("POST", rf"{t}/products", self._control_add_product)
        self.control_route("POST", rf"{t}/stock", self._control_set_stock)
        self.control_route("GET", rf"{t}/outbound-orders", self._control_list_orders)
        self.control_route("POST", rf"{t}/outbound-orders/(?P<order_id>[^/]+)/status", self._control_order_status)
        self.control_route("GET", rf"{t}/consignments", self._control_list_consignments)
        self.control_route("POST", rf"{t}/consignments", self._control_enter_consignment)
        self.control_route("PATCH", rf"{t}/consignments/(?P<consignment_id>[^/]+)", self._control_edit_consignment)
        self.control_route("POST", rf"{t}/consignments/(?P<consignment_id>[^/]+)/tracking",
                           self._control_consignment_tracking)
        self.control_route("POST", rf"{t}/rate-card", self._control_rate_card)
        self.control_route("GET", rf"{t}/invoices", self._control_list_invoices)
        self.control_route("POST", rf"{t}/invoices", self._control_create_invoice)
        self.control_route("POST", rf"{t}/invoices/(?P<invoice_id>[^/]+)/(?P<action>approve|pay|void)",
                           self._control_invoice_action)
        self.control_route("POST", r"/_control/notifications", self._control_drop_webhooks)
        self.control_route("GET", r"/_control/notifications", self._control_list_webhooks)
        self.control_route("POST", r"/_control/notifications/redeliver", self._control_redeliver)
        self.control_route("POST", r"/_control/tokens/revoke", self._control_revoke_tokens)
        self.control_route("POST", r"/_control/clock", self._control_clock)
        self.control_route("POST", r"/_control/create-limit", self._control_create_limit)
