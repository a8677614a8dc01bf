"""Named WooCommerce failures, each with what a person should do about it.

WooCommerce answers errors as ``{"code": "woocommerce_rest_…", "message": "…", "data": {"status": N}}``
(WC-DOCS "Errors"); :func:`error_from_response` turns one into the core's named error with a resolution chosen by
``code``, so the sync log says "the key is read-only: make a Read/Write key" rather than "401".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import (
    PermanentError,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamNotFound,
)
from ..core.http import error_for_status

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

UPSTREAM = "WooCommerce"

KEYS_PAGE = "WooCommerce → Settings → Advanced → REST API"
READ_ONLY_RESOLUTION = (
    f"The REST API key is read-only. In {KEYS_PAGE} create a key with Read/Write permissions, enter it in the "
    "integration's authentication step, then retry from the sync log."
)
BAD_KEY_RESOLUTION = (
    f"The consumer key or secret is wrong or was revoked. Copy them again from {KEYS_PAGE} (or create a new "
    "Read/Write key), enter them in the integration's authentication step, then retry from the sync log."
)
CAPABILITY_RESOLUTION = (
    "The WordPress user the REST API key belongs to may not do this. Create the key for a Shop Manager or "
    "Administrator user, enter it in the integration's authentication step, then retry from the sync log."
)


class RouteNotFound(UpstreamNotFound):
    """404 ``rest_no_route``: the store has no such REST route (plugin absent, or plain permalinks)."""


class OrderNotFound(UpstreamNotFound):
    """The order does not exist (deleted, or never did)."""


class MappingRefused(PermanentError):
    """The WooCommerce order can't become a WMS order as it is; ``problems`` name each field and why."""

    def __init__(self, problems: list[dict[str, str]], *, resolution: str) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems), resolution=resolution)
        self.problems = problems


class UnknownProducts(PermanentError):
    """SKUs the WMS has no product for (checked before the order is created)."""

    def __init__(self, skus: list[str], *, customer: str) -> None:
        listed = ", ".join(skus)
        super().__init__(
            f"CartonCloud has no product with code {listed} for customer {customer}",
            resolution=(
                f"Create the product{'s' if len(skus) > 1 else ''} {listed} in CartonCloud for customer {customer} "
                "(or correct the SKU in WooCommerce so it matches the CartonCloud product code), then retry from "
                "the sync log."
            ),
        )
        self.skus = skus



def parse_error(response: requests.Response) -> dict[str, Any]:
    """WooCommerce's error object, or ``{}`` when the body is not one (an HTML page from a host or WordPress)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) and isinstance(body.get("code"), str) else {}


def error_from_response(response: requests.Response, method: str, path: str) -> UpstreamError:
    """The named error for a WooCommerce error answer (never quoting the URL's query, which may hold keys)."""
    body = parse_error(response)
    code = str(body.get("code") or "")
    message = str(body.get("message") or response.reason or "")
    detail = f"{code}: {message}" if code else message
    status = response.status_code
    if status in (401, 403):
        if "write permission" in message:
            resolution = READ_ONLY_RESOLUTION
        elif code.startswith("woocommerce_rest_cannot_") and status == 403:
            resolution = CAPABILITY_RESOLUTION
        elif code.startswith("woocommerce_rest_cannot_"):
            # Not authenticated at all: the key never reached WordPress (some hosts strip Authorization).
            resolution = BAD_KEY_RESOLUTION + (" If the key is right, the store's host may strip the Authorization "
                                               "header: ask the host to pass it through.")
        else:
            resolution = BAD_KEY_RESOLUTION
        return UpstreamAuthFailed(f"{UPSTREAM} answered {status} to {method} {path}: {detail}", upstream=UPSTREAM,
                                  status=status, resolution=resolution)
    if status == 404 and code == "rest_no_route":
        return RouteNotFound(f"{UPSTREAM} answered 404 to {method} {path}: {detail}", upstream=UPSTREAM,
                             status=404, resolution="Check the store's plugins and permalink settings.")
    if status == 404 and code.endswith("_invalid_id"):
        return OrderNotFound(f"{UPSTREAM} answered 404 to {method} {path}: {detail}", upstream=UPSTREAM, status=404,
                             resolution="Check the record still exists in WooCommerce.")
    return error_for_status(UPSTREAM, status, method, path, detail=detail, errors=[body] if body else None,
                            resolution="Check the request against the store's settings and plugins, then retry "
                                       "from the sync log.")
