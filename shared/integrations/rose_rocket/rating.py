"""Rating Rose Rocket orders with the WMS's rating engine (R4): rate, then save (lock in).

**Rate** (``POST …/orders/{roseRocketOrderId}/rates``, the widget's call): the order is re-read; quotes and manifests
are not rated (orders only); an invoiced order can't be re-rated; every requirement the help page lists is checked
at once — a customer matched to a WMS customer UUID, pickup and delivery locations, a service type, commodities with
type, quantity and dimensions — and all that are missing are answered together. Then the WMS is asked for a quote
(``POST /consignments/quote``: the order as a would-be consignment of the matched customer) and its charges are
answered as line items (:mod:`.quotes`), kept under a ``quoteId`` for the save.

**Save** (``…/rates/{quoteId}/save``): the chosen lines (all by default) are written onto the order's sell quote as
``financialLineItem`` records marked as ours (``externalId`` ``cartoncloud-rate:{quoteId}:{line}``): the lines we
saved before are replaced, every line a dispatcher added by hand is kept, and a sell quote is created on the order
if it has none. Rose Rocket computes each line's ``amount`` (rate × quantity).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..cartoncloud.clients import wms_client
from ..cartoncloud.models import QuoteRequest
from ..core.context import core
from ..core.errors import PermanentError, SignatureInvalid
from ..core.integration_access import integration as load_integration
from ..core.integration_record import Integration, IntegrationStatus
from ..core.timeutil import utcnow
from . import PLATFORM
from .client import RoseRocketClient
from .clients import client_for
from .errors import MappingRefused
from .mapper import PALLET_TYPES, Place, place_of_rose_rocket, quote_request, shipment_of_order
from .matches import Match, MatchStore
from .models import INVOICED, Commodity, Order
from .quotes import StoredQuote, load, store
from .reads import read as read_paths
from .reads import with_stop_addresses
from .refs import order_ref, token_accepted
from .settings import settings_of

RATING_PATHS = ("customer", "tasks", "tasks.stops", "tasks.stops.address", "tasks.commodities", "serviceType",
                "sellQuote", "sellQuote.lineItems", "invoice")
OURS = "cartoncloud-rate:"


class RatingRefused(PermanentError):
    """The request can't be answered with rates; ``http_status`` is the HTTP answer, ``errors`` name the fields."""

    http_status = 422
    http_title = "Can't rate this order yet"

    def __init__(self, message: str, *, errors: list[dict[str, str]], resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.errors = errors

    def problem_errors(self) -> list[dict[str, str]]:
        return self.errors


class OrderNotFound(RatingRefused):
    http_status = 404
    http_title = "Not found"


class OrderInvoiced(RatingRefused):
    http_status = 409
    http_title = "Order invoiced"


class QuoteGone(RatingRefused):
    http_status = 410
    http_title = "Rates expired"


class QuoteNotFound(RatingRefused):
    http_status = 404
    http_title = "Not found"


class RatingCredentialRefused(SignatureInvalid):
    """The caller did not send this live integration's rating credential: 401, saying how to send it."""

    http_status = 401
    http_title = "Rating credential required"
    http_headers = {"WWW-Authenticate": 'Bearer realm="rose-rocket-rating"'}
    resolution = ("Send the integration's current rating credential (shown once when it was made or rotated: POST "
                  "…/rating-credential).")

    def problem_detail(self) -> str:
        return "Send the integration's rating credential as 'Authorization: Bearer <credential>'"

    def problem_errors(self) -> list[dict[str, str]]:
        return [{"field": "Authorization", "reason": "not this integration's rating credential"}]


@dataclass(frozen=True)
class Missing:
    field: str
    reason: str


def authenticate(tenant_id: str, integration_id: str, authorization: str | None) -> Integration:
    """The live integration whose rating credential the caller sent (``Authorization: Bearer …``), compared as a
    SHA-256 digest in constant time (:class:`RatingCredentialRefused` otherwise). The integration is read uncached (one
    consistent ``GetItem``): a rotated or deleted credential is refused from the moment it is rotated, in every warm
    Lambda."""
    scheme, _, given = (authorization or "").partition(" ")
    credential = given.strip() if scheme.lower() == "bearer" else ""
    integration = load_integration(integration_id, fresh=True, of_type=PLATFORM)
    if integration is None or integration.tenant_id != tenant_id or integration.status is not IntegrationStatus.LIVE:
        raise RatingCredentialRefused("Not a live Rose Rocket integration of this tenant")
    if not token_accepted(integration.platform_state, credential, name="ratingCredential"):
        raise RatingCredentialRefused("Not this integration's rating credential")
    return integration


def _located(place: Place) -> bool:
    return bool((place.address1 or place.company) and (place.locality or place.postcode))


DIMENSIONS = ("length", "width", "height")


def _unmeasured(commodity: Commodity) -> list[str]:
    """The dimensions a commodity lacks (Rose Rocket writes 0 for "not measured")."""
    return [d for d in DIMENSIONS if getattr(commodity, d) is None or getattr(commodity, d) <= 0]


def _priced_without_volume(commodity: Commodity) -> bool:
    """A commodity the WMS can price without its volume: it has a weight, or it takes pallet spaces (a pallet or a
    skid: full truckloads are entered so, with no dimensions). Anything else without dimensions could only be
    priced wrongly (as nothing), so it stays a missing requirement."""
    weighed = commodity.weight is not None and commodity.weight > 0
    return weighed or str(commodity.commodity_type or "").casefold() in PALLET_TYPES


def _commodity_missing(index: int, commodity: Commodity) -> list[Missing]:
    at = f"commodities[{index}]"
    missing = []
    if not commodity.commodity_type:
        missing.append(Missing(f"{at}.commodityType", "has no commodity type"))
    if not commodity.quantity or commodity.quantity <= 0:
        missing.append(Missing(f"{at}.quantity", "has no quantity"))
    if not _priced_without_volume(commodity):
        missing += [Missing(f"{at}.{d}", f"has no {d}") for d in _unmeasured(commodity)]
    return missing


def unmeasured_notes(order: Order) -> list[str]:
    """What the rates can't have taken into account: commodities priced by weight and pallets, without volume."""
    return [f"Commodity {index + 1} ({commodity.description or commodity.commodity_type or 'no description'}) has "
            f"no {', '.join(_unmeasured(commodity))}: priced by its weight and pallets, without volume"
            for index, commodity in enumerate(order.commodities) if _unmeasured(commodity)]


def unseen_service_type(order: Order) -> bool:
    """Rose Rocket didn't show the order's service type (the path refused, or no service type object at all)."""
    return order.service_type is None and "serviceType" in order.unread


def requirements(order: Order, match: Match | None, default_service_type: str | None = None) -> list[Missing]:
    """Everything the page requires that the order lacks (all of it, so the user fixes it in one go). An order whose
    service type Rose Rocket won't show is rated with the integration's default service type, if it has one."""
    missing: list[Missing] = []
    if order.customer is None:
        missing.append(Missing("customer", "the order has no customer"))
    elif match is None:
        name = order.customer.full_id or order.customer.name or order.customer.id
        missing.append(Missing("customer", f"customer {name} has no WMS customer matched (its CartonCloud UUID)"))
    for kind in ("pickup", "delivery"):
        task = order.task(kind)
        stop = task.stops[0] if task and task.stops else None
        if stop is None or not _located(place_of_rose_rocket(stop.address)):
            missing.append(Missing(f"tasks[{kind}].stops[0].address", f"the order has no {kind} location (an "
                                                                     "address with a city or postal code)"))
    if unseen_service_type(order):
        if not default_service_type:
            missing.append(Missing("serviceType", "Rose Rocket doesn't show this integration the order's service "
                                                  "type, and the integration has no default service type"))
    elif order.service_type is None or not (order.service_type.name or order.service_type.external_id):
        missing.append(Missing("serviceType", "the order has no service type"))
    commodities = order.commodities
    if not commodities:
        missing.append(Missing("commodities", "the order has no commodities"))
    for index, commodity in enumerate(commodities):
        missing += _commodity_missing(index, commodity)
    return missing


def invoiced(order: Order) -> str | None:
    """Why the order can't be (re-)rated any more, or None (the page: re-rating while it is "still in Delivered")."""
    invoice = order.invoice or {}
    if order.is_status(INVOICED) or invoice:
        number = invoice.get("fullId") or invoice.get("id")
        return (f"Order {order.number} is invoiced" + (f" (invoice {number})" if number else "") +
                ": its rates are locked")
    return None


def read_for_rating(client: RoseRocketClient, order_id: str) -> Order:
    read = with_stop_addresses(client, read_paths(client, order_id, RATING_PATHS))
    found = read.record
    if found is None:
        raise OrderNotFound(f"Rose Rocket has no order {order_id}", errors=[{
            "field": "roseRocketOrderId", "reason": "no such record in the organisation"}],
            resolution="Rate from the order's own page in Rose Rocket.")
    kind = str(found.get("objectKey") or "")
    if kind != "order":
        raise RatingRefused(f"{found.get('fullId') or order_id} is a {kind}, not an order: only orders are rated",
                            errors=[{"field": "roseRocketOrderId", "reason": f"is a {kind}; only orders are rated"}],
                            resolution="Rate the order itself (quotes and manifests are not rated).")
    order = Order.model_validate(found).seen_without(read.unread)
    why = invoiced(order)
    if why:
        raise OrderInvoiced(why, errors=[{"field": "roseRocketOrderId", "reason": why}],
                            resolution="Re-rating is possible while the order is not yet invoiced; change an "
                                       "invoiced order's charges on its invoice.")
    return order


def rate(integration: Integration, order_id: str) -> StoredQuote:
    client = client_for(integration, interactive=True)
    order = read_for_rating(client, order_id)
    match = MatchStore(integration.integration_id).for_rose_rocket(order.customer.id) if order.customer else None
    settings = settings_of(integration).order
    missing = requirements(order, match, settings.default_service_type)
    if missing:
        raise RatingRefused(f"Order {order.number} can't be rated yet: "
                            + "; ".join(f"{m.field} {m.reason}" for m in missing),
                            errors=[{"field": m.field, "reason": m.reason} for m in missing],
                            resolution="Complete the order in Rose Rocket (and match its customer, if named), then "
                                       "rate again" + (" (or set a default service type in the integration's order "
                                                       "creation step)" if unseen_service_type(order) else "") + ".")
    assert match is not None
    try:
        shipment = shipment_of_order(order, default_type=settings.default_commodity_type)
    except MappingRefused as exc:  # e.g. a unit we can't convert: named like the other requirements
        raise RatingRefused(f"Order {order.number} can't be rated yet: {exc}",
                            errors=[{"field": exc.field, "reason": str(exc)}], resolution=exc.resolution) from None
    notes = unmeasured_notes(order)
    if unseen_service_type(order):
        shipment = replace(shipment, service_type=settings.default_service_type)
        notes.insert(0, f"Rose Rocket doesn't show this integration the order's service type: rated with the "
                        f"integration's default service type {settings.default_service_type}")
    request: QuoteRequest = quote_request(shipment, order, customer_id=match.wms_customer_id,
                                          task_date=utcnow().date())
    quote = wms_client(core().tenants.get(integration.tenant_id)).quote(request)  # QuoteUnavailable: the door's 422
    stored = replace(store(integration.integration_id, order.id, order.number, quote), notes=tuple(notes))
    _log(integration, order.id, "rated", f"Rated order {order.number} with the WMS ({stored.rate_card or '-'} / "
                                         f"{stored.rate or '-'}): {len(stored.line_items)} line(s), total "
                                         f"{stored.total} {stored.currency or ''}; quote {stored.quote_id}"
                                         + "".join(f". {note}" for note in stored.notes))
    return stored


def save(integration: Integration, order_id: str, quote_id: str, chosen: list[str] | None) -> dict[str, Any]:
    stored = load(integration.integration_id, quote_id)
    if stored is None or stored.order_id != order_id:
        raise QuoteNotFound(f"No rates {quote_id} for order {order_id}", errors=[{
            "field": "quoteId", "reason": "not rates given for this order by this integration"}],
            resolution="Rate the order again, then save those rates.")
    if stored.expired:
        raise QuoteGone(f"The rates {quote_id} expired at {stored.expires_at}", errors=[{
            "field": "quoteId", "reason": "expired"}], resolution="Rate the order again, then save.")
    lines = _chosen(stored, chosen)
    client = client_for(integration, interactive=True)
    order = read_for_rating(client, order_id)
    quote = order.sell_quote or {}
    existing = list(quote.get("lineItems") or [])
    ours = {str(line["externalId"]): line for line in existing if _ours(line)}
    kept = [line for line in existing if not _ours(line)]
    new_lines = []
    for line in lines:
        external_id = f"{OURS}{quote_id}:{line['id']}"
        same = ours.get(external_id)
        new_lines.append({**({"id": same["id"]} if same else {}), "externalId": external_id, "type": line["type"],
                          "description": line["description"], "quantity": line["quantity"], "rate": line["rate"],
                          "currency": line["currency"]})
    replaced = len([key for key in ours if key not in {n["externalId"] for n in new_lines}])
    if quote.get("id"):
        client.update(str(quote["id"]), "quote", {"lineItems": [{"id": k["id"]} for k in kept] + new_lines})
    else:
        client.update(order.id, "order", {"sellQuote": {
            "quoteType": "sell", "currency": stored.currency,
            **({"customer": {"id": order.customer.id}} if order.customer else {}), "lineItems": new_lines}})
    after = Order.model_validate(client.get(order.id, paths="sellQuote,sellQuote.lineItems") or {"id": order.id})
    sell = after.sell_quote or {}
    saved = [_shown(line) for line in sell.get("lineItems") or []
             if str(line.get("externalId") or "").startswith(f"{OURS}{quote_id}:")]
    _log(integration, order.id, "rates-saved", f"Saved {len(saved)} rate line(s) of quote {quote_id} onto order "
                                               f"{order.number}'s sell quote {sell.get('fullId') or sell.get('id')} "
                                               f"({replaced} earlier line(s) of ours replaced, {len(kept)} kept)")
    return {"quoteId": quote_id, "roseRocketOrderId": order.id, "roseRocketOrderNumber": order.number,
            "sellQuoteId": sell.get("id"), "sellQuoteNumber": sell.get("fullId"), "saved": saved,
            "replaced": replaced, "kept": len(kept)}


def _ours(line: dict[str, Any]) -> bool:
    return str(line.get("externalId") or "").startswith(OURS)


def _chosen(stored: StoredQuote, chosen: list[str] | None) -> list[dict[str, Any]]:
    if chosen is None:
        return stored.line_items
    by_id = {str(line["id"]): line for line in stored.line_items}
    unknown = [(i, c) for i, c in enumerate(chosen) if c not in by_id]
    if unknown or not chosen:
        errors = ([{"field": f"lineItemIds[{i}]", "reason": f"{c!r} is not a line of these rates"}
                   for i, c in unknown] or [{"field": "lineItemIds", "reason": "choose at least one line"}])
        raise RatingRefused("The lines chosen are not lines of these rates", errors=errors,
                            resolution="Send the ids of the lines to save (as the rates answered them), or no body "
                                       "to save them all.")
    return [by_id[c] for c in dict.fromkeys(chosen)]


def _shown(line: dict[str, Any]) -> dict[str, Any]:
    return {key: line.get(key) for key in ("id", "fullId", "externalId", "type", "description", "quantity", "rate",
                                           "amount", "currency")}


def _log(integration: Integration, order_id: str, event: str, message: str) -> None:
    """On the order's sync log (its link's, whichever side made it)."""
    ref = order_ref(integration.integration_id, order_id)
    link = core().links.find(ref)
    core().sync_log.append(link.key if link is not None else ref.key, event, message)
