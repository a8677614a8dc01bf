"""The Rose Rocket sandbox: the API surfaces mixed into one class, and its route table."""

from __future__ import annotations

from .control import ControlApi


class RoseRocketSandbox(ControlApi):
    """Rose Rocket's Auth0 token endpoint and platform-model API for any number of organisations."""

    name = "rose_rocket"

    def _register_routes(self) -> None:
        self.route("POST", r"/oauth/token", self._token_endpoint)
        self._api("GET", r"/boards/nav", self._boards)
        self._api("POST", r"/objects", self._create)
        self._api("PATCH", r"/objects", self._upsert)
        self._api("POST", r"/objects/search", self._search)
        self._api("GET", r"/objects/(?P<object_key>[A-Za-z]+)/(?P<external_id>[^/]+)/external", self._external)
        self._api("DELETE", r"/objects/(?P<object_key>[A-Za-z]+)/(?P<external_id>[^/]+)/external", self._external)
        self._api("PATCH", r"/objects/(?P<object_key>[A-Za-z]+)/(?P<external_id>[^/]+)/external",
                  self._external_upsert)
        self._api("GET", r"/objects/(?P<record_id>[0-9a-f-]{36})", self._get)
        self._api("PUT", r"/objects/(?P<record_id>[0-9a-f-]{36})", self._put)
        self._api("DELETE", r"/objects/(?P<record_id>[0-9a-f-]{36})", self._delete)

        o = r"/_control/orgs/(?P<org_id>[^/]+)"
        self.control_route("POST", r"/_control/orgs", self._control_add_org)
        self.control_route("GET", rf"{o}", self._control_get_org)
        self.control_route("PATCH", rf"{o}", self._control_configure_org)
        self.control_route("POST", rf"{o}/client-secret", self._control_rotate_secret)
        self.control_route("POST", r"/_control/tokens/expire", self._control_expire_tokens)
        self.control_route("POST", rf"{o}/customers", self._control_add_customer)
        self.control_route("GET", rf"{o}/objects", self._control_list)
        self.control_route("POST", rf"{o}/orders", self._control_add_order)
        self.control_route("GET", rf"{o}/orders/(?P<order_id>[^/]+)", self._control_get_order)
        self.control_route("PATCH", rf"{o}/orders/(?P<order_id>[^/]+)", self._control_edit_order)
        self.control_route("DELETE", rf"{o}/orders/(?P<order_id>[^/]+)", self._control_delete_order)
        self.control_route("POST", rf"{o}/orders/(?P<order_id>[^/]+)/status", self._control_order_status)
        self.control_route("POST", rf"{o}/orders/(?P<order_id>[^/]+)/sell-quote/line-items",
                           self._control_add_line_item)
        self.control_route("POST", rf"{o}/objects", self._control_add_object)
        self.control_route("PATCH", rf"{o}/invoices/(?P<invoice_id>[^/]+)", self._control_edit_invoice)
        self.control_route("POST", rf"{o}/examples", self._control_load_example)
        self.control_route("GET", rf"{o}/examples/(?P<record_id>[^/]+)", self._control_get_example)
        self.control_route("GET", r"/_control/request-bodies", self._control_request_bodies)
        self.control_route("POST", r"/_control/webhooks/retries", self._control_send_retries)
