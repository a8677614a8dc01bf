"""Outbound orders (sale orders): create (the per-minute create limit, validation, stock allocation,
``228 Created with issues``), get and search.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections import deque
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from .model import (
    DELIVERY_METHOD_TYPES,
    DUPLICATE_ORDER,
    RATE_LIMITED,
    ApiError,
    Problems,
    address_problems,
    as_object,
    embed,
    json_object,
    money_problems,
    normalise_numbers,
    qty_text,
    to_decimal,
    with_extras,
)
from .search import OUTBOUND_ORDER_SEARCH, resolve_pointer, search_page
from .state import CartonCloudState, Tenant


class OutboundOrdersApi(CartonCloudState):
    """``/tenants/{tenantId}/outbound-orders``."""

    def _create_outbound_order(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        self._count_create(tenant.client_id)
        body = json_object(request)
        strict = self.strict_numbers
        problems = Problems()
        references = body.get("references")
        reference = references.get("customer") if isinstance(references, dict) else None
        if not isinstance(reference, str) or not reference.strip():
            problems.add("/references/customer", "Customer Reference cannot be empty.")
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        warehouse = self._resolve_warehouse(tenant, body.get("warehouse"), customer, problems)
        if body.get("type", "OUTBOUND") != "OUTBOUND":
            problems.add("/type", "Type must be OUTBOUND.")
        details = body.get("details")
        if not isinstance(details, dict):
            problems.add("/details", "Details cannot be empty.")
            details = {}
        deliver = details.get("deliver")
        address_problems(problems, deliver.get("address") if isinstance(deliver, dict) else None,
                         "/details/deliver/address")
        if isinstance(deliver, dict):
            method = deliver.get("method")
            if isinstance(method, dict) and method.get("type", "SHIPPING") not in DELIVERY_METHOD_TYPES:
                problems.add("/details/deliver/method/type", "Delivery method type must be SHIPPING or PICKUP.")
            money_problems(problems, deliver.get("cashPaymentAmount"), "/details/deliver/cashPaymentAmount",
                           strict=strict)
        money_problems(problems, details.get("invoiceValue"), "/details/invoiceValue", non_negative=True,
                       strict=strict)
        items = body.get("items")
        if not isinstance(items, list) or not items:
            problems.add("/items", "Items cannot be empty.")
            items = []
        for index, item in enumerate(items):
            at = f"/items/{index}"
            item_details = as_object(item).get("details")
            if not isinstance(item_details, dict) or not isinstance(item_details.get("product"), dict) \
                    or not item_details["product"]:
                problems.add(f"{at}/details/product", "Product cannot be empty.")
            else:
                money_problems(problems, item_details.get("approximateUnitPrice"),
                               f"{at}/details/approximateUnitPrice", strict=strict)
            quantity = to_decimal(resolve_pointer(item, "/measures/quantity"), strict=strict)
            if quantity is None or quantity <= 0:
                problems.add(f"{at}/measures/quantity", "Quantity must be greater than 0.")
        problems.raise_if_any()
        assert customer is not None

        for existing in tenant.outbound_orders.values():
            if existing["customer"]["id"] == customer["id"] and existing["references"].get("customer") == reference:
                raise ApiError(422, [{"field": "/references/customer", "message": DUPLICATE_ORDER,
                                      "type": "DUPLICATE", "details": {"duplicateId": existing["id"]}}])

        lines, errors, allocation = self._resolve_lines(tenant, customer, items)
        status = "REJECTED" if errors else "AWAITING_PICK_AND_PACK"
        if not errors:
            for key, quantity in allocation.items():
                if key in tenant.stock:
                    tenant.stock[key] -= quantity
        stamp = self.timestamp()
        order_details = normalise_numbers(copy.deepcopy(details))
        order_details.setdefault("urgent", False)
        order_details.setdefault("allowSplitting", True)
        order_deliver = order_details.setdefault("deliver", {})
        order_deliver.setdefault("method", {"type": "SHIPPING"})
        if errors:
            order_details["errors"] = errors
        order: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": "OUTBOUND",
            "references": {**copy.deepcopy(as_object(references)), "numericId": tenant.numeric_id()},
            "customer": embed(customer),
        }
        if warehouse is not None:
            order["warehouse"] = embed(warehouse)
        order.update({
            "details": order_details,
            "status": status,
            "properties": copy.deepcopy(body.get("properties") or {}),
            "items": lines,
            "version": 1,
            "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
        })
        with_extras(order, body)
        tenant.outbound_orders[order["id"]] = order
        self.created_wall_clock[order["id"]] = time.time()
        return SandboxResponse.json(228 if errors else 201, order)

    def _count_create(self, client_id: str) -> None:
        """Enforce the documented 30 creates per minute per API user (a sliding minute)."""
        if self.create_limit_per_minute is None:
            return
        now = self._now()
        window = self._creates.setdefault(client_id, deque())
        while window and window[0] <= now - timedelta(minutes=1):
            window.popleft()
        if len(window) >= self.create_limit_per_minute:
            headers = {"Retry-After": str(self.rate_limit_retry_after)} if self.rate_limit_retry_after else None
            raise ApiError(429, [{"message": RATE_LIMITED}], headers)
        window.append(now)

    def _resolve_lines(self, tenant: Tenant, customer: dict[str, Any], items: list[Any]
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[tuple[str, str], Decimal]]:
        """Each item with its product resolved, the REJECTED errors, and the stock each product would take."""
        lines: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        wanted: dict[tuple[str, str], Decimal] = {}
        described: dict[tuple[str, str], list[str]] = {}
        for item in items:
            line = normalise_numbers(copy.deepcopy(item))
            details = line["details"]
            details.setdefault("unitOfMeasure", {"type": "UNITS"})
            unit = str(as_object(details["unitOfMeasure"]).get("type") or "UNITS")
            quantity = to_decimal(line["measures"]["quantity"]) or Decimal(0)
            asked = details["product"]
            product = self._find_product(tenant, customer["id"], asked)
            if product is None:
                refs = as_object(asked.get("references"))
                code = refs.get("code") or refs.get("barcode") or asked.get("id") or ""
                name = asked.get("name") or code
                errors.append({"message": f"{name} ({code}) x {qty_text(quantity)} {unit} - Product not found",
                               "isResolved": False})
            else:
                details["product"] = {**embed(product), "customer": embed(customer)}
                key = (customer["id"], product["references"]["code"])
                wanted[key] = wanted.get(key, Decimal(0)) + quantity
                described.setdefault(key, []).append(
                    f"{product['name']} ({product['references']['code']}) x {qty_text(quantity)} {unit}"
                )
            lines.append(line)
        for key, quantity in wanted.items():
            if key in tenant.stock and quantity > tenant.stock[key]:
                errors.extend({"message": f"{text} - Not enough stock", "isResolved": False}
                              for text in described[key])
        return lines, errors, wanted

    def _get_outbound_order(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        order = tenant.outbound_orders.get(entity_id)
        if order is None:
            raise ApiError(404, [{"message": "Outbound Order not found."}])
        return SandboxResponse.json(200, order)

    def _search_outbound_orders(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return search_page(request, list(tenant.outbound_orders.values()), OUTBOUND_ORDER_SEARCH)
