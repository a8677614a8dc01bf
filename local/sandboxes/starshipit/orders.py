"""Orders: create and update (validated as a whole, one error entry per field; the order kept **whole**: every field
sent is stored and served back unchanged, with Starshipit's own additions), get by id or number, list, search, the
unshipped and shipped lists (``since_last_updated``, ``limit`` ≤ 250, ``page``, ``ids_only``), delete (unshipped
only)."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import paginate
from .model import (
    COUNTRIES,
    COURIERS,
    DESTINATION_TEXT_LIMITS,
    ITEM_TEXT_LIMITS,
    LIST_LIMIT_MAX,
    MAX_ORDER_NUMBER,
    MAX_REFERENCE,
    ORDER_TEXT_LIMITS,
    ORDERS_PAGE_SIZE_MAX,
    POSTCODE_DIGITS,
    PRINTED,
    SHIPPED,
    UNSHIPPED,
    ApiError,
    Problems,
    as_json,
    body_object,
    number,
    packages_of,
    parse_date,
    positive,
    stamp,
    status_of,
)
from .state import Account, StarshipitState

#: What Starshipit sets on an order and a create or update can't change (SSI-DEV "Update order": read-only fields).
READ_ONLY = ("order_id", "carrier_name", "status", "archived", "manifested", "declared_value")


def country_code(value: Any) -> str | None:
    """An alpha-2 code from a code or a name Starshipit accepts ("country* (name or code)"); None if unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.upper() in COUNTRIES:
        return text.upper()
    return next((code for code, names in COUNTRIES.items() if text.casefold() in (n.casefold() for n in names)), None)


def _text(problems: Problems, where: str, value: Any, limit: int, *, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            problems.add(where, f"The {where.rsplit('.', 1)[-1]} is required.")
        return
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(where, f"The {where.rsplit('.', 1)[-1]} must be text.")
    elif len(value) > limit:
        problems.add(where, f"The {where.rsplit('.', 1)[-1]} may be at most {limit} characters.")


def search_view(order: dict[str, Any]) -> dict[str, Any]:
    """An order as ``GET /api/orders/search`` lists it (the search example's fields)."""
    destination = order.get("destination") if isinstance(order.get("destination"), dict) else {}
    tracking = order.get("tracking_number") or next(
        (p.get("tracking_number") for p in packages_of(order) if p.get("tracking_number")), None)
    return {"order_id": order["order_id"], "order_date": order.get("order_date"),
            "order_number": order.get("order_number"), "name": order.get("name") or destination.get("name"),
            "carrier_name": order.get("carrier_name"), "tracking_number": tracking,
            "country": order.get("country") or destination.get("country")}


class OrdersApi(StarshipitState):
    """``/api/orders``, its lists and its search."""

    # --- create and update ---------------------------------------------------------------------------------------

    def _create_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        given = self._order_body(request)
        problems = Problems()
        self._validate(account, given, problems)
        number_ = given.get("order_number")
        if not problems.entries and any(str(o.get("order_number")) == str(number_) for o in account.orders.values()):
            # GUESS: Starshipit keeps order numbers unique per account (assumption duplicate-order-numbers).
            problems.add("order.order_number", f"An order with the order number {number_} already exists.")
        problems.raise_if_any()
        now = self._now()
        order = copy.deepcopy(given)  # whole: every field sent is kept as sent
        order_id = self.next_order_id(account)
        carrier, service = self._carrier(account, given.get("carrier"), given.get("carrier_service_code"), Problems())
        items = [{**item, "item_id": next(self._item_ids), "quantity_to_ship": item.get("quantity_to_ship", 0)}
                 for item in given.get("items") or []]
        weight = sum((number(i.get("weight") or 0) or Decimal(0)) * (number(i.get("quantity")) or Decimal(1))
                     for i in items)
        packages = [{"package_id": next(self._package_ids), **p} for p in given.get("packages") or []] or [
            # GUESS: an order without packages gets one parcel of its items' weight (Starshipit's default package,
            # as the create-order example's answer shows).
            {"package_id": next(self._package_ids), "weight": as_json(weight) or 0.5, "height": 0.04, "width": 0.08,
             "length": 0.12}]
        order.update({
            "order_id": order_id, "order_date": given.get("order_date") or stamp(now),
            "order_number": str(number_), "carrier": carrier, "carrier_name": COURIERS[carrier]["name"],
            "carrier_service_code": service, "items": items, "packages": packages,
            "dangerous_goods": given.get("dangerous_goods", False), "declared_value": given.get("declared_value", 0),
            "status": UNSHIPPED, "archived": False, "manifested": False})
        account.orders[order_id] = order
        account.updated[order_id] = now
        return SandboxResponse.json(200, {"order": copy.deepcopy(order), "success": True})

    def _update_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        """``PUT /api/orders {"order": {order_id, …}}``: an unshipped order takes every field but the read-only
        ones; a printed or shipped one only its ``status`` (SSI-DEV "Update order")."""
        given = self._order_body(request)
        found = self._find(account, {"order_id": None if given.get("order_id") is None else str(given["order_id"]),
                                     "order_number": None}, lookup=False)
        changes = {k: copy.deepcopy(v) for k, v in given.items() if k not in READ_ONLY}
        if status_of(found) != UNSHIPPED:
            if set(changes) - {"status"}:
                raise ApiError(400, "Only the status of a printed or shipped order can be updated.", "order")
            changes = {}
        merged = {**found, **changes}
        problems = Problems()
        self._validate(account, merged, problems)
        if "order_number" in changes and any(
                str(o.get("order_number")) == str(merged["order_number"]) and o["order_id"] != found["order_id"]
                for o in account.orders.values()):
            problems.add("order.order_number", f"An order with the order number {merged['order_number']} already "
                                               "exists.")
        problems.raise_if_any()
        for name, ids in (("items", self._item_ids), ("packages", self._package_ids)):
            key = name[:-1] + "_id"
            if name in changes:
                merged[name] = [entry if entry.get(key) else {key: next(ids), **entry} for entry in changes[name]]
        if "carrier" in changes and merged.get("carrier") in COURIERS:
            merged["carrier_name"] = COURIERS[merged["carrier"]]["name"]
        found.clear()
        found.update(merged)
        account.updated[found["order_id"]] = self._now()
        return SandboxResponse.json(200, {"order": copy.deepcopy(found), "success": True})

    @staticmethod
    def _order_body(request: SandboxRequest) -> dict[str, Any]:
        given = body_object(request).get("order")
        if not isinstance(given, dict):
            raise ApiError(400, "The order field is required.", "order")
        return given

    def _validate(self, account: Account, order: dict[str, Any], problems: Problems) -> None:
        """What the create-order page's field table says Starshipit checks, every field at once."""
        number_ = order.get("order_number")
        if not isinstance(number_, str | int) or isinstance(number_, bool) or not str(number_).strip() \
                or len(str(number_)) > MAX_ORDER_NUMBER:
            problems.add("order.order_number", f"The order number is required (1 to {MAX_ORDER_NUMBER} characters).")
        _text(problems, "order.reference", order.get("reference"), MAX_REFERENCE)
        for name, limit in ORDER_TEXT_LIMITS.items():
            _text(problems, f"order.{name}", order.get(name), limit)
        currency = order.get("currency")
        if currency is not None and not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            problems.add("order.currency", "The currency must be a 3-letter code.")
        for flag in ("signature_required", "return_order", "dangerous_goods"):
            if order.get(flag) is not None and not isinstance(order[flag], bool):
                problems.add(f"order.{flag}", f"The {flag} must be true or false.")
        self._destination(order.get("destination"), problems)
        self._items(order.get("items"), problems)
        self._packages(order.get("packages"), problems)
        self._carrier(account, order.get("carrier"), order.get("carrier_service_code"), problems)

    @staticmethod
    def _destination(given: Any, problems: Problems) -> None:
        if not isinstance(given, dict):
            problems.add("order.destination", "The destination is required.")
            return
        for name, limit in DESTINATION_TEXT_LIMITS.items():
            _text(problems, f"order.destination.{name}", given.get(name), limit,
                  required=name in ("name", "street", "country"))
        code = country_code(given.get("country"))
        if isinstance(given.get("country"), str) and given["country"].strip() and code is None:
            problems.add("order.destination.country", f"The destination country {given['country']!r} is not valid.")
        digits = POSTCODE_DIGITS.get(code or "")
        postcode = str(given.get("post_code") or "")
        if digits and not (postcode.isdigit() and len(postcode) == digits):
            problems.add("order.destination.post_code", f"The post code {postcode!r} is not valid for {code} "
                                                        f"({digits} digits).")

    @staticmethod
    def _items(given: Any, problems: Problems) -> None:
        if given is None:
            return
        if not isinstance(given, list):
            problems.add("order.items", "The items must be a list.")
            return
        for index, item in enumerate(given):
            where = f"order.items[{index}]"
            if not isinstance(item, dict):
                problems.add(where, "Each item must be an object.")
                continue
            quantity = number(item.get("quantity"))
            if quantity is None or quantity <= 0:
                problems.add(f"{where}.quantity", "The item quantity must be more than 0.")
            for name in ("weight", "value"):
                if item.get(name) is not None and (number(item[name]) is None or number(item[name]) < 0):
                    problems.add(f"{where}.{name}", f"The item {name} must be a number of 0 or more.")
            for name, limit in ITEM_TEXT_LIMITS.items():
                _text(problems, f"{where}.{name}", item.get(name), limit)

    @staticmethod
    def _packages(given: Any, problems: Problems) -> None:
        if given is None:
            return
        if not isinstance(given, list):
            problems.add("order.packages", "The packages must be a list.")
            return
        for index, package in enumerate(given):
            if not isinstance(package, dict):
                problems.add(f"order.packages[{index}]", "Each package must be an object.")
                continue
            for name in ("weight", "height", "width", "length"):
                if package.get(name) is not None and (number(package[name]) is None or number(package[name]) < 0):
                    problems.add(f"order.packages[{index}].{name}", f"The package {name} must be 0 or more.")

    @staticmethod
    def _carrier(account: Account, carrier: Any, service: Any, problems: Problems) -> tuple[str, str | None]:
        if carrier in (None, ""):
            # Starshipit's shipping rules pick the account's default courier (the create-order example shows it).
            return account.default_carrier, account.default_service if service in (None, "") else str(service)
        if carrier not in account.couriers:
            problems.add("order.carrier", f"The carrier {carrier!r} is not set up on this account.")
            return account.default_carrier, None
        if service not in (None, "") and service not in COURIERS[carrier]["services"]:
            problems.add("order.carrier_service_code", f"The service code {service!r} is not a {carrier} service.")
        return str(carrier), None if service in (None, "") else str(service)

    def next_order_id(self, account: Account) -> int:
        """A new order id no order of the account holds (records loaded through the control API keep theirs)."""
        taken = {o for a in self.accounts.values() for o in a.orders}
        order_id = next(self._order_ids)
        while order_id in taken:
            order_id = next(self._order_ids)
        return order_id

    # --- read ----------------------------------------------------------------------------------------------------

    def _find(self, account: Account, params: dict[str, str | None], *, lookup: bool = True) -> dict[str, Any]:
        """The order with that id or number. Not found: 404 in the envelope (GUESS), or, for a lookup (``GET
        /api/orders``) in the ``order-lookup-missing`` dialects, a 200 without an order or with ``success: false``."""
        order_id, order_number = params.get("order_id"), params.get("order_number")
        if order_id is not None:
            if not order_id.isdigit():
                raise ApiError(400, f"The value '{order_id}' is not valid for order_id.", "order_id")
            found = account.orders.get(int(order_id))
        elif order_number is not None:
            found = next((o for o in account.orders.values() if str(o.get("order_number")) == order_number), None)
        else:
            raise ApiError(400, "An order_id or order_number is required.", "order_id")
        if found is None:
            which = f"order_id {order_id}" if order_id is not None else f"order_number {order_number}"
            if lookup and self.speaks("order-lookup-missing", "empty"):
                raise _Answer(SandboxResponse.json(200, {"order": None, "success": True}))
            if lookup and self.speaks("order-lookup-missing", "unsuccessful"):
                raise _Answer(SandboxResponse.json(200, {"success": False, "errors": [
                    {"message": "Order not found", "details": f"No order with {which}"}]}))
            raise ApiError(404, "Order not found", f"No order with {which}")
        return found

    def _get_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        order_id, order_number = request.param("order_id"), request.param("order_number")
        if order_id is None and order_number is None:
            return self._list_orders(request, account)
        try:
            found = self._find(account, {"order_id": order_id, "order_number": order_number})
        except _Answer as answer:
            return answer.response
        return SandboxResponse.json(200, {"order": copy.deepcopy(found), "success": True})

    def _list_orders(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        status = request.param("status") or UNSHIPPED
        if status not in (UNSHIPPED, SHIPPED):
            raise ApiError(400, f"The value '{status}' is not valid for status.", "status")
        wanted = (UNSHIPPED,) if status == UNSHIPPED else (PRINTED, SHIPPED)
        orders = [o for o in account.orders.values() if status_of(o) in wanted]
        size = positive(request.param("page_size"), ORDERS_PAGE_SIZE_MAX, "page_size", ORDERS_PAGE_SIZE_MAX)
        page, pages = paginate(orders, positive(request.param("page_number"), 1, "page_number"), size)
        return SandboxResponse.json(200, {"orders": copy.deepcopy(page), "total_pages": pages, "success": True})

    def _search(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        """``GET /api/orders/search``: printed orders ("Order number, tracking number or name"; the parameter's name
        is unconfirmed: ``phrase`` here, GUESS), ``limit`` ≤ 250, ``page``, in the search example's shape."""
        phrase = (request.param("phrase") or "").strip().casefold()
        limit = positive(request.param("limit"), 50, "limit", LIST_LIMIT_MAX)
        views = [search_view(o) for o in account.orders.values() if status_of(o) in (PRINTED, SHIPPED)]
        if phrase:
            views = [v for v in views if any(phrase in str(v.get(k) or "").casefold()
                                             for k in ("order_number", "tracking_number", "name"))]
        page, pages = paginate(views, positive(request.param("page"), 1, "page"), limit)
        return SandboxResponse.json(200, {"orders": page, "total_pages": pages, "success": True})

    def _listing(self, request: SandboxRequest, account: Account, statuses: tuple[str, ...]) -> SandboxResponse:
        since = parse_date(request.param("since_last_updated"), "since_last_updated")
        ordered_since = parse_date(request.param("since_order_date"), "since_order_date")
        if since is None and ordered_since is None:
            since = self._now() - timedelta(hours=24)  # the documented default window
        limit = positive(request.param("limit"), 50, "limit", LIST_LIMIT_MAX)
        page_number = positive(request.param("page"), 1, "page")
        found = sorted((o for o in account.orders.values() if status_of(o) in statuses
                        and (since is None or account.updated[o["order_id"]] > since)),
                       key=lambda o: (account.updated[o["order_id"]], o["order_id"]))
        if ordered_since is not None:
            found = [o for o in found if (_date(o.get("order_date")) or ordered_since) >= ordered_since]
        page, pages = paginate(found, page_number, limit)
        if request.param("ids_only") == "true":
            return SandboxResponse.json(200, {"order_ids": [o["order_id"] for o in page], "total_pages": pages,
                                              "success": True})
        return SandboxResponse.json(200, {"orders": copy.deepcopy(page), "total_pages": pages, "success": True})

    def _unshipped(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        return self._listing(request, account, (UNSHIPPED,))

    def _shipped(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        # GUESS: a printed order (it has its label and tracking) is listed as shipped, as a manifested one is.
        return self._listing(request, account, (PRINTED, SHIPPED))

    def _delete_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        found = self._find(account, {"order_id": request.param("order_id"), "order_number": None}, lookup=False)
        if status_of(found) != UNSHIPPED:
            raise ApiError(400, "Only unshipped orders can be deleted.", "order_id")
        del account.orders[found["order_id"]]
        account.updated.pop(found["order_id"], None)
        return SandboxResponse.json(200, {"success": True})


class _Answer(Exception):
    """A complete answer from deep inside a handler (a dialect's not-found shape)."""

    def __init__(self, response: SandboxResponse) -> None:
        super().__init__("answer")
        self.response = response


def _date(value: Any) -> Any:
    try:
        return parse_date(value, "order_date") if isinstance(value, str) else None
    except ApiError:
        return None
