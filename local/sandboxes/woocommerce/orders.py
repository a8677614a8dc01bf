"""Orders and their notes: the ``wc/v3`` REST surfaces (list, get, update; notes list and create) and what the shop
does to orders (checkout, status moves, edits), each followed by the webhooks WooCommerce would fire.
"""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ..base import ControlError, SandboxResponse
from ..common import finite_decimal, json_number, paginate
from .model import ORDER_STATUSES, ORDERBY, WC_VERSION, Call, Store, WcError, int_param, invalid_param, rest_response
from .webhooks import WebhooksApi


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def _decimal(value: Any, name: str) -> Decimal:
    number = finite_decimal(value)
    if number is None:
        raise ControlError(f"{name} must be a number")
    return number


class OrdersApi(WebhooksApi):
    """``/wc/v3/orders`` and ``/wc/v3/orders/{id}/notes``, and the shop's own order changes."""

    def _get_order(self, call: Call, order_id: str) -> SandboxResponse:
        return rest_response(200, self.order_json(call.store, self._order(call.store, order_id)))

    def _list_orders(self, call: Call) -> SandboxResponse:
        store, params = call.store, call.params
        per_page = int_param(params, "per_page", 10, 1, 100)
        page = int_param(params, "page", 1, 1, None)
        gmt = str(params.get("dates_are_gmt", "false")).lower() in ("1", "true")
        statuses = params.get("status") or params.get("status[]") or "any"
        wanted = statuses if isinstance(statuses, list) else str(statuses).split(",")
        for status in wanted:
            if status != "any" and status not in ORDER_STATUSES:
                raise invalid_param("status", f"status[0] is not one of any, {', '.join(ORDER_STATUSES)}.")
        orderby = str(params.get("orderby", "date"))
        if orderby not in ORDERBY:
            raise invalid_param("orderby", f"orderby is not one of {', '.join(ORDERBY)}.")
        direction = str(params.get("order", "desc"))
        if direction not in ("asc", "desc"):
            raise invalid_param("order", "order is not one of asc and desc.")
        bounds = {name: self._date_param(store, params, name, gmt)
                  for name in ("after", "before", "modified_after", "modified_before")}
        orders = [o for o in store.orders.values() if o["status"] != "checkout-draft"]
        if "any" not in wanted:
            orders = [o for o in orders if o["status"] in wanted]
        else:
            orders = [o for o in orders if o["status"] != "trash"]

        def moment(order: dict[str, Any], name: str) -> datetime:
            return datetime.fromisoformat(order[name]).replace(tzinfo=UTC)

        for name, bound in bounds.items():
            if bound is None:
                continue
            stamp = "date_modified_gmt" if name.startswith("modified") else "date_created_gmt"
            after = name.endswith("after")
            orders = [o for o in orders if (moment(o, stamp) > bound if after else moment(o, stamp) < bound)]
        sort_key = {"id": lambda o: o["id"], "modified": lambda o: (o["date_modified_gmt"], o["id"])}.get(
            orderby, lambda o: (o["date_created_gmt"], o["id"]))
        orders.sort(key=sort_key, reverse=direction == "desc")
        total = len(orders)
        chunk, pages = paginate(orders, page, per_page)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        base = f"{store.home}/wp-json/wc/v3/orders"
        query = {k: v for k, v in params.items() if k not in ("page", "consumer_key", "consumer_secret")
                 and isinstance(v, str)}
        if page > 1:
            links.append(f'<{base}?{urlencode({**query, "page": page - 1})}>; rel="prev"')
        if page < pages:
            links.append(f'<{base}?{urlencode({**query, "page": page + 1})}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return rest_response(200, [self.order_json(store, order) for order in chunk], headers)

    def _date_param(self, store: Store, params: dict[str, Any], name: str, gmt: bool) -> datetime | None:
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        try:
            parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            raise invalid_param(name, "Invalid date.") from None
        if parsed.tzinfo is None:
            # Without dates_are_gmt WooCommerce reads the filter as the site's local time (woocommerce#19976).
            parsed = parsed.replace(tzinfo=UTC if gmt else store.zone)
        return parsed.astimezone(UTC)

    def _update_order(self, call: Call, order_id: str) -> SandboxResponse:
        store = call.store
        order = self._order(store, order_id)
        params = call.params
        changed = False
        if "status" in params:
            status = str(params["status"])
            if status not in ORDER_STATUSES:
                raise invalid_param("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
            changed |= self._set_status(store, order, status)
        for name in ("customer_note", "billing", "shipping"):
            if name in params:
                value = params[name]
                if isinstance(value, dict) and isinstance(order.get(name), dict):
                    order[name].update({k: "" if v is None else str(v) for k, v in value.items()})
                else:
                    order[name] = "" if value is None else str(value)
                changed = True
        if changed:
            self._touch(store, order)
            self._fire(store, "order.updated", order["id"])
        return rest_response(200, self.order_json(store, order))

    def _set_status(self, store: Store, order: dict[str, Any], status: str) -> bool:
        before = order["status"]
        if before == status:
            return False
        order["status"] = status
        now = self._now()
        local, gmt = self._dates(store, now)
        if status == "completed":
            order["date_completed"], order["date_completed_gmt"] = local, gmt
        if status in ("processing", "completed") and not order.get("date_paid"):
            order["date_paid"], order["date_paid_gmt"] = local, gmt
        labels = {"on-hold": "On hold", "checkout-draft": "Draft"}
        self._add_note(store, order["id"], f"Order status changed from {labels.get(before, before.title())} to "
                                           f"{labels.get(status, status.title())}.", author="system")
        return True

    def _touch(self, store: Store, order: dict[str, Any]) -> None:
        local, gmt = self._dates(store, self._now())
        order["date_modified"], order["date_modified_gmt"] = local, gmt

    # --- notes --------------------------------------------------------------------------------------------------------

    def _add_note(self, store: Store, order_id: int, note: str, *, customer_note: bool = False,
                  author: str = "system") -> dict[str, Any]:
        local, gmt = self._dates(store, self._now())
        entry = {"id": self._next_note, "author": author, "date_created": local, "date_created_gmt": gmt,
                 "note": note, "customer_note": customer_note}
        self._next_note += 1
        store.notes.setdefault(order_id, []).append(entry)
        return entry

    def _note_json(self, store: Store, order_id: int, note: dict[str, Any]) -> dict[str, Any]:
        base = f"{store.home}/wp-json/wc/v3/orders/{order_id}"
        return {**note, "_links": {"self": [{"href": f"{base}/notes/{note['id']}"}],
                                   "collection": [{"href": f"{base}/notes"}], "up": [{"href": base}]}}

    def _list_notes(self, call: Call, order_id: str) -> SandboxResponse:
        order = self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")
        kind = str(call.params.get("type", "any"))
        notes = [n for n in call.store.notes.get(order["id"], [])
                 if kind == "any" or (kind == "customer") == bool(n["customer_note"])]
        return rest_response(200, [self._note_json(call.store, order["id"], n) for n in reversed(notes)])

    def _create_note(self, call: Call, order_id: str) -> SandboxResponse:
        order = self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")
        note = call.params.get("note")
        if not isinstance(note, str) or not note.strip():
            raise WcError(400, "rest_missing_callback_param", "Missing parameter(s): note", params=["note"])
        assert call.key is not None
        entry = self._add_note(call.store, order["id"], note, customer_note=bool(call.params.get("customer_note")),
                               author=call.key.user)
        return rest_response(201, self._note_json(call.store, order["id"], entry))

    # --- what the shop does (Python API) ------------------------------------------------------------------------------

    def place_order(self, slug: str, line_items: list[dict[str, Any]], *, status: str = "processing",
                    billing: dict[str, Any] | None = None, shipping: dict[str, Any] | None = None,
                    customer_note: str = "", shipping_method: tuple[str, str, str] | None = ("flat_rate:1",
                                                                                             "Flat rate", "10.00"),
                    currency: str | None = None, number: str | None = None) -> dict[str, Any]:
        """A checkout: the order, then ``order.created`` (and ``order.updated``) to the store's webhooks.

        ``line_items``: ``[{sku, quantity, name?, price?}]`` (``sku`` may be ``""``: a product without a SKU).
        ``shipping_method``: ``(method_id, title, total)``, e.g. ``("local_pickup:3", "Local pickup", "0.00")``.
        """
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        if not line_items:
            raise ControlError("an order needs at least one line")
        with self.transaction():
            store = self.store(slug)
            currency = currency or store.currency
            now = self._now()
            local, gmt = self._dates(store, now)
            order_id = self._next_order
            self._next_order += 1
            lines = [self._line(store, order_id, index, line) for index, line in enumerate(line_items)]
            shipping_lines = []
            if shipping_method:
                method_id, title, total = shipping_method
                shipping_lines.append({"id": order_id * 100 + 99, "method_title": title, "method_id": method_id,
                                       "instance_id": method_id.partition(":")[2] or "0", "total": total,
                                       "total_tax": "0.00", "taxes": [], "meta_data": []})
            items_total = sum((Decimal(line["total"]) for line in lines), Decimal(0))
            shipping_total = sum((Decimal(s["total"]) for s in shipping_lines), Decimal(0))
            default_billing = {"first_name": "Jane", "last_name": "Citizen", "company": "",
                               "address_1": "1 Example Street", "address_2": "", "city": "Brisbane", "state": "QLD",
                               "postcode": "4000", "country": "AU", "email": "jane@example.com",
                               "phone": "+61 400 000 000"}
            bill = {**default_billing, **{k: "" if v is None else str(v) for k, v in (billing or {}).items()}}
            default_shipping = {k: bill[k] for k in ("first_name", "last_name", "company", "address_1", "address_2",
                                                     "city", "state", "postcode", "country")} | {"phone": ""}
            ship = {**default_shipping, **{k: "" if v is None else str(v) for k, v in (shipping or {}).items()}}
            order: dict[str, Any] = {
                "id": order_id, "parent_id": 0, "number": number or str(order_id),
                "order_key": f"wc_order_{secrets.token_hex(7)}", "created_via": "checkout", "version": WC_VERSION,
                "status": "pending", "currency": currency, "date_created": local, "date_created_gmt": gmt,
                "date_modified": local, "date_modified_gmt": gmt, "discount_total": "0.00", "discount_tax": "0.00",
                "shipping_total": _money(shipping_total), "shipping_tax": "0.00", "cart_tax": "0.00",
                "total": _money(items_total + shipping_total), "total_tax": "0.00", "prices_include_tax": False,
                "customer_id": 0, "customer_ip_address": "127.0.0.1", "customer_user_agent": "sandbox",
                "customer_note": customer_note, "billing": bill, "shipping": ship, "payment_method": "bacs",
                "payment_method_title": "Direct bank transfer", "transaction_id": "", "date_paid": None,
                "date_paid_gmt": None, "date_completed": None, "date_completed_gmt": None, "cart_hash": "",
                "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": shipping_lines,
                "fee_lines": [], "coupon_lines": [], "refunds": [],
            }
            store.orders[order_id] = order
            if status != "pending":
                self._set_status(store, order, status)
            self._fire(store, "order.created", order_id)
            return self.order_json(store, order)

    def _line(self, store: Store, order_id: int, index: int, line: dict[str, Any]) -> dict[str, Any]:
        sku = str(line.get("sku") or "")
        quantity = int(line.get("quantity", 1))
        if quantity < 1:
            raise ControlError("quantity must be at least 1")
        price = _decimal(line.get("price", "10.00"), "price")
        name = str(line.get("name") or (f"Product {sku}" if sku else "Product without SKU"))
        product_key = sku or name
        if product_key not in store.product_ids:
            store.product_ids[product_key] = self._next_product
            self._next_product += 1
        total = _money(price * quantity)
        return {"id": order_id * 100 + index, "name": name, "product_id": store.product_ids[product_key],
                "variation_id": 0, "quantity": quantity, "tax_class": "", "subtotal": total, "subtotal_tax": "0.00",
                "total": total, "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": sku,
                "price": json_number(price)}

    def set_order_status(self, slug: str, order_id: int, status: str) -> dict[str, Any]:
        """The shop moves an order (e.g. payment clears: pending → processing), firing ``order.updated``."""
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        with self.transaction():
            store = self.store(slug)
            order = self._control_order(store, order_id)
            if self._set_status(store, order, status):
                self._touch(store, order)
                self._fire(store, "order.updated", order["id"])
            return self.order_json(store, order)

    def edit_order(self, slug: str, order_id: int, *, line_items: list[dict[str, Any]] | None = None,
                   shipping: dict[str, Any] | None = None, customer_note: str | None = None) -> dict[str, Any]:
        """An admin edits an order (quantities, address, note), firing ``order.updated``."""
        with self.transaction():
            store = self.store(slug)
            order = self._control_order(store, order_id)
            if line_items is not None:
                order["line_items"] = [self._line(store, order["id"], i, line) for i, line in enumerate(line_items)]
                items_total = sum((Decimal(line["total"]) for line in order["line_items"]), Decimal(0))
                order["total"] = _money(items_total + Decimal(order["shipping_total"]))
            if shipping is not None:
                order["shipping"].update({k: "" if v is None else str(v) for k, v in shipping.items()})
            if customer_note is not None:
                order["customer_note"] = customer_note
            self._touch(store, order)
            self._fire(store, "order.updated", order["id"])
            return self.order_json(store, order)

    def _control_order(self, store: Store, order_id: int | str) -> dict[str, Any]:
        order = store.orders.get(int(order_id))
        if order is None:
            raise ControlError(f"unknown order {order_id}", 404)
        return order

    def order(self, slug: str, order_id: int) -> dict[str, Any]:
        with self.transaction():
            store = self.store(slug)
            return self.order_json(store, self._control_order(store, order_id))

    def notes(self, slug: str, order_id: int) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(self.store(slug).notes.get(int(order_id), []))
