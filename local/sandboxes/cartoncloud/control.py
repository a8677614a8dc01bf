"""CartonCloud's ``/_control/`` API: tenants and what they hold, warehouse moves, notifications, tokens, the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from ..common import json_number
from .warehouse import WarehouseMoves


class ControlApi(WarehouseMoves):
    """The control routes' handlers (the routes themselves are listed in :mod:`.sandbox`)."""

    def _control_add_tenant(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        tenant = self.add_tenant(
            pick(body, "tenantId", "id"),
            client_id=pick(body, "clientId"),
            client_secret=pick(body, "clientSecret"),
            name=pick(body, "name") or "Demo Tenant",
            notification_url=pick(body, "notificationUrl"),
            notification_secret=pick(body, "notificationSecret"),
            currency=pick(body, "currency") or "AUD",
        )
        return SandboxResponse.json(201, tenant.to_json())

    def _control_get_tenant(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        with self.transaction():
            tenant = self.tenant(tenant_id)
            return SandboxResponse.json(200, {
                **tenant.to_json(),
                "customers": list(tenant.customers.values()),
                "warehouses": list(tenant.warehouses.values()),
                "stock": [{"customerId": c, "code": code, "quantity": json_number(q)}
                          for (c, code), q in tenant.stock.items()],
                "rateCard": tenant.rate_card,
            })

    def _control_add_customer(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        customer = self.add_customer(tenant_id, required(body, "name"), id=pick(body, "id"), code=pick(body, "code"),
                                     warehouse_ids=pick(body, "warehouseIds"))
        return SandboxResponse.json(201, customer)

    def _control_add_warehouse(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(201, self.add_warehouse(tenant_id, required(body, "name"), id=pick(body, "id")))

    def _control_add_product(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        product = self.add_product(tenant_id, required(body, "customerId"), required(body, "code"),
                                   required(body, "name"), barcode=pick(body, "barcode"))
        return SandboxResponse.json(201, product)

    def _control_set_stock(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        stock = self.set_stock(tenant_id, required(body, "customerId"), required(body, "code"),
                               required(body, "quantity"))
        return SandboxResponse.json(200, stock)

    def _control_list_orders(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        """The tenant's outbound orders as the API shows them, each with ``_sandbox.createdAt``: the wall-clock
        epoch seconds of its create (CartonCloud's own timestamps are whole seconds on the sandbox's clock)."""
        orders = self.outbound_orders(tenant_id)
        for order in orders:
            order["_sandbox"] = {"createdAt": self.created_wall_clock.get(order["id"])}
        return SandboxResponse.json(200, orders)

    def _control_list_consignments(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.consignments(tenant_id))

    def _control_order_status(self, request: SandboxRequest, tenant_id: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        order = self.set_outbound_order_status(
            tenant_id, order_id, required(body, "status"), tracking_number=pick(body, "trackingNumber"),
            carrier=pick(body, "carrier"), tracking_url=pick(body, "trackingUrl"),
        )
        return SandboxResponse.json(200, order)

    def _control_enter_consignment(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        """A WMS user enters a consignment (the API's body); the WMS notifies it as created."""
        return SandboxResponse.json(201, self.enter_consignment(tenant_id, control_body(request)))

    def _control_edit_consignment(self, request: SandboxRequest, tenant_id: str, consignment_id: str
                                  ) -> SandboxResponse:
        return SandboxResponse.json(200, self.edit_consignment(tenant_id, consignment_id, control_body(request)))

    def _control_consignment_tracking(self, request: SandboxRequest, tenant_id: str, consignment_id: str
                                      ) -> SandboxResponse:
        body = control_body(request)
        consignment = self.set_consignment_tracking(
            tenant_id, consignment_id, required(body, "trackingNumber"), carrier=pick(body, "carrier"),
            tracking_url=pick(body, "trackingUrl"),
        )
        return SandboxResponse.json(200, consignment)

    def _control_rate_card(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        card = body.get("rateCard", body)
        return SandboxResponse.json(200, {"rateCard": self.set_rate_card(tenant_id, card)})

    def _control_redeliver(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(200, self.redeliver_notification(pick(body, "id")))

    def _control_revoke_tokens(self, request: SandboxRequest) -> SandboxResponse:
        self.revoke_tokens()
        return SandboxResponse.empty(204)

    def _control_create_limit(self, request: SandboxRequest) -> SandboxResponse:
        """``{perMinute}`` (``null``: off): the outbound-order create limit per API client.

        For a bench's setup (bench/wms_to_platform.py makes hundreds of WMS orders before it measures anything);
        the clock can't serve there: notifications are signed by it, and our door refuses one 300 s off.
        """
        per_minute = control_body(request).get("perMinute")
        if per_minute is not None and (isinstance(per_minute, bool) or not isinstance(per_minute, int)
                                       or per_minute < 1):
            raise ControlError("perMinute: a whole number from 1, or null (no limit)")
        with self.transaction():
            self.create_limit_per_minute = per_minute
        return SandboxResponse.json(200, {"perMinute": per_minute})

    def _control_clock(self, request: SandboxRequest) -> SandboxResponse:
        """``{advanceSeconds}``: move this sandbox's clock forward (over HTTP, where no ``now`` can be passed).

        Tokens expire and the create limit's minute passes by this clock; ``/_control/reset`` keeps it.
        """
        seconds = float(required(control_body(request), "advanceSeconds"))
        with self.transaction():
            previous = self.now
            self.now = lambda: previous() + timedelta(seconds=seconds)
        return SandboxResponse.json(200, {"now": self.timestamp()})


def required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise ControlError(f"{name} is required")
    return body[name]
