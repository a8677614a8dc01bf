"""CartonCloud's vocabulary: API constants and messages, the error array (:class:`ApiError`, :class:`Problems`), and
the small value helpers every API surface uses (numbers, embedded references, money and address checks, JSON bodies).
"""

from __future__ import annotations

import copy
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from ..base import SandboxRequest
from ..common import finite_decimal, json_number

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


# --- errors ----------------------------------------------------------------------------------------------------------


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


# --- small helpers ---------------------------------------------------------------------------------------------------


def to_decimal(value: Any, *, strict: bool = False) -> Decimal | None:
    """A JSON number (or, unless ``strict``, a numeric string) as Decimal; None for anything else."""
    if isinstance(value, bool) or value is None or (strict and not isinstance(value, int | float)):
        return None
    return finite_decimal(value)


def qty_text(value: Decimal) -> str:
    return str(json_number(value))


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def money_problems(problems: Problems, value: Any, pointer: str, *, non_negative: bool = False,
                   strict: bool = False) -> None:
    if value is None:
        return
    amount = to_decimal(value.get("amount"), strict=strict) if isinstance(value, dict) else None
    currency = value.get("currency") if isinstance(value, dict) else None
    if amount is None or not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        problems.add(pointer, "Amount and currency (ISO 4217) are both required.")
    elif non_negative and amount < 0:
        problems.add(f"{pointer}/amount", "Amount must be 0 or more.")


def address_problems(problems: Problems, address: Any, pointer: str) -> None:
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


def embed(entity: dict[str, Any]) -> dict[str, Any]:
    """How an order or product embeds a customer, warehouse or product (the shape in the vendor's examples)."""
    ref: dict[str, Any] = {"id": entity["id"], "name": entity["name"]}
    if entity.get("references"):
        ref["references"] = dict(entity["references"])
    ref["enabled"] = True
    return ref


#: Keys whose values CartonCloud stores as decimals and answers as JSON numbers.
NUMERIC_KEYS = frozenset({"quantity", "weight", "pallets", "cubic", "spaces", "amount"})


def normalise_numbers(value: Any) -> Any:
    """Numeric strings under quantity/measure/amount keys become numbers, as the API would answer them."""
    if isinstance(value, list):
        return [normalise_numbers(entry) for entry in value]
    if isinstance(value, dict):
        for key, entry in value.items():
            number = to_decimal(entry) if key in NUMERIC_KEYS and isinstance(entry, str) else None
            value[key] = json_number(number) if number is not None else normalise_numbers(entry)
    return value


def with_extras(resource: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``resource`` followed by the body's other fields (the API keeps fields it does not document)."""
    for key, value in body.items():
        resource.setdefault(key, copy.deepcopy(value))
    return resource


def first_match(candidates: list[dict[str, Any]], asked: dict[str, Any], keys: tuple[str, ...]
                ) -> dict[str, Any] | None:
    """Resolve by the FIRST identifying key the caller gave; a later key is not a fallback for a wrong earlier one."""
    references = as_object(asked.get("references"))
    for key in keys:
        wanted = asked.get(key) if key in ("id", "name") else references.get(key)
        if wanted is None:
            continue
        for candidate in candidates:
            have = candidate.get(key) if key in ("id", "name") else as_object(candidate.get("references")).get(key)
            if have is not None and have == wanted:
                return candidate
        return None
    return None


def positive_int(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ApiError(400, [{"message": f"Parameter '{name}' must be a whole number of at least 1."}])
    return number


def json_object(request: SandboxRequest, *, allow_empty: bool = False) -> dict[str, Any]:
    if allow_empty and not request.body.strip():
        return {}
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, [{"message": "Malformed JSON request body."}]) from None
    if not isinstance(body, dict):
        raise ApiError(400, [{"message": "The request body must be a JSON object."}])
    return body
