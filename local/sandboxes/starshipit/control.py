"""Starshipit's ``/_control/`` API: acts as the account's user (Settings → API and Tracking & notifications), the
warehouse and the courier (ship an order, move its tracking), and as Starshipit itself where a test needs its own
records: load orders as Starshipit holds them (its own examples, unchanged), send a tracking webhook body as it is.
Never faulted, never rate limited."""

from __future__ import annotations

import copy
import json
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

    def load_orders(self, account_id: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Hold ``orders`` as Starshipit holds them: each stored whole, exactly as given (an order without an
        ``order_id`` gets one, nothing else is added), as if just updated. An order id of another account is
        refused; one of this account is replaced."""
        with self.transaction():
            account = self.account(account_id)
            now, loaded = self._now(), []
            for given in orders:
                order = copy.deepcopy(given)
                order_id = order.get("order_id")
                if order_id is None:
                    order["order_id"] = order_id = self.next_order_id(account)
                if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id < 1:
                    raise ControlError(f"order_id must be a whole number, not {order_id!r}")
                if any(order_id in other.orders for other in self.accounts.values() if other is not account):
                    raise ControlError(f"order {order_id} belongs to another account", 409)
                account.orders[order_id] = order
                account.updated[order_id] = now
                loaded.append(copy.deepcopy(order))
            return loaded

    def _control_load_orders(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        """``POST /_control/accounts/{id}/orders`` with Starshipit's own JSON as it is: ``{"order": {…}}`` (the
        create-order request or answer, the update-order request) or ``{"orders": […]}`` (a list or search
        answer); other keys (``success``, ``total_pages``) are ignored. Answers ``201 {"orders": [stored…]}``."""
        body = control_body(request)
        given = body.get("orders") if "orders" in body else [body.get("order")] if "order" in body else None
        if not isinstance(given, list) or not given or not all(isinstance(o, dict) for o in given):
            raise ControlError('the body is Starshipit\'s own JSON: {"order": {…}} or {"orders": [{…}, …]}')
        return SandboxResponse.json(201, {"orders": self.load_orders(account_id, given)})

    def _control_deliver(self, request: SandboxRequest, account_id: str) -> SandboxResponse:
        """``POST /_control/accounts/{id}/webhook-deliveries`` with a tracking webhook's body: sent to the account's
        notification URL byte for byte, as Starshipit sends it (signed when the account has a secret). Answers the
        delivery (its status)."""
        try:
            parsed = json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ControlError("the body must be the webhook's JSON") from None
        if not isinstance(parsed, dict):
            raise ControlError("the body must be a JSON object (a tracking update)")
        with self.transaction():
            account = self.account(account_id)
        delivery = self.notify(account, request.body)
        if delivery is None:
            raise ControlError("the account has no notification URL (PUT …/webhook first)", 409)
        return SandboxResponse.json(200, delivery.to_json())

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
