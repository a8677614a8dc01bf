"""Search conditions as CartonCloud's ``POST …/search`` endpoints take them: the searchable fields
(:class:`SearchField`), JSON Pointers, instants with an offset, the condition compiler, and the paged answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import paginate
from .model import ApiError, json_object, positive_int

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


# --- search and paging -----------------------------------------------------------------------------------------------


def search_page(request: SandboxRequest, documents: list[dict[str, Any]], fields: dict[str, SearchField]
                ) -> SandboxResponse:
    body = json_object(request, allow_empty=True)
    condition = body.get("condition")
    test: Predicate = compile_condition(condition, fields) if condition is not None else (lambda doc: True)
    page = positive_int(request.param("page"), 1, "page")
    size = positive_int(request.param("size"), 50, "size")
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
