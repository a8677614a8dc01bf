"""A stateful fake of the CartonCloud public API (Accept-Version 1): the subset our WMS connector uses.

Faithful to the API reference ("Last Updated 2026-05-06") and the vendor examples kept in
``tests/fixtures/vendor/cartoncloud/``: paths, field names, status values, the error array
``[{"message", "field"?, "type"?, "details"?}]``, ``228 Created with issues``, the 30-per-minute outbound-order create
limit, search conditions and paging headers. Where the reference is silent the choice is marked GUESS.

State changes a warehouse user would make (pack, dispatch, tracking) are Python methods and ``/_control/`` routes;
each one bumps the entity's ``version``/``timestamps.modified`` and sends a change notification signed per
``docs/wms-notifications.md``, since CartonCloud's own webhook format is not public.

Run standalone: ``python -m local.sandboxes.cartoncloud --port 0`` prints the base URL.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import secrets
import sys
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .base import (
    ControlError,
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

API_VERSION = "1"
#: Warehouse-product examples in the reference use ``Accept-Version: 8`` (v7 added countryOfOrigin).
WAREHOUSE_PRODUCT_VERSIONS = frozenset(str(v) for v in range(1, 9))
#: CartonCloud's tenants in the examples are in Brisbane; timestamps carry this offset, never ``Z``.
BRISBANE = timezone(timedelta(hours=10))
TOKEN_TTL_SECONDS = 3600
#: "Rate limit 30 requests/min per user" (CC-DOC "Create Outbound Order").
OUTBOUND_ORDER_CREATES_PER_MINUTE = 30

OUTBOUND_ORDER_STATUSES = (
    "DRAFT", "AWAITING_STOCK", "AWAITING_PICK_AND_PACK", "PACKING_IN_PROGRESS", "PICKED", "PACKED", "DISPATCHED",
    "REJECTED",
)
CONSIGNMENT_STATUSES = (
    "DRAFT", "AWAITING_PICKUP", "AWAITING_POINT_TO_POINT_PICKUP", "AWAITING_SALE_ORDER_PACKING", "AWAITING_DROPOFF",
    "IN_TRANSIT_PICKUP_WAREHOUSE", "IN_WAREHOUSE", "WITH_ON_FORWARDER", "IN_TRANSIT_WAREHOUSE_DELIVERY",
    "IN_TRANSIT_PICK_DELIVERY", "COLLECTED", "DELIVERED", "POINT_TO_POINT_DELIVERED", "CANCELLED",
)
DELIVERY_METHOD_TYPES = ("SHIPPING", "PICKUP")

RATE_LIMITED = "Rate limiting has been applied"
NO_MATCHING_RATE = "No matching rate found."
DUPLICATE_ORDER = "An Outbound Order with this Customer Reference already exists."
DUPLICATE_PRODUCT = "A Product with this Code already exists."
CONCURRENT_CHANGE = "The Consignment has been modified by another request. Reload it and try again."

#: The vendor's quote example (consignment-quote.response.json) as a rate card: 2 units quote to exactly it.
DEFAULT_RATE_CARD: dict[str, Any] = {
    "name": "Standard Rate Card",
    "currency": "AUD",
    "rates": [
        {
            "name": "Rate 1",
            "charges": [
                {"feeCategory": {"id": "7b23a8ab-e186-11e8-8b31-0260b3a835bc", "name": "Delivery Fee"},
                 "type": "PER_QUANTITY", "amount": 6},
                {"feeCategory": {"id": "a43dcec1-7e3a-4f23-9b16-d86fbb31cb1a", "name": "Fuel Levy"},
                 "type": "LEVY", "percent": 5},
                {"feeCategory": {"id": "68c2df33-6fb7-44fa-8a4f-b5439e00a121", "name": "Flat Fee"},
                 "type": "FLAT", "amount": 10},
            ],
        }
    ],
}
CHARGE_TYPES = ("PER_QUANTITY", "PER_WEIGHT", "PER_PALLET", "FLAT", "LEVY")


# --- state -----------------------------------------------------------------------------------------------------------


@dataclass
class Tenant:
    """One CartonCloud tenant (a 3PL) with its single self-managed-integration API client."""

    id: str
    name: str
    client_id: str
    client_secret: str
    notification_url: str | None = None
    notification_secret: str | None = None
    currency: str = "AUD"
    #: id -> {"id", "name", "references": {"code"}, "warehouseIds": [...] (empty: every warehouse)}
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    warehouses: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: warehouse products, id -> resource
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (customer id, product code) -> quantity available; no entry: unlimited stock
    stock: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    outbound_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    consignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    rate_card: dict[str, Any] | None = field(default_factory=lambda: copy.deepcopy(DEFAULT_RATE_CARD))
    next_numeric_id: int = 10001

    def numeric_id(self) -> str:
        value = self.next_numeric_id
        self.next_numeric_id += 1
        return str(value)

    def to_json(self) -> dict[str, Any]:
        return {
            "tenantId": self.id,
            "name": self.name,
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "notificationUrl": self.notification_url,
            "notificationSecret": self.notification_secret,
            "currency": self.currency,
        }


@dataclass
class _Token:
    client_id: str
    expires_at: datetime


class ApiError(Exception):
    """A CartonCloud error answer: ``status`` with the error array ``entries``."""

    def __init__(self, status: int, entries: list[dict[str, Any]], headers: dict[str, str] | None = None) -> None:
        super().__init__(entries[0]["message"] if entries else str(status))
        self.status = status
        self.entries = entries
        self.headers = headers


class Problems:
    """Validation failures collected over a whole body, answered together as one 422 array."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, pointer: str, message: str, type_: str | None = None, details: dict[str, Any] | None = None
            ) -> None:
        entry: dict[str, Any] = {"field": pointer, "message": message}
        if type_:
            entry["type"] = type_
        if details:
            entry["details"] = details
        self.entries.append(entry)

    def raise_if_any(self) -> None:
        if self.entries:
            raise ApiError(422, self.entries)


# --- search conditions -----------------------------------------------------------------------------------------------

Predicate = Callable[[dict[str, Any]], bool]
TEXT, DATETIME, BOOLEAN = "text", "datetime", "boolean"
TEXT_METHODS = ("EQUAL_TO", "NOT_EQUAL_TO", "CONTAINS", "DOES_NOT_CONTAIN", "STARTS_WITH")
ORDER_METHODS = ("EQUAL_TO", "NOT_EQUAL_TO", "GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO", "LESS_THAN",
                 "LESS_THAN_OR_EQUAL_TO")


@dataclass(frozen=True)
class SearchField:
    """A searchable key: the documented pointer, where its value lives in the resource, and its kind."""

    location: str
    kind: str = TEXT


OUTBOUND_ORDER_SEARCH = {
    "/references/customer": SearchField("/references/customer"),
    "/customer/id": SearchField("/customer/id"),
    "/customer/name": SearchField("/customer/name"),
    "/status": SearchField("/status"),
    **{f"/timestamps/{name}/time": SearchField(f"/timestamps/{name}/time", DATETIME)
       for name in ("created", "modified", "packed", "dispatched")},
}
CONSIGNMENT_SEARCH = {
    "/generatedFromTask/id": SearchField("/generatedFromTask/id"),
    "/references/customer": SearchField("/references/customer"),
    "/details/type": SearchField("/details/type"),
    "/status": SearchField("/status"),
    "/timestamps/modified/time": SearchField("/timestamps/modified/time", DATETIME),
}
WAREHOUSE_PRODUCT_SEARCH = {
    "/id": SearchField("/id"),
    "/code": SearchField("/references/code"),
    "/name": SearchField("/name"),
    "/customer/id": SearchField("/customer/id"),
    "/details/active": SearchField("/details/active", BOOLEAN),
    "/timestamps/created/time": SearchField("/timestamps/created/time", DATETIME),
    "/timestamps/modified/time": SearchField("/timestamps/modified/time", DATETIME),
}
#: The deprecated ``ValueField`` names (reference examples use "reference" and "customerName").
VALUE_FIELD_NAMES = {"reference": "/references/customer", "customerName": "/customer/name"}


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON Pointer, or None when any step is missing."""
    current = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(token)
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return None
    return current


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 date-time **with** an offset, or None (a zoneless time is ambiguous, so it is refused)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def compile_condition(condition: Any, fields: dict[str, SearchField], at: str = "/condition") -> Predicate:
    """Validate a search condition up front (so a bad one fails even on an empty tenant) and return its test."""
    if not isinstance(condition, dict):
        raise ApiError(422, [{"field": at, "message": "Condition must be an object."}])
    kind = condition.get("type")
    if kind in ("AndCondition", "OrCondition"):
        children = condition.get("conditions")
        if not isinstance(children, list):
            raise ApiError(422, [{"field": f"{at}/conditions", "message": "Conditions must be a list."}])
        tests = [compile_condition(child, fields, f"{at}/conditions/{i}") for i, child in enumerate(children)]
        if kind == "AndCondition":
            return lambda doc: all(test(doc) for test in tests)
        return lambda doc: any(test(doc) for test in tests)
    expected = {"TextComparisonCondition": TEXT, "DateTimeComparisonCondition": DATETIME,
                "BooleanComparisonCondition": BOOLEAN}.get(str(kind))
    if expected is None:
        raise ApiError(422, [{"field": f"{at}/type", "message": f"Unsupported condition type: {kind}"}])
    search_field = _search_field(condition.get("field"), fields, f"{at}/field")
    if search_field.kind != expected:
        raise ApiError(422, [{"field": f"{at}/field", "message": f"This field cannot be used in a {kind}."}])
    operand = condition.get("value")
    if not isinstance(operand, dict) or operand.get("type") != "ValueField" or "value" not in operand:
        raise ApiError(422, [{"field": f"{at}/value", "message": "Value must be a ValueField."}])
    raw = operand["value"]
    method = condition.get("method")
    location = search_field.location
    if expected == TEXT:
        if method not in TEXT_METHODS:
            raise ApiError(422, [{"field": f"{at}/method", "message": f"Unsupported method: {method}"}])
        wanted = "" if raw is None else str(raw)
        return lambda doc: _compare_text(resolve_pointer(doc, location), method, wanted)
    if expected == BOOLEAN:
        if method not in ("EQUAL_TO", "NOT_EQUAL_TO") or not isinstance(raw, bool):
            raise ApiError(422, [{"field": f"{at}/value/value",
                                  "message": "Expected EQUAL_TO or NOT_EQUAL_TO a boolean."}])
        return lambda doc: (resolve_pointer(doc, location) is raw) == (method == "EQUAL_TO")
    if method not in ORDER_METHODS:
        raise ApiError(422, [{"field": f"{at}/method", "message": f"Unsupported method: {method}"}])
    instant = parse_instant(raw)
    if instant is None:
        raise ApiError(422, [{"field": f"{at}/value/value",
                              "message": f"Invalid date time '{raw}': expected ISO 8601 with an offset."}])
    return lambda doc: _compare_instant(parse_instant(resolve_pointer(doc, location)), method, instant)


def _search_field(operand: Any, fields: dict[str, SearchField], at: str) -> SearchField:
    if isinstance(operand, dict) and operand.get("type") == "JsonField":
        pointer = operand.get("pointer")
    elif isinstance(operand, dict) and operand.get("type") == "ValueField":
        pointer = VALUE_FIELD_NAMES.get(str(operand.get("value")))
    else:
        pointer = None
    if not isinstance(pointer, str) or pointer not in fields:
        raise ApiError(422, [{"field": at, "message": f"Unsupported search field: {json.dumps(operand)}"}])
    return fields[pointer]


def _compare_text(actual: Any, method: str, wanted: str) -> bool:
    # SQL-like: a missing value matches nothing (GUESS: the reference does not say; case-sensitive too).
    if actual is None:
        return False
    text = str(actual).lower() if isinstance(actual, bool) else str(actual)
    return {
        "EQUAL_TO": text == wanted,
        "NOT_EQUAL_TO": text != wanted,
        "CONTAINS": wanted in text,
        "DOES_NOT_CONTAIN": wanted not in text,
        "STARTS_WITH": text.startswith(wanted),
    }[method]


def _compare_instant(actual: datetime | None, method: str, wanted: datetime) -> bool:
    if actual is None:
        return False
    return {
        "EQUAL_TO": actual == wanted,
        "NOT_EQUAL_TO": actual != wanted,
        "GREATER_THAN": actual > wanted,
        "GREATER_THAN_OR_EQUAL_TO": actual >= wanted,
        "LESS_THAN": actual < wanted,
        "LESS_THAN_OR_EQUAL_TO": actual <= wanted,
    }[method]


# --- small helpers ---------------------------------------------------------------------------------------------------


def _decimal(value: Any, *, strict: bool = False) -> Decimal | None:
    """A JSON number (or, unless ``strict``, a numeric string) as Decimal; None for anything else."""
    if isinstance(value, bool) or value is None or (strict and not isinstance(value, int | float)):
        return None
    return finite_decimal(value)


def _qty(value: Decimal) -> str:
    return str(json_number(value))


def _dollars(value: Decimal) -> str:
    """Money the way the rating engine's descriptions print it: ``$12.00``, and ``$.60`` below a dollar."""
    text = f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"
    return "$" + (text[1:] if text.startswith("0.") else text)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _money_problems(problems: Problems, value: Any, pointer: str, *, non_negative: bool = False,
                    strict: bool = False) -> None:
    if value is None:
        return
    amount = _decimal(value.get("amount"), strict=strict) if isinstance(value, dict) else None
    currency = value.get("currency") if isinstance(value, dict) else None
    if amount is None or not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        problems.add(pointer, "Amount and currency (ISO 4217) are both required.")
    elif non_negative and amount < 0:
        problems.add(f"{pointer}/amount", "Amount must be 0 or more.")


def _address_problems(problems: Problems, address: Any, pointer: str) -> None:
    if not isinstance(address, dict):
        problems.add(pointer, "Address cannot be empty.")
        return
    if not address.get("companyName") and not address.get("contactName"):
        problems.add(pointer, "Address must have a company name or a contact name.")
    phone = address.get("phone")
    if phone is not None and (not isinstance(phone, str) or len(phone) > 64):
        problems.add(f"{pointer}/phone", "Phone must be text of at most 64 characters.")
    country = address.get("country")
    if isinstance(country, dict):
        # "The first given property must be valid" (CC-DOC "Address"); only the code shapes are checked here.
        for key, length in (("iso2Code", 2), ("iso3Code", 3), ("name", 0)):
            if country.get(key) is None:
                continue
            code = country[key]
            if not isinstance(code, str) or not code or (length and (len(code) != length or not code.isalpha())):
                problems.add(f"{pointer}/country/{key}", "Country is not valid.")
            break


def _ref(entity: dict[str, Any]) -> dict[str, Any]:
    """How an order or product embeds a customer, warehouse or product (the shape in the vendor's examples)."""
    ref: dict[str, Any] = {"id": entity["id"], "name": entity["name"]}
    if entity.get("references"):
        ref["references"] = dict(entity["references"])
    ref["enabled"] = True
    return ref


#: Keys whose values CartonCloud stores as decimals and answers as JSON numbers.
NUMERIC_KEYS = frozenset({"quantity", "weight", "pallets", "cubic", "spaces", "amount"})


def _normalise_numbers(value: Any) -> Any:
    """Numeric strings under quantity/measure/amount keys become numbers, as the API would answer them."""
    if isinstance(value, list):
        return [_normalise_numbers(entry) for entry in value]
    if isinstance(value, dict):
        for key, entry in value.items():
            number = _decimal(entry) if key in NUMERIC_KEYS and isinstance(entry, str) else None
            value[key] = json_number(number) if number is not None else _normalise_numbers(entry)
    return value


def _with_extras(resource: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``resource`` followed by the body's other fields (the API keeps fields it does not document)."""
    for key, value in body.items():
        resource.setdefault(key, copy.deepcopy(value))
    return resource


# --- the sandbox -----------------------------------------------------------------------------------------------------


class CartonCloudSandbox(Sandbox):
    """CartonCloud's API for any number of tenants, each with one API client (client id + secret)."""

    name = "cartoncloud"

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        now: Callable[[], datetime] | None = None,
        seed: int | None = None,
        async_webhooks: bool | None = None,
        create_limit_per_minute: int | None = OUTBOUND_ORDER_CREATES_PER_MINUTE,
        rate_limit_retry_after: int | None = None,
        token_ttl_seconds: int = TOKEN_TTL_SECONDS,
        strict_numbers: bool = False,
    ) -> None:
        """``create_limit_per_minute=None`` turns the create limit off; ``rate_limit_retry_after`` adds a
        ``Retry-After`` to its 429 (CartonCloud documents none, so by default there is none);
        ``strict_numbers=True`` refuses quantities and money amounts sent as JSON strings (the reference shows
        numbers only; lenient by default because pydantic's JSON mode writes Decimal as a string)."""
        super().__init__(sender=sender, now=now, seed=seed, async_webhooks=async_webhooks)
        self.create_limit_per_minute = create_limit_per_minute
        self.rate_limit_retry_after = rate_limit_retry_after
        self.token_ttl_seconds = token_ttl_seconds
        self.strict_numbers = strict_numbers
        self.tenants: dict[str, Tenant] = {}
        self._tokens: dict[str, _Token] = {}
        self._creates: dict[str, deque[datetime]] = {}
        self._register_routes()

    # --- clock and errors --------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def timestamp(self) -> str:
        """Now as CartonCloud writes it: ISO 8601, whole seconds, Brisbane offset."""
        return self._now().astimezone(BRISBANE).isoformat(timespec="seconds")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        return SandboxResponse.json(status, [{"message": message}], headers)

    def fault_message(self, status: int) -> str:
        return RATE_LIMITED if status == 429 else super().fault_message(status)

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.tenants.clear()
            self._tokens.clear()
            self._creates.clear()

    # --- routes ------------------------------------------------------------------------------------------------------

    def _register_routes(self) -> None:
        self.route("POST", r"/uaa/oauth/token", self._token_endpoint)
        self.route("GET", r"/uaa/userinfo", self._userinfo)
        uuid_ = r"(?P<entity_id>[^/]+)"
        self._api("POST", r"/outbound-orders", self._create_outbound_order)
        self._api("POST", r"/outbound-orders/search", self._search_outbound_orders)
        self._api("GET", rf"/outbound-orders/{uuid_}", self._get_outbound_order)
        self._api("POST", r"/consignments", self._create_consignment)
        self._api("POST", r"/consignments/quote", self._quote)
        self._api("POST", r"/consignments/search", self._search_consignments)
        self._api("GET", rf"/consignments/{uuid_}", self._get_consignment)
        self._api("PUT", rf"/consignments/{uuid_}", self._update_consignment)
        self._api("GET", r"/customers", self._list_customers)
        self._api("GET", rf"/customers/{uuid_}", self._get_customer)
        self._api("GET", rf"/customers/{uuid_}/warehouses", self._list_customer_warehouses)
        self._api("GET", r"/warehouses", self._list_warehouses)
        self._api("POST", r"/warehouse-products", self._create_warehouse_product, WAREHOUSE_PRODUCT_VERSIONS)
        self._api("POST", r"/warehouse-products/search", self._search_warehouse_products, WAREHOUSE_PRODUCT_VERSIONS)
        self._api("GET", rf"/warehouse-products/{uuid_}", self._get_warehouse_product, WAREHOUSE_PRODUCT_VERSIONS)

        t = r"/_control/tenants/(?P<tenant_id>[^/]+)"
        self.control_route("POST", r"/_control/tenants", self._control_add_tenant)
        self.control_route("GET", rf"{t}", self._control_get_tenant)
        self.control_route("POST", rf"{t}/customers", self._control_add_customer)
        self.control_route("POST", rf"{t}/warehouses", self._control_add_warehouse)
        self.control_route("POST", rf"{t}/products", self._control_add_product)
        self.control_route("POST", rf"{t}/stock", self._control_set_stock)
        self.control_route("GET", rf"{t}/outbound-orders", self._control_list_orders)
        self.control_route("POST", rf"{t}/outbound-orders/(?P<order_id>[^/]+)/status", self._control_order_status)
        self.control_route("GET", rf"{t}/consignments", self._control_list_consignments)
        self.control_route("POST", rf"{t}/consignments/(?P<consignment_id>[^/]+)/tracking",
                           self._control_consignment_tracking)
        self.control_route("POST", rf"{t}/rate-card", self._control_rate_card)
        self.control_route("POST", r"/_control/notifications", self._control_drop_webhooks)
        self.control_route("GET", r"/_control/notifications", self._control_list_webhooks)
        self.control_route("POST", r"/_control/notifications/redeliver", self._control_redeliver)
        self.control_route("POST", r"/_control/tokens/revoke", self._control_revoke_tokens)
        self.control_route("POST", r"/_control/clock", self._control_clock)

    def _api(self, method: str, pattern: str, handler: Callable[..., SandboxResponse],
             versions: frozenset[str] = frozenset({API_VERSION})) -> None:
        """A ``/tenants/{tenantId}`` route: bearer token for that tenant's API client, then ``Accept-Version``."""

        def guarded(request: SandboxRequest, tenant_id: str, **groups: str) -> SandboxResponse:
            try:
                with self.transaction():
                    tenant = self._authorise(request, tenant_id)
                    self._check_version(request, versions)
                    return handler(request, tenant, **groups)
            except ApiError as exc:
                return SandboxResponse.json(exc.status, exc.entries, exc.headers)

        self.route(method, rf"/tenants/(?P<tenant_id>[^/]+){pattern}", guarded)

    @staticmethod
    def _check_version(request: SandboxRequest, versions: frozenset[str]) -> None:
        version = request.header("Accept-Version")
        if version is None or not version.strip():
            raise ApiError(400, [{"message": "Missing request header 'Accept-Version'"}])
        if version.strip() not in versions:
            raise ApiError(406, [{"message": f"Not Acceptable: invalid Accept-Version '{version.strip()}'"}])

    def _authorise(self, request: SandboxRequest, tenant_id: str) -> Tenant:
        header = request.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, [{"message": "Full authentication is required to access this resource"}])
        token = self._tokens.get(value.strip())
        if token is None:
            raise ApiError(401, [{"message": "Invalid access token"}])
        if token.expires_at <= self._now():
            raise ApiError(401, [{"message": "Access token expired"}])
        tenant = self.tenants.get(tenant_id)
        if tenant is None or tenant.client_id != token.client_id:
            # GUESS: a token of another tenant's client is refused like a bad one (no tenant enumeration).
            raise ApiError(401, [{"message": "Invalid access token"}])
        return tenant

    # --- /uaa --------------------------------------------------------------------------------------------------------

    def _token_endpoint(self, request: SandboxRequest) -> SandboxResponse:
        try:
            with self.transaction():
                self._check_version(request, frozenset({API_VERSION}))
                tenant = self._basic_auth(request)
                grant_type = request.form().get("grant_type")
                if grant_type != "client_credentials":
                    raise ApiError(400, [{"message": f"Unsupported grant type: {grant_type}"}])
                access_token = secrets.token_urlsafe(32)
                self._tokens[access_token] = _Token(
                    tenant.client_id, self._now() + timedelta(seconds=self.token_ttl_seconds)
                )
                return SandboxResponse.json(
                    200,
                    {"access_token": access_token, "token_type": "bearer", "expires_in": self.token_ttl_seconds},
                    {"Cache-Control": "no-store"},
                )
        except ApiError as exc:
            return SandboxResponse.json(exc.status, exc.entries, exc.headers)

    def _basic_auth(self, request: SandboxRequest) -> Tenant:
        client_id, sep, secret = (basic_credentials(request.header("Authorization")) or "").partition(":")
        if sep:
            for tenant in self.tenants.values():
                if tenant.client_id == client_id and hmac.compare_digest(tenant.client_secret, secret):
                    return tenant
        raise ApiError(401, [{"message": "Bad credentials"}])

    def _userinfo(self, request: SandboxRequest) -> SandboxResponse:
        """GUESS for API clients: the reference shows a person; here the "user" is the tenant's API client."""
        try:
            with self.transaction():
                scheme, _, value = (request.header("Authorization") or "").partition(" ")
                token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
                if token is None or token.expires_at <= self._now():
                    raise ApiError(401, [{"message": "Invalid access token"}])
                self._check_version(request, frozenset({API_VERSION}))
                tenants = [t for t in self.tenants.values() if t.client_id == token.client_id]
                return SandboxResponse.json(200, {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cartoncloud-api-client:{token.client_id}")),
                    "name": f"API client {token.client_id}",
                    "email": None,
                    "tenants": [{"id": t.id, "name": t.name} for t in tenants],
                })
        except ApiError as exc:
            return SandboxResponse.json(exc.status, exc.entries, exc.headers)

    # --- outbound orders ---------------------------------------------------------------------------------------------

    def _create_outbound_order(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        self._count_create(tenant.client_id)
        body = self._json_object(request)
        strict = self.strict_numbers
        problems = Problems()
        references = body.get("references")
        reference = references.get("customer") if isinstance(references, dict) else None
        if not isinstance(reference, str) or not reference.strip():
            problems.add("/references/customer", "Customer Reference cannot be empty.")
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        warehouse = self._resolve_warehouse(tenant, body.get("warehouse"), customer, problems)
        if body.get("type", "OUTBOUND") != "OUTBOUND":
            problems.add("/type", "Type must be OUTBOUND.")
        details = body.get("details")
        if not isinstance(details, dict):
            problems.add("/details", "Details cannot be empty.")
            details = {}
        deliver = details.get("deliver")
        _address_problems(problems, deliver.get("address") if isinstance(deliver, dict) else None,
                          "/details/deliver/address")
        if isinstance(deliver, dict):
            method = deliver.get("method")
            if isinstance(method, dict) and method.get("type", "SHIPPING") not in DELIVERY_METHOD_TYPES:
                problems.add("/details/deliver/method/type", "Delivery method type must be SHIPPING or PICKUP.")
            _money_problems(problems, deliver.get("cashPaymentAmount"), "/details/deliver/cashPaymentAmount",
                            strict=strict)
        _money_problems(problems, details.get("invoiceValue"), "/details/invoiceValue", non_negative=True,
                        strict=strict)
        items = body.get("items")
        if not isinstance(items, list) or not items:
            problems.add("/items", "Items cannot be empty.")
            items = []
        for index, item in enumerate(items):
            at = f"/items/{index}"
            item_details = _object(item).get("details")
            if not isinstance(item_details, dict) or not isinstance(item_details.get("product"), dict) \
                    or not item_details["product"]:
                problems.add(f"{at}/details/product", "Product cannot be empty.")
            else:
                _money_problems(problems, item_details.get("approximateUnitPrice"),
                                f"{at}/details/approximateUnitPrice", strict=strict)
            quantity = _decimal(resolve_pointer(item, "/measures/quantity"), strict=strict)
            if quantity is None or quantity <= 0:
                problems.add(f"{at}/measures/quantity", "Quantity must be greater than 0.")
        problems.raise_if_any()
        assert customer is not None

        for existing in tenant.outbound_orders.values():
            if existing["customer"]["id"] == customer["id"] and existing["references"].get("customer") == reference:
                raise ApiError(422, [{"field": "/references/customer", "message": DUPLICATE_ORDER,
                                      "type": "DUPLICATE", "details": {"duplicateId": existing["id"]}}])

        lines, errors, allocation = self._resolve_lines(tenant, customer, items)
        status = "REJECTED" if errors else "AWAITING_PICK_AND_PACK"
        if not errors:
            for key, quantity in allocation.items():
                if key in tenant.stock:
                    tenant.stock[key] -= quantity
        stamp = self.timestamp()
        order_details = _normalise_numbers(copy.deepcopy(details))
        order_details.setdefault("urgent", False)
        order_details.setdefault("allowSplitting", True)
        order_deliver = order_details.setdefault("deliver", {})
        order_deliver.setdefault("method", {"type": "SHIPPING"})
        if errors:
            order_details["errors"] = errors
        order: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": "OUTBOUND",
            "references": {**copy.deepcopy(_object(references)), "numericId": tenant.numeric_id()},
            "customer": _ref(customer),
        }
        if warehouse is not None:
            order["warehouse"] = _ref(warehouse)
        order.update({
            "details": order_details,
            "status": status,
            "properties": copy.deepcopy(body.get("properties") or {}),
            "items": lines,
            "version": 1,
            "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
        })
        _with_extras(order, body)
        tenant.outbound_orders[order["id"]] = order
        return SandboxResponse.json(228 if errors else 201, order)

    def _count_create(self, client_id: str) -> None:
        """Enforce the documented 30 creates per minute per API user (a sliding minute)."""
        if self.create_limit_per_minute is None:
            return
        now = self._now()
        window = self._creates.setdefault(client_id, deque())
        while window and window[0] <= now - timedelta(minutes=1):
            window.popleft()
        if len(window) >= self.create_limit_per_minute:
            headers = {"Retry-After": str(self.rate_limit_retry_after)} if self.rate_limit_retry_after else None
            raise ApiError(429, [{"message": RATE_LIMITED}], headers)
        window.append(now)

    def _resolve_lines(self, tenant: Tenant, customer: dict[str, Any], items: list[Any]
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[tuple[str, str], Decimal]]:
        """Each item with its product resolved, the REJECTED errors, and the stock each product would take."""
        lines: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        wanted: dict[tuple[str, str], Decimal] = {}
        described: dict[tuple[str, str], list[str]] = {}
        for item in items:
            line = _normalise_numbers(copy.deepcopy(item))
            details = line["details"]
            details.setdefault("unitOfMeasure", {"type": "UNITS"})
            unit = str(_object(details["unitOfMeasure"]).get("type") or "UNITS")
            quantity = _decimal(line["measures"]["quantity"]) or Decimal(0)
            asked = details["product"]
            product = self._find_product(tenant, customer["id"], asked)
            if product is None:
                refs = _object(asked.get("references"))
                code = refs.get("code") or refs.get("barcode") or asked.get("id") or ""
                name = asked.get("name") or code
                errors.append({"message": f"{name} ({code}) x {_qty(quantity)} {unit} - Product not found",
                               "isResolved": False})
            else:
                details["product"] = {**_ref(product), "customer": _ref(customer)}
                key = (customer["id"], product["references"]["code"])
                wanted[key] = wanted.get(key, Decimal(0)) + quantity
                described.setdefault(key, []).append(
                    f"{product['name']} ({product['references']['code']}) x {_qty(quantity)} {unit}"
                )
            lines.append(line)
        for key, quantity in wanted.items():
            if key in tenant.stock and quantity > tenant.stock[key]:
                errors.extend({"message": f"{text} - Not enough stock", "isResolved": False}
                              for text in described[key])
        return lines, errors, wanted

    def _get_outbound_order(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        order = tenant.outbound_orders.get(entity_id)
        if order is None:
            raise ApiError(404, [{"message": "Outbound Order not found."}])
        return SandboxResponse.json(200, order)

    def _search_outbound_orders(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return self._search(request, list(tenant.outbound_orders.values()), OUTBOUND_ORDER_SEARCH)

    # --- consignments ------------------------------------------------------------------------------------------------

    def _consignment_problems(self, tenant: Tenant, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        warehouse = self._resolve_warehouse(tenant, body.get("warehouse"), customer, problems, required=False)
        _address_problems(problems, resolve_pointer(body, "/details/deliver/address"), "/details/deliver/address")
        status = body.get("status")
        if status is not None and status not in CONSIGNMENT_STATUSES:
            problems.add("/status", f"Status must be one of {', '.join(CONSIGNMENT_STATUSES)}.")
        items = body.get("items", [])
        if not isinstance(items, list):
            problems.add("/items", "Items must be a list.")
        problems.raise_if_any()
        assert customer is not None
        return customer, warehouse

    def _create_consignment(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        body = self._json_object(request)
        customer, warehouse = self._consignment_problems(tenant, body)
        stamp = self.timestamp()
        consignment: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": "CONSIGNMENT",
            "status": body.get("status") or "AWAITING_PICKUP",
            "references": {**_object(copy.deepcopy(body.get("references"))), "numericId": tenant.numeric_id()},
            "customer": _ref(customer),
        }
        if warehouse is not None:
            consignment["warehouse"] = _ref(warehouse)
        consignment["details"] = {"type": "DELIVERY", **_object(copy.deepcopy(body.get("details")))}
        consignment["items"] = _normalise_numbers(copy.deepcopy(body.get("items") or []))
        consignment["version"] = 1
        consignment["timestamps"] = {"created": {"time": stamp}, "modified": {"time": stamp}}
        _with_extras(consignment, body)
        tenant.consignments[consignment["id"]] = consignment
        return SandboxResponse.json(201, consignment)

    def _get_consignment(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        consignment = self._consignment(tenant, entity_id)
        if "return=no-items" in (request.header("Prefer") or ""):
            consignment = {key: value for key, value in consignment.items() if key != "items"}
        return SandboxResponse.json(200, consignment)

    def _consignment(self, tenant: Tenant, consignment_id: str) -> dict[str, Any]:
        consignment = tenant.consignments.get(consignment_id)
        if consignment is None:
            raise ApiError(404, [{"message": "Consignment not found."}])
        return consignment

    def _update_consignment(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        """PUT replaces the consignment; ``If-Match`` must name the current version (optimistic locking)."""
        current = self._consignment(tenant, entity_id)
        if_match = (request.header("If-Match") or "").strip().removeprefix("W/").strip('"')
        if not if_match:
            raise ApiError(412, [{"message": "The If-Match header with the consignment's version is required."}])
        if if_match != str(current["version"]):
            raise ApiError(409, [{"message": CONCURRENT_CHANGE}])
        body = self._json_object(request)
        customer, warehouse = self._consignment_problems(tenant, body)
        updated: dict[str, Any] = {
            "id": current["id"],
            "type": "CONSIGNMENT",
            "status": body.get("status") or current["status"],
            "references": {**_object(copy.deepcopy(body.get("references"))),
                           "numericId": current["references"]["numericId"]},
            "customer": _ref(customer),
        }
        if warehouse is not None:
            updated["warehouse"] = _ref(warehouse)
        if "generatedFromTask" in current:
            updated["generatedFromTask"] = current["generatedFromTask"]
        updated["version"] = current["version"] + 1
        updated["timestamps"] = {**current["timestamps"], "modified": {"time": self.timestamp()}}
        _with_extras(updated, body)
        tenant.consignments[entity_id] = updated
        return SandboxResponse.json(200, updated)

    def _search_consignments(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return self._search(request, list(tenant.consignments.values()), CONSIGNMENT_SEARCH)

    def _quote(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        """Rate a would-be consignment against the tenant's rate card (first matching rate wins)."""
        body = self._json_object(request)
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        task_date = body.get("taskDate")
        if not isinstance(task_date, str) or not task_date:
            problems.add("/taskDate", "Task date cannot be empty.")
        else:
            try:
                datetime.strptime(task_date, "%Y-%m-%d")
            except ValueError:
                problems.add("/taskDate", "Task date must be a date (YYYY-MM-DD).")
        problems.raise_if_any()
        assert customer is not None
        card = tenant.rate_card
        rate = next((r for r in (card or {}).get("rates", []) if self._rate_matches(r, body, customer)), None)
        if card is None or rate is None:
            raise ApiError(422, [{"message": NO_MATCHING_RATE}])
        currency = card.get("currency") or tenant.currency
        charges = _charges(rate, body, currency)
        return SandboxResponse.json(200, {"rateCard": {"name": card["name"]}, "rate": {"name": rate["name"]},
                                          "charges": charges})

    @staticmethod
    def _rate_matches(rate: dict[str, Any], body: dict[str, Any], customer: dict[str, Any]) -> bool:
        service = rate.get("serviceType")
        asked_service = resolve_pointer(body, "/properties/serviceType")
        if service and str(asked_service or "").upper() != str(service).upper():
            return False
        if rate.get("customerId") and rate["customerId"] != customer["id"]:
            return False
        postcodes = rate.get("postcodes")
        return not postcodes or resolve_pointer(body, "/details/deliver/address/postcode") in postcodes

    # --- customers, warehouses, warehouse products -------------------------------------------------------------------

    def _list_customers(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return SandboxResponse.json(200, [{"name": c["name"], "id": c["id"]} for c in tenant.customers.values()])

    def _get_customer(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        customer = tenant.customers.get(entity_id)
        if customer is None:
            raise ApiError(404, [{"message": "Customer not found."}])
        return SandboxResponse.json(200, {"name": customer["name"], "id": customer["id"]})

    def _list_warehouses(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return SandboxResponse.json(200, [{"id": w["id"], "name": w["name"]} for w in tenant.warehouses.values()])

    def _list_customer_warehouses(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        customer = tenant.customers.get(entity_id)
        if customer is None:
            raise ApiError(404, [{"message": "Customer not found."}])
        return SandboxResponse.json(
            200, [{"id": w["id"], "name": w["name"]} for w in self._customer_warehouses(tenant, customer)]
        )

    def _create_warehouse_product(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        body = self._json_object(request)
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        code = resolve_pointer(body, "/references/code")
        if not isinstance(code, str) or not code.strip():
            problems.add("/references/code", "Code cannot be empty.")
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            problems.add("/name", "Name cannot be empty.")
        problems.raise_if_any()
        assert customer is not None
        product = self._store_product(tenant, customer, body)
        return SandboxResponse.json(201, product)

    def _get_warehouse_product(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        product = tenant.products.get(entity_id)
        if product is None:
            raise ApiError(404, [{"message": "Product not found."}])
        return SandboxResponse.json(200, product)

    def _search_warehouse_products(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return self._search(request, list(tenant.products.values()), WAREHOUSE_PRODUCT_SEARCH)

    def _store_product(self, tenant: Tenant, customer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        code = body["references"]["code"]
        for existing in tenant.products.values():
            if existing["customer"]["id"] == customer["id"] and existing["references"]["code"] == code:
                raise ApiError(422, [{"field": "/references/code", "message": DUPLICATE_PRODUCT, "type": "DUPLICATE",
                                      "details": {"duplicateId": existing["id"]}}])
        stamp = self.timestamp()
        product: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "scope": body.get("scope") or "WAREHOUSE",
            "references": copy.deepcopy(body["references"]),
            "name": body["name"],
            "customer": _ref(customer),
            "details": {"active": True, **_object(copy.deepcopy(body.get("details")))},
            "version": 1,
            "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
        }
        _with_extras(product, body)
        tenant.products[product["id"]] = product
        return product

    # --- resolution --------------------------------------------------------------------------------------------------

    @staticmethod
    def _resolve_customer(tenant: Tenant, asked: Any, problems: Problems) -> dict[str, Any] | None:
        """By the first given of ``id`` → ``references.code`` → ``name`` (CC-DOC "Customer")."""
        if not isinstance(asked, dict) or not asked:
            problems.add("/customer", "Customer cannot be empty.")
            return None
        found = _first_match(list(tenant.customers.values()), asked, ("id", "code", "name"))
        if found is None:
            problems.add("/customer", "Customer not found.")
        return found

    def _resolve_warehouse(self, tenant: Tenant, asked: Any, customer: dict[str, Any] | None, problems: Problems,
                           *, required: bool = True) -> dict[str, Any] | None:
        """By ``id`` or exact ``name``; omitted: the customer's first warehouse (its default)."""
        if asked is None or asked == {}:
            if customer is None or not required:
                return None
            allowed = self._customer_warehouses(tenant, customer)
            return allowed[0] if allowed else None
        if not isinstance(asked, dict):
            problems.add("/warehouse", "Warehouse must be an object.")
            return None
        found = _first_match(list(tenant.warehouses.values()), asked, ("id", "name"))
        if found is None:
            problems.add("/warehouse", "Warehouse not found.")
        elif customer is not None and found not in self._customer_warehouses(tenant, customer):
            problems.add("/warehouse", "The customer does not have access to this warehouse.")
        return found

    @staticmethod
    def _customer_warehouses(tenant: Tenant, customer: dict[str, Any]) -> list[dict[str, Any]]:
        ids = customer.get("warehouseIds") or list(tenant.warehouses)
        return [tenant.warehouses[i] for i in ids if i in tenant.warehouses]

    @staticmethod
    def _find_product(tenant: Tenant, customer_id: str, asked: dict[str, Any]) -> dict[str, Any] | None:
        """By the first given of ``id`` → ``references.code`` → ``references.barcode`` → ``name``."""
        own = [p for p in tenant.products.values() if p["customer"]["id"] == customer_id]
        return _first_match(own, asked, ("id", "code", "barcode", "name"))

    # --- search and paging -------------------------------------------------------------------------------------------

    def _search(self, request: SandboxRequest, documents: list[dict[str, Any]], fields: dict[str, SearchField]
                ) -> SandboxResponse:
        body = self._json_object(request, allow_empty=True)
        condition = body.get("condition")
        test: Predicate = compile_condition(condition, fields) if condition is not None else (lambda doc: True)
        page = _positive_int(request.param("page"), 1, "page")
        size = _positive_int(request.param("size"), 50, "size")
        matches = [doc for doc in documents if test(doc)]  # insertion order is creation order
        chunk, pages = paginate(matches, page, size)
        headers = {
            "Total-Pages": str(pages),
            "Page-Size": str(size),
            "Page-Number": str(page),
            "Total-Elements": str(len(matches)),
        }
        if "return=minimal" in (request.header("Prefer") or ""):
            return SandboxResponse.json(200, [{"id": doc["id"]} for doc in chunk], headers)
        return SandboxResponse.json(200, chunk, headers)

    @staticmethod
    def _json_object(request: SandboxRequest, *, allow_empty: bool = False) -> dict[str, Any]:
        if allow_empty and not request.body.strip():
            return {}
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, [{"message": "Malformed JSON request body."}]) from None
        if not isinstance(body, dict):
            raise ApiError(400, [{"message": "The request body must be a JSON object."}])
        return body

    # --- what a warehouse user does (Python API) ---------------------------------------------------------------------

    def add_tenant(
        self,
        tenant_id: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Demo Tenant",
        notification_url: str | None = None,
        notification_secret: str | None = None,
        currency: str = "AUD",
    ) -> Tenant:
        """A tenant with its API client (credentials generated when not given). Replaces one with the same id."""
        tenant = Tenant(
            id=tenant_id or str(uuid.uuid4()),
            name=name,
            client_id=client_id or f"sandbox-{secrets.token_hex(6)}",
            client_secret=client_secret or secrets.token_urlsafe(24),
            notification_url=notification_url,
            notification_secret=notification_secret,
            currency=currency,
        )
        with self.transaction():
            if any(t.client_id == tenant.client_id and t.id != tenant.id for t in self.tenants.values()):
                raise ControlError(f"client id {tenant.client_id} belongs to another tenant")
            self.tenants[tenant.id] = tenant
        return tenant

    def tenant(self, tenant_id: str) -> Tenant:
        found = self.tenants.get(tenant_id)
        if found is None:
            raise ControlError(f"unknown tenant {tenant_id}", 404)
        return found

    def add_warehouse(self, tenant_id: str, name: str, *, id: str | None = None) -> dict[str, Any]:
        with self.transaction():
            warehouse = {"id": id or str(uuid.uuid4()), "name": name}
            self.tenant(tenant_id).warehouses[warehouse["id"]] = warehouse
            return dict(warehouse)

    def add_customer(self, tenant_id: str, name: str, *, id: str | None = None,
                     code: str | None = None, warehouse_ids: list[str] | None = None) -> dict[str, Any]:
        """A customer of the 3PL; ``warehouse_ids`` limits its warehouses (none given: all of them)."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            unknown = [w for w in warehouse_ids or [] if w not in tenant.warehouses]
            if unknown:
                raise ControlError(f"unknown warehouses {unknown}")
            customer: dict[str, Any] = {
                "id": id or str(uuid.uuid4()),
                "name": name,
                "references": {"code": code} if code else {},
                "warehouseIds": list(warehouse_ids or []),
            }
            tenant.customers[customer["id"]] = customer
            return copy.deepcopy(customer)

    def add_product(self, tenant_id: str, customer_id: str, code: str, name: str, *,
                    barcode: str | None = None) -> dict[str, Any]:
        """A warehouse product of one customer (what ``POST /warehouse-products`` would create)."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            customer = self._control_customer(tenant, customer_id)
            references = {"code": code, **({"barcode": barcode} if barcode else {})}
            try:
                product = self._store_product(tenant, customer, {"references": references, "name": name})
            except ApiError as exc:
                raise ControlError(str(exc)) from None
            return copy.deepcopy(product)

    def set_stock(self, tenant_id: str, customer_id: str, code: str, quantity: int | float | str) -> dict[str, Any]:
        """Set the quantity available of a product; accepted orders allocate from it, REJECTED ones don't."""
        amount = _decimal(quantity)
        if amount is None or amount < 0:
            raise ControlError("quantity must be a number >= 0")
        with self.transaction():
            tenant = self.tenant(tenant_id)
            self._control_customer(tenant, customer_id)
            tenant.stock[(customer_id, code)] = amount
            return {"customerId": customer_id, "code": code, "quantity": json_number(amount)}

    def set_rate_card(self, tenant_id: str, rate_card: dict[str, Any] | None) -> dict[str, Any] | None:
        """Replace the tenant's rate card (``None``: every quote answers "No matching rate found.").

        Shape: ``{name, currency?, rates: [{name, serviceType?, customerId?, postcodes?, charges: [{feeCategory:
        {id?, name}, type: PER_QUANTITY|PER_WEIGHT|PER_PALLET|FLAT (amount) | LEVY (percent)}]}]}``.
        """
        if rate_card is not None:
            _check_rate_card(rate_card)
        with self.transaction():
            self.tenant(tenant_id).rate_card = copy.deepcopy(rate_card)
            return copy.deepcopy(rate_card)

    def outbound_orders(self, tenant_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(list(self.tenant(tenant_id).outbound_orders.values()))

    def consignments(self, tenant_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(list(self.tenant(tenant_id).consignments.values()))

    def set_outbound_order_status(
        self,
        tenant_id: str,
        order_id: str,
        status: str,
        *,
        tracking_number: str | None = None,
        carrier: str | None = None,
        tracking_url: str | None = None,
    ) -> dict[str, Any]:
        """Move an order as a warehouse user would, then notify.

        Bumps ``version`` and ``timestamps.modified`` (plus ``packed``/``dispatched``); on PACKED or DISPATCHED
        creates or updates the consignment generated from the order when tracking is given (or one exists).
        """
        if status not in OUTBOUND_ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(OUTBOUND_ORDER_STATUSES)}")
        with self.transaction():
            tenant = self.tenant(tenant_id)
            order = tenant.outbound_orders.get(order_id)
            if order is None:
                raise ControlError(f"unknown outbound order {order_id}", 404)
            stamp = self.timestamp()
            if order["status"] == "REJECTED" and status != "REJECTED":
                for entry in order["details"].get("errors", []):
                    entry["isResolved"] = True
            order["status"] = status
            order["version"] += 1
            timestamps = order["timestamps"]
            timestamps["modified"] = {"time": stamp}
            if status in ("PACKED", "DISPATCHED"):
                timestamps.setdefault("packed", {"time": stamp})
                if status == "PACKED":
                    timestamps["packed"] = {"time": stamp}
                else:
                    timestamps["dispatched"] = {"time": stamp}
                self._sync_consignment(tenant, order, status, tracking_number, carrier, tracking_url, stamp)
            self._notify(tenant, "OUTBOUND_ORDER", order_id, stamp, "STATUS_CHANGED")
            return copy.deepcopy(order)

    def set_consignment_tracking(
        self,
        tenant_id: str,
        consignment_id: str,
        tracking_number: str,
        *,
        carrier: str | None = None,
        tracking_url: str | None = None,
    ) -> dict[str, Any]:
        """Change a consignment's tracking (its sale order is untouched, as in CartonCloud), then notify."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            consignment = tenant.consignments.get(consignment_id)
            if consignment is None:
                raise ControlError(f"unknown consignment {consignment_id}", 404)
            stamp = self.timestamp()
            _apply_tracking(consignment, tracking_number, carrier, tracking_url)
            consignment["version"] += 1
            consignment["timestamps"]["modified"] = {"time": stamp}
            self._notify(tenant, "CONSIGNMENT", consignment_id, stamp, "TRACKING_CHANGED")
            return copy.deepcopy(consignment)

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (the next call gets 401, as after a secret rotation)."""
        with self.transaction():
            self._tokens.clear()

    def drop_notifications(self, count: int) -> None:
        """Lose the next ``count`` change notifications (so the poller has something to catch)."""
        self.drop_webhooks(count)

    def redeliver_notification(self, notification_id: str | None = None) -> dict[str, Any]:
        """Send a notification again with the same ``id`` (freshly signed): the last one when no id is given."""
        with self.transaction():
            for delivery in reversed(self.deliveries):
                body: dict[str, Any] = delivery.json()
                if notification_id is None or body.get("id") == notification_id:
                    tenant = self.tenant(body["tenantId"])
                    self._queue_signed(tenant, delivery.url, delivery.body)
                    return body
        raise ControlError(f"no notification {notification_id}", 404)

    def _sync_consignment(self, tenant: Tenant, order: dict[str, Any], status: str, tracking_number: str | None,
                          carrier: str | None, tracking_url: str | None, stamp: str) -> None:
        generated = [c for c in tenant.consignments.values()
                     if resolve_pointer(c, "/generatedFromTask/id") == order["id"] and c["status"] != "CANCELLED"]
        # GUESS: how a warehouse-fulfilment consignment moves with its sale order.
        moved = "AWAITING_PICKUP" if status == "PACKED" else (
            "WITH_ON_FORWARDER" if carrier else "IN_TRANSIT_WAREHOUSE_DELIVERY")
        if not generated:
            if not tracking_number:
                return
            consignment = {
                "id": str(uuid.uuid4()),
                "type": "CONSIGNMENT",
                "status": moved,
                "references": {"customer": order["references"].get("customer"), "numericId": tenant.numeric_id()},
                "customer": copy.deepcopy(order["customer"]),
                "details": {
                    "type": "DELIVERY",
                    "deliver": {"address": copy.deepcopy(resolve_pointer(order, "/details/deliver/address"))},
                },
                "items": [{"details": {"product": copy.deepcopy(line["details"]["product"])},
                           "measures": {"quantity": line["measures"]["quantity"]}} for line in order["items"]],
                "generatedFromTask": {"id": order["id"]},
                "version": 1,
                "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
            }
            if "warehouse" in order:
                consignment["warehouse"] = copy.deepcopy(order["warehouse"])
            _apply_tracking(consignment, tracking_number, carrier, tracking_url)
            tenant.consignments[consignment["id"]] = consignment
            return
        for consignment in generated:
            consignment["status"] = moved
            if tracking_number:
                _apply_tracking(consignment, tracking_number, carrier, tracking_url)
            consignment["version"] += 1
            consignment["timestamps"]["modified"] = {"time": stamp}

    def _notify(self, tenant: Tenant, entity_type: str, entity_id: str, event_time: str, event: str) -> None:
        """Queue a change notification per docs/wms-notifications.md (sent when the transaction ends)."""
        if not tenant.notification_url:
            return
        body = json.dumps({
            "id": str(uuid.uuid4()),
            "tenantId": tenant.id,
            "entityType": entity_type,
            "entityId": entity_id,
            "eventTime": event_time,
            "event": event,
        }, separators=(",", ":")).encode("utf-8")
        self._queue_signed(tenant, tenant.notification_url, body)

    def _queue_signed(self, tenant: Tenant, url: str, body: bytes) -> None:
        timestamp = str(int(self._now().timestamp()))
        headers = {"Content-Type": "application/json", "User-Agent": "CartonCloud-Sandbox/1",
                   "X-Notification-Timestamp": timestamp}
        if tenant.notification_secret:
            digest = hmac.new(tenant.notification_secret.encode("utf-8"), f"{timestamp}.".encode() + body,
                              hashlib.sha256).hexdigest()
            headers["X-Notification-Signature"] = f"v1={digest}"
        self.queue_webhook(url, headers, body)

    # --- control routes ----------------------------------------------------------------------------------------------

    def _control_add_tenant(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        tenant = self.add_tenant(
            pick(body, "tenantId", "id"),
            client_id=pick(body, "clientId"),
            client_secret=pick(body, "clientSecret"),
            name=pick(body, "name") or "Demo Tenant",
            notification_url=pick(body, "notificationUrl"),
            notification_secret=pick(body, "notificationSecret"),
            currency=pick(body, "currency") or "AUD",
        )
        return SandboxResponse.json(201, tenant.to_json())

    def _control_get_tenant(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        with self.transaction():
            tenant = self.tenant(tenant_id)
            return SandboxResponse.json(200, {
                **tenant.to_json(),
                "customers": list(tenant.customers.values()),
                "warehouses": list(tenant.warehouses.values()),
                "stock": [{"customerId": c, "code": code, "quantity": json_number(q)}
                          for (c, code), q in tenant.stock.items()],
                "rateCard": tenant.rate_card,
            })

    def _control_add_customer(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        customer = self.add_customer(tenant_id, _required(body, "name"), id=pick(body, "id"), code=pick(body, "code"),
                                     warehouse_ids=pick(body, "warehouseIds"))
        return SandboxResponse.json(201, customer)

    def _control_add_warehouse(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(201, self.add_warehouse(tenant_id, _required(body, "name"), id=pick(body, "id")))

    def _control_add_product(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        product = self.add_product(tenant_id, _required(body, "customerId"), _required(body, "code"),
                                   _required(body, "name"), barcode=pick(body, "barcode"))
        return SandboxResponse.json(201, product)

    def _control_set_stock(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        stock = self.set_stock(tenant_id, _required(body, "customerId"), _required(body, "code"),
                               _required(body, "quantity"))
        return SandboxResponse.json(200, stock)

    def _control_list_orders(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.outbound_orders(tenant_id))

    def _control_list_consignments(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.consignments(tenant_id))

    def _control_order_status(self, request: SandboxRequest, tenant_id: str, order_id: str) -> SandboxResponse:
        body = control_body(request)
        order = self.set_outbound_order_status(
            tenant_id, order_id, _required(body, "status"), tracking_number=pick(body, "trackingNumber"),
            carrier=pick(body, "carrier"), tracking_url=pick(body, "trackingUrl"),
        )
        return SandboxResponse.json(200, order)

    def _control_consignment_tracking(self, request: SandboxRequest, tenant_id: str, consignment_id: str
                                      ) -> SandboxResponse:
        body = control_body(request)
        consignment = self.set_consignment_tracking(
            tenant_id, consignment_id, _required(body, "trackingNumber"), carrier=pick(body, "carrier"),
            tracking_url=pick(body, "trackingUrl"),
        )
        return SandboxResponse.json(200, consignment)

    def _control_rate_card(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        body = control_body(request)
        card = body.get("rateCard", body)
        return SandboxResponse.json(200, {"rateCard": self.set_rate_card(tenant_id, card)})

    def _control_redeliver(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(200, self.redeliver_notification(pick(body, "id")))

    def _control_revoke_tokens(self, request: SandboxRequest) -> SandboxResponse:
        self.revoke_tokens()
        return SandboxResponse.empty(204)

    def _control_clock(self, request: SandboxRequest) -> SandboxResponse:
        """``{advanceSeconds}``: move this sandbox's clock forward (over HTTP, where no ``now`` can be passed).

        Tokens expire and the create limit's minute passes by this clock; ``/_control/reset`` keeps it.
        """
        seconds = float(_required(control_body(request), "advanceSeconds"))
        with self.transaction():
            previous = self.now
            self.now = lambda: previous() + timedelta(seconds=seconds)
        return SandboxResponse.json(200, {"now": self.timestamp()})

    def _control_customer(self, tenant: Tenant, customer_id: str) -> dict[str, Any]:
        customer = tenant.customers.get(customer_id)
        if customer is None:
            raise ControlError(f"unknown customer {customer_id}", 404)
        return customer


# --- module helpers --------------------------------------------------------------------------------------------------


def _first_match(candidates: list[dict[str, Any]], asked: dict[str, Any], keys: tuple[str, ...]
                 ) -> dict[str, Any] | None:
    """Resolve by the FIRST identifying key the caller gave; a later key is not a fallback for a wrong earlier one."""
    references = _object(asked.get("references"))
    for key in keys:
        wanted = asked.get(key) if key in ("id", "name") else references.get(key)
        if wanted is None:
            continue
        for candidate in candidates:
            have = candidate.get(key) if key in ("id", "name") else _object(candidate.get("references")).get(key)
            if have is not None and have == wanted:
                return candidate
        return None
    return None


def _apply_tracking(consignment: dict[str, Any], number: str, carrier: str | None, url: str | None) -> None:
    consignment.setdefault("references", {})["tracking"] = number
    tracking = consignment.setdefault("details", {}).setdefault("tracking", {})
    if carrier is not None:
        tracking["companyName"] = carrier
    if url is not None:
        tracking["url"] = url


def _charges(rate: dict[str, Any], body: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    """The rating engine's charge lines; a LEVY is a percentage of the charges before it."""
    items = [_object(item) for item in body.get("items") or []]

    def total(measure: str) -> Decimal:
        return sum((_decimal(resolve_pointer(item, f"/measures/{measure}")) or Decimal(0) for item in items),
                   Decimal(0))

    charges: list[dict[str, Any]] = []
    running = Decimal(0)
    cents = Decimal("0.01")
    for spec in rate.get("charges", []):
        kind = spec["type"]
        category = spec["feeCategory"]
        if kind == "LEVY":
            percent = Decimal(str(spec["percent"]))
            fee = (running * percent / 100).quantize(cents, ROUND_HALF_UP)
            description = (f"{category['name']} at {_qty(percent)}% = {_dollars(fee)} "
                           f"[total: {_dollars(running + fee)}]")
        elif kind == "FLAT":
            fee = Decimal(str(spec["amount"])).quantize(cents, ROUND_HALF_UP)
            description = f"{category['name']} = {_dollars(fee)}"
        else:
            measure, label = {"PER_QUANTITY": ("quantity", "quantity"), "PER_WEIGHT": ("weight", "kg"),
                              "PER_PALLET": ("pallets", "pallets")}[kind]
            unit_price = Decimal(str(spec["amount"]))
            count = total(measure)
            fee = (count * unit_price).quantize(cents, ROUND_HALF_UP)
            description = f"{_qty(count)} {label} at {_dollars(unit_price)} = {_dollars(fee)}"
        running += fee
        money = {"amount": json_number(fee), "currency": currency}
        charges.append({"feeCategory": dict(category), "description": description, "fee": money,
                        "feeAfterModifiers": dict(money)})
    return charges


def _check_rate_card(card: dict[str, Any]) -> None:
    if not isinstance(card, dict) or not card.get("name") or not isinstance(card.get("rates"), list):
        raise ControlError("rate card needs a name and a list of rates")
    for rate in card["rates"]:
        if not isinstance(rate, dict) or not rate.get("name") or not isinstance(rate.get("charges"), list):
            raise ControlError("each rate needs a name and a list of charges")
        for charge in rate["charges"]:
            kind = _object(charge).get("type")
            if kind not in CHARGE_TYPES or not _object(charge.get("feeCategory")).get("name"):
                raise ControlError(f"each charge needs feeCategory.name and a type in {CHARGE_TYPES}")
            needed = "percent" if kind == "LEVY" else "amount"
            if _decimal(charge.get(needed)) is None:
                raise ControlError(f"a {kind} charge needs a numeric {needed}")


def _required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise ControlError(f"{name} is required")
    return body[name]


def _positive_int(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ApiError(400, [{"message": f"Parameter '{name}' must be a whole number of at least 1."}])
    return number


# --- standalone ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the CartonCloud sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tenant-id", help="seed one tenant with this id (and the options below)")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--notification-url")
    parser.add_argument("--notification-secret")
    args = parser.parse_args(argv)

    sandbox = CartonCloudSandbox()
    if args.tenant_id:
        sandbox.add_tenant(args.tenant_id, client_id=args.client_id, client_secret=args.client_secret,
                           notification_url=args.notification_url, notification_secret=args.notification_secret)
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    sys.exit(main())
