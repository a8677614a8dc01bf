"""Named Unleashed failures, each with what a person should do about it.

Unleashed answers a wrong signature with ``403 Forbidden`` (UL-DOC "AuthenticationHelp"). Error bodies carry
``Description`` (a2zwebltd/unleashed-api-client reads ``$responseData['Description']``); the full shape is
UNCONFIRMED, so anything else in the body is ignored and a body that is not JSON gives the HTTP reason instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import PermanentError, UpstreamAuthFailed, UpstreamError, UpstreamNotFound, UpstreamRejected
from ..core.http import error_for_status

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

UPSTREAM = "Unleashed"
API_ACCESS = "Unleashed: Integration → Unleashed API Access"
CREDENTIALS_RESOLUTION = (
    f"Copy the API ID and API Key again from {API_ACCESS} (only the account owner sees them), enter both in the "
    "integration's authentication step, then retry from the sync log."
)
#: What Unleashed says when a shipment's status can't change because Order Management is off (the sandbox's text;
#: Unleashed's own wording is UNCONFIRMED, so the exporter also recognises the shipment by its missing status).
ORDER_MANAGEMENT_OFF = "order management"
UNKNOWN_SHIPPING_COMPANY = "shippingcompany"
SUBSCRIPTION_LIMIT = "maximum"


class ShipmentNotFound(UpstreamNotFound):
    """The sales shipment does not exist (deleted, or never did)."""


class OrderNotFound(UpstreamNotFound):
    """The sales order does not exist (deleted, or never did)."""


class ShipmentRefused(UpstreamRejected):
    """Unleashed refused a shipment update (400): the ``Description`` says why."""


class MappingRefused(PermanentError):
    """The shipment can't become a WMS order as it is; ``problems`` name each field and why."""

    def __init__(self, problems: list[dict[str, str]], *, resolution: str) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems), resolution=resolution)
        self.problems = problems


class UnknownProducts(PermanentError):
    """Product codes the WMS has no product for (checked before the order is created); ``customer`` is the
    customer's name as people know it."""

    def __init__(self, codes: list[str], *, customer: str) -> None:
        listed = ", ".join(codes)
        super().__init__(
            f"CartonCloud has no product with code {listed} for {customer}",
            resolution=(
                f"Create the product{'s' if len(codes) > 1 else ''} {listed} in CartonCloud for {customer} "
                "(or correct the product code in Unleashed so it matches the CartonCloud product code), then retry "
                "from the sync log. A fee or service rather than goods (shipping, a handling charge) is left out "
                "of the warehouse order once it is marked Never Diminishing on its product in Unleashed."
            ),
        )
        self.codes = codes


class NothingToPick(PermanentError):
    """Every line of the shipment is a fee or a charge: there is nothing for the warehouse to do."""



def description(response: requests.Response) -> str:
    """Unleashed's ``Description`` of an error, or the HTTP reason."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        text = body.get("Description") or body.get("description") or body.get("Message") or body.get("message")
        if isinstance(text, str) and text.strip():
            return text.strip()[:500]
    return response.reason or f"HTTP {response.status_code}"


def error_from_response(response: requests.Response, method: str, path: str) -> UpstreamError:
    """The named error for an Unleashed error answer (the path only: never the query, never our headers)."""
    detail = description(response)
    status = response.status_code
    what = f"{UPSTREAM} answered {status} to {method} {path}: {detail}"
    if status in (401, 403):
        return UpstreamAuthFailed(what, upstream=UPSTREAM, status=status, resolution=CREDENTIALS_RESOLUTION)
    if status == 404 and path.startswith("/SalesShipments/"):
        return ShipmentNotFound(what, upstream=UPSTREAM, status=404,
                                resolution="Check the sales shipment still exists in Unleashed.")
    if status == 404 and path.startswith("/SalesOrders/"):
        return OrderNotFound(what, upstream=UPSTREAM, status=404,
                             resolution="Check the sales order still exists in Unleashed.")
    if status == 400 and method == "PUT" and path.startswith("/SalesShipments/"):
        return ShipmentRefused(what, upstream=UPSTREAM, status=400, errors=[{"Description": detail}],
                               resolution="Check the shipment in Unleashed (its status, lines and shipping "
                                          "company), then retry from the sync log.")
    return error_for_status(UPSTREAM, status, method, path, detail=detail,
                            errors=[{"Description": detail}],
                            resolution="Check the record in Unleashed, then retry from the sync log.")
