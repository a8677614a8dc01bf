"""The WooCommerce REST API client (``wc/v3``) and the Shipment Tracking extension (``wc-shipment-tracking/v3``).

Sources: WC-DOCS (woocommerce/woocommerce-rest-api-docs, ``source/includes/wp-api-v3``), the extension's REST pages
on woocommerce.com; examples in tests/fixtures/vendor/woocommerce/ (SOURCES.md). docs/woocommerce.md has the table.

- HTTP Basic with the consumer key and secret, over HTTPS only (``models.normalise_store_url``); when the store's
  host strips the ``Authorization`` header, the key goes in the query string instead (``query_string_auth``, found
  by :meth:`WooCommerceClient.discover`);
- every call goes through the shared HTTP policy (timeouts, retries on 429/5xx honouring ``Retry-After``) and the
  store's rate budget (WooCommerce stores on shared hosting take ~2–5 requests/s): core's ``SpacedBudget`` in
  RateBudgetTable, keyed by a digest of the store's URL, so every Lambda of the worker (up to its
  ``MaximumConcurrency``) and every configuration call together keep to ``STORE_RATE`` — a per-process budget would
  let each Lambda take the whole rate;
- errors become named exceptions with a resolution (``errors.error_from_response``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr, TypeAdapter

from ..core.context import core, on_reset
from ..core.errors import RetryableError, UpstreamError, UpstreamNotFound
from ..core.http import UpstreamSession
from ..core.integration_access import credential, sealed_credentials
from ..core.integration_record import Integration
from ..core.ratelimit import SpacedBudget, account_key
from ..core.settings import settings
from . import PLATFORM
from .errors import UPSTREAM, RouteNotFound, error_from_response
from .models import (
    TRACKING_NAMESPACE,
    OrderNote,
    ShipmentTracking,
    Webhook,
    WooOrder,
    wc_gmt_param,
)

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

API = "wc/v3"
#: WordPress core caps ``per_page`` at 100.
MAX_PER_PAGE = 100
#: Requests per second per store, across every Lambda: no second ever holds more than 3 of our calls to one store
#: (a decision, not a vendor limit: wc/v3 has none, shared hosting serves ~2–5; the `requests-per-second` assumption in
#: assumptions.py, docs/woocommerce.md "Limits we respect").
STORE_RATE = 3.0
#: How long a call made while a person waits (a configuration step) waits for the store's turn, at most.
INTERACTIVE_MAX_WAIT = 3.0


def store_budget(*, interactive: bool = False) -> SpacedBudget | None:
    """The budget every client of a store draws on (one per store, by its key), whichever Lambda it runs in; None
    where no RateBudgetTable is configured (a bare client, as in the unit tests), which every deployed function has."""
    table = settings().rate_budget_table
    if not table:
        return None
    return SpacedBudget(table, per_second=STORE_RATE,
                        max_wait=INTERACTIVE_MAX_WAIT if interactive else SpacedBudget.MAX_WAIT_SECONDS)


class TooManyPages(UpstreamError, RetryableError):
    """A listing would page past our safety limit; the caller keeps its cursor and tries again later."""


@dataclass(frozen=True)
class StoreIndex:
    """What ``GET /wp-json/`` says about the site: REST namespaces (plugins) and its time zone."""

    namespaces: list[str]
    home: str
    timezone_string: str
    gmt_offset: float

    @property
    def has_woocommerce(self) -> bool:
        return API in self.namespaces

    @property
    def tracking_namespace(self) -> str | None:
        return TRACKING_NAMESPACE if TRACKING_NAMESPACE in self.namespaces else None


class WooCommerceClient:
    def __init__(
        self,
        *,
        store_url: str,
        consumer_key: str,
        consumer_secret: SecretStr,
        session: UpstreamSession | None = None,
        query_string_auth: bool = False,
        plain_permalinks: bool = False,
    ) -> None:
        self.store_url = store_url.rstrip("/")
        self.consumer_key = consumer_key
        self._secret = consumer_secret
        self.http = session or UpstreamSession(UPSTREAM, budget=store_budget())
        self.query_string_auth = query_string_auth
        #: Reach the API as ``/?rest_route=/…`` (what WordPress serves with plain permalinks).
        self.plain_permalinks = plain_permalinks
        parts = urlsplit(self.store_url)
        #: The store's budget: a digest of its address (host and path: the store, whichever scheme reached it).
        self.budget_key = account_key(PLATFORM, f"{parts.netloc}{parts.path}")

    def __repr__(self) -> str:
        return f"WooCommerceClient(store_url={self.store_url!r}, consumer_key=…{self.consumer_key[-4:]})"

    # --- transport ----------------------------------------------------------------------------------------------

    def url(self, route: str) -> str:
        """The URL of a REST route such as ``/wc/v3/orders``."""
        if self.plain_permalinks:
            return f"{self.store_url}/?rest_route={route}"
        return f"{self.store_url}/wp-json{route}"

    def call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        ok: tuple[int, ...] = (200, 201),
        authenticate: bool = True,
    ) -> requests.Response:
        """One REST call; ``route`` includes the namespace (``/wc/v3/orders/7``)."""
        query: dict[str, Any] = dict(params or {})
        kwargs: dict[str, Any] = {}
        if authenticate and self.query_string_auth:
            query.update(consumer_key=self.consumer_key, consumer_secret=self._secret.get_secret_value())
        elif authenticate:
            kwargs["auth"] = (self.consumer_key, self._secret.get_secret_value())
        response = self.http.request(
            method,
            self.url(route),
            params=query or None,
            json=json,
            budget_key=self.budget_key,
            headers={"Accept": "application/json"},
            **kwargs,
        )
        if response.status_code not in ok:
            raise error_from_response(response, method, route)
        return response

    # --- the site ---------------------------------------------------------------------------------------------------

    def index(self) -> StoreIndex:
        """``GET /wp-json/`` (public): the namespaces of the active REST plugins and the site's time zone."""
        body = self.call("GET", "/", authenticate=False).json()
        if not isinstance(body, dict) or not isinstance(body.get("namespaces"), list):
            raise UpstreamNotFound(f"{self.store_url} answers /wp-json/ but not as a WordPress REST index",
                                   upstream=UPSTREAM, status=200)
        try:
            offset = float(body.get("gmt_offset") or 0)
        except (TypeError, ValueError):
            offset = 0.0
        return StoreIndex(namespaces=[str(n) for n in body["namespaces"]], home=str(body.get("home") or ""),
                          timezone_string=str(body.get("timezone_string") or ""), gmt_offset=offset)

    def probe_write(self) -> None:
        """An empty batch (``POST /webhooks/batch`` ``{}``), which changes nothing: WooCommerce refuses it with
        ``The API key provided does not have write permissions.`` when the key is read-only."""
        self.call("POST", f"/{API}/webhooks/batch", json={})

    # --- orders ---------------------------------------------------------------------------------------------------

    def get_order(self, order_id: int | str) -> WooOrder:
        return WooOrder.model_validate(self.call("GET", f"/{API}/orders/{order_id}").json())

    def orders_modified_since(self, since: datetime, *, status: str | None = "processing",
                              per_page: int = MAX_PER_PAGE, max_pages: int = 50) -> Iterator[WooOrder]:
        """Orders modified after ``since`` (UTC, sent with ``dates_are_gmt=true`` so the store's time zone can't
        shift the window — woocommerce#19976), oldest first, following ``X-WP-TotalPages``."""
        params: dict[str, Any] = {"modified_after": wc_gmt_param(since), "dates_are_gmt": "true",
                                  "orderby": "date", "order": "asc", "per_page": min(per_page, MAX_PER_PAGE)}
        if status:
            params["status"] = status
        page = 1
        while True:
            response = self.call("GET", f"/{API}/orders", params={**params, "page": page})
            for body in response.json():
                yield WooOrder.model_validate(body)
            total_pages = int(response.headers.get("X-WP-TotalPages") or "1")
            if page >= total_pages:
                return
            if page >= max_pages:
                raise TooManyPages(f"{UPSTREAM} order listing has more than {max_pages} pages", upstream=UPSTREAM,
                                   resolution="No action needed: the poller keeps its cursor and reads on later.")
            page += 1

    def orders_created_between(self, start: datetime, end: datetime, *, page: int, status: str = "processing",
                               per_page: int = MAX_PER_PAGE) -> tuple[list[WooOrder], int]:
        """One page of the orders created in ``[start, end)`` (UTC, ``dates_are_gmt=true``), oldest first, and the
        number of pages (``X-WP-TotalPages``): what a backfill reads. WooCommerce keeps whole seconds and its
        ``after``/``before`` are exclusive, so the bounds are widened to whole seconds that contain the window."""
        after = start.replace(microsecond=0) - timedelta(seconds=1)
        before = end.replace(microsecond=0) + timedelta(seconds=1 if end.microsecond else 0)
        params: dict[str, Any] = {"after": wc_gmt_param(after), "before": wc_gmt_param(before), "dates_are_gmt": "true",
                                  "orderby": "date", "order": "asc", "per_page": min(per_page, MAX_PER_PAGE),
                                  "page": page, "status": status}
        response = self.call("GET", f"/{API}/orders", params=params)
        orders = [WooOrder.model_validate(body) for body in response.json()]
        return orders, int(response.headers.get("X-WP-TotalPages") or "1")

    def update_order(self, order_id: int | str, fields: dict[str, Any]) -> WooOrder:
        return WooOrder.model_validate(self.call("PUT", f"/{API}/orders/{order_id}", json=fields).json())

    def order_notes(self, order_id: int | str) -> list[OrderNote]:
        body = self.call("GET", f"/{API}/orders/{order_id}/notes", params={"type": "any"}).json()
        return TypeAdapter(list[OrderNote]).validate_python(body)

    def add_order_note(self, order_id: int | str, note: str, *, customer_note: bool = False) -> OrderNote:
        body = self.call("POST", f"/{API}/orders/{order_id}/notes",
                         json={"note": note, "customer_note": customer_note}).json()
        return OrderNote.model_validate(body)

    # --- webhooks ---------------------------------------------------------------------------------------------------

    def webhooks(self, *, max_pages: int = 10) -> list[Webhook]:
        found: list[Webhook] = []
        for page in range(1, max_pages + 1):
            response = self.call("GET", f"/{API}/webhooks", params={"per_page": MAX_PER_PAGE, "page": page})
            found.extend(TypeAdapter(list[Webhook]).validate_python(response.json()))
            if page >= int(response.headers.get("X-WP-TotalPages") or "1"):
                break
        return found

    def create_webhook(self, *, name: str, topic: str, delivery_url: str, secret: SecretStr) -> Webhook:
        body = {"name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret.get_secret_value(),
                "status": "active"}
        return Webhook.model_validate(self.call("POST", f"/{API}/webhooks", json=body).json())

    def update_webhook(self, webhook_id: int, fields: dict[str, Any]) -> Webhook:
        return Webhook.model_validate(self.call("PUT", f"/{API}/webhooks/{webhook_id}", json=fields).json())

    def delete_webhook(self, webhook_id: int) -> bool:
        """Delete for good (webhooks can't be trashed: ``force=true``). False when it was already gone."""
        try:
            self.call("DELETE", f"/{API}/webhooks/{webhook_id}", params={"force": "true"})
        except UpstreamNotFound:
            return False
        return True

    # --- Shipment Tracking extension ------------------------------------------------------------------------------

    def shipment_trackings(self, order_id: int | str) -> list[ShipmentTracking]:
        """The order's tracking rows; :class:`RouteNotFound` when the extension is not active."""
        body = self.call("GET", f"/{TRACKING_NAMESPACE}/orders/{order_id}/shipment-trackings").json()
        rows = body if isinstance(body, list) else [body]
        return TypeAdapter(list[ShipmentTracking]).validate_python(rows)

    def add_shipment_tracking(self, order_id: int | str, *, number: str, carrier: str | None, link: str | None,
                              shipped: date) -> ShipmentTracking:
        """One row with a custom provider (the carrier's name as CartonCloud has it, and its tracking link)."""
        body: dict[str, Any] = {"tracking_number": number, "custom_tracking_provider": carrier or "Carrier",
                                "date_shipped": shipped.isoformat()}
        if link:
            body["custom_tracking_link"] = link
        response = self.call("POST", f"/{TRACKING_NAMESPACE}/orders/{order_id}/shipment-trackings", json=body)
        return ShipmentTracking.model_validate(response.json())

    def delete_shipment_tracking(self, order_id: int | str, tracking_id: str) -> None:
        try:
            self.call("DELETE", f"/{TRACKING_NAMESPACE}/orders/{order_id}/shipment-trackings/{tracking_id}")
        except RouteNotFound:
            raise
        except UpstreamNotFound:
            return


__all__ = ["API", "STORE_RATE", "StoreIndex", "TooManyPages", "WooCommerceClient", "client_from", "store_budget",
           "store_client"]


# --- the clients of integrations (cached per warm Lambda) -------------------------------------------------------


def store_client(integration: Integration) -> WooCommerceClient:
    """The store's client, cached per warm Lambda by the sealed credentials (a new key makes a new client)."""
    sealed = sealed_credentials(integration)
    return _client(integration.tenant_id, integration.integration_id, sealed,
                   bool(integration.platform_state.get("queryStringAuth")))


@lru_cache(maxsize=512)
def _client(tenant_id: str, integration_id: str, sealed: str, query_string_auth: bool) -> WooCommerceClient:
    credentials = core().vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id)
    return client_from(credentials, query_string_auth=query_string_auth)


on_reset(_client.cache_clear)


def client_from(credentials: Mapping[str, SecretStr], *, query_string_auth: bool = False) -> WooCommerceClient:
    return WooCommerceClient(store_url=credential(credentials, "storeUrl"),
                             consumer_key=credential(credentials, "consumerKey"),
                             consumer_secret=SecretStr(credential(credentials, "consumerSecret")),
                             query_string_auth=query_string_auth)
