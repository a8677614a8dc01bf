"""The Starshipit REST API client (``https://api.starshipit.com/api``; docs/starshipit.md has the table).

- Every call carries ``StarShipIT-Api-Key`` (selects the account) and ``Ocp-Apim-Subscription-Key`` (the
  subscription, which sets the rate limit), JSON both ways;
- every call goes through the shared HTTP policy (timeouts; retries on 429/5xx honouring ``Retry-After``, backoff
  without one) and, when given, the account's shared rate budget (:mod:`.budget`);
- errors become named exceptions with a resolution (:mod:`.errors`), including a 200 whose envelope says
  ``success: false``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from ..core.errors import RetryableError, UpstreamError
from ..core.http import UpstreamSession
from . import UPSTREAM
from .errors import (
    OrderNotFound,
    StarshipitRejected,
    entries_of,
    error_from_response,
    parse_body,
    refused,
    says_not_found,
)
from .models import NewOrder, Order, Package, ShipmentResult, as_number

DEFAULT_BASE_URL = "https://api.starshipit.com"
#: ``/api/orders/shipped`` pages hold at most 250 orders (SSI-DEV).
MAX_LIMIT = 250


def base_url() -> str:
    """Starshipit's address; ``STARSHIPIT_BASE_URL`` points a local stack at its sandbox."""
    return os.environ.get("STARSHIPIT_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def rfc3339(moment: datetime) -> str:
    """A UTC instant as Starshipit's date filters take it (``2024-05-27T06:00:00.000Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TooManyPages(UpstreamError, RetryableError):
    """A listing would page past our safety limit; the poller keeps its cursor and reads on later."""


class StarshipitClient:
    def __init__(self, *, api_key: SecretStr, subscription_key: SecretStr, session: UpstreamSession,
                 budget_key: str | None = None, base: str | None = None) -> None:
        self._api_key = api_key
        self._subscription_key = subscription_key
        self.http = session
        self.budget_key = budget_key
        self.base_url = (base or base_url()).rstrip("/")

    def __repr__(self) -> str:
        return f"StarshipitClient(base_url={self.base_url!r}, api_key=…{self._api_key.get_secret_value()[-4:]})"

    # --- transport ----------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
             ) -> dict[str, Any]:
        """One API call; ``path`` starts with ``/api/``. Returns the JSON envelope of a successful answer."""
        response = self.http.request(
            method, f"{self.base_url}{path}", params=params, json=json, budget_key=self.budget_key,
            headers={"StarShipIT-Api-Key": self._api_key.get_secret_value(),
                     "Ocp-Apim-Subscription-Key": self._subscription_key.get_secret_value(),
                     "Content-Type": "application/json", "Accept": "application/json"})
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, method, path)
        body = parse_body(response)
        if refused(body):
            entries = entries_of(body)
            detail = "; ".join(": ".join(p for p in (e.message, e.details) if p) for e in entries) or "success: false"
            raise StarshipitRejected(f"{UPSTREAM} refused {method} {path}: {detail}", status=response.status_code,
                                     entries=entries)
        return body

    # --- the account ----------------------------------------------------------------------------------------------

    def check(self) -> None:
        """A read both keys must pass (``GET /api/orders/unshipped?limit=1``): the credentials step's real call."""
        self.call("GET", "/api/orders/unshipped", params={"limit": 1})

    # --- orders ---------------------------------------------------------------------------------------------------

    def get_order(self, *, order_id: int | str | None = None, order_number: str | None = None) -> Order | None:
        """``GET /api/orders?order_id=`` or ``?order_number=``; None when there is no such order.

        How Starshipit answers for no such order is unconfirmed (assumption ``order-lookup-missing``): a 404, a 200
        without an order, or a 200 whose envelope says ``success: false`` because it found none all mean "none" —
        any other refusal is raised, so an answer we can't read never passes for "none" (which would create a
        second order)."""
        params = {"order_id": order_id} if order_id is not None else {"order_number": order_number}
        try:
            body = self.call("GET", "/api/orders", params=params)
        except OrderNotFound:
            return None
        except StarshipitRejected as exc:
            if exc.status is not None and 200 <= exc.status < 300 and says_not_found(exc.text):
                return None
            raise
        order = body.get("order")
        if isinstance(order, list):  # a public client models this as a list; take the match
            order = next((o for o in order if isinstance(o, dict)), None)
        return Order.model_validate(order) if isinstance(order, dict) else None

    def create_order(self, order: NewOrder) -> Order:
        body = self.call("POST", "/api/orders", json=order.to_api())
        made = body.get("order")
        if isinstance(made, dict):
            return Order.model_validate(made)
        # A success that doesn't echo the order: read it back by its number rather than guess its id.
        found = self.get_order(order_number=order.order_number)
        if found is None:
            raise UpstreamError(f"{UPSTREAM} accepted order {order.order_number} but it can't be read back",
                                upstream=UPSTREAM, status=200, resolution="No action needed: it is looked up again "
                                                                          "when the item is retried.")
        return found

    def shipped_page(self, since: datetime, *, page: int, limit: int = MAX_LIMIT) -> tuple[list[Order], int]:
        """One page of ``GET /api/orders/shipped?since_last_updated=`` and the number of pages."""
        body = self.call("GET", "/api/orders/shipped", params={
            "since_last_updated": rfc3339(since), "limit": min(limit, MAX_LIMIT), "page": page})
        orders = [Order.model_validate(o) for o in body.get("orders") or [] if isinstance(o, dict)]
        return orders, int(body.get("total_pages") or 1)

    def shipped_since(self, since: datetime, *, max_pages: int = 20, limit: int = MAX_LIMIT) -> Iterator[Order]:
        """Every order shipped (or re-tracked) since ``since`` (UTC), page by page; :class:`TooManyPages` past
        ``max_pages`` after yielding what was read."""
        page = 1
        while True:
            orders, pages = self.shipped_page(since, page=page, limit=limit)
            yield from orders
            if page >= pages or not orders:
                return
            if page >= max_pages:
                raise TooManyPages(f"{UPSTREAM} shipped-order listing has more than {max_pages} pages",
                                   upstream=UPSTREAM, resolution="No action needed: the poller keeps its cursor and "
                                                                 "reads on at the next poll.")
            page += 1

    # --- labels ---------------------------------------------------------------------------------------------------

    def print_label(self, order_id: int, *, reprint: bool, carrier: str | None = None,
                    carrier_service_code: str | None = None, packages: list[Package] | None = None) -> ShipmentResult:
        """``POST /api/orders/shipment``: create the shipment and its label, or (``reprint``) the label made before.

        Whether Starshipit prints with the order's own carrier when the body names only the order is unconfirmed
        (public clients always send ``carrier``, ``carrier_service_code`` and ``packages``: assumption
        ``print-label-carrier``), so callers pass the order's own, read just before: the same print either way."""
        body: dict[str, Any] = {"order_id": order_id, "reprint": reprint}
        if carrier:
            body["carrier"] = carrier
        if carrier_service_code:
            body["carrier_service_code"] = carrier_service_code
        sizes = [{k: as_number(v) for k, v in p.model_dump(include={"weight", "height", "width", "length"}).items()
                  if v is not None} for p in packages or []]
        if not reprint and sizes and all(sizes):
            body["packages"] = sizes
        return ShipmentResult.model_validate(self.call("POST", "/api/orders/shipment", json=body))


__all__ = ["DEFAULT_BASE_URL", "StarshipitClient", "TooManyPages", "base_url", "rfc3339"]
