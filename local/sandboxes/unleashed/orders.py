"""Sales orders, sales shipments and the organisation, as the API serves them.

- ``GET /SalesOrders[/{page}|/Page/{page}]``: ``orderStatus`` (comma list; Deleted left out unless asked),
  ``modifiedSince`` (UTC), ``startDate``/``endDate`` (on the order date), ``orderNumber`` (matches like a prefix and
  overrides every other filter, as the live API does), ``customerCode``, ``warehouseCode``, ``pageSize`` 1–1000;
  ``GET /SalesOrders/{guid}``;
- ``GET /SalesShipments[/{page}]``: ``orderNumber`` (prefix, overrides), ``modifiedSince``, ``shipmentStatus``,
  ``warehouseCode``, ``startDate``/``endDate`` (shipment date), ``orderBy=ShipmentNumber``, ``sort``; default order
  ``LastModifiedOn`` descending (UL-DOC "SalesShipments"); ``GET /SalesShipments/{guid}``; both take
  ``serialBatch``: lines carry their ``BatchNumbers``/``SerialNumbers`` only with ``serialBatch=true`` (null
  otherwise) unless the ``serial-batch`` dialect is ``always``;
- ``PUT /SalesShipments/{guid}``: the **whole** shipment — every editable field and every line is replaced by what
  is sent, so a field left out or sent blank is wiped, a line's batch and serial numbers too ("Blank fields on PUT
  overwrite existing values": third-party, the conservative reading; assumption ``whole-object-put``). Lines must
  carry ``Product.ProductCode``, ``ShipmentQty`` and ``SalesOrderLineNumber``; a Dispatched shipment only takes
  ``Comments`` and ``TrackingNumber``; with Order Management off the status can't be set (it stays empty) while the
  dispatch date, packages and tracking can; ``ShippingCompany`` must be one of the account's (by Guid or Name);
- ``GET /Companies``: the organisation, with its ``TimeZone`` and ``BaseCurrencyCode``; ``GET /ShippingCompanies``;
  ``GET /Products[/{page}]`` (``productCode`` prefix filter) and ``GET /Products/{guid}``, with ``NeverDiminishing``
  (a service such as a fee or freight: no stock).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import paginate
from .model import (
    EDITABLE,
    EDITABLE_AFTER_DISPATCH,
    LOCKED,
    ORDER_MANAGEMENT_OFF,
    SHIPMENT_STATUSES,
    Account,
    UnleashedError,
    parse_filter_time,
    parse_wire,
)
from .state import UnleashedState, envelope


def _page_size(request: SandboxRequest) -> int:
    text = request.param("pageSize", "200") or "200"
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise UnleashedError(400, "pageSize must be between 1 and 1000")
    return int(text)


def _page(page: str | None) -> int:
    number = int(page or "1")
    if number < 1:
        raise UnleashedError(400, "The page number must be 1 or more")
    return number


def _modified(item: dict[str, Any]) -> datetime:
    return parse_wire(item.get("LastModifiedOn")) or datetime.min


class SalesApi(UnleashedState):
    # --- sales orders ---------------------------------------------------------------------------------------------

    def _list_orders(self, request: SandboxRequest, account: Account, page: str | None = None) -> SandboxResponse:
        size = _page_size(request)
        orders = list(account.orders.values())
        number = request.param("orderNumber")
        if number:
            found = [o for o in orders if o["OrderNumber"].startswith(number)]
        else:
            wanted = [s.strip() for s in (request.param("orderStatus") or "").split(",") if s.strip()]
            found = [o for o in orders if (o["OrderStatus"] in wanted if wanted else o["OrderStatus"] != "Deleted")]
            found = self._common_filters(request, found, date_field="OrderDate")
            if request.param("customerCode"):
                found = [o for o in found if o["Customer"]["CustomerCode"] == request.param("customerCode")]
        found.sort(key=lambda o: o["OrderNumber"])
        items, pages = paginate(found, _page(page), size)
        return self.answer(200, envelope(items, _page(page), size, len(found), pages))

    def _common_filters(self, request: SandboxRequest, items: list[dict[str, Any]], *, date_field: str
                        ) -> list[dict[str, Any]]:
        since = request.param("modifiedSince")
        if since:
            moment = parse_filter_time("modifiedSince", since)
            items = [i for i in items if _modified(i) >= moment]
        for name, keep in (("startDate", lambda d, b: d >= b), ("endDate", lambda d, b: d <= b)):
            value = request.param(name)
            if value:
                bound = parse_filter_time(name, value).date()
                items = [i for i in items if i.get(date_field) and keep(parse_wire(i[date_field]).date(), bound)]
        code = request.param("warehouseCode")
        if code:
            items = [i for i in items if (i.get("Warehouse") or {}).get("WarehouseCode") == code]
        return items

    def _get_order(self, request: SandboxRequest, account: Account, guid: str) -> SandboxResponse:
        return self.answer(200, self.order_of(account, guid))

    def order_of(self, account: Account, guid: str) -> dict[str, Any]:
        order = account.orders.get(guid.lower())
        if order is None:
            raise UnleashedError(404, f"Sales order {guid} was not found")
        return order

    # --- sales shipments ------------------------------------------------------------------------------------------

    def _list_shipments(self, request: SandboxRequest, account: Account, page: str | None = None
                        ) -> SandboxResponse:
        size = _page_size(request)
        shipments = list(account.shipments.values())
        number = request.param("orderNumber")
        if number:
            found = [s for s in shipments if (s.get("OrderNumber") or "").startswith(number)]
        else:
            status = request.param("shipmentStatus")
            found = [s for s in shipments if (s.get("ShipmentStatus") == status if status else
                                              s.get("ShipmentStatus") != "Deleted")]
            found = self._common_filters(request, found, date_field="ShipmentDate")
        if request.param("orderBy") == "ShipmentNumber":
            found.sort(key=lambda s: s["ShipmentNumber"], reverse=request.param("sort") == "desc")
        else:
            found.sort(key=_modified, reverse=request.param("sort") != "asc")
        items, pages = paginate(found, _page(page), size)
        return self.answer(200, envelope([self.as_read(request, s) for s in items], _page(page), size, len(found),
                                         pages))

    def _get_shipment(self, request: SandboxRequest, account: Account, guid: str) -> SandboxResponse:
        return self.answer(200, self.as_read(request, self.shipment_of(account, guid)))

    def as_read(self, request: SandboxRequest, shipment: dict[str, Any]) -> dict[str, Any]:
        """A shipment as a GET answers it: batch and serial numbers only when asked for (``serialBatch=true``),
        unless the ``serial-batch`` dialect is ``always``."""
        if (request.param("serialBatch") or "").lower() == "true" or self.speaks("serial-batch", "always"):
            return shipment
        shown = copy.deepcopy(shipment)
        for line in shown.get("SalesShipmentLines") or []:
            if isinstance(line, dict):
                line["BatchNumbers"] = None
                line["SerialNumbers"] = None
        return shown

    def shipment_of(self, account: Account, guid: str) -> dict[str, Any]:
        shipment = account.shipments.get(guid.lower())
        if shipment is None:
            raise UnleashedError(404, f"Sales shipment {guid} was not found")
        return shipment

    def _put_shipment(self, request: SandboxRequest, account: Account, guid: str) -> SandboxResponse:
        current = self.shipment_of(account, guid)
        try:
            body = request.json()
        except ValueError:
            raise UnleashedError(400, "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise UnleashedError(400, "The request body must be a sales shipment")
        updated = copy.deepcopy(current)
        for name in EDITABLE:
            updated[name] = copy.deepcopy(body.get(name))  # whole-object PUT: a blank field overwrites
        self._check_status(account, current, updated)
        if current.get("ShipmentStatus") == "Dispatched":
            changed = [name for name in EDITABLE if name not in EDITABLE_AFTER_DISPATCH
                       and _comparable(updated.get(name)) != _comparable(current.get(name))]
            if changed:
                raise UnleashedError(400, f"{LOCKED} Changed: {', '.join(changed)}")
        self._check_shipment(account, updated)
        updated["ShippingCompany"] = self.shipping_company(account, updated.get("ShippingCompany"))
        updated["LastModifiedOn"] = self.stamp()
        updated["LastModifiedBy"] = "api"
        account.shipments[guid.lower()] = updated
        return self.answer(200, updated)

    @staticmethod
    def _check_status(account: Account, current: dict[str, Any], updated: dict[str, Any]) -> None:
        status = updated.get("ShipmentStatus")
        if not account.order_management:
            if status != current.get("ShipmentStatus"):
                raise UnleashedError(400, ORDER_MANAGEMENT_OFF)
            return
        if status not in SHIPMENT_STATUSES:
            raise UnleashedError(400, f"ShipmentStatus must be one of {', '.join(SHIPMENT_STATUSES)} (required "
                                      "when Order Management is enabled)")
        if current.get("ShipmentStatus") == "Dispatched" and status != "Dispatched":
            raise UnleashedError(400, LOCKED)

    @staticmethod
    def _check_shipment(account: Account, shipment: dict[str, Any]) -> None:
        lines = shipment.get("SalesShipmentLines")
        if not isinstance(lines, list) or not lines:
            raise UnleashedError(400, "SalesShipmentLines are required")
        for index, line in enumerate(lines):
            product = (line or {}).get("Product") or {}
            if not product.get("ProductCode") or line.get("ShipmentQty") is None \
                    or line.get("SalesOrderLineNumber") is None:
                raise UnleashedError(400, f"SalesShipmentLines[{index}] needs Product.ProductCode, ShipmentQty and "
                                          "SalesOrderLineNumber")
        if len(str(shipment.get("TrackingNumber") or "")) > 100:
            raise UnleashedError(400, "TrackingNumber can be at most 100 characters")
        if len(str(shipment.get("Comments") or "")) > 500:
            raise UnleashedError(400, "Comments can be at most 500 characters")
        packages = shipment.get("NumberOfPackages")
        if packages is not None and (not isinstance(packages, int) or isinstance(packages, bool) or packages < 0):
            raise UnleashedError(400, "NumberOfPackages must be a whole number")
        parse_wire(shipment.get("DispatchDate"))

    # --- the organisation -----------------------------------------------------------------------------------------

    def _companies(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        company = {"CompanyName": account.company_name, "BaseCurrencyCode": account.currency,
                   "TimeZone": account.time_zone, "Guid": account.api_id}
        return self.answer(200, envelope([company], 1, 200, 1, 1))

    def _shipping_companies(self, request: SandboxRequest, account: Account, page: str | None = None
                            ) -> SandboxResponse:
        size = _page_size(request)
        items, pages = paginate(list(account.shipping_companies), _page(page), size)
        return self.answer(200, envelope(items, _page(page), size, len(account.shipping_companies), pages))

    def _list_products(self, request: SandboxRequest, account: Account, page: str | None = None
                       ) -> SandboxResponse:
        size = _page_size(request)
        code = request.param("productCode") or ""
        found = sorted((p for p in account.products.values() if p["ProductCode"].startswith(code)),
                       key=lambda p: p["ProductCode"])
        items, pages = paginate(found, _page(page), size)
        return self.answer(200, envelope(items, _page(page), size, len(found), pages))

    def _get_product(self, request: SandboxRequest, account: Account, guid: str) -> SandboxResponse:
        found = next((p for p in account.products.values() if p["Guid"] == guid.lower()), None)
        if found is None:
            raise UnleashedError(404, f"Product {guid} was not found")
        return self.answer(200, found)


def _comparable(value: Any) -> Any:
    """Shipping companies compare by name (a PUT may send only the name of the one already there)."""
    if isinstance(value, dict) and "Name" in value:
        return str(value.get("Name") or "").casefold()
    return value
