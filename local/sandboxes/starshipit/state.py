"""Starshipit's state: accounts (their API key, subscription key and tier, couriers, orders, labels, tracking webhook
settings), the gateway in front of the API (subscription key, rate limit, API key), the clock and the error shapes.
"""

from __future__ import annotations

import copy
import itertools
import re
import secrets
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ..base import ControlError, Handler, Sandbox, SandboxRequest, SandboxResponse, Sender
from .model import (
    API_KEY_HEADER,
    COURIERS,
    DIALECTS,
    INVALID_SUBSCRIPTION,
    MISSING_SUBSCRIPTION,
    RATE_LIMITED,
    RATE_LIMITS,
    SUBSCRIPTION_HEADER,
    ApiError,
    envelope,
    gateway,
)


@dataclass
class Account:
    """One Starshipit account: its keys (Settings → API), tier, couriers, orders and notification settings."""

    id: str
    name: str
    api_key: str
    subscription_key: str
    tier: str = "developer"
    #: Requests per second the gateway allows this subscription (the tier's unless set).
    rate_limit: int = 2
    #: Seconds in the 429's ``Retry-After``; None sends none (whether Starshipit sends one is unconfirmed).
    retry_after: int | None = 1
    couriers: list[str] = field(default_factory=lambda: list(COURIERS))
    default_carrier: str = "AusPost"
    default_service: str = "7B05"
    #: Settings → Tracking & notifications: the one notification URL and its optional secret.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: order id → when it last changed (what ``since_last_updated`` filters on; not part of the answers).
    updated: dict[int, datetime] = field(default_factory=dict)
    #: order id → the base64 PDFs printed for it (what a reprint returns).
    labels: dict[int, list[str]] = field(default_factory=dict)
    #: Shipments created (first prints): a reprint never adds one.
    shipments: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "apiKey": self.api_key, "subscriptionKey": self.subscription_key,
                "tier": self.tier, "rateLimitPerSecond": self.rate_limit, "retryAfter": self.retry_after,
                "couriers": self.couriers, "defaultCarrier": self.default_carrier,
                "webhookUrl": self.webhook_url, "webhookSecretSet": bool(self.webhook_secret),
                "orders": len(self.orders), "shipments": self.shipments}


@dataclass(frozen=True)
class SentRequest:
    """A vendor request as it arrived, body included: what tests (and ``/_control/requests?bodies=true``) read to see
    exactly what was sent. Headers are not kept: they carry the account's keys."""

    method: str
    path: str
    query: str
    status: int
    body: Any

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "query": self.query, "status": self.status,
                "body": self.body}


def _body_of(request: SandboxRequest) -> Any:
    """The request's body as JSON when it is JSON, else its text (None when empty)."""
    if not request.body:
        return None
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError):
        return request.body.decode("utf-8", "replace")


class StarshipitState(Sandbox):
    """Accounts and what they hold, the gateway, the clock and the error shapes: what every API surface builds on."""

    #: Where Starshipit's behaviour is unknown, each possible answer (ours first): the connector's assumptions.
    DIALECTS: ClassVar[Mapping[str, tuple[str, ...]]] = DIALECTS

    def __init__(self, *, sender: Sender | None = None, now: Callable[[], datetime] | None = None,
                 seed: int | None = None, async_webhooks: bool | None = None,
                 dialect: Mapping[str, str] | None = None) -> None:
        super().__init__(sender=sender, now=now, seed=seed, async_webhooks=async_webhooks, dialect=dialect)
        self._sent: list[SentRequest] = []
        self.accounts: dict[str, Account] = {}
        self._calls: dict[str, deque[datetime]] = {}
        self._order_ids = itertools.count(1020304051)
        self._item_ids = itertools.count(1065580746)
        self._package_ids = itertools.count(1035548017)
        self._tracking_numbers = itertools.count(1)
        self._register_routes()

    def _register_routes(self) -> None:
        """Register the vendor and control routes (:class:`~.sandbox.StarshipitSandbox` lists them all)."""

    # --- clock and errors --------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        """Faults: the gateway's shape for 401/429 (it answers those itself), the API's envelope otherwise."""
        if status in (401, 429):
            seconds = headers.get("Retry-After", 1) if headers else 1
            text = RATE_LIMITED.format(seconds=seconds) if status == 429 else message
            if status == 429 and self.speaks("retry-after", "absent"):
                headers = {k: v for k, v in (headers or {}).items() if k.lower() != "retry-after"} or None
            return gateway(status, text, headers)
        return envelope(status, [{"message": message, "details": None}], headers)

    # --- what was sent -----------------------------------------------------------------------------------------------

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response = super().handle(request)
        if not request.path.startswith("/_control/"):
            with self._lock:
                self._sent.append(SentRequest(request.method, request.path, request.raw_query, response.status,
                                              _body_of(request)))
        return response

    def sent(self, path_pattern: str = "", method: str | None = None) -> list[SentRequest]:
        """Every vendor request whose path matches ``path_pattern`` (regex search), with its body, oldest first."""
        with self._lock:
            found = list(self._sent)
        return [r for r in found if re.search(path_pattern, r.path) and (method is None or r.method == method.upper())]

    def _control_requests(self, request: SandboxRequest) -> SandboxResponse:
        """``GET /_control/requests?bodies=true``: each vendor request with its query and body (the base view
        without ``bodies``)."""
        if (request.param("bodies") or "").lower() not in ("true", "1"):
            return super()._control_requests(request)
        return SandboxResponse.json(200, [sent.to_json() for sent in self.sent()])

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self._sent.clear()
            self.accounts.clear()
            self._calls.clear()

    # --- the gateway -------------------------------------------------------------------------------------------------

    def _api(self, method: str, pattern: str, handler: Handler) -> None:
        """A vendor route behind the gateway: subscription key, then rate limit, then API key (the account)."""

        def guarded(request: SandboxRequest, **groups: str) -> SandboxResponse:
            with self.transaction():
                subscription = request.header(SUBSCRIPTION_HEADER)
                if not subscription:
                    return gateway(401, MISSING_SUBSCRIPTION)
                owner = next((a for a in self.accounts.values() if a.subscription_key == subscription), None)
                if owner is None:
                    return gateway(401, INVALID_SUBSCRIPTION)
                limited = self._rate_limited(owner)
                if limited is not None:
                    return limited
                account = next((a for a in self.accounts.values() if a.api_key == request.header(API_KEY_HEADER)),
                               None)
                if account is None:  # GUESS: the API's envelope for a missing or wrong API key
                    return envelope(401, [{"message": "Unauthorized",
                                           "details": f"The {API_KEY_HEADER} header is missing or not valid"}])
                try:
                    return handler(request, account, **groups)
                except ApiError as exc:
                    return envelope(exc.status, exc.entries)

        self.route(method, pattern, guarded)

    def _rate_limited(self, account: Account) -> SandboxResponse | None:
        """A sliding second per subscription key: beyond ``rate_limit`` calls, 429 from the gateway."""
        now = self._now()
        window = self._calls.setdefault(account.subscription_key, deque())
        while window and window[0] <= now - timedelta(seconds=1):
            window.popleft()
        if len(window) >= account.rate_limit:
            sends = account.retry_after is not None and not self.speaks("retry-after", "absent")
            headers = {"Retry-After": str(account.retry_after)} if sends else None
            return gateway(429, RATE_LIMITED.format(seconds=account.retry_after or 1), headers)
        window.append(now)
        return None

    # --- accounts (Python API) ---------------------------------------------------------------------------------------

    def add_account(self, account_id: str | None = None, *, name: str = "Demo Starshipit account",
                    api_key: str | None = None, subscription_key: str | None = None, tier: str = "developer",
                    rate_limit: int | None = None, retry_after: int | None = 1, webhook_url: str | None = None,
                    webhook_secret: str | None = None) -> Account:
        if tier not in RATE_LIMITS:
            raise ControlError(f"tier must be one of {', '.join(RATE_LIMITS)}")
        account = Account(id=account_id or secrets.token_hex(4), name=name,
                          api_key=api_key or secrets.token_hex(16), subscription_key=subscription_key
                          or secrets.token_hex(16), tier=tier, rate_limit=rate_limit or RATE_LIMITS[tier],
                          retry_after=retry_after, webhook_url=webhook_url, webhook_secret=webhook_secret)
        with self.transaction():
            for other in self.accounts.values():
                if other.id != account.id and account.api_key in (other.api_key, other.subscription_key):
                    raise ControlError("that API key belongs to another account")
            self.accounts[account.id] = account
        return account

    def account(self, account_id: str) -> Account:
        found = self.accounts.get(account_id)
        if found is None:
            raise ControlError(f"unknown account {account_id}", 404)
        return found

    def set_webhook(self, account_id: str, url: str | None, secret: str | None = None) -> Account:
        """Settings → Tracking & notifications: the notification URL (None removes it) and its secret key."""
        with self.transaction():
            account = self.account(account_id)
            account.webhook_url, account.webhook_secret = url, secret if url else None
            return account

    def regenerate_api_key(self, account_id: str, api_key: str | None = None) -> Account:
        """Settings → API → Regenerate: the old key stops working at once."""
        with self.transaction():
            account = self.account(account_id)
            account.api_key = api_key or secrets.token_hex(16)
            return account

    def orders(self, account_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return [copy.deepcopy(order) for order in self.account(account_id).orders.values()]

    def order(self, account_id: str, order_id: int) -> dict[str, Any]:
        with self.transaction():
            found = self.account(account_id).orders.get(int(order_id))
            if found is None:
                raise ControlError(f"unknown order {order_id}", 404)
            return copy.deepcopy(found)
