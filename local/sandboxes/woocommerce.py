"""A stateful fake of WooCommerce stores: the REST API (``wc/v3``) our connector uses, webhooks as WooCommerce
delivers them, and the Shipment Tracking extension (``wc-shipment-tracking/v3``), on or off per store.

Faithful to WC-DOCS (woocommerce/woocommerce-rest-api-docs ``wp-api-v3``), WooCommerce's webhook code
(``class-wc-webhook.php``: delivery headers, signature, ping, no retry, disable after failures) and the examples in
``tests/fixtures/vendor/woocommerce/`` (SOURCES.md). Where those are silent the choice is marked GUESS.

- **Stores** live under a path prefix: store ``shop`` is ``{sandbox base URL}/shop`` (a WordPress site in a folder),
  so one sandbox serves many stores in-process (``responses``) and over HTTP alike. Its REST API is at
  ``/shop/wp-json/…`` and, as WordPress also serves it, ``/shop/?rest_route=/…``. A store in *plain permalinks*
  mode answers ``/wp-json/`` with WordPress's HTML 404 page (the REST API is then reachable only by ``rest_route``).
- **Keys**: HTTP Basic ``consumer_key:consumer_secret`` (or the same in the query string); Read, Write or
  Read/Write permissions checked by HTTP method before the route runs, with WooCommerce's own error codes and
  messages (``woocommerce_rest_authentication_error`` …), errors shaped ``{"code", "message", "data": {"status"}}``.
  GUESS/simplification: Basic auth is accepted over plain HTTP too (WooCommerce wants OAuth 1.0a there).
- **Orders**: list (``page``, ``per_page`` ≤ 100, ``status``, ``modified_after``/``before``, ``after``/``before``,
  ``dates_are_gmt``, ``orderby``, ``order``; ``X-WP-Total``/``X-WP-TotalPages``/``Link``), get, update, notes.
  Each store has a time zone (default Australia/Brisbane), so dates and their ``*_gmt`` twins differ and a client
  that forgets ``dates_are_gmt=true`` filters by the wrong time.
- **Webhooks**: CRUD (``secret`` write-only; delete needs ``force=true``); deliveries ``POST`` the order as the REST
  API shows it *when sent*, with the ``X-WC-Webhook-*`` headers and ``X-WC-Webhook-Signature`` = base64
  HMAC-SHA256 of the body (PHP ``wp_json_encode`` output: ``\\/`` and ``\\uXXXX`` escapes), never retried; a 2xx–302
  answer resets ``failure_count``, anything else increments it and a failure when it is already above
  ``max_failures`` (5) disables the webhook (so the 7th consecutive failure, as WooCommerce's code does it). Creating
  or activating a webhook sends the unsigned ping (form body ``webhook_id=N``). ``order.created`` is followed by
  ``order.updated`` for the same order (woocommerce#19764). Deliveries can be *held* and released later in any
  order, with payloads built at release (late payloads, out of order) and duplicates of a held delivery collapsed
  (Action Scheduler).
- **Control API** (``/_control/stores…``) acts as the shop: add stores and keys, place, edit and move orders,
  pause/disable/delete webhooks, hold and release deliveries, switch the tracking extension or permalinks.

Run standalone: ``python -m local.sandboxes.woocommerce --port 0`` prints the base URL.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import json
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from .base import (
    ControlError,
    Delivery,
    Sandbox,
    SandboxRequest,
    SandboxResponse,
    Sender,
    control_body,
    pick,
    serve,
    serve_until_stopped,
)
from .common import basic_credentials, finite_decimal, json_number, paginate

WC_VERSION = "8.9.3"
WP_VERSION = "6.5.5"
USER_AGENT = f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})"
ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash",
                  "checkout-draft")
WEBHOOK_STATUSES = ("active", "paused", "disabled")
WEBHOOK_TOPICS = tuple(f"{resource}.{event}" for resource in ("coupon", "customer", "order", "product")
                       for event in ("created", "updated", "deleted", "restored"))
ORDERBY = ("date", "id", "include", "title", "slug", "modified")
TRACKING_NAMESPACE = "wc-shipment-tracking/v3"
#: The namespaces a WooCommerce 8 site lists in ``GET /wp-json/`` (trimmed to the relevant ones).
BASE_NAMESPACES = ("oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc/store/v1", "wc-analytics", "wp/v2", "wp-site-health/v1")
#: A few of the extension's providers (``/shipment-trackings/providers``); USPS's and FedEx's links match the examples.
PROVIDERS: dict[str, dict[str, str]] = {
    "Australia": {
        "Australia Post": "https://auspost.com.au/mypost/track/#/details/%1$s",
        "Aramex Australia": "https://www.aramex.com.au/tools/track?l=%1$s",
        "StarTrack": "https://startrack.com.au/track/details/%1$s",
    },
    "United States": {
        "Fedex": "http://www.fedex.com/Tracking?action=track&tracknumbers=%1$s",
        "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
        "USPS": "https://tools.usps.com/tracking/%1$s",
    },
}

CANNOT = {  # the permission callbacks' codes and messages, by what was asked
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."),
}
NOT_FOUND_HTML = (b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Oops! That page "
                  b"can&rsquo;t be found.</h1></body></html>")


# --- state -----------------------------------------------------------------------------------------------------------


@dataclass
class ApiKey:
    consumer_key: str
    consumer_secret: str
    #: read, write or read_write (WooCommerce → Settings → Advanced → REST API).
    permissions: str = "read_write"
    #: The key's WordPress user may manage orders and webhooks (Shop Manager / Administrator).
    can_manage: bool = True
    user: str = "shop-admin"

    def to_json(self) -> dict[str, Any]:
        return {"consumerKey": self.consumer_key, "consumerSecret": self.consumer_secret,
                "permissions": self.permissions, "canManage": self.can_manage}


@dataclass
class Store:
    slug: str
    name: str
    home: str
    timezone: str = "Australia/Brisbane"
    currency: str = "AUD"
    #: "pretty" (``/wp-json/`` works) or "plain" (only ``?rest_route=``).
    permalinks: str = "pretty"
    shipment_tracking: bool = True
    #: The host drops the Authorization header before WordPress sees it (some shared hosts do).
    strips_authorization: bool = False
    max_failures: int = 5
    keys: dict[str, ApiKey] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    trackings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    product_ids: dict[str, int] = field(default_factory=dict)
    hold: bool = False
    #: Held deliveries: (webhook id, topic, resource id), payload built at release.
    held: list[tuple[int, str, int]] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "home": self.home, "path": f"/{self.slug}",
                "timezone": self.timezone, "currency": self.currency, "permalinks": self.permalinks,
                "shipmentTracking": self.shipment_tracking, "stripsAuthorization": self.strips_authorization,
                "maxFailures": self.max_failures, "keys": [key.to_json() for key in self.keys.values()]}


class WcError(Exception):
    """A WordPress/WooCommerce REST error: ``{"code", "message", "data": {"status", …}}``."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data


@dataclass
class _Call:
    """One REST request inside the sandbox, after routing and authentication."""

    store: Store
    request: SandboxRequest
    params: dict[str, Any]
    key: ApiKey | None


RestHandler = Callable[..., SandboxResponse]


@dataclass(frozen=True)
class _RestRoute:
    method: str
    pattern: Any
    handler: RestHandler
    #: "list" / "view" / "create" / "edit" / "delete" / "batch" (permission), or "" for public routes.
    needs: str
    namespace: str


def php_json(value: Any) -> bytes:
    """JSON the way WordPress writes it (``wp_json_encode``): ASCII with ``\\uXXXX`` escapes and ``\\/``."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse(status=status, headers={"Content-Type": "application/json; charset=UTF-8",
                                                   **(headers or {})}, body=php_json(body))


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def _decimal(value: Any, name: str) -> Decimal:
    number = finite_decimal(value)
    if number is None:
        raise ControlError(f"{name} must be a number")
    return number


# --- the sandbox -----------------------------------------------------------------------------------------------------


class WooCommerceSandbox(Sandbox):
    """Any number of WooCommerce stores, each under its own path prefix."""

    name = "woocommerce"

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        now: Callable[[], datetime] | None = None,
        seed: int | None = None,
        async_webhooks: bool | None = None,
        updated_after_created: bool = True,
    ) -> None:
        """``updated_after_created``: follow every ``order.created`` delivery with ``order.updated`` for the same
        order, as WooCommerce does at checkout (woocommerce#19764)."""
        super().__init__(sender=sender, now=now, seed=seed, async_webhooks=async_webhooks)
        self.updated_after_created = updated_after_created
        self.stores: dict[str, Store] = {}
        self._next_order = 1001
        self._next_note = 5001
        self._next_webhook = 1
        self._next_product = 101
        self._delivery_meta: dict[int, tuple[str, int]] = {}
        self._rest: list[_RestRoute] = []
        self._register_rest_routes()
        self._register_routes()

    # --- clock, errors ------------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)

    def _dates(self, store: Store, moment: datetime) -> tuple[str, str]:
        """(site-local, GMT) as WooCommerce writes them: no offset, whole seconds."""
        local = moment.astimezone(store.zone).replace(tzinfo=None).isoformat(timespec="seconds")
        return local, moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        """WooCommerce's error shape (faults use it too; a 404 outside any store is WordPress's HTML page)."""
        code = {401: "woocommerce_rest_authentication_error", 404: "rest_no_route", 429: "too_many_requests",
                405: "rest_no_route"}.get(status, "internal_server_error" if status >= 500 else "rest_error")
        return _response(status, {"code": code, "message": message, "data": {"status": status}}, headers)

    def _wc_error(self, exc: WcError) -> SandboxResponse:
        return _response(exc.status, {"code": exc.code, "message": exc.message,
                                      "data": {"status": exc.status, **exc.data}})

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.stores.clear()
            self._delivery_meta.clear()

    # --- routing ------------------------------------------------------------------------------------------------------

    def _register_routes(self) -> None:
        store = r"/(?P<store>[^/_][^/]*)"
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            self.route(method, rf"{store}/wp-json(?P<route>/.*)?", self._pretty)
            self.route(method, rf"{store}/?", self._query_route)
        s = r"/_control/stores/(?P<slug>[^/]+)"
        self.control_route("POST", r"/_control/stores", self._control_add_store)
        self.control_route("GET", r"/_control/stores", self._control_list_stores)
        self.control_route("GET", rf"{s}", self._control_get_store)
        self.control_route("PATCH", rf"{s}", self._control_configure_store)
        self.control_route("POST", rf"{s}/keys", self._control_add_key)
        self.control_route("POST", rf"{s}/orders", self._control_place_order)
        self.control_route("GET", rf"{s}/orders", self._control_list_orders)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)", self._control_get_order)
        self.control_route("PATCH", rf"{s}/orders/(?P<order_id>\d+)", self._control_edit_order)
        self.control_route("POST", rf"{s}/orders/(?P<order_id>\d+)/status", self._control_order_status)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)/notes", self._control_notes)
        self.control_route("GET", rf"{s}/orders/(?P<order_id>\d+)/trackings", self._control_trackings)
        self.control_route("GET", rf"{s}/webhooks", self._control_list_webhooks_of_store)
        self.control_route("POST", rf"{s}/webhooks/(?P<webhook_id>\d+)/status", self._control_webhook_status)
        self.control_route("DELETE", rf"{s}/webhooks/(?P<webhook_id>\d+)", self._control_delete_webhook)
        self.control_route("POST", rf"{s}/deliveries/hold", self._control_hold)
        self.control_route("POST", rf"{s}/deliveries/release", self._control_release)

    def _register_rest_routes(self) -> None:
        wc = "wc/v3"
        order = r"(?P<order_id>\d+)"
        self._rest_route("GET", r"/?", self._index, "", "")
        self._rest_route("GET", rf"/{wc}/orders", self._list_orders, "list", wc)
        self._rest_route("GET", rf"/{wc}/orders/{order}", self._get_order, "view", wc)
        for method in ("PUT", "POST", "PATCH"):
            self._rest_route(method, rf"/{wc}/orders/{order}", self._update_order, "edit", wc)
        self._rest_route("GET", rf"/{wc}/orders/{order}/notes", self._list_notes, "list", wc)
        self._rest_route("POST", rf"/{wc}/orders/{order}/notes", self._create_note, "create", wc)
        self._rest_route("GET", rf"/{wc}/webhooks", self._list_webhooks, "list", wc)
        self._rest_route("POST", rf"/{wc}/webhooks", self._create_webhook, "create", wc)
        self._rest_route("POST", rf"/{wc}/webhooks/batch", self._batch_webhooks, "batch", wc)
        hook = r"(?P<webhook_id>\d+)"
        self._rest_route("GET", rf"/{wc}/webhooks/{hook}", self._get_webhook, "view", wc)
        for method in ("PUT", "POST", "PATCH"):
            self._rest_route(method, rf"/{wc}/webhooks/{hook}", self._update_webhook, "edit", wc)
        self._rest_route("DELETE", rf"/{wc}/webhooks/{hook}", self._delete_webhook, "delete", wc)
        st = TRACKING_NAMESPACE
        self._rest_route("GET", rf"/{st}/orders/{order}/shipment-trackings", self._list_trackings, "list", st)
        self._rest_route("POST", rf"/{st}/orders/{order}/shipment-trackings", self._create_tracking, "edit", st)
        tracking = r"(?P<tracking_id>[0-9a-f]+)"
        self._rest_route("GET", rf"/{st}/orders/{order}/shipment-trackings/{tracking}", self._get_tracking, "view",
                         st)
        self._rest_route("DELETE", rf"/{st}/orders/{order}/shipment-trackings/{tracking}", self._delete_tracking,
                         "edit", st)
        self._rest_route("GET", rf"/{st}/shipment-trackings/providers", self._providers, "", st)

    def _rest_route(self, method: str, pattern: str, handler: RestHandler, needs: str, namespace: str) -> None:
        import re

        self._rest.append(_RestRoute(method, re.compile(pattern), handler, needs, namespace))

    def _pretty(self, request: SandboxRequest, store: str, route: str | None = None) -> SandboxResponse:
        found = self.stores.get(store)
        if found is None or found.permalinks == "plain":
            # WordPress renders its theme's 404 page: HTML, not a REST error.
            return SandboxResponse(status=404, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=NOT_FOUND_HTML)
        return self._rest_call(request, found, route or "/")

    def _query_route(self, request: SandboxRequest, store: str) -> SandboxResponse:
        found = self.stores.get(store)
        if found is None:
            return SandboxResponse(status=404, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=NOT_FOUND_HTML)
        route = request.param("rest_route")
        if route is None:
            return SandboxResponse(status=200, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=f"<html><body><h1>{found.name}</h1></body></html>".encode())
        return self._rest_call(request, found, route)

    def _rest_call(self, request: SandboxRequest, store: Store, route: str) -> SandboxResponse:
        try:
            with self.transaction():
                key = self._authenticate(request, store)
                for rest in self._rest:
                    match = rest.pattern.fullmatch(route)
                    if match is None:
                        continue
                    if rest.namespace == TRACKING_NAMESPACE and not store.shipment_tracking:
                        continue
                    if rest.method != request.method:
                        continue
                    if rest.needs:
                        self._permit(key, rest.needs)
                    params = {k: (v if len(v) > 1 or k.endswith("[]") else v[0]) for k, v in request.query.items()}
                    if request.body.strip():
                        params.update(self._body(request))
                    return rest.handler(_Call(store, request, params, key), **match.groupdict())
                raise WcError(404, "rest_no_route", "No route was found matching the URL and request method.")
        except WcError as exc:
            return self._wc_error(exc)

    @staticmethod
    def _body(request: SandboxRequest) -> dict[str, Any]:
        content_type = (request.header("Content-Type") or "").lower()
        if "application/x-www-form-urlencoded" in content_type:
            return request.form()
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise WcError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise WcError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return body

    # --- authentication (WC_REST_Authentication) ----------------------------------------------------------------------

    def _authenticate(self, request: SandboxRequest, store: Store) -> ApiKey | None:
        consumer_key = consumer_secret = None
        decoded = None if store.strips_authorization else basic_credentials(request.header("Authorization"))
        if decoded is not None:
            consumer_key, _, consumer_secret = decoded.partition(":")
        if not consumer_key:
            consumer_key = request.param("consumer_key")
            consumer_secret = request.param("consumer_secret")
        if not consumer_key:
            return None
        key = store.keys.get(consumer_key)
        if key is None:
            raise WcError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not hmac.compare_digest(key.consumer_secret, consumer_secret or ""):
            raise WcError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if request.method in ("GET", "HEAD") and key.permissions not in ("read", "read_write"):
            raise WcError(401, "woocommerce_rest_authentication_error",
                          "The API key provided does not have read permissions.")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and key.permissions not in ("write", "read_write"):
            raise WcError(401, "woocommerce_rest_authentication_error",
                          "The API key provided does not have write permissions.")
        return key

    @staticmethod
    def _permit(key: ApiKey | None, needs: str) -> None:
        if key is not None and key.can_manage:
            return
        code, message = CANNOT[needs]
        # rest_authorization_required_code(): 401 when nobody is logged in, 403 when the user lacks the capability.
        raise WcError(401 if key is None else 403, code, message)

    # --- index --------------------------------------------------------------------------------------------------------

    def _index(self, call: _Call) -> SandboxResponse:
        store = call.store
        namespaces = list(BASE_NAMESPACES) + ([TRACKING_NAMESPACE] if store.shipment_tracking else [])
        offset = store.zone.utcoffset(self._now().replace(tzinfo=None)) or timedelta(0)
        return _response(200, {
            "name": store.name, "description": "Just another WordPress site", "url": store.home,
            "home": store.home, "gmt_offset": offset.total_seconds() / 3600, "timezone_string": store.timezone,
            "namespaces": namespaces, "authentication": [],
            "routes": {f"/{ns}": {"namespace": ns} for ns in namespaces},
        })

    # --- orders -------------------------------------------------------------------------------------------------------

    def _order(self, store: Store, order_id: str | int, code: str = "woocommerce_rest_shop_order_invalid_id"
               ) -> dict[str, Any]:
        order = store.orders.get(int(order_id))
        if order is None or order["status"] == "checkout-draft":
            raise WcError(404, code, "Invalid ID.")
        return order

    def order_json(self, store: Store, order: dict[str, Any]) -> dict[str, Any]:
        """An order as the REST API (and a webhook) shows it now."""
        shown = copy.deepcopy(order)
        shown["_links"] = {
            "self": [{"href": f"{store.home}/wp-json/wc/v3/orders/{order['id']}"}],
            "collection": [{"href": f"{store.home}/wp-json/wc/v3/orders"}],
        }
        return shown

    def _get_order(self, call: _Call, order_id: str) -> SandboxResponse:
        return _response(200, self.order_json(call.store, self._order(call.store, order_id)))

    def _list_orders(self, call: _Call) -> SandboxResponse:
        store, params = call.store, call.params
        per_page = self._int_param(params, "per_page", 10, 1, 100)
        page = self._int_param(params, "page", 1, 1, None)
        gmt = str(params.get("dates_are_gmt", "false")).lower() in ("1", "true")
        statuses = params.get("status") or params.get("status[]") or "any"
        wanted = statuses if isinstance(statuses, list) else str(statuses).split(",")
        for status in wanted:
            if status != "any" and status not in ORDER_STATUSES:
                raise self._invalid("status", f"status[0] is not one of any, {', '.join(ORDER_STATUSES)}.")
        orderby = str(params.get("orderby", "date"))
        if orderby not in ORDERBY:
            raise self._invalid("orderby", f"orderby is not one of {', '.join(ORDERBY)}.")
        direction = str(params.get("order", "desc"))
        if direction not in ("asc", "desc"):
            raise self._invalid("order", "order is not one of asc and desc.")
        bounds = {name: self._date_param(store, params, name, gmt)
                  for name in ("after", "before", "modified_after", "modified_before")}
        orders = [o for o in store.orders.values() if o["status"] != "checkout-draft"]
        if "any" not in wanted:
            orders = [o for o in orders if o["status"] in wanted]
        else:
            orders = [o for o in orders if o["status"] != "trash"]

        def moment(order: dict[str, Any], name: str) -> datetime:
            return datetime.fromisoformat(order[name]).replace(tzinfo=UTC)

        for name, bound in bounds.items():
            if bound is None:
                continue
            stamp = "date_modified_gmt" if name.startswith("modified") else "date_created_gmt"
            after = name.endswith("after")
            orders = [o for o in orders if (moment(o, stamp) > bound if after else moment(o, stamp) < bound)]
        sort_key = {"id": lambda o: o["id"], "modified": lambda o: (o["date_modified_gmt"], o["id"])}.get(
            orderby, lambda o: (o["date_created_gmt"], o["id"]))
        orders.sort(key=sort_key, reverse=direction == "desc")
        total = len(orders)
        chunk, pages = paginate(orders, page, per_page)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        base = f"{store.home}/wp-json/wc/v3/orders"
        query = {k: v for k, v in params.items() if k not in ("page", "consumer_key", "consumer_secret")
                 and isinstance(v, str)}
        if page > 1:
            links.append(f'<{base}?{urlencode({**query, "page": page - 1})}>; rel="prev"')
        if page < pages:
            links.append(f'<{base}?{urlencode({**query, "page": page + 1})}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return _response(200, [self.order_json(store, order) for order in chunk], headers)

    @staticmethod
    def _invalid(name: str, reason: str) -> WcError:
        return WcError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: reason})

    def _int_param(self, params: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
        raw = params.get(name)
        if raw is None:
            return default
        try:
            value = int(str(raw))
        except ValueError:
            raise self._invalid(name, f"{name} is not of type integer.") from None
        if value < low or (high is not None and value > high):
            raise self._invalid(name, f"{name} must be between {low} (inclusive) and {high} (inclusive)"
                                if high else f"{name} must be greater than or equal to {low}")
        return value

    def _date_param(self, store: Store, params: dict[str, Any], name: str, gmt: bool) -> datetime | None:
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        try:
            parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            raise self._invalid(name, "Invalid date.") from None
        if parsed.tzinfo is None:
            # Without dates_are_gmt WooCommerce reads the filter as the site's local time (woocommerce#19976).
            parsed = parsed.replace(tzinfo=UTC if gmt else store.zone)
        return parsed.astimezone(UTC)

    def _update_order(self, call: _Call, order_id: str) -> SandboxResponse:
        store = call.store
        order = self._order(store, order_id)
        params = call.params
        changed = False
        if "status" in params:
            status = str(params["status"])
            if status not in ORDER_STATUSES:
                raise self._invalid("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
            changed |= self._set_status(store, order, status)
        for name in ("customer_note", "billing", "shipping"):
            if name in params:
                value = params[name]
                if isinstance(value, dict) and isinstance(order.get(name), dict):
                    order[name].update({k: "" if v is None else str(v) for k, v in value.items()})
                else:
                    order[name] = "" if value is None else str(value)
                changed = True
        if changed:
            self._touch(store, order)
            self._fire(store, "order.updated", order["id"])
        return _response(200, self.order_json(store, order))

    def _set_status(self, store: Store, order: dict[str, Any], status: str) -> bool:
        before = order["status"]
        if before == status:
            return False
        order["status"] = status
        now = self._now()
        local, gmt = self._dates(store, now)
        if status == "completed":
            order["date_completed"], order["date_completed_gmt"] = local, gmt
        if status in ("processing", "completed") and not order.get("date_paid"):
            order["date_paid"], order["date_paid_gmt"] = local, gmt
        labels = {"on-hold": "On hold", "checkout-draft": "Draft"}
        self._add_note(store, order["id"], f"Order status changed from {labels.get(before, before.title())} to "
                                           f"{labels.get(status, status.title())}.", author="system")
        return True

    def _touch(self, store: Store, order: dict[str, Any]) -> None:
        local, gmt = self._dates(store, self._now())
        order["date_modified"], order["date_modified_gmt"] = local, gmt

    # --- notes --------------------------------------------------------------------------------------------------------

    def _add_note(self, store: Store, order_id: int, note: str, *, customer_note: bool = False,
                  author: str = "system") -> dict[str, Any]:
        local, gmt = self._dates(store, self._now())
        entry = {"id": self._next_note, "author": author, "date_created": local, "date_created_gmt": gmt,
                 "note": note, "customer_note": customer_note}
        self._next_note += 1
        store.notes.setdefault(order_id, []).append(entry)
        return entry

    def _note_json(self, store: Store, order_id: int, note: dict[str, Any]) -> dict[str, Any]:
        base = f"{store.home}/wp-json/wc/v3/orders/{order_id}"
        return {**note, "_links": {"self": [{"href": f"{base}/notes/{note['id']}"}],
                                   "collection": [{"href": f"{base}/notes"}], "up": [{"href": base}]}}

    def _list_notes(self, call: _Call, order_id: str) -> SandboxResponse:
        order = self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")
        kind = str(call.params.get("type", "any"))
        notes = [n for n in call.store.notes.get(order["id"], [])
                 if kind == "any" or (kind == "customer") == bool(n["customer_note"])]
        return _response(200, [self._note_json(call.store, order["id"], n) for n in reversed(notes)])

    def _create_note(self, call: _Call, order_id: str) -> SandboxResponse:
        order = self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")
        note = call.params.get("note")
        if not isinstance(note, str) or not note.strip():
            raise WcError(400, "rest_missing_callback_param", "Missing parameter(s): note", params=["note"])
        assert call.key is not None
        entry = self._add_note(call.store, order["id"], note, customer_note=bool(call.params.get("customer_note")),
                               author=call.key.user)
        return _response(201, self._note_json(call.store, order["id"], entry))

    # --- webhooks -----------------------------------------------------------------------------------------------------

    def _webhook(self, store: Store, webhook_id: str | int) -> dict[str, Any]:
        hook = store.webhooks.get(int(webhook_id))
        if hook is None:
            raise WcError(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
        return hook

    def webhook_json(self, store: Store, hook: dict[str, Any]) -> dict[str, Any]:
        """What the REST API shows (``secret`` is write-only; ``failure_count`` is not shown either)."""
        resource, event = hook["topic"].split(".", 1)
        shown = {key: hook[key] for key in ("id", "name", "status", "topic")}
        shown.update({
            "resource": resource, "event": event, "hooks": self._hooks(hook["topic"]),
            "delivery_url": hook["delivery_url"], "date_created": hook["date_created"],
            "date_created_gmt": hook["date_created_gmt"], "date_modified": hook["date_modified"],
            "date_modified_gmt": hook["date_modified_gmt"],
            "_links": {"self": [{"href": f"{store.home}/wp-json/wc/v3/webhooks/{hook['id']}"}],
                       "collection": [{"href": f"{store.home}/wp-json/wc/v3/webhooks"}]},
        })
        return shown

    @staticmethod
    def _hooks(topic: str) -> list[str]:
        return {"order.created": ["woocommerce_new_order"],
                "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
                "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
                "order.restored": ["untrashed_post", "woocommerce_untrash_order"]}.get(topic, [])

    def _list_webhooks(self, call: _Call) -> SandboxResponse:
        per_page = self._int_param(call.params, "per_page", 10, 1, 100)
        page = self._int_param(call.params, "page", 1, 1, None)
        status = str(call.params.get("status", "all"))
        hooks = [h for h in call.store.webhooks.values() if status == "all" or h["status"] == status]
        hooks.sort(key=lambda h: h["id"], reverse=True)
        chunk, pages = paginate(hooks, page, per_page)
        return _response(200, [self.webhook_json(call.store, h) for h in chunk],
                         {"X-WP-Total": str(len(hooks)), "X-WP-TotalPages": str(pages)})

    def _create_webhook(self, call: _Call) -> SandboxResponse:
        hook = self._new_webhook(call.store, call.params)
        return _response(201, self.webhook_json(call.store, hook),
                         {"Location": f"/wp-json/wc/v3/webhooks/{hook['id']}"})

    def _new_webhook(self, store: Store, params: dict[str, Any]) -> dict[str, Any]:
        topic = str(params.get("topic") or "").lower()
        if topic not in WEBHOOK_TOPICS and not topic.startswith(("action.woocommerce_", "action.wc_")):
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                          "Webhook topic is required and must be valid.")
        url = str(params.get("delivery_url") or "")
        if not url.startswith(("http://", "https://")):
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                          "Webhook delivery URL must be a valid URL starting with http:// or https://.")
        status = str(params.get("status") or "active")
        if status not in WEBHOOK_STATUSES:
            raise self._invalid("status", f"status is not one of {', '.join(WEBHOOK_STATUSES)}.")
        local, gmt = self._dates(store, self._now())
        secret = params.get("secret")
        hook = {
            "id": self._next_webhook, "name": str(params.get("name") or f"Webhook created on {local}"),
            "status": status, "topic": topic, "delivery_url": url,
            # GUESS: WooCommerce defaults an absent secret to a hash of the creating user; any opaque value will do.
            "secret": str(secret) if secret else hashlib.md5(f"{store.slug}|{self._next_webhook}".encode(),
                                                             usedforsecurity=False).hexdigest(),
            "failure_count": 0, "pings": [], "date_created": local, "date_created_gmt": gmt, "date_modified": local,
            "date_modified_gmt": gmt,
        }
        self._next_webhook += 1
        store.webhooks[hook["id"]] = hook
        if status == "active":
            self._ping(store, hook)
        return hook

    def _get_webhook(self, call: _Call, webhook_id: str) -> SandboxResponse:
        return _response(200, self.webhook_json(call.store, self._webhook(call.store, webhook_id)))

    def _update_webhook(self, call: _Call, webhook_id: str) -> SandboxResponse:
        hook = self._change_webhook(call.store, self._webhook(call.store, webhook_id), call.params)
        return _response(200, self.webhook_json(call.store, hook))

    def _change_webhook(self, store: Store, hook: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if "status" in params:
            status = str(params["status"])
            if status not in WEBHOOK_STATUSES:
                raise self._invalid("status", f"status is not one of {', '.join(WEBHOOK_STATUSES)}.")
        if "topic" in params and str(params["topic"]) not in WEBHOOK_TOPICS:
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                          "Webhook topic is required and must be valid.")
        for name in ("name", "topic", "delivery_url", "secret"):
            if params.get(name):
                hook[name] = str(params[name])
        activated = False
        if "status" in params and params["status"] != hook["status"]:
            activated = params["status"] == "active"
            hook["status"] = str(params["status"])
            if activated:
                hook["failure_count"] = 0  # GUESS: re-activating starts the failure count afresh
        hook["date_modified"], hook["date_modified_gmt"] = self._dates(store, self._now())
        if activated:
            self._ping(store, hook)
        return hook

    def _delete_webhook(self, call: _Call, webhook_id: str) -> SandboxResponse:
        hook = self._webhook(call.store, webhook_id)
        if str(call.params.get("force", "false")).lower() not in ("1", "true"):
            raise WcError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
        shown = self.webhook_json(call.store, hook)
        del call.store.webhooks[hook["id"]]
        return _response(200, shown)

    def _batch_webhooks(self, call: _Call) -> SandboxResponse:
        result: dict[str, list[Any]] = {}
        for params in call.params.get("create") or []:
            result.setdefault("create", []).append(self.webhook_json(call.store, self._new_webhook(call.store,
                                                                                                   params)))
        for params in call.params.get("update") or []:
            hook = self._webhook(call.store, params.get("id", 0))
            result.setdefault("update", []).append(self.webhook_json(call.store,
                                                                     self._change_webhook(call.store, hook, params)))
        for webhook_id in call.params.get("delete") or []:
            hook = self._webhook(call.store, webhook_id)
            result.setdefault("delete", []).append(self.webhook_json(call.store, hook))
            del call.store.webhooks[hook["id"]]
        return _response(200, result or [])

    # --- deliveries ---------------------------------------------------------------------------------------------------

    def _ping(self, store: Store, hook: dict[str, Any]) -> None:
        body = f"webhook_id={hook['id']}".encode()
        delivery = self.queue_webhook(hook["delivery_url"], {"Content-Type": "application/x-www-form-urlencoded",
                                                             "User-Agent": USER_AGENT}, body)
        hook["pings"].append(delivery)

    def _fire(self, store: Store, topic: str, order_id: int) -> None:
        """Deliver ``topic`` for an order to every active webhook of the store that takes it."""
        topics = [topic] + (["order.updated"] if topic == "order.created" and self.updated_after_created else [])
        for each in topics:
            for hook in list(store.webhooks.values()):
                if hook["status"] != "active" or hook["topic"] != each:
                    continue
                if store.hold:
                    pending = (hook["id"], each, order_id)
                    if pending not in store.held:  # Action Scheduler keeps one pending action per webhook + arg
                        store.held.append(pending)
                    continue
                self._deliver(store, hook, each, order_id)

    def _deliver(self, store: Store, hook: dict[str, Any], topic: str, order_id: int) -> Delivery:
        order = store.orders.get(order_id)
        payload: Any = {"id": order_id} if order is None or topic == "order.deleted" else \
            self.order_json(store, order)
        body = php_json(payload)
        resource, event = topic.split(".", 1)
        signature = base64.b64encode(hmac.new(hook["secret"].encode("utf-8"), body, hashlib.sha256).digest())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": store.home.rstrip("/") + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature.decode("ascii"),
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": secrets.token_hex(16),
        }
        delivery = self.queue_webhook(hook["delivery_url"], headers, body)
        self._delivery_meta[id(delivery)] = (store.slug, hook["id"])
        return delivery

    def _send_now(self, delivery: Delivery) -> None:
        super()._send_now(delivery)
        with self.transaction():
            meta = self._delivery_meta.pop(id(delivery), None)
            if meta is None:
                return
            store = self.stores.get(meta[0])
            hook = store.webhooks.get(meta[1]) if store else None
            if hook is None:
                return
            # WC_Webhook::log_delivery: 200–302 is a success; anything else (a timeout too) is a failure. No retry.
            if delivery.status is not None and 200 <= delivery.status < 303:
                hook["failure_count"] = 0
            elif hook["failure_count"] > (store.max_failures if store else 5):
                hook["status"] = "disabled"
            else:
                hook["failure_count"] += 1

    def release_deliveries(self, slug: str, *, order: str = "fifo") -> int:
        """Send the held deliveries (payloads built now, as late as WooCommerce builds them)."""
        with self.transaction():
            store = self.store(slug)
            held, store.held = list(store.held), []
            store.hold = False
            if order == "reverse":
                held.reverse()
            elif order == "random":
                self.random.shuffle(held)
            sent = 0
            for webhook_id, topic, order_id in held:
                hook = store.webhooks.get(webhook_id)
                if hook is not None and hook["status"] == "active":
                    self._deliver(store, hook, topic, order_id)
                    sent += 1
            return sent

    def hold_deliveries(self, slug: str) -> None:
        """Queue deliveries instead of sending them (WP-Cron not running), until :meth:`release_deliveries`."""
        with self.transaction():
            self.store(slug).hold = True

    # --- Shipment Tracking extension ----------------------------------------------------------------------------------

    def _tracking_json(self, store: Store, order_id: int, row: dict[str, Any]) -> dict[str, Any]:
        provider = row["tracking_provider"] or row["custom_tracking_provider"]
        link = row["custom_tracking_link"] or self._provider_link(row["tracking_provider"])
        base = f"{store.home}/wp-json/{TRACKING_NAMESPACE}/orders/{order_id}/shipment-trackings"
        return {
            "tracking_id": row["tracking_id"],
            "tracking_provider": provider,
            "tracking_link": link.replace("%1$s", row["tracking_number"]) if link else "",
            "tracking_number": row["tracking_number"],
            "date_shipped": row["date_shipped"],
            "_links": {"self": [{"href": f"{base}/{row['tracking_id']}"}], "collection": [{"href": base}],
                       "up": [{"href": f"{store.home}/wp-json/wc/v3/orders/{order_id}"}]},
        }

    @staticmethod
    def _provider_link(name: str) -> str:
        for providers in PROVIDERS.values():
            if name in providers:
                return providers[name]
        return ""

    def _tracking_order(self, call: _Call, order_id: str) -> dict[str, Any]:
        # GUESS: the extension answers an unknown order like WooCommerce does.
        return self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")

    def _list_trackings(self, call: _Call, order_id: str) -> SandboxResponse:
        order = self._tracking_order(call, order_id)
        rows = call.store.trackings.get(order["id"], [])
        return _response(200, [self._tracking_json(call.store, order["id"], row) for row in rows])

    def _create_tracking(self, call: _Call, order_id: str) -> SandboxResponse:
        order = self._tracking_order(call, order_id)
        params = call.params
        number = str(params.get("tracking_number") or "").strip()
        if not number:
            raise WcError(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number",
                          params=["tracking_number"])
        provider = str(params.get("tracking_provider") or "")
        custom = str(params.get("custom_tracking_provider") or "")
        if provider and not self._provider_link(provider):
            # GUESS: an unknown provider name is kept as a custom provider without a link.
            provider, custom = "", custom or provider
        shipped = str(params.get("date_shipped") or self._now().astimezone(call.store.zone).date().isoformat())
        try:
            datetime.strptime(shipped, "%Y-%m-%d")
        except ValueError:
            raise self._invalid("date_shipped", "date_shipped must be a date (YYYY-MM-DD).") from None
        row = {
            "tracking_id": hashlib.md5(f"{number}{provider}{custom}{self._now().isoformat()}".encode(),
                                       usedforsecurity=False).hexdigest(),
            "tracking_number": number, "tracking_provider": provider, "custom_tracking_provider": custom,
            "custom_tracking_link": str(params.get("custom_tracking_link") or ""), "date_shipped": shipped,
        }
        call.store.trackings.setdefault(order["id"], []).append(row)
        shown = self._tracking_json(call.store, order["id"], row)
        return _response(201, shown, {"Location": shown["_links"]["self"][0]["href"]})

    def _find_tracking(self, call: _Call, order_id: str, tracking_id: str) -> tuple[int, dict[str, Any]]:
        order = self._tracking_order(call, order_id)
        for row in call.store.trackings.get(order["id"], []):
            if row["tracking_id"] == tracking_id:
                return order["id"], row
        raise WcError(404, "woocommerce_rest_shipment_tracking_invalid_id", "Invalid tracking ID.")  # GUESS

    def _get_tracking(self, call: _Call, order_id: str, tracking_id: str) -> SandboxResponse:
        found_order, row = self._find_tracking(call, order_id, tracking_id)
        return _response(200, self._tracking_json(call.store, found_order, row))

    def _delete_tracking(self, call: _Call, order_id: str, tracking_id: str) -> SandboxResponse:
        found_order, row = self._find_tracking(call, order_id, tracking_id)
        call.store.trackings[found_order].remove(row)
        return _response(200, self._tracking_json(call.store, found_order, row))  # GUESS: the deleted item

    def _providers(self, call: _Call) -> SandboxResponse:
        return _response(200, PROVIDERS)

    # --- what the shop does (Python API) ------------------------------------------------------------------------------

    def add_store(self, slug: str | None = None, *, name: str = "Demo Store", home: str | None = None,
                  timezone: str = "Australia/Brisbane", currency: str = "AUD", shipment_tracking: bool = True,
                  permalinks: str = "pretty", strips_authorization: bool = False, max_failures: int = 5,
                  consumer_key: str | None = None, consumer_secret: str | None = None) -> Store:
        """A store with one Read/Write key (given or generated). ``home`` is the URL the store reports."""
        slug = slug or f"shop-{secrets.token_hex(3)}"
        if not slug.replace("-", "").replace("_", "").isalnum() or slug.startswith("_"):
            raise ControlError("slug must be letters, digits, - and _")
        if permalinks not in ("pretty", "plain"):
            raise ControlError("permalinks must be pretty or plain")
        ZoneInfo(timezone)
        store = Store(slug=slug, name=name, home=(home or f"https://{slug}.example.test").rstrip("/"),
                      timezone=timezone, currency=currency, shipment_tracking=shipment_tracking,
                      permalinks=permalinks, strips_authorization=strips_authorization, max_failures=max_failures)
        with self.transaction():
            if slug in self.stores:
                raise ControlError(f"store {slug} exists already")
            self.stores[slug] = store
            self.add_key(slug, consumer_key=consumer_key, consumer_secret=consumer_secret)
        return store

    def store(self, slug: str) -> Store:
        found = self.stores.get(slug)
        if found is None:
            raise ControlError(f"unknown store {slug}", 404)
        return found

    def add_key(self, slug: str, *, permissions: str = "read_write", can_manage: bool = True,
                consumer_key: str | None = None, consumer_secret: str | None = None) -> ApiKey:
        if permissions not in ("read", "write", "read_write"):
            raise ControlError("permissions must be read, write or read_write")
        key = ApiKey(consumer_key=consumer_key or f"ck_{secrets.token_hex(20)}",
                     consumer_secret=consumer_secret or f"cs_{secrets.token_hex(20)}", permissions=permissions,
                     can_manage=can_manage)
        with self.transaction():
            self.store(slug).keys[key.consumer_key] = key
        return key

    def configure_store(self, slug: str, *, shipment_tracking: bool | None = None, permalinks: str | None = None,
                        strips_authorization: bool | None = None, max_failures: int | None = None) -> Store:
        with self.transaction():
            store = self.store(slug)
            if shipment_tracking is not None:
                store.shipment_tracking = bool(shipment_tracking)
            if permalinks is not None:
                if permalinks not in ("pretty", "plain"):
                    raise ControlError("permalinks must be pretty or plain")
                store.permalinks = permalinks
            if strips_authorization is not None:
                store.strips_authorization = bool(strips_authorization)
            if max_failures is not None:
                store.max_failures = int(max_failures)
            return store

    def place_order(self, slug: str, line_items: list[dict[str, Any]], *, status: str = "processing",
                    billing: dict[str, Any] | None = None, shipping: dict[str, Any] | None = None,
                    customer_note: str = "", shipping_method: tuple[str, str, str] | None = ("flat_rate:1",
                                                                                             "Flat rate", "10.00"),
                    currency: str | None = None, number: str | None = None) -> dict[str, Any]:
        """A checkout: the order, then ``order.created`` (and ``order.updated``) to the store's webhooks.

        ``line_items``: ``[{sku, quantity, name?, price?}]`` (``sku`` may be ``""``: a product without a SKU).
        ``shipping_method``: ``(method_id, title, total)``, e.g. ``("local_pickup:3", "Local pickup", "0.00")``.
        """
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        if not line_items:
            raise ControlError("an order needs at least one line")
        with self.transaction():
            store = self.store(slug)
            currency = currency or store.currency
            now = self._now()
            local, gmt = self._dates(store, now)
            order_id = self._next_order
            self._next_order += 1
            lines = [self._line(store, order_id, index, line) for index, line in enumerate(line_items)]
            shipping_lines = []
            if shipping_method:
                method_id, title, total = shipping_method
                shipping_lines.append({"id": order_id * 100 + 99, "method_title": title, "method_id": method_id,
                                       "instance_id": method_id.partition(":")[2] or "0", "total": total,
                                       "total_tax": "0.00", "taxes": [], "meta_data": []})
            items_total = sum((Decimal(line["total"]) for line in lines), Decimal(0))
            shipping_total = sum((Decimal(s["total"]) for s in shipping_lines), Decimal(0))
            default_billing = {"first_name": "Jane", "last_name": "Citizen", "company": "",
                               "address_1": "1 Example Street", "address_2": "", "city": "Brisbane", "state": "QLD",
                               "postcode": "4000", "country": "AU", "email": "jane@example.com",
                               "phone": "+61 400 000 000"}
            bill = {**default_billing, **{k: "" if v is None else str(v) for k, v in (billing or {}).items()}}
            default_shipping = {k: bill[k] for k in ("first_name", "last_name", "company", "address_1", "address_2",
                                                     "city", "state", "postcode", "country")} | {"phone": ""}
            ship = {**default_shipping, **{k: "" if v is None else str(v) for k, v in (shipping or {}).items()}}
            order: dict[str, Any] = {
                "id": order_id, "parent_id": 0, "number": number or str(order_id),
                "order_key": f"wc_order_{secrets.token_hex(7)}", "created_via": "checkout", "version": WC_VERSION,
                "status": "pending", "currency": currency, "date_created": local, "date_created_gmt": gmt,
                "date_modified": local, "date_modified_gmt": gmt, "discount_total": "0.00", "discount_tax": "0.00",
                "shipping_total": _money(shipping_total), "shipping_tax": "0.00", "cart_tax": "0.00",
                "total": _money(items_total + shipping_total), "total_tax": "0.00", "prices_include_tax": False,
                "customer_id": 0, "customer_ip_address": "127.0.0.1", "customer_user_agent": "sandbox",
                "customer_note": customer_note, "billing": bill, "shipping": ship, "payment_method": "bacs",
                "payment_method_title": "Direct bank transfer", "transaction_id": "", "date_paid": None,
                "date_paid_gmt": None, "date_completed": None, "date_completed_gmt": None, "cart_hash": "",
                "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": shipping_lines,
                "fee_lines": [], "coupon_lines": [], "refunds": [],
            }
            store.orders[order_id] = order
            if status != "pending":
                self._set_status(store, order, status)
            self._fire(store, "order.created", order_id)
            return self.order_json(store, order)

    def _line(self, store: Store, order_id: int, index: int, line: dict[str, Any]) -> dict[str, Any]:
        sku = str(line.get("sku") or "")
        quantity = int(line.get("quantity", 1))
        if quantity < 1:
            raise ControlError("quantity must be at least 1")
        price = _decimal(line.get("price", "10.00"), "price")
        name = str(line.get("name") or (f"Product {sku}" if sku else "Product without SKU"))
        product_key = sku or name
        if product_key not in store.product_ids:
            store.product_ids[product_key] = self._next_product
            self._next_product += 1
        total = _money(price * quantity)
        return {"id": order_id * 100 + index, "name": name, "product_id": store.product_ids[product_key],
                "variation_id": 0, "quantity": quantity, "tax_class": "", "subtotal": total, "subtotal_tax": "0.00",
                "total": total, "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": sku,
                "price": json_number(price)}

    def set_order_status(self, slug: str, order_id: int, status: str) -> dict[str, Any]:
        """The shop moves an order (e.g. payment clears: pending → processing), firing ``order.updated``."""
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        with self.transaction():
            store = self.store(slug)
            order = self._control_order(store, order_id)
            if self._set_status(store, order, status):
                self._touch(store, order)
                self._fire(store, "order.updated", order["id"])
            return self.order_json(store, order)

    def edit_order(self, slug: str, order_id: int, *, line_items: list[dict[str, Any]] | None = None,
                   shipping: dict[str, Any] | None = None, customer_note: str | None = None) -> dict[str, Any]:
        """An admin edits an order (quantities, address, note), firing ``order.updated``."""
        with self.transaction():
            store = self.store(slug)
            order = self._control_order(store, order_id)
            if line_items is not None:
                order["line_items"] = [self._line(store, order["id"], i, line) for i, line in enumerate(line_items)]
                items_total = sum((Decimal(line["total"]) for line in order["line_items"]), Decimal(0))
                order["total"] = _money(items_total + Decimal(order["shipping_total"]))
            if shipping is not None:
                order["shipping"].update({k: "" if v is None else str(v) for k, v in shipping.items()})
            if customer_note is not None:
                order["customer_note"] = customer_note
            self._touch(store, order)
            self._fire(store, "order.updated", order["id"])
            return self.order_json(store, order)

    def _control_order(self, store: Store, order_id: int | str) -> dict[str, Any]:
        order = store.orders.get(int(order_id))
        if order is None:
            raise ControlError(f"unknown order {order_id}", 404)
        return order

    def order(self, slug: str, order_id: int) -> dict[str, Any]:
        with self.transaction():
            store = self.store(slug)
            return self.order_json(store, self._control_order(store, order_id))

    def notes(self, slug: str, order_id: int) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(self.store(slug).notes.get(int(order_id), []))

    def trackings(self, slug: str, order_id: int) -> list[dict[str, Any]]:
        with self.transaction():
            store = self.store(slug)
            return [self._tracking_json(store, int(order_id), row) for row in store.trackings.get(int(order_id), [])]

    def webhooks(self, slug: str) -> list[dict[str, Any]]:
        """Every webhook with what the REST API hides (``failure_count``, ping results), for tests."""
        with self.transaction():
            store = self.store(slug)
            return [{**self.webhook_json(store, hook), "failure_count": hook["failure_count"],
                     "pings": [ping.status for ping in hook["pings"]]} for hook in store.webhooks.values()]

    def set_webhook_status(self, slug: str, webhook_id: int, status: str) -> dict[str, Any]:
        """An admin pauses, disables or re-activates a webhook (activating pings it)."""
        with self.transaction():
            store = self.store(slug)
            hook = store.webhooks.get(int(webhook_id))
            if hook is None:
                raise ControlError(f"unknown webhook {webhook_id}", 404)
            try:
                self._change_webhook(store, hook, {"status": status})
            except WcError as exc:
                raise ControlError(exc.message) from None
            return self.webhook_json(store, hook)

    def delete_webhook(self, slug: str, webhook_id: int) -> None:
        with self.transaction():
            store = self.store(slug)
            if store.webhooks.pop(int(webhook_id), None) is None:
                raise ControlError(f"unknown webhook {webhook_id}", 404)

    # --- control routes -----------------------------------------------------------------------------------------------

    def _control_add_store(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        host = request.header("Host")
        slug = pick(body, "slug")
        home = pick(body, "home") or (f"http://{host}/{slug}" if host and slug else None)
        store = self.add_store(
            slug, name=pick(body, "name") or "Demo Store", home=home,
            timezone=pick(body, "timezone") or "Australia/Brisbane", currency=pick(body, "currency") or "AUD",
            shipment_tracking=pick(body, "shipmentTracking", "shipment_tracking") is not False,
            permalinks=pick(body, "permalinks") or "pretty",
            strips_authorization=bool(pick(body, "stripsAuthorization", "strips_authorization")),
            max_failures=int(pick(body, "maxFailures", "max_failures") or 5),
            consumer_key=pick(body, "consumerKey", "consumer_key"),
            consumer_secret=pick(body, "consumerSecret", "consumer_secret"),
        )
        if host and not pick(body, "home"):
            store.home = f"http://{host}/{store.slug}"
        return SandboxResponse.json(201, self._store_view(store, host))

    def _store_view(self, store: Store, host: str | None) -> dict[str, Any]:
        view = store.to_json()
        if host:
            view["storeUrl"] = f"http://{host}/{store.slug}"
        return view

    def _control_list_stores(self, request: SandboxRequest) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, [self._store_view(s, request.header("Host"))
                                              for s in self.stores.values()])

    def _control_get_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, self._store_view(self.store(slug), request.header("Host")))

    def _control_configure_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        store = self.configure_store(
            slug, shipment_tracking=pick(body, "shipmentTracking", "shipment_tracking"),
            permalinks=pick(body, "permalinks"),
            strips_authorization=pick(body, "stripsAuthorization", "strips_authorization"),
            max_failures=pick(body, "maxFailures", "max_failures"))
        return SandboxResponse.json(200, self._store_view(store, request.header("Host")))

    def _control_add_key(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        key = self.add_key(slug, permissions=pick(body, "permissions") or "read_write",
                           can_manage=pick(body, "canManage", "can_manage") is not False)
        return SandboxResponse.json(201, key.to_json())

    def _control_place_order(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        body = control_body(request)
        lines = pick(body, "lineItems", "line_items")
        if not isinstance(lines, list):
            raise ControlError("lineItems must be a list of {sku, quantity, name?, price?}")
        method = pick(body, "shippingMethod", "shipping_method")
        if isinstance(method, dict):
            method = (method.get("methodId") or method.get("method_id") or "flat_rate:1",
                      method.get("title") or method.get("method_title") or "Flat rate",
                      str(method.get("total") or "0.00"))
        order = self.place_order(
            slug, lines, status=pick(body, "status") or "processing", billing=pick(body, "billing"),
            shipping=pick(body, "shipping"), customer_note=pick(body, "customerNote", "customer_note") or "",
            shipping_method=tuple(method) if method else ("flat_rate:1", "Flat rate", "10.00"),  # type: ignore[arg-type]
            currency=pick(body, "currency"), number=pick(body, "number"))
        return SandboxResponse.json(201, order)

    def _control_list_orders(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        with self.transaction():
            store = self.store(slug)
            return SandboxResponse.json(200, [self.order_json(store, o) for o in store.orders.values()])

    def _control_get_order(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.order(slug, int(order_id)))

    def _control_edit_order(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(200, self.edit_order(
            slug, int(order_id), line_items=pick(body, "lineItems", "line_items"), shipping=pick(body, "shipping"),
            customer_note=pick(body, "customerNote", "customer_note")))

    def _control_order_status(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        status = pick(body, "status")
        if not status:
            raise ControlError("status is required")
        return SandboxResponse.json(200, self.set_order_status(slug, int(order_id), status))

    def _control_notes(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.notes(slug, int(order_id)))

    def _control_trackings(self, request: SandboxRequest, slug: str, order_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.trackings(slug, int(order_id)))

    def _control_list_webhooks_of_store(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.webhooks(slug))

    def _control_webhook_status(self, request: SandboxRequest, slug: str, webhook_id: str) -> SandboxResponse:
        status = pick(control_body(request), "status")
        if status not in WEBHOOK_STATUSES:
            raise ControlError(f"status must be one of {', '.join(WEBHOOK_STATUSES)}")
        return SandboxResponse.json(200, self.set_webhook_status(slug, int(webhook_id), status))

    def _control_delete_webhook(self, request: SandboxRequest, slug: str, webhook_id: str) -> SandboxResponse:
        self.delete_webhook(slug, int(webhook_id))
        return SandboxResponse.empty(204)

    def _control_hold(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        self.hold_deliveries(slug)
        return SandboxResponse.json(200, {"holding": True})

    def _control_release(self, request: SandboxRequest, slug: str) -> SandboxResponse:
        order = pick(control_body(request), "order") or "fifo"
        if order not in ("fifo", "reverse", "random"):
            raise ControlError("order must be fifo, reverse or random")
        return SandboxResponse.json(200, {"sent": self.release_deliveries(slug, order=order)})


def form_or_json(body: bytes) -> dict[str, Any]:
    """A ping's form body or a delivery's JSON body, for tests reading deliveries."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {key: values[0] for key, values in parse_qs(body.decode("utf-8")).items()}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


# --- the local stack's demo store ----------------------------------------------------------------------------------

#: The demo store of the local stack (``make run``): fixed so README commands can be pasted as they are. Local only.
DEMO_STORE = "steam-chef"
DEMO_CONSUMER_KEY = "ck_demo_steam_chef_0000000000000000000000000"
DEMO_CONSUMER_SECRET = "cs_demo_steam_chef_0000000000000000000000000"


def plugin() -> Any:
    """The local stack's plug-in (``local/plugins.py``): this sandbox with one demo store, Shipment Tracking on."""
    from ..plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        store_url = f"{ctx.sandbox_url}/{DEMO_STORE}"
        woo = ctx.sandbox
        assert isinstance(woo, WooCommerceSandbox)
        woo.add_store(DEMO_STORE, name="Steam Chef (WooCommerce demo)", home=store_url,
                      consumer_key=DEMO_CONSUMER_KEY, consumer_secret=DEMO_CONSUMER_SECRET)
        control = f"{ctx.sandbox_url}/_control/stores/{DEMO_STORE}"
        return SeedResult(
            facts={"storeUrl": store_url, "consumerKey": DEMO_CONSUMER_KEY, "consumerSecret": DEMO_CONSUMER_SECRET,
                   "control": control, "shipmentTracking": True},
            examples=[
                f"curl -s -X POST {control}/orders "
                """-d '{"lineItems":[{"sku":"SKU-1","quantity":2}],"customerNote":"Leave at reception"}'""",
                f"curl -s {control}/webhooks",
            ],
        )

    return SandboxPlugin("woocommerce", 4001, lambda sender: WooCommerceSandbox(sender=sender, async_webhooks=True),
                         seed)


# --- standalone ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the WooCommerce sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--store", help="seed one store with this slug")
    parser.add_argument("--consumer-key")
    parser.add_argument("--consumer-secret")
    args = parser.parse_args(argv)

    sandbox = WooCommerceSandbox()
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    if args.store:
        sandbox.add_store(args.store, home=f"{base_url}/{args.store}", consumer_key=args.consumer_key,
                          consumer_secret=args.consumer_secret)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
