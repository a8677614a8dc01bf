"""Orders: create (validated as a whole, one error entry per field), get by id or number, list, the unshipped and
shipped lists (``since_last_updated``, ``limit`` ≤ 250, ``page``, ``ids_only``), delete (unshipped only)."""

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
    LIST_LIMIT_MAX,
    MAX_ORDER_NUMBER,
    MAX_REFERENCE,
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
    parse_date,
    positive,
    stamp,
)
from .state import Account, StarshipitState

DESTINATION_FIELDS = ("name", "email", "phone", "building", "company", "street", "suburb", "city", "state",
                      "post_code", "country", "delivery_instructions")


def country_code(value: Any) -> str | None:
    """An alpha-2 code from a code or a name Starshipit accepts ("country* (name or code)"); None if unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.upper() in COUNTRIES:
        return text.upper()
    return next((code for code, names in COUNTRIES.items() if text.casefold() in (n.casefold() for n in names)), None)


class OrdersApi(StarshipitState):
    """``/api/orders`` and its lists."""

    # --- create --------------------------------------------------------------------------------------------------

    def _create_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        body = body_object(request)
        given = body.get("order")
        if not isinstance(given, dict):
            raise ApiError(400, "The order field is required.", "order")
        problems = Problems()
        number_ = given.get("order_number")
        if not isinstance(number_, str | int) or isinstance(number_, bool) or not str(number_).strip() \
                or len(str(number_)) > MAX_ORDER_NUMBER:
            problems.add("order.order_number", f"The order number is required (1 to {MAX_ORDER_NUMBER} characters).")
        elif any(o["order_number"] == str(number_) for o in account.orders.values()):
            # GUESS: Starshipit keeps order numbers unique per account and refuses a second one.
            problems.add("order.order_number", f"An order with the order number {number_} already exists.")
        reference = given.get("reference")
        if reference is not None and (not isinstance(reference, str) or len(reference) > MAX_REFERENCE):
            problems.add("order.reference", f"The reference must be text of at most {MAX_REFERENCE} characters.")
        destination = self._destination(given.get("destination"), problems)
        items = self._items(given.get("items"), problems)
        packages = self._packages(given.get("packages"), problems)
        carrier, service = self._carrier(account, given.get("carrier"), given.get("carrier_service_code"), problems)
        problems.raise_if_any()
        now = self._now()
        order_id = next(self._order_ids)
        weight = sum((number(i.get("weight") or 0) or Decimal(0)) * (number(i["quantity"]) or Decimal(1))
                     for i in items)
        order = {
            "order_id": order_id,
            "order_date": given.get("order_date") or stamp(now),
            "order_number": str(number_),
            "reference": reference,
            "carrier": carrier,
            "carrier_name": COURIERS[carrier]["name"],
            "carrier_service_code": service,
            "shipping_method": given.get("shipping_method"),
            "shipping_description": given.get("shipping_description"),
            "signature_required": bool(given.get("signature_required", False)),
            "dangerous_goods": bool(given.get("dangerous_goods", False)),
            "currency": given.get("currency"),
            "destination": destination,
            "items": [{"item_id": next(self._item_ids), "quantity_to_ship": 0, **item} for item in items],
            # GUESS: an order without packages gets one parcel of its items' weight (Starshipit's default package).
            "packages": [{"package_id": next(self._package_ids), **package} for package in packages] or [
                {"package_id": next(self._package_ids), "weight": as_json(weight) or 0.5, "height": 0.04,
                 "width": 0.08, "length": 0.12}],
            "declared_value": 0,
            "status": UNSHIPPED,
            "archived": False,
            "manifested": False,
        }
        account.orders[order_id] = order
        account.updated[order_id] = now
        return SandboxResponse.json(200, {"order": copy.deepcopy(order), "success": True})

    @staticmethod
    def _destination(given: Any, problems: Problems) -> dict[str, Any]:
        if not isinstance(given, dict):
            problems.add("order.destination", "The destination is required.")
            return {}
        destination = {k: given[k] for k in DESTINATION_FIELDS if given.get(k) not in (None, "")}
        for required in ("name", "street", "country"):
            if not isinstance(destination.get(required), str) or not destination[required].strip():
                problems.add(f"order.destination.{required}", f"The destination {required} is required.")
        code = country_code(destination.get("country"))
        if destination.get("country") and code is None:
            problems.add("order.destination.country", f"The destination country {destination['country']!r} is not "
                                                      "valid.")
        digits = POSTCODE_DIGITS.get(code or "")
        postcode = str(destination.get("post_code") or "")
        if digits and not (postcode.isdigit() and len(postcode) == digits):
            problems.add("order.destination.post_code", f"The post code {postcode!r} is not valid for {code} "
                                                        f"({digits} digits).")
        return destination

    @staticmethod
    def _items(given: Any, problems: Problems) -> list[dict[str, Any]]:
        if given is None:
            return []
        if not isinstance(given, list):
            problems.add("order.items", "The items must be a list.")
            return []
        items = []
        for index, item in enumerate(given):
            item = item if isinstance(item, dict) else {}
            quantity = number(item.get("quantity"))
            if quantity is None or quantity <= 0:
                problems.add(f"order.items[{index}].quantity", "The item quantity must be more than 0.")
                continue
            for name in ("weight", "value"):
                if item.get(name) is not None and (number(item[name]) is None or number(item[name]) < 0):
                    problems.add(f"order.items[{index}].{name}", f"The item {name} must be a number of 0 or more.")
            items.append({k: item[k] for k in ("description", "sku", "tariff_code", "country_of_origin",
                                               "quantity", "weight", "value") if item.get(k) is not None})
        return items

    @staticmethod
    def _packages(given: Any, problems: Problems) -> list[dict[str, Any]]:
        if given is None:
            return []
        if not isinstance(given, list):
            problems.add("order.packages", "The packages must be a list.")
            return []
        packages = []
        for index, package in enumerate(given):
            package = package if isinstance(package, dict) else {}
            for name in ("weight", "height", "width", "length"):
                if package.get(name) is not None and (number(package[name]) is None or number(package[name]) < 0):
                    problems.add(f"order.packages[{index}].{name}", f"The package {name} must be 0 or more.")
            packages.append({k: package[k] for k in ("weight", "height", "width", "length", "name")
                             if package.get(k) is not None})
        return packages

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

    # --- read ----------------------------------------------------------------------------------------------------

    @staticmethod
    def _find(account: Account, params: dict[str, str | None]) -> dict[str, Any]:
        order_id, order_number = params.get("order_id"), params.get("order_number")
        if order_id is not None:
            if not order_id.isdigit():
                raise ApiError(400, f"The value '{order_id}' is not valid for order_id.", "order_id")
            found = account.orders.get(int(order_id))
        else:
            found = next((o for o in account.orders.values() if o["order_number"] == order_number), None)
        if found is None:
            # GUESS: 404 in the envelope for an order that doesn't exist.
            which = f"order_id {order_id}" if order_id is not None else f"order_number {order_number}"
            raise ApiError(404, "Order not found", f"No order with {which}")
        return found

    def _get_order(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        order_id, order_number = request.param("order_id"), request.param("order_number")
        if order_id is None and order_number is None:
            return self._list_orders(request, account)
        found = self._find(account, {"order_id": order_id, "order_number": order_number})
        return SandboxResponse.json(200, {"order": copy.deepcopy(found), "success": True})

    def _list_orders(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        status = request.param("status") or UNSHIPPED
        if status not in (UNSHIPPED, SHIPPED):
            raise ApiError(400, f"The value '{status}' is not valid for status.", "status")
        wanted = (UNSHIPPED,) if status == UNSHIPPED else (PRINTED, SHIPPED)
        orders = [o for o in account.orders.values() if o["status"] in wanted]
        size = positive(request.param("page_size"), ORDERS_PAGE_SIZE_MAX, "page_size", ORDERS_PAGE_SIZE_MAX)
        page, pages = paginate(orders, positive(request.param("page_number"), 1, "page_number"), size)
        return SandboxResponse.json(200, {"orders": copy.deepcopy(page), "total_pages": pages, "success": True})

    def _listing(self, request: SandboxRequest, account: Account, statuses: tuple[str, ...]) -> SandboxResponse:
        since = parse_date(request.param("since_last_updated"), "since_last_updated")
        ordered_since = parse_date(request.param("since_order_date"), "since_order_date")
        if since is None and ordered_since is None:
            since = self._now() - timedelta(hours=24)  # the documented default window
        limit = positive(request.param("limit"), 50, "limit", LIST_LIMIT_MAX)
        page_number = positive(request.param("page"), 1, "page")
        found = sorted((o for o in account.orders.values() if o["status"] in statuses
                        and (since is None or account.updated[o["order_id"]] > since)),
                       key=lambda o: (account.updated[o["order_id"]], o["order_id"]))
        if ordered_since is not None:
            found = [o for o in found if (parse_date(o["order_date"], "order_date") or ordered_since) >= ordered_since]
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
        found = self._find(account, {"order_id": request.param("order_id"), "order_number": None})
        if found["status"] != UNSHIPPED:
            raise ApiError(400, "Only unshipped orders can be deleted.", "order_id")
        del account.orders[found["order_id"]]
        account.updated.pop(found["order_id"], None)
        return SandboxResponse.json(200, {"success": True})
