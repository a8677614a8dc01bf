"""Starshipit's vocabulary: headers, statuses, the two error shapes (the API's envelope and Azure API Management's
gateway answer), the couriers an account has, and small value helpers. GUESS marks what the sources don't say."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import finite_decimal, json_number

#: The open questions about Starshipit (the connector's assumptions that have dialects) and each answer this sandbox
#: can give, ours (the default) first; docs/starshipit.md "Assumptions" says what each means.
DIALECTS: dict[str, tuple[str, ...]] = {
    "retry-after": ("sent", "absent"),
    "webhook-signature": ("hex", "base64"),
    "order-lookup-missing": ("404", "empty", "unsuccessful"),
    "print-label-carrier": ("optional", "required"),
}
API_KEY_HEADER = "StarShipIT-Api-Key"
SUBSCRIPTION_HEADER = "Ocp-Apim-Subscription-Key"
SIGNATURE_HEADER = "X-Starshipit-Signature"
UNSHIPPED, PRINTED, SHIPPED = "Unshipped", "Printed", "Shipped"
TRACKING_STATUSES = ("Printed", "Dispatched", "InTransit", "OutForDelivery", "Delivered", "PickupInStore",
                     "AttemptedDelivery", "Exception", "AwaitingCollection", "Cancelled")
#: Developer subscriptions get 2 requests/s, Production 20 (api-docs.starshipit.com "API Rate Limits").
RATE_LIMITS = {"developer": 2, "production": 20}
#: Azure API Management's own answers (its standard texts).
MISSING_SUBSCRIPTION = ("Access denied due to missing subscription key. Make sure to include subscription key when "
                        "making requests to an API.")
INVALID_SUBSCRIPTION = ("Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
                        "subscription.")
RATE_LIMITED = "Rate limit is exceeded. Try again in {seconds} seconds."
#: Order numbers and references: 1–50 characters (SSI-DEV "Create order").
MAX_ORDER_NUMBER = MAX_REFERENCE = 50
#: The other text limits of an order, as the create-order page's field table gives them (read from a public client
#: that copies it: rknell/starshipit_dart create_order_model.dart, destination_details.dart, create_order_item.dart).
ORDER_TEXT_LIMITS = {"shipping_method": 100, "shipping_description": 100}
DESTINATION_TEXT_LIMITS = {"name": 100, "email": 100, "phone": 100, "building": 100, "company": 100, "street": 100,
                           "suburb": 100, "city": 100, "state": 100, "post_code": 10, "country": 100,
                           "delivery_instructions": 100, "tax_number": 20}
ITEM_TEXT_LIMITS = {"sku": 50, "tariff_code": 18, "country_of_origin": 50}
LIST_LIMIT_MAX, ORDERS_PAGE_SIZE_MAX = 250, 500
#: Couriers an account can have, with their services, tracking-number prefixes and tracking pages (GUESS: shapes).
COURIERS: dict[str, dict[str, Any]] = {
    "AusPost": {"name": "Australia Post", "services": {"7B05": "Parcel Post", "7E55": "Express Post"},
                "prefix": "QQQ", "track": "https://auspost.com.au/mypost/track/details/{number}"},
    "Aramex": {"name": "Aramex", "services": {"ARX": "Aramex Standard"}, "prefix": "ARX",
               "track": "https://www.aramex.com.au/tools/track?l={number}"},
    "PlainLabel": {"name": "Plain Label", "services": {"FREEDELIVERY": "Free delivery"}, "prefix": "PL",
                   "track": "https://track.starshipit.com/?t={number}"},
}
#: Countries the sandbox knows (alpha-2 → names accepted); others are refused as not valid (GUESS: the list).
COUNTRIES = {"AU": ("Australia",), "NZ": ("New Zealand",), "US": ("United States", "United States of America"),
             "GB": ("United Kingdom",), "CA": ("Canada",), "SG": ("Singapore",)}
POSTCODE_DIGITS = {"AU": 4, "NZ": 4}


class ApiError(Exception):
    """An answer in the API's envelope: ``{"success": false, "errors": [{"message", "details"}]}``."""

    def __init__(self, status: int, message: str, details: str | None = None,
                 more: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.entries = [{"message": message, "details": details}, *(more or [])]


class Problems:
    """Validation failures over a whole order, answered together (400, GUESS: one entry per field)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, field: str, message: str) -> None:
        self.entries.append({"message": message, "details": field})

    def raise_if_any(self) -> None:
        if self.entries:
            first, *rest = self.entries
            raise ApiError(400, first["message"], first["details"], rest)


def signature(secret: str, body: bytes, encoding: str = "hex") -> str:
    """``X-Starshipit-Signature``: the HMAC-SHA256 of the raw body keyed with the secret, lowercase hex (the one public
    verifier's reading) or, in the ``webhook-signature=base64`` dialect, base64."""
    mac = hmac.new(secret.encode("utf-8"), body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii") if encoding == "base64" else mac.hexdigest()


def status_of(order: dict[str, Any]) -> str:
    """An order's status; a record loaded as Starshipit listed it may have none (a search result): it was printed
    if it carries a tracking number, else it is unshipped."""
    status = order.get("status")
    if isinstance(status, str) and status:
        return status
    tracked = order.get("tracking_number") or any(isinstance(p, dict) and p.get("tracking_number")
                                                  for p in order.get("packages") or [])
    return PRINTED if tracked else UNSHIPPED


def packages_of(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order's packages (a record loaded without any has none)."""
    return [p for p in order.get("packages") or [] if isinstance(p, dict)]


def envelope(status: int, entries: list[dict[str, Any]], headers: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse.json(status, {"success": False, "errors": entries}, headers)


def gateway(status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse.json(status, {"statusCode": status, "message": message}, headers)


def number(value: Any) -> Decimal | None:
    """A JSON number (or numeric text) as Decimal; None for anything else (booleans included)."""
    if isinstance(value, bool) or value is None:
        return None
    return finite_decimal(value)


def as_json(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


def stamp(moment: datetime) -> str:
    """Starshipit's UTC dates: seven fraction digits and ``Z`` (``2018-08-09T02:55:37.1446912Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def parse_date(value: str | None, name: str) -> datetime | None:
    """An RFC 3339 date filter; a zoneless one is read as UTC (the docs say the filters are UTC)."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"The value '{value}' is not valid for {name}.", name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def body_object(request: SandboxRequest) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def positive(value: str | None, default: int, name: str, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1 or (maximum is not None and int(value) > maximum):
        limit = f" between 1 and {maximum}" if maximum else " of at least 1"
        raise ApiError(400, f"The value '{value}' is not valid for {name}: a whole number{limit}.", name)
    return int(value)
