"""Starshipit's ``/_control/`` API: acts as the account's user (Settings → API and Tracking & notifications), the
warehouse and the courier (ship an order, move its tracking). Never faulted, never rate limited."""

from __future__ import annotations

from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from .shipments import ShipmentsApi


def required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise ControlError(f"{name} is required")
    return body[name]


class ControlApi(ShipmentsApi):
    """The control routes' handlers (the routes themselves are listed in :mod:`.sandbox`)."""

    def _control_add_account(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        account = self.add_account(
            pick(body, "id", "accountId"), name=pick(body, "name") or "Demo Starshipit account",
            api_key=pick(body, "apiKey", "api_key"), subscription_key=pick(body, "subscriptionKey", "subscription_key"),
            tier=pick(body, "tier") or "developer", rate_limit=pick(body, "rateLimitPerSecond", "rate_limit"),
            retry_after=pick(body, "retryAfter", "retry_after") if "retryAfter" in body or "retry_after" in body
            else 1, webhook_url=pick(body, "webhookUrl"), webhook_secret=pick(body, "webhookSecret"))
        return SandboxResponse.json(201, account.to_json())

    def _control_get_account(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, self.account(account_id).to_json())

    def _control_configure_account(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        """``{rateLimitPerSecond?, retryAfter? (null: no Retry-After on 429), defaultCarrier?}``."""
        body = control_body(request)
        with self.transaction():
            account = self.account(account_id)
            if "rateLimitPerSecond" in body:
                account.rate_limit = int(body["rateLimitPerSecond"])
            if "retryAfter" in body:
                account.retry_after = None if body["retryAfter"] is None else int(body["retryAfter"])
            if "defaultCarrier" in body:
                if body["defaultCarrier"] not in account.couriers:
                    raise ControlError("defaultCarrier must be one of the account's couriers")
                account.default_carrier = body["defaultCarrier"]
                account.default_service = ""
            return SandboxResponse.json(200, account.to_json())

    def _control_set_webhook(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        body = control_body(request)
        account = self.set_webhook(account_id, required(body, "url"), pick(body, "secret"))
        return SandboxResponse.json(200, account.to_json())

    def _control_remove_webhook(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        self.set_webhook(account_id, None)
        return SandboxResponse.empty(204)

    def _control_api_key(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        account = self.regenerate_api_key(account_id, pick(control_body(request), "apiKey"))
        return SandboxResponse.json(200, account.to_json())

    def _control_list_orders(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.orders(account_id))

    def _control_get_order(self, request: SandboxRequest, account_id: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.order(account_id, int(order_id)))

    def _control_ship(self, request: SandboxRequest, account_id: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        order = self.ship_order(account_id, int(order_id), tracking_number=pick(body, "trackingNumber"),
                                carrier=pick(body, "carrier"), service=pick(body, "carrierServiceCode"))
        return SandboxResponse.json(200, order)

    def _control_tracking(self, request: SandboxRequest, account_id: str, order_id: str) -> SandboxResponse:
        order = self.move_tracking(account_id, int(order_id), required(control_body(request), "status"))
        return SandboxResponse.json(200, order)
