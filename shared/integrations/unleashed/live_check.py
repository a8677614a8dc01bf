"""The live check of an Unleashed account: read-only probes (GETs only) of what the connector assumes
(:data:`.connector.ASSUMPTIONS`; core.live_check runs this at Finish, on ``POST …/check`` and from the command line).

About a dozen calls, counted in the account's month like every configuration-time call (``usage.counted``):

- ``GET /SalesOrders/1?pageSize=5``: the credentials and the endpoint; the dates' wire form; each product line's
  ``LineTotal`` against ``UnitPrice × OrderQuantity × (1 − DiscountRate)`` (what our WMS prices rest on);
- the same read with ``Accept: */*``: whether JSON must be asked for, as Unleashed's docs say;
- ``GET /SalesShipments/1?pageSize=50`` with and without ``serialBatch=true``, and one shipment by its GUID with it:
  whether lines' batch and serial numbers come only when asked, and whether the read before a write-back gets them;
- ``GET /Products/1?pageSize=5`` (``NeverDiminishing``), ``GET /webhooks/subscriptions``, ``GET /Companies``
  (time zone, base currency), ``GET /ShippingCompanies``.

A probe that can't decide (an empty account, Unleashed down) says so ("could not check") with what it would need.
Credentials Unleashed refuses stop the whole check (core.live_check reports every assumption "could not check").
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..core.errors import UpstreamAuthFailed, UpstreamError
from ..core.live_check import Finding, confirmed, could_not_check, refuted
from .client import UnleashedClient
from .dates import NotAnUnleashedDate, organisation_zone, parse_wire
from .models import CHARGE

#: Enough recent shipments to likely meet one with batch or serial numbers, in one call each way.
SHIPMENTS_LOOKED_AT = 50
DATE_FIELDS = ("OrderDate", "RequiredDate", "CompletedDate", "CreatedOn", "LastModifiedOn")
TRY_AGAIN = "Run the check again when Unleashed answers (https://status.unleashedsoftware.com)."


def probe(client: UnleashedClient, platform_state: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    for step in (_sales_orders, _accept, _shipments, _products, _subscriptions, _companies, _shipping_companies):
        step(client, findings)
    return findings


def _unreachable(key: str, what: str, exc: UpstreamError) -> Finding:
    if isinstance(exc, UpstreamAuthFailed):
        raise exc  # the credentials themselves: the whole check says so
    return could_not_check(key, f"{what} failed: {exc}", TRY_AGAIN)


def _refused(key: str, what: str, exc: UpstreamError) -> Finding:
    """A read the assumption relies on failed: refuted when Unleashed refused it for good (the path or its fields are
    not what we assumed), not checkable when it may answer later (a 429, a 5xx, no answer)."""
    return _unreachable(key, what, exc) if exc.retryable else refuted(key, f"{what}: {exc}")


def _items(body: Any) -> list[dict[str, Any]]:
    items = body.get("Items") if isinstance(body, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


# --- sales orders: the endpoint, dates, prices ------------------------------------------------------------------


def _sales_orders(client: UnleashedClient, findings: list[Finding]) -> None:
    try:
        body = client.call("GET", "/SalesOrders/1", params=[("pageSize", 5)]).json()
    except UpstreamError as exc:
        for key in ("sales-orders", "date-wire-form", "discount-pricing"):
            findings.append(_unreachable(key, "GET /SalesOrders/1?pageSize=5", exc))
        return
    except ValueError:
        body = None
    if not isinstance(body, dict) or "Items" not in body:
        findings.append(refuted("sales-orders", "GET /SalesOrders/1?pageSize=5 answered 200 without a Pagination "
                                                "and Items page"))
        return
    orders = _items(body)
    total = (body.get("Pagination") or {}).get("NumberOfItems") if isinstance(body.get("Pagination"), dict) else None
    findings.append(confirmed("sales-orders", f"GET /SalesOrders/1?pageSize=5 answered a page of {len(orders)} "
                                              f"sales order(s) (of {total if total is not None else '?'})"))
    if not orders:
        empty = "The account has no sales order yet to look at"
        findings.append(could_not_check("date-wire-form", empty, "Run the check again once an order exists."))
        findings.append(could_not_check("discount-pricing", empty, "Run the check again once an order exists."))
        return
    findings.append(_dates(orders))
    findings.append(_prices(orders))


def _dates(orders: list[dict[str, Any]]) -> Finding:
    seen = 0
    for order in orders:
        for name in DATE_FIELDS:
            value = order.get(name)
            if value is None:
                continue
            try:
                if not isinstance(value, str):
                    raise NotAnUnleashedDate(repr(value))
                parse_wire(value)
            except NotAnUnleashedDate:
                return refuted("date-wire-form", f"{order.get('OrderNumber')} {name} is {value!r}, not /Date(ms)/")
            seen += 1
    example = next((f"{o.get('OrderNumber')} OrderDate {o['OrderDate']}" for o in orders if o.get("OrderDate")), "")
    return confirmed("date-wire-form", f"{seen} dates of {len(orders)} order(s) read as /Date(ms)/"
                                       + (f", e.g. {example}" if example else ""))


def _prices(orders: list[dict[str, Any]]) -> Finding:
    checked = 0
    for order in orders:
        for line in order.get("SalesOrderLines") or []:
            if not isinstance(line, dict) or line.get("LineType") == CHARGE:
                continue
            values = [_number(line.get(name)) for name in ("UnitPrice", "OrderQuantity", "DiscountRate", "LineTotal")]
            if any(value is None for value in values):
                continue
            price, quantity, rate, total = (value or Decimal(0) for value in values)
            expected = price * quantity * (1 - rate)
            if abs(expected - total) > Decimal("0.01"):
                return refuted("discount-pricing", f"{order.get('OrderNumber')} line {line.get('LineNumber')}: "
                                                   f"LineTotal {total} is not UnitPrice {price} × {quantity} × (1 − "
                                                   f"DiscountRate {rate}) = {expected:.2f}")
            checked += 1
    if not checked:
        return could_not_check("discount-pricing", "No product line of the orders read carries UnitPrice, "
                                                   "OrderQuantity, DiscountRate and LineTotal",
                               "Run the check again once an order with priced lines exists.")
    return confirmed("discount-pricing", f"{checked} line(s): LineTotal = UnitPrice × OrderQuantity × (1 − "
                                         "DiscountRate), DiscountRate a fraction")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _accept(client: UnleashedClient, findings: list[Finding]) -> None:
    what = "GET /SalesOrders/1?pageSize=1 with Accept: */*"
    try:
        answer = client.call("GET", "/SalesOrders/1", params=[("pageSize", 1)], accept="*/*")
    except UpstreamError as exc:
        if exc.retryable:
            findings.append(_unreachable("accept-header", what, exc))
        else:
            findings.append(confirmed("accept-header", f"{what} was refused: {exc}"))
        return
    kind = answer.headers.get("Content-Type", "")
    if "json" in kind:
        findings.append(refuted("accept-header", f"{what} answered JSON all the same ({kind})"))
    else:
        findings.append(confirmed("accept-header", f"{what} answered {kind or 'no content type'}, not JSON"))


# --- shipments: batch and serial numbers --------------------------------------------------------------------------


def _numbers(shipment: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """The lines' batch and serial numbers (what a write-back must not lose), by order line."""
    return [(line.get("SalesOrderLineNumber"), line.get("BatchNumbers"), line.get("SerialNumbers"))
            for line in shipment.get("SalesShipmentLines") or []
            if isinstance(line, dict) and (line.get("BatchNumbers") or line.get("SerialNumbers"))]


def _shipments(client: UnleashedClient, findings: list[Finding]) -> None:
    page = [("pageSize", SHIPMENTS_LOOKED_AT)]
    try:
        flagged = _items(client.call("GET", "/SalesShipments/1", params=[*page, ("serialBatch", "true")]).json())
        plain = {s.get("Guid"): s for s in _items(client.call("GET", "/SalesShipments/1", params=page).json())}
    except UpstreamError as exc:
        for key in ("sales-shipments", "serial-batch", "serial-batch-by-guid"):
            findings.append(_unreachable(key, "GET /SalesShipments/1", exc))
        return
    findings.append(confirmed("sales-shipments", f"GET /SalesShipments/1 answered a page of {len(flagged)} "
                                                 "shipment(s), with and without serialBatch=true"))
    carrying = next((s for s in flagged if _numbers(s)), None)
    if carrying is None:
        why = (f"None of the latest {len(flagged)} sales shipments has batch or serial numbers" if flagged
               else "The account has no sales shipment yet")
        for key in ("serial-batch", "serial-batch-by-guid"):
            findings.append(could_not_check(key, why, "Run the check again once a shipment of a batch-tracked or "
                                                      "serialised product exists."))
        return
    name, numbers = carrying.get("ShipmentNumber"), _numbers(carrying)
    without = plain.get(carrying.get("Guid"))
    if without is None:
        findings.append(could_not_check("serial-batch", f"{name} was not in the listing without serialBatch",
                                        "Run the check again."))
    elif _numbers(without) == numbers:
        findings.append(refuted("serial-batch", f"{name}'s batch/serial numbers come without serialBatch=true too"))
    else:
        findings.append(confirmed("serial-batch", f"{name}'s batch/serial numbers come only with serialBatch=true"))
    try:
        by_guid = client.get_shipment(str(carrying.get("Guid")), serial_batch=True)
    except UpstreamError as exc:
        findings.append(_unreachable("serial-batch-by-guid", f"GET /SalesShipments/{{guid}} of {name}", exc))
        return
    if _numbers(by_guid) == numbers:
        findings.append(confirmed("serial-batch-by-guid", f"{name} read by its GUID with serialBatch=true shows the "
                                                          "batch/serial numbers the listing shows"))
    else:
        findings.append(refuted("serial-batch-by-guid", f"{name} read by its GUID with serialBatch=true lacks the "
                                                        "batch/serial numbers the listing shows"))


# --- products, subscriptions, the organisation, shipping companies --------------------------------------------------


def _products(client: UnleashedClient, findings: list[Finding]) -> None:
    try:
        products = _items(client.call("GET", "/Products/1", params=[("pageSize", 5)]).json())
    except UpstreamError as exc:
        findings.append(_unreachable("fee-products", "GET /Products/1?pageSize=5", exc))
        return
    if not products:
        findings.append(could_not_check("fee-products", "The account has no product yet",
                                        "Run the check again once products exist."))
    elif all(isinstance(p.get("NeverDiminishing"), bool) for p in products):
        marked = sum(1 for p in products if p["NeverDiminishing"])
        findings.append(confirmed("fee-products", f"{len(products)} product(s) read, each with NeverDiminishing "
                                                  f"({marked} marked)"))
    else:
        findings.append(refuted("fee-products", "Products read from GET /Products carry no NeverDiminishing flag"))


def _subscriptions(client: UnleashedClient, findings: list[Finding]) -> None:
    try:
        found = client.subscriptions()
    except UpstreamError as exc:
        findings.append(_refused("subscription-api", "GET /webhooks/subscriptions", exc))
        return
    except ValueError:
        findings.append(refuted("subscription-api", "GET /webhooks/subscriptions answered, but not with a list of "
                                                    "subscriptions as we read them"))
        return
    findings.append(confirmed("subscription-api", f"GET /webhooks/subscriptions answered a list of {len(found)} "
                                                  "subscription(s)"))


def _companies(client: UnleashedClient, findings: list[Finding]) -> None:
    try:
        company = client.company()
    except UpstreamError as exc:
        findings.append(_unreachable("organisation-time-zone", "GET /Companies", exc))
        return
    except ValueError:
        company = None
    if company is None:
        findings.append(could_not_check("organisation-time-zone", "GET /Companies answered no organisation",
                                        TRY_AGAIN))
        return
    zone, recognised = organisation_zone(company.TimeZone)
    said = f"{company.CompanyName or 'The organisation'}: TimeZone {company.TimeZone!r}" + \
        (f", base currency {company.BaseCurrencyCode}" if company.BaseCurrencyCode else "")
    if recognised:
        findings.append(confirmed("organisation-time-zone", f"{said} (read as {zone})"))
    else:
        findings.append(refuted("organisation-time-zone", f"{said}: not a zone name we recognise"))


def _shipping_companies(client: UnleashedClient, findings: list[Finding]) -> None:
    try:
        companies = _items(client.call("GET", "/ShippingCompanies").json())
    except UpstreamError as exc:
        findings.append(_refused("shipping-companies", "GET /ShippingCompanies", exc))
        return
    names = [str(c.get("Name")) for c in companies if c.get("Name")]
    findings.append(confirmed("shipping-companies", "GET /ShippingCompanies lists "
                                                    + (", ".join(names) if names else "none yet")))
