"""The CartonCloud public API client (API reference "Last Updated 2026-05-06"; docs/wms-client.md).

- OAuth2 client credentials against ``/uaa/oauth/token`` (HTTP Basic), the bearer token cached per API client
  until a minute before it expires, refreshed once on a 401;
- ``Accept-Version: 1`` on every call;
- errors arrive as a JSON array ``[{"message", "field", "type", "details"}]`` and become named exceptions;
- ``228 Created with issues`` is a success whose order is REJECTED with ``details.errors``;
- ``422 DUPLICATE`` on ``/references/customer`` means the order exists already: the create binds to it, which is
  what makes a crash between the WMS call and our own write harmless;
- outbound-order creates draw on a shared budget of 30 per minute per API user.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, TypeAdapter, ValidationError

from ..core.context import on_reset
from ..core.errors import UpstreamAuthFailed, UpstreamError, UpstreamRejected
from ..core.http import UpstreamSession, error_for_status
from .models import (
    ApiErrorEntry,
    Consignment,
    Customer,
    OutboundOrder,
    Quote,
    QuoteRequest,
    Warehouse,
    WarehouseProduct,
    all_of,
    modified_after,
    text_equals,
)

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

UPSTREAM = "CartonCloud"
API_VERSION = "1"
#: CartonCloud's documented limit on outbound-order creates (CC-DOC "Create Outbound Order").
OUTBOUND_ORDER_CREATES_PER_MINUTE = 30
_TOKEN_MARGIN_SECONDS = 60
#: Server-managed fields of a consignment: read from a GET, never sent back in a PUT.
READ_ONLY_CONSIGNMENT_FIELDS = {"id", "version", "timestamps", "generated_from_task"}


class QuoteUnavailable(UpstreamRejected):
    """The rating engine found no rate (or warned of under-charging) for what was asked: a door answers 422 naming
    ``rates`` with what the engine said."""

    http_status = 422
    http_title = "No rate in the WMS"

    @property
    def said(self) -> str:
        return "; ".join(str(e.get("message")) for e in self.errors if e.get("message")) or self.message

    def problem_detail(self) -> str:
        return f"The WMS's rating engine has no rate for this order: {self.said}"

    def problem_errors(self) -> list[dict[str, str]]:
        return [{"field": "rates", "reason": self.said}]


@dataclass(frozen=True)
class OutboundOrderCreated:
    order: OutboundOrder
    #: 228: created, but REJECTED with ``order.details.errors`` (unknown product, not enough stock, ...).
    with_issues: bool = False
    #: The customer reference existed already (422 DUPLICATE): ``order`` is that existing order.
    already_existed: bool = False


class _TokenCache:
    """Bearer tokens per (base URL, client id, secret hash), shared by every client in this Lambda."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str], now: float) -> str | None:
        with self._lock:
            found = self._tokens.get(key)
        return found[0] if found and found[1] > now else None

    def put(self, key: tuple[str, str, str], token: str, expires_at: float) -> None:
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()

    def drop(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TOKENS = _TokenCache()
on_reset(TOKENS.clear)


class CartonCloudClient:
    def __init__(
        self,
        *,
        base_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: SecretStr,
        session: UpstreamSession | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._secret = client_secret
        #: Give the session a budget (``RateBudget``) to enforce the 30 creates/min per API client across Lambdas.
        self.http = session or UpstreamSession(UPSTREAM)
        self._clock = clock
        self._token_key = (
            self.base_url,
            client_id,
            hashlib.sha256(client_secret.get_secret_value().encode()).hexdigest(),
        )

    # --- auth ---------------------------------------------------------------------------------------------------

    def _token(self, *, refresh: bool = False) -> str:
        now = self._clock()
        if not refresh:
            cached = TOKENS.get(self._token_key, now)
            if cached:
                return cached
        response = self.http.request(
            "POST",
            f"{self.base_url}/uaa/oauth/token",
            headers={"Accept-Version": API_VERSION, "Content-Type": "application/x-www-form-urlencoded"},
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self._secret.get_secret_value()),
        )
        if response.status_code != 200:
            raise self._error(response, "POST", "/uaa/oauth/token",
                              resolution="Check the tenant's CartonCloud API client id and secret "
                                         "(CartonCloud: More > Self-Managed Integrations).")
        body = response.json()
        token = body["access_token"]
        TOKENS.put(self._token_key, token, now + float(body.get("expires_in", 3600)) - _TOKEN_MARGIN_SECONDS)
        return str(token)

    def check_credentials(self) -> None:
        """Ask for a fresh token: raises :class:`UpstreamAuthFailed` if the client id/secret are wrong."""
        self._token(refresh=True)

    # --- transport ----------------------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        budget_key: str | None = None,
        ok: tuple[int, ...] = (200, 201),
        resolution: str | None = None,
    ) -> requests.Response:
        url = f"{self.base_url}/tenants/{self.tenant_id}{path}"
        for refreshed in (False, True):
            response = self.http.request(
                method,
                url,
                json=json,
                params=params,
                budget_key=budget_key,
                headers={
                    "Authorization": f"Bearer {self._token(refresh=refreshed)}",
                    "Accept-Version": API_VERSION,
                    "Accept": "application/json",
                    **(headers or {}),
                },
            )
            if response.status_code == 401 and not refreshed:
                TOKENS.drop(self._token_key)  # revoked or expired early: one fresh token, then give up
                continue
            break
        if response.status_code not in ok:
            raise self._error(response, method, path, resolution=resolution)
        return response

    def _error(self, response: requests.Response, method: str, path: str, *, resolution: str | None = None
               ) -> UpstreamError:
        entries = parse_errors(response)
        detail = "; ".join(
            (f"{entry.field}: " if entry.field else "") + entry.message for entry in entries
        ) or response.reason or ""
        return error_for_status(
            UPSTREAM,
            response.status_code,
            method,
            f"{self.base_url}{path}",
            detail=detail,
            errors=[entry.model_dump(exclude_none=True) for entry in entries],
            resolution=resolution,
        )

    # --- outbound orders ----------------------------------------------------------------------------------------

    def create_outbound_order(self, order: OutboundOrder) -> OutboundOrderCreated:
        try:
            response = self._call(
                "POST",
                "/outbound-orders",
                json=order.to_api(),
                budget_key=f"cartoncloud#{self.client_id}#outbound-order-create",
                ok=(200, 201, 228),
            )
        except UpstreamRejected as exc:
            duplicate = duplicate_of(exc)
            if duplicate is None:
                raise
            return OutboundOrderCreated(order=self.get_outbound_order(duplicate), already_existed=True)
        return OutboundOrderCreated(
            order=OutboundOrder.model_validate(response.json()), with_issues=response.status_code == 228
        )

    def get_outbound_order(self, order_id: str) -> OutboundOrder:
        return OutboundOrder.model_validate(self._call("GET", f"/outbound-orders/{order_id}").json())

    def search_outbound_orders(self, condition: dict[str, Any], *, page_size: int = 100,
                               max_pages: int = 50) -> Iterator[OutboundOrder]:
        """Every order matching ``condition``, following ``Total-Pages``."""
        for body in self._search("/outbound-orders/search", condition, page_size=page_size, max_pages=max_pages):
            yield OutboundOrder.model_validate(body)

    def outbound_orders_modified_since(self, since: datetime, *, customer_id: str | None = None,
                                       max_pages: int = 50) -> Iterator[OutboundOrder]:
        conditions = [modified_after(since)]
        if customer_id:
            conditions.append(text_equals("/customer/id", customer_id))
        return self.search_outbound_orders(all_of(*conditions), max_pages=max_pages)

    def outbound_orders_page(self, condition: dict[str, Any], *, page: int, size: int = 100
                             ) -> tuple[list[OutboundOrder], int]:
        """One page of an outbound-order search and how many pages there are (``Total-Pages``), for callers that
        page one work item at a time (a backfill)."""
        response = self._call("POST", "/outbound-orders/search", json=condition, params={"page": page, "size": size})
        orders = [OutboundOrder.model_validate(body) for body in response.json()]
        return orders, int(response.headers.get("Total-Pages", "1") or "1")

    def find_outbound_order(self, customer_reference: str, *, customer_id: str | None = None) -> OutboundOrder | None:
        conditions = [text_equals("/references/customer", customer_reference)]
        if customer_id:
            conditions.append(text_equals("/customer/id", customer_id))
        return next(iter(self.search_outbound_orders(all_of(*conditions), max_pages=1)), None)

    # --- consignments -------------------------------------------------------------------------------------------

    def create_consignment(self, consignment: Consignment) -> Consignment:
        response = self._call("POST", "/consignments", json=consignment.to_api(), ok=(200, 201, 228))
        return Consignment.model_validate(response.json())

    def get_consignment(self, consignment_id: str) -> Consignment:
        return Consignment.model_validate(self._call("GET", f"/consignments/{consignment_id}").json())

    def update_consignment(self, consignment: Consignment) -> Consignment:
        """PUT with ``If-Match: version``; 409/412 mean someone changed it first (re-fetch and retry)."""
        if consignment.id is None or consignment.version is None:
            raise ValueError("update_consignment needs the consignment's id and version (from a get)")
        body = consignment.to_api(exclude=READ_ONLY_CONSIGNMENT_FIELDS)
        response = self._call("PUT", f"/consignments/{consignment.id}", json=body,
                              headers={"If-Match": str(consignment.version)})
        return Consignment.model_validate(response.json())

    def consignments_modified_since(self, since: datetime, *, max_pages: int = 50) -> Iterator[Consignment]:
        """Consignments modified after ``since``: the generic ``DateTimeComparisonCondition`` on
        ``/timestamps/modified/time`` the API documents for searches (its consignment search page lists other
        pointers only: UNCONFIRMED, docs/wms-notifications.md "Safety net")."""
        for body in self._search("/consignments/search", all_of(modified_after(since)), page_size=100,
                                 max_pages=max_pages):
            yield Consignment.model_validate(body)

    def consignments_matching(self, condition: dict[str, Any], *, max_pages: int = 5) -> list[Consignment]:
        """The consignments a search condition finds (e.g. ``/references/customer``: Rose Rocket's importer looks for
        a consignment it made before binding, docs/rose-rocket.md)."""
        return [Consignment.model_validate(body)
                for body in self._search("/consignments/search", condition, page_size=100, max_pages=max_pages)]

    def consignments_from_order(self, order_id: str) -> list[Consignment]:
        """The consignments generated from one outbound order (search pointer ``/generatedFromTask/id``)."""
        condition = all_of(text_equals("/generatedFromTask/id", order_id))
        return [Consignment.model_validate(body)
                for body in self._search("/consignments/search", condition, page_size=100, max_pages=5)]

    def quote(self, request: QuoteRequest) -> Quote:
        try:
            # The quote body is a consignment plus taskDate, without the resource's own type (CC-DOC example).
            response = self._call("POST", "/consignments/quote", json=request.to_api(exclude={"type"}))
        except UpstreamRejected as exc:
            if exc.status == 422:
                raise QuoteUnavailable(exc.message, upstream=UPSTREAM, status=422, errors=exc.errors,
                                       resolution="Check the rate card covers this customer, service type and "
                                                  "locations in CartonCloud, then rate again.") from None
            raise
        return Quote.model_validate(response.json())

    # --- warehouse products -------------------------------------------------------------------------------------

    def find_warehouse_products(self, customer_id: str, codes: list[str], *, chunk: int = 100
                                ) -> list[WarehouseProduct]:
        """One customer's warehouse products whose code is in ``codes`` (one search per ``chunk`` codes)."""
        found: list[WarehouseProduct] = []
        for start in range(0, len(codes), chunk):
            either = {"type": "OrCondition",
                      "conditions": [text_equals("/code", code) for code in codes[start:start + chunk]]}
            condition = all_of(text_equals("/customer/id", customer_id), either)
            found.extend(WarehouseProduct.model_validate(body) for body in
                         self._search("/warehouse-products/search", condition, page_size=chunk, max_pages=1))
        return found

    # --- customers and warehouses -------------------------------------------------------------------------------

    def list_customers(self) -> list[Customer]:
        return TypeAdapter(list[Customer]).validate_python(self._call("GET", "/customers").json())

    def get_customer(self, customer_id: str) -> Customer:
        return Customer.model_validate(self._call("GET", f"/customers/{customer_id}").json())

    def list_warehouses(self, *, customer_id: str | None = None) -> list[Warehouse]:
        """Warehouses (of one customer if given). The path is UNCONFIRMED: see docs/wms-client.md."""
        path = f"/customers/{customer_id}/warehouses" if customer_id else "/warehouses"
        return TypeAdapter(list[Warehouse]).validate_python(self._call("GET", path).json())

    # --- paging ---------------------------------------------------------------------------------------------------

    def _search(self, path: str, condition: dict[str, Any], *, page_size: int, max_pages: int
                ) -> Iterator[dict[str, Any]]:
        page = 1
        while page <= max_pages:
            response = self._call("POST", path, json=condition, params={"page": page, "size": page_size})
            yield from response.json()
            total_pages = int(response.headers.get("Total-Pages", "1") or "1")
            if page >= total_pages:
                return
            page += 1
        raise SearchTooLarge(
            f"{UPSTREAM} search {path} has more than {max_pages} pages of {page_size}",
            upstream=UPSTREAM,
            resolution="Narrow the search window (the poller retries with the same cursor).",
        )


class SearchTooLarge(UpstreamError):
    """A search would page past our safety limit; the caller narrows it."""

    retryable = True


def parse_errors(response: requests.Response) -> list[ApiErrorEntry]:
    """CartonCloud's error array (or a lone object) as models; an unreadable body gives no entries."""
    try:
        body = response.json()
    except ValueError:
        return []
    entries = body if isinstance(body, list) else [body]
    parsed = []
    for entry in entries:
        try:
            parsed.append(ApiErrorEntry.model_validate(entry))
        except ValidationError:
            continue
    return parsed


def duplicate_of(exc: UpstreamRejected) -> str | None:
    """The existing order's id when a create was refused as a duplicate customer reference."""
    if exc.status != 422:
        return None
    for entry in exc.errors:
        details = entry.get("details")
        if entry.get("type") == "DUPLICATE" and isinstance(details, dict) and details.get("duplicateId"):
            return str(details["duplicateId"])
    return None


__all__ = [
    "CartonCloudClient",
    "OutboundOrderCreated",
    "QuoteUnavailable",
    "SearchTooLarge",
    "UpstreamAuthFailed",
    "parse_errors",
]
