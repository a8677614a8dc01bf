"""Rose Rocket's failures by name, each saying what a person should do.

The API answers NestJS errors ``{"statusCode", "message" (a list on 400), "error"}``; Auth0's token endpoint
``{"error", "error_description"}``. Both become the core's named errors (core.errors) through
:func:`error_from_response`; a 400/422 keeps Rose Rocket's messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import PermanentError, UpstreamError, UpstreamRejected
from ..core.http import error_for_status
from . import UPSTREAM

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

CREDENTIALS_RESOLUTION = ("Check the Rose Rocket credentials in the integration's authentication step (Rose Rocket → "
                          "Settings → API Settings → OAuth Applications; a rotated secret must be entered again), then "
                          "retry from the sync log.")


def messages_of(response: requests.Response) -> list[str]:
    """Rose Rocket's own words: NestJS ``message`` (string or list) or Auth0's ``error_description``."""
    try:
        body: Any = response.json()
    except ValueError:
        return [response.text[:200]] if response.text else []
    if not isinstance(body, dict):
        return []
    message = body.get("message", body.get("error_description"))
    if isinstance(message, list):
        return [str(m) for m in message]
    return [str(message)] if message else []


def error_from_response(response: requests.Response, method: str, path: str) -> UpstreamError:
    messages = messages_of(response)
    resolution = CREDENTIALS_RESOLUTION if response.status_code in (401, 403) else None
    return error_for_status(UPSTREAM, response.status_code, method, path, detail="; ".join(messages),
                            errors=[{"message": m} for m in messages], resolution=resolution)


class RoseRocketRejected(UpstreamRejected):
    """Rose Rocket refused what we wrote (a 400 naming fields): its messages are in ``errors``."""


class CustomerNotMatched(PermanentError):
    """A customer with no match on the other side (R1: matched by the WMS customer UUID, never auto-created)."""

    def __init__(self, message: str, *, side: str, customer_id: str) -> None:
        super().__init__(message, resolution=(
            "Match the customer: export the WMS customers (integration action \"Export customers\"), add the Rose "
            "Rocket customer beside each, and import the matches; the records waiting for it go across then "
            "(or retry from the sync log)."))
        #: ``wms`` (a WMS customer UUID with no Rose Rocket customer) or ``rose_rocket`` (the other way).
        self.side = side
        self.customer_id = customer_id


class MappingRefused(PermanentError):
    """A record that can't be mapped: ``field`` names it on the side it came from."""

    def __init__(self, message: str, *, field: str, resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field
