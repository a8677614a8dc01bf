"""WooCommerce's vocabulary and the shapes the sandbox keeps: versions, statuses, topics and providers; API keys and
stores; the REST error (:class:`WcError`); one routed REST call; JSON as WordPress writes it; parameter checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from ..base import SandboxRequest, SandboxResponse

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


# --- REST calls ------------------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One REST request inside the sandbox, after routing and authentication."""

    store: Store
    request: SandboxRequest
    params: dict[str, Any]
    key: ApiKey | None


RestHandler = Callable[..., SandboxResponse]


@dataclass(frozen=True)
class RestRoute:
    method: str
    pattern: Any
    handler: RestHandler
    #: "list" / "view" / "create" / "edit" / "delete" / "batch" (permission), or "" for public routes.
    needs: str
    namespace: str


def php_json(value: Any) -> bytes:
    """JSON the way WordPress writes it (``wp_json_encode``): ASCII with ``\\uXXXX`` escapes and ``\\/``."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def rest_response(status: int, body: Any, headers: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse(status=status, headers={"Content-Type": "application/json; charset=UTF-8",
                                                   **(headers or {})}, body=php_json(body))


def invalid_param(name: str, reason: str) -> WcError:
    return WcError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: reason})


def int_param(params: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.") from None
    if value < low or (high is not None and value > high):
        raise invalid_param(name, f"{name} must be between {low} (inclusive) and {high} (inclusive)"
                            if high else f"{name} must be greater than or equal to {low}")
    return value


def form_or_json(body: bytes) -> dict[str, Any]:
    """A ping's form body or a delivery's JSON body, for tests reading deliveries."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {key: values[0] for key, values in parse_qs(body.decode("utf-8")).items()}
    return parsed if isinstance(parsed, dict) else {"value": parsed}
