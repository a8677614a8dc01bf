"""Named Starshipit failures, each with what a person should do about it.

Starshipit answers errors in two shapes (platform-apis-followup.md Q6): its API's envelope
``{"success": false, "errors": [{"message", "details"}]}`` and, for 401 and 429, Azure API Management's
``{"statusCode", "message"}`` (the gateway that checks the subscription key and the rate limit).
:func:`error_from_response` turns either into the core's named error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..core.errors import (
    PermanentError,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRejected,
)
from ..core.http import error_for_status, parse_retry_after
from . import UPSTREAM
from .models import ApiErrorEntry

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

KEYS_PAGE = "Starshipit → Settings → API"
API_KEY_RESOLUTION = (f"Starshipit refused the API key (it was regenerated, or belongs to no account). Copy it again "
                      f"from {KEYS_PAGE}, enter it in the integration's authentication step, then retry from the "
                      "sync log.")
SUBSCRIPTION_RESOLUTION = (f"Starshipit's gateway refused the subscription key. Copy the subscription key again from "
                           f"{KEYS_PAGE}, enter it in the integration's authentication step, then retry from the sync "
                           "log.")


class StarshipitRejected(UpstreamRejected):
    """Starshipit refused what we sent (a 4xx, or ``success: false``): its own messages, and the fields they name."""

    def __init__(self, message: str, *, status: int | None, entries: list[ApiErrorEntry],
                 resolution: str | None = None) -> None:
        super().__init__(message, upstream=UPSTREAM, status=status,
                         errors=[entry.model_dump(exclude_none=True) for entry in entries], resolution=resolution)
        self.entries = entries

    @property
    def text(self) -> str:
        """Starshipit's own words, for matching and for the sync log."""
        return "; ".join(": ".join(part for part in (e.message, e.details) if part) for e in self.entries)


class SubscriptionKeyRefused(UpstreamAuthFailed):
    """The gateway (Azure API Management) refused the subscription key, before the API saw the request."""


class OrderNotFound(UpstreamNotFound):
    """No Starshipit order with that id or number (never created, or deleted there)."""


class MappingRefused(PermanentError):
    """The WMS order can't become a Starshipit order as it is; ``problems`` name each WMS field and why."""

    def __init__(self, problems: list[dict[str, str]], *, resolution: str) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems), resolution=resolution)
        self.problems = problems


def parse_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def entries_of(body: dict[str, Any]) -> list[ApiErrorEntry]:
    """The error entries of either shape (the gateway's message becomes one entry)."""
    found: list[ApiErrorEntry] = []
    raw = body.get("errors")
    for entry in raw if isinstance(raw, list) else []:
        try:
            found.append(ApiErrorEntry.model_validate(entry if isinstance(entry, dict) else {"message": entry}))
        except ValidationError:
            continue
    if not found and isinstance(body.get("message"), str):
        found.append(ApiErrorEntry(message=body["message"], details=str(body.get("statusCode") or "")))
    return found


def refused(body: dict[str, Any]) -> bool:
    """A 2xx answer whose envelope says it failed (``success`` may be false or 0)."""
    return "success" in body and body["success"] is not None and not body["success"]


#: How a refusal says "there is no such order" (Starshipit's words are free text; matched without case).
NOT_FOUND_WORDS = ("not found", "does not exist", "doesn't exist", "no order", "could not find", "cannot find")


def says_not_found(text: str) -> bool:
    """Whether Starshipit's words say the order doesn't exist (and nothing else went wrong)."""
    lowered = text.lower()
    return any(words in lowered for words in NOT_FOUND_WORDS)


def is_gateway_refusal(body: dict[str, Any]) -> bool:
    """Azure API Management's own answer (``statusCode`` + ``message``), not the API's envelope."""
    return "statusCode" in body and "errors" not in body


def error_from_response(response: requests.Response, method: str, path: str) -> UpstreamError:
    """The named error for a Starshipit error answer (never quoting our keys: they travel in headers only)."""
    body = parse_body(response)
    entries = entries_of(body)
    detail = "; ".join(": ".join(part for part in (e.message, e.details) if part) for e in entries) \
        or response.reason or ""
    status = response.status_code
    what = f"{UPSTREAM} answered {status} to {method} {path}" + (f": {detail}" if detail else "")
    if status in (401, 403):
        if is_gateway_refusal(body) or "subscription key" in detail.lower():
            return SubscriptionKeyRefused(what, upstream=UPSTREAM, status=status, resolution=SUBSCRIPTION_RESOLUTION)
        return UpstreamAuthFailed(what, upstream=UPSTREAM, status=status, resolution=API_KEY_RESOLUTION)
    if status == 404:
        return OrderNotFound(what, upstream=UPSTREAM, status=404,
                             resolution="Check the order still exists in Starshipit (it may have been deleted there).")
    if 400 <= status < 500 and status != 429:
        return StarshipitRejected(what, status=status, entries=entries)
    return error_for_status(UPSTREAM, status, method, path, parse_retry_after(response.headers.get("Retry-After")),
                            detail=detail)
