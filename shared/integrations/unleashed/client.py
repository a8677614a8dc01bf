"""The Unleashed API client (``https://api.unleashedsoftware.com``; docs/unleashed.md has the table).

- **Signing** (UL-DOC "AuthenticationHelp"): ``api-auth-signature`` = Base64(HMAC-SHA256(API key, query string)),
  the query string exactly as sent, without ``?`` (``""`` when there is none; the page number is a path segment and
  not signed). The query is built here, once, and both signed and sent, so the two can't differ;
- headers ``api-auth-id``, ``Accept``/``Content-Type: application/json`` (a missing Accept is a common failure),
  ``client-type`` (lowercase ``partner/app``) and a User-Agent of our own (one public client notes Unleashed's WAF
  refuses some default agents);
- **paging**: ``/{Resource}/{page}?pageSize=`` with a ``Pagination`` envelope;
- every call goes through the shared HTTP policy (timeouts; retries on 429/5xx honouring ``Retry-After``) and is
  counted against the account's monthly budget (:mod:`.usage`), which also bounds concurrent work items.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import SecretStr

from ..core.errors import RetryableError, UpstreamError, UpstreamNotFound, UpstreamRateLimited
from ..core.http import HttpPolicy, UpstreamSession
from .dates import filter_param
from .errors import UPSTREAM, error_from_response
from .models import PLACED, Company, Pagination, SalesOrder, SalesShipment, WebhookSubscription
from .usage import METERED, account_of

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

DEFAULT_BASE_URL = "https://api.unleashedsoftware.com"
#: Unleashed asks integrators to name themselves (lowercase, no spaces; "not explicitly enforced").
CLIENT_TYPE = "cartoncloud/selfmanaged"
USER_AGENT = "cartoncloud-selfmanaged-integrations/1.0"
#: Items per page for our listings (Unleashed allows 1–1000, default 200): few calls, bounded answers.
PAGE_SIZE = 200
#: The webhook subscription API: our guess at its path (assumption ``subscription-api``: docs/unleashed.md
#: "Assumptions"); when Unleashed answers otherwise the integration runs on polling alone.
SUBSCRIPTIONS = "/webhooks/subscriptions"
#: What Unleashed's docs say every request must accept ("the Accept header is required to receive API responses").
ACCEPT = "application/json"


def base_url() -> str:
    """Unleashed's API root (``UNLEASHED_BASE_URL`` points the local stack at its sandbox)."""
    return os.environ.get("UNLEASHED_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def signature(query: str, api_key: str) -> str:
    """Base64 HMAC-SHA256 of the query string (without ``?``; ``""`` when there is none), keyed by the API key."""
    digest = hmac.new(api_key.encode("utf-8"), query.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class TooManyPages(UpstreamError, RetryableError):
    """A listing would page past our safety limit; the caller keeps its cursor and reads on later."""


class UnleashedClient:
    def __init__(self, *, api_id: str, api_key: SecretStr, session: UpstreamSession | None = None,
                 policy: HttpPolicy | None = None, root: str | None = None) -> None:
        self.api_id = api_id
        self._key = api_key
        self.root = (root or base_url()).rstrip("/")
        self.http = session or UpstreamSession(UPSTREAM, policy=policy, budget=METERED)
        #: The account in our usage keys (a digest of the API ID).
        self.account = account_of(api_id)

    def __repr__(self) -> str:
        return f"UnleashedClient(account={self.account})"

    # --- transport ----------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params: list[tuple[str, Any]] | None = None, json: Any = None,
             ok: tuple[int, ...] = (200,), accept: str = ACCEPT) -> requests.Response:
        """One signed call; ``params`` in the order they are sent (the signed string is the sent string).
        ``accept`` is for the live check's probe of what Unleashed does without JSON asked for."""
        query = urlencode([(name, value) for name, value in params or [] if value is not None])
        url = f"{self.root}{path}" + (f"?{query}" if query else "")
        headers = {
            "Accept": accept,
            "Content-Type": "application/json",
            "api-auth-id": self.api_id,
            "api-auth-signature": signature(query, self._key.get_secret_value()),
            "client-type": CLIENT_TYPE,
            "User-Agent": USER_AGENT,
        }
        try:
            response = self.http.request(method, url, budget_key=self.account, headers=headers, json=json)
        except UpstreamRateLimited as exc:
            if exc.status != 429:
                raise  # our own budget, already named
            raise UpstreamRateLimited(
                f"{exc}: Unleashed is throttling us, or the account's monthly API allowance is spent (then every app "
                "on the account is blocked until the 1st, 00:00 UTC)", upstream=UPSTREAM,
                retry_after=exc.retry_after) from None
        if response.status_code not in ok:
            raise error_from_response(response, method, path)
        return response

    @staticmethod
    def _items(body: Any) -> list[dict[str, Any]]:
        if isinstance(body, list):
            return [item for item in body if isinstance(item, dict)]
        if isinstance(body, dict):
            for name in ("Items", "items", "subscriptions"):
                if isinstance(body.get(name), list):
                    return [item for item in body[name] if isinstance(item, dict)]
            return [body]
        return []

    @staticmethod
    def _pagination(body: Any) -> Pagination:
        found = body.get("Pagination") if isinstance(body, dict) else None
        return Pagination.model_validate(found) if isinstance(found, dict) else Pagination()

    # --- the account --------------------------------------------------------------------------------------------

    def check(self) -> None:
        """One signed read of one sales order: the resource the integration needs (403 for a wrong pair)."""
        self.call("GET", "/SalesOrders/1", params=[("pageSize", 1)])

    def company(self) -> Company | None:
        """``GET /Companies``: the organisation (its name and time zone)."""
        items = self._items(self.call("GET", "/Companies").json())
        return Company.model_validate(items[0]) if items else None

    # --- sales orders -------------------------------------------------------------------------------------------

    def sales_orders(self, page: int = 1, *, status: str | None = PLACED, modified_since: datetime | None = None,
                     start: date | None = None, end: date | None = None, page_size: int = PAGE_SIZE
                     ) -> tuple[list[SalesOrder], Pagination]:
        """One page of sales orders (``orderStatus``; ``modifiedSince`` in UTC; ``startDate``/``endDate`` on the
        order date)."""
        params: list[tuple[str, Any]] = [("orderStatus", status), ("pageSize", page_size)]
        if modified_since is not None:
            params.append(("modifiedSince", filter_param(modified_since)))
        if start is not None:
            params.append(("startDate", start.isoformat()))
        if end is not None:
            params.append(("endDate", end.isoformat()))
        body = self.call("GET", f"/SalesOrders/{page}", params=params).json()
        return [SalesOrder.model_validate(item) for item in self._items(body)], self._pagination(body)

    def orders_modified_since(self, since: datetime, *, max_pages: int = 20) -> Iterator[SalesOrder]:
        """Placed orders modified after ``since`` (UTC), every page, up to ``max_pages``."""
        yield from self._paged(lambda page: self.sales_orders(page, modified_since=since), max_pages, "sales order")

    def get_sales_order(self, guid: str) -> SalesOrder:
        items = self._items(self.call("GET", f"/SalesOrders/{guid}").json())
        if not items:
            raise UpstreamNotFound(f"{UPSTREAM} has no sales order {guid}", upstream=UPSTREAM, status=200)
        return SalesOrder.model_validate(items[0])

    # --- sales shipments ----------------------------------------------------------------------------------------

    def order_shipments(self, order: SalesOrder) -> list[SalesShipment]:
        """The order's shipments. ``orderNumber`` matches like a prefix (SO-1 finds SO-10): filter exactly."""
        body = self.call("GET", "/SalesShipments/1",
                         params=[("orderNumber", order.OrderNumber), ("pageSize", 1000)]).json()
        shipments = [SalesShipment.model_validate(item) for item in self._items(body)]
        return [s for s in shipments if (s.OrderGuid == order.Guid if s.OrderGuid else
                                         s.OrderNumber == order.OrderNumber)]

    def shipments(self, page: int = 1, *, modified_since: datetime, page_size: int = PAGE_SIZE
                  ) -> tuple[list[SalesShipment], Pagination]:
        params: list[tuple[str, Any]] = [("modifiedSince", filter_param(modified_since)), ("pageSize", page_size)]
        body = self.call("GET", f"/SalesShipments/{page}", params=params).json()
        return [SalesShipment.model_validate(item) for item in self._items(body)], self._pagination(body)

    def shipments_modified_since(self, since: datetime, *, max_pages: int = 20) -> Iterator[SalesShipment]:
        yield from self._paged(lambda page: self.shipments(page, modified_since=since), max_pages, "sales shipment")

    def get_shipment(self, guid: str, *, serial_batch: bool = False) -> dict[str, Any]:
        """The shipment exactly as Unleashed sends it. Before a write-back read it with ``serial_batch``: Unleashed
        returns lines' batch and serial numbers only when asked (``serialBatch=true``, the SalesShipments page), and
        a shipment PUT back whole without them could erase them (assumption ``serial-batch``)."""
        params = [("serialBatch", "true")] if serial_batch else None
        items = self._items(self.call("GET", f"/SalesShipments/{guid}", params=params).json())
        if not items:
            raise UpstreamNotFound(f"{UPSTREAM} has no sales shipment {guid}", upstream=UPSTREAM, status=200)
        return items[0]

    def put_shipment(self, guid: str, shipment: dict[str, Any]) -> dict[str, Any]:
        """``PUT /SalesShipments/{guid}`` with the whole shipment (blank fields overwrite: GET, change, PUT)."""
        answer = self.call("PUT", f"/SalesShipments/{guid}", json=shipment, ok=(200, 201))
        items = self._items(answer.json()) if answer.content else []
        return items[0] if items else shipment

    # --- products -------------------------------------------------------------------------------------------------

    def get_product(self, guid: str) -> dict[str, Any] | None:
        """``GET /Products/{guid}`` as Unleashed sends it (None when it has no such product)."""
        try:
            items = self._items(self.call("GET", f"/Products/{guid}").json())
        except UpstreamNotFound:
            return None
        return items[0] if items else None

    # --- webhook subscriptions ----------------------------------------------------------------------------------

    def subscriptions(self) -> list[WebhookSubscription]:
        body = self.call("GET", SUBSCRIPTIONS).json()
        return [WebhookSubscription.model_validate(item) for item in self._items(body)]

    def subscribe(self, *, url: str, events: tuple[str, ...], description: str) -> WebhookSubscription:
        body = {"notificationUrl": url, "eventTypes": list(events), "description": description}
        answer = self.call("POST", SUBSCRIPTIONS, json=body, ok=(200, 201))
        return WebhookSubscription.model_validate(answer.json())

    def unsubscribe(self, subscription_id: str) -> bool:
        """False when it was already gone."""
        try:
            self.call("DELETE", f"{SUBSCRIPTIONS}/{subscription_id}", ok=(200, 204))
        except UpstreamNotFound:
            return False
        return True

    # --- paging ---------------------------------------------------------------------------------------------------

    def _paged(self, read: Any, max_pages: int, what: str) -> Iterator[Any]:
        page = 1
        while True:
            items, pagination = read(page)
            yield from items
            if page >= pagination.NumberOfPages or not items:
                return
            if page >= max_pages:
                raise TooManyPages(f"{UPSTREAM} {what} listing has more than {max_pages} pages", upstream=UPSTREAM,
                                   resolution="No action needed: the poller keeps its cursor and reads on later.")
            page += 1


__all__ = ["ACCEPT", "CLIENT_TYPE", "DEFAULT_BASE_URL", "TooManyPages", "UnleashedClient", "base_url", "signature"]
