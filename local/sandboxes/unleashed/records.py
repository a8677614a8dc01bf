"""Unleashed's own records through the control API, kept whole: what a test loads is what the API serves back.

- ``POST /_control/accounts/{apiId}/sales-orders`` with **Unleashed's JSON as it is**: one ``SalesOrder`` (as
  ``GET /SalesOrders/{guid}`` answers, e.g. tests/fixtures/vendor/unleashed/salesorder.response.json) or a page of
  them (``{"Pagination": …, "Items": [...]}``, as ``GET /SalesOrders`` answers, e.g. salesorders-list.response.json).
  Dates may come in either JSON spelling of the wire form (``"\\/Date(ms)\\/"`` or ``"/Date(ms)/"``: the same string).
  Every field is stored unchanged — currency, discounts, totals, ``LineType: "Charge"`` lines, descriptions — and
  ``GET /SalesOrders/{guid}``, the list and ``GET …/sales-orders/{guid}/record`` serve it back unchanged. The
  order's warehouse, customer and products become the account's (kept as given) when it doesn't know them yet.
  ``?notify=true`` also sends ``salesorder.created``. Answer ``201 {"loaded": [{"Guid", "OrderNumber"}]}``;
  a record Unleashed could never hold (no ``Guid`` GUID, no ``OrderNumber``, lines that are not a list, an unknown
  ``OrderStatus``, a date not in the wire form) is ``400`` naming it.
- ``POST …/products`` with Unleashed's Product JSON (``ProductCode`` required; e.g. ``{"ProductCode": "SHIP",
  "ProductDescription": "Shipping", "NeverDiminishing": true}``): kept as given, served by ``GET /Products``;
  ``GET …/products`` lists them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body
from .model import GUID, ORDER_STATUSES, Account, UnleashedError, parse_wire
from .state import UnleashedState

DATE_FIELDS = ("OrderDate", "RequiredDate", "CompletedDate", "CreatedOn", "LastModifiedOn", "PaymentDueDate",
               "ReceivedDate")


def is_vendor_form(body: Any) -> bool:
    """Unleashed's own JSON (PascalCase) rather than the control API's short form (``{lines, shipments…}``)."""
    return isinstance(body, dict) and any(name in body for name in ("SalesOrderLines", "Items", "Pagination",
                                                                     "OrderNumber"))


class VendorRecords(UnleashedState):
    def load_sales_orders(self, api_id: str, given: Any, *, notify: bool = False) -> list[dict[str, Any]]:
        """Store Unleashed's sales orders exactly as given (one, or a page's ``Items``)."""
        items = given.get("Items") if isinstance(given, dict) and "Items" in given else [given]
        if not isinstance(items, list) or not items:
            raise ControlError("Items must be a list of sales orders")
        for index, item in enumerate(items):
            _check(item, f"Items[{index}]" if len(items) > 1 or "Items" in given else "the sales order")
        with self.transaction():
            account = self.account(api_id)
            for item in items:
                self._adopt(account, item)
                account.orders[item["Guid"].lower()] = copy.deepcopy(item)
            if notify:
                for item in items:
                    self.notify(account, "salesorder.created", item["Guid"].lower())
        return [{"Guid": item["Guid"], "OrderNumber": item["OrderNumber"]} for item in items]

    def _adopt(self, account: Account, order: dict[str, Any]) -> None:
        """The reference data an order names, as the account's own (kept as given) when it doesn't know it."""
        warehouse = order.get("Warehouse")
        if isinstance(warehouse, dict) and warehouse.get("WarehouseCode"):
            account.warehouses.setdefault(warehouse["WarehouseCode"], copy.deepcopy(warehouse))
        customer = order.get("Customer")
        if isinstance(customer, dict) and customer.get("CustomerCode"):
            account.customers.setdefault(customer["CustomerCode"], copy.deepcopy(customer))
        for line in order.get("SalesOrderLines") or []:
            product = line.get("Product") if isinstance(line, dict) else None
            if isinstance(product, dict) and product.get("ProductCode") and \
                    product["ProductCode"] not in account.products:
                self.add_product(account, {name: product[name] for name in ("Guid", "ProductCode",
                                                                           "ProductDescription") if name in product})

    def order_record(self, api_id: str, guid: str) -> dict[str, Any]:
        found = self.account(api_id).orders.get(guid.lower())
        if found is None:
            raise ControlError(f"unknown sales order {guid}", 404)
        return copy.deepcopy(found)

    # --- routes -------------------------------------------------------------------------------------------------

    def _control_order_record(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        return self.answer(200, self.order_record(api_id, guid))

    def _control_add_product(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(201, self.add_product(self.account(api_id), control_body(request)))

    def _control_products(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, [copy.deepcopy(p) for p in self.account(api_id).products.values()])


def _check(order: Any, where: str) -> None:
    """Refuse what Unleashed could never have sent as a sales order (it keeps everything else as it is)."""
    if not isinstance(order, dict):
        raise ControlError(f"{where} must be a JSON object (a SalesOrder)")
    if not isinstance(order.get("Guid"), str) or not re.fullmatch(GUID, order["Guid"]):
        raise ControlError(f"{where}: Guid must be the sales order's GUID")
    if not isinstance(order.get("OrderNumber"), str) or not order["OrderNumber"].strip():
        raise ControlError(f"{where}: OrderNumber is required")
    if order.get("OrderStatus") not in ORDER_STATUSES:
        raise ControlError(f"{where}: OrderStatus must be one of {', '.join(ORDER_STATUSES)}")
    if not isinstance(order.get("SalesOrderLines"), list):
        raise ControlError(f"{where}: SalesOrderLines must be a list")
    try:
        for name in DATE_FIELDS:
            parse_wire(order.get(name))
    except UnleashedError as exc:
        raise ControlError(f"{where}: {exc.description}") from None
