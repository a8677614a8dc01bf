"""The control API (``/_control/accounts…``): what an Unleashed user does, and the Python calls tests use.

- ``POST /_control/accounts`` ``{apiId?, apiKey?, companyName?, timeZone?, orderManagement?, callLimit?,
  warehouses?: [code…], products?: [code…], shippingCompanies?: [name…]}`` → the account with its key;
- ``GET|PATCH /_control/accounts/{apiId}`` ``{orderManagement?, callLimit?, timeZone?, apiKey?}`` (a new key
  revokes the old one);
- ``POST …/sales-orders`` ``{status?: Placed|Parked, lines: [{code, quantity, unitPrice?, discountRate?}],
  shipments?: [{lines?: [{line?, code?, quantity, batchNumbers?, serialNumbers?}], warehouseCode?, comments?,
  deliveryName?, address?}], orderNumber?, customer?,
  warehouseCode?, deliveryName?, address?: {street, street2, suburb, city, region, country, postCode},
  deliveryMethod?, comments?, requiredDate?, orderDate?}`` → the order with its shipments; sends
  ``salesorder.created`` (``"notify": false`` to keep it quiet). The same route takes Unleashed's own SalesOrder
  JSON (or a page of them) as it is: :mod:`.records`;
- ``POST …/sales-orders/{guid}/place``, ``PATCH …/sales-orders/{guid}`` ``{comments?, status?, deliveryName?}``
  (each sends ``salesorder.updated``), ``GET …/sales-orders[/{guid}]``;
- ``POST …/sales-orders/{guid}/shipments`` (a shipment added later, of every goods line unless ``lines`` says
  which — a ``LineType: "Charge"`` line is never shipped; ``"notify": true`` also sends ``salesorder.updated``),
  ``GET|PATCH …/sales-shipments/{guid}`` (``{comments?, status?, quantities?: {line: n}, batchNumbers?: {line:
  [{Number, Quantity}]}, serialNumbers?: {line: [...]}}``);
- ``GET|POST …/subscriptions`` (another app taking a slot), ``DELETE …/subscriptions/{id}``, ``GET …/usage``.
"""

from __future__ import annotations

import copy
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from ..common import finite_decimal
from .model import ORDER_STATUSES, Account, UnleashedError, new_guid, wire_day
from .records import VendorRecords, is_vendor_form
from .webhooks import WebhookApi, public


class ControlApi(WebhookApi, VendorRecords):
    # --- accounts -------------------------------------------------------------------------------------------------

    def add_account(self, *, api_id: str | None = None, api_key: str | None = None, company_name: str | None = None,
                    time_zone: str | None = None, order_management: bool = True, call_limit: int | None = None,
                    warehouses: list[str] | None = None, products: list[str] | None = None,
                    shipping_companies: list[str] | None = None) -> Account:
        with self.transaction():
            account = Account(api_id=api_id or new_guid(), api_key=api_key or secrets.token_urlsafe(48),
                              order_management=order_management, call_limit=call_limit)
            if company_name:
                account.company_name = company_name
            if time_zone:
                account.time_zone = time_zone
            if account.api_id in self.accounts:
                raise ControlError(f"account {account.api_id} exists already", 409)
            for code in warehouses or ["MAIN"]:
                self.warehouse(account, code)
            for code in products or []:
                self.product(account, code)
            for name in shipping_companies if shipping_companies is not None else ["Aramex", "Courier Post"]:
                self.add_shipping_company(account, name)
            self.accounts[account.api_id] = account
            return account

    def configure(self, api_id: str, **changes: Any) -> Account:
        with self.transaction():
            account = self.account(api_id)
            for name in ("order_management", "call_limit", "time_zone", "api_key"):
                if name in changes:
                    setattr(account, name, changes[name])
            return account

    # --- orders and shipments, as a user makes them ---------------------------------------------------------------

    def place_order(self, api_id: str, lines: list[dict[str, Any]], *, shipments: list[dict[str, Any]] | None = None,
                    status: str = "Placed", notify: bool = True, **fields: Any) -> dict[str, Any]:
        """A sales order (Placed by default) with its shipments; sends ``salesorder.created``."""
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        with self.transaction():
            account = self.account(api_id)
            account.order_numbers += 1
            stamp = self.stamp()
            today = self.now().date()
            customer = self.customer(account, str((fields.get("customer") or {}).get("code") or "CASH"),
                                     (fields.get("customer") or {}).get("name") or "Example Trading Ltd")
            address = fields.get("address") or {"street": "1 Example Street", "suburb": "Exampleton",
                                                "city": "Auckland", "region": "Auckland",
                                                "country": "New Zealand", "postCode": "1010"}
            order: dict[str, Any] = {
                "Guid": new_guid(), "OrderNumber": fields.get("orderNumber") or f"SO-{account.order_numbers:08d}",
                "OrderDate": wire_day(_day(fields.get("orderDate")) or today),
                "RequiredDate": wire_day(_day(fields.get("requiredDate"))), "CompletedDate": None,
                "OrderStatus": status, "Customer": customer, "CustomerRef": fields.get("customerRef"),
                "Comments": fields.get("comments"), "Warehouse": self.warehouse(account, fields.get("warehouseCode")),
                "DeliveryName": fields.get("deliveryName", "Jane Citizen"), **_address(address),
                "DeliveryMethod": fields.get("deliveryMethod"), "Currency": {"CurrencyCode": account.currency},
                "ExchangeRate": 1, "DiscountRate": 0, "SalesOrderLines": [], "CreatedBy": "sandbox@example.com",
                "CreatedOn": stamp, "LastModifiedBy": "sandbox@example.com", "LastModifiedOn": stamp,
            }
            for number, line in enumerate(lines, start=1):
                quantity = _quantity(line.get("quantity", 1))
                price = finite_decimal(line.get("unitPrice", 10)) or Decimal(0)
                rate = finite_decimal(line.get("discountRate", 0)) or Decimal(0)
                if not 0 <= rate <= 1:
                    raise ControlError("discountRate is a fraction from 0 to 1 (1 = free)")
                order["SalesOrderLines"].append({
                    "LineNumber": number, "LineType": None, "Product": self.product(account, str(line["code"])),
                    "DueDate": order["RequiredDate"] or order["OrderDate"], "OrderQuantity": quantity,
                    "UnitPrice": price, "DiscountRate": rate,
                    # Unleashed's LineTotal: the line's charge after its discount, before tax (both captures)
                    "LineTotal": (quantity * price * (1 - rate)).quantize(Decimal("0.01")),
                    "Comments": line.get("comments"), "SerialNumbers": None,
                    "BatchNumbers": line.get("batchNumbers"), "Guid": new_guid(), "LastModifiedOn": stamp})
            total = sum((line["LineTotal"] for line in order["SalesOrderLines"]), Decimal(0))
            order.update({"SubTotal": total, "TaxTotal": Decimal(0), "Total": total})
            order["Guid"] = order["Guid"].lower()
            account.orders[order["Guid"]] = order
            for shipment in shipments or []:
                self.add_shipment(api_id, order["Guid"], notify=False, **shipment)
            if notify:
                self.notify(account, "salesorder.created", order["Guid"])
            return copy.deepcopy(order)

    def add_shipment(self, api_id: str, order_guid: str, *, lines: list[dict[str, Any]] | None = None,
                     notify: bool = False, **fields: Any) -> dict[str, Any]:
        """A shipment of (some of) the order's lines; all of them when ``lines`` is not given."""
        with self.transaction():
            account = self.account(api_id)
            order = account.orders.get(order_guid.lower())
            if order is None:
                raise ControlError(f"unknown sales order {order_guid}", 404)
            account.shipment_numbers += 1
            stamp = self.stamp()
            # GUESS: a charge (LineType "Charge": no product) is billed, never shipped
            goods = [line for line in order["SalesOrderLines"] if line.get("LineType") != "Charge"
                     and (line.get("Product") or {}).get("ProductCode")]
            wanted = lines or [{"line": line["LineNumber"], "quantity": line["OrderQuantity"]} for line in goods]
            shipment_lines = []
            for number, want in enumerate(wanted, start=1):
                ordered = next((line for line in goods if line["LineNumber"] == want.get("line")
                                or line["Product"]["ProductCode"] == want.get("code")), None)
                if ordered is None:
                    raise ControlError(f"the order has no goods line {want.get('line') or want.get('code')}")
                shipment_lines.append({"LineNumber": number, "Product": dict(ordered["Product"]),
                                       "ShipmentQty": _quantity(want.get("quantity", ordered["OrderQuantity"])),
                                       "SalesOrderLineNumber": ordered["LineNumber"],
                                       "BatchNumbers": want.get("batchNumbers"),
                                       "SerialNumbers": want.get("serialNumbers")})
            address = _address(fields["address"]) if fields.get("address") else \
                {name: order[name] for name in order if name.startswith("Delivery") and name != "DeliveryMethod"}
            shipment = {
                "Guid": new_guid(), "ShipmentNumber": f"SS-{account.shipment_numbers:08d}",
                "OrderNumber": order["OrderNumber"], "OrderGuid": order["Guid"],
                "ShipmentDate": wire_day(self.now().date()), "DispatchDate": None,
                # Order Management off: shipments carry no status (Unleashed's rule; GUESS that it reads as null).
                "ShipmentStatus": fields.get("status", "Placed") if account.order_management else None,
                "TrackingNumber": None, "ShippingCompany": None, "Comments": fields.get("comments"),
                "ShipmentWeight": None, "NumberOfPackages": None, "Customer": dict(order["Customer"]),
                "Warehouse": self.warehouse(account, fields.get("warehouseCode")
                                            or order["Warehouse"]["WarehouseCode"]),
                **address, "DeliveryInstruction": fields.get("deliveryInstruction"),
                "SalesShipmentLines": shipment_lines, "CreatedBy": "sandbox@example.com", "CreatedOn": stamp,
                "LastModifiedBy": "sandbox@example.com", "LastModifiedOn": stamp,
            }
            if fields.get("deliveryName"):
                shipment["DeliveryName"] = fields["deliveryName"]
            account.shipments[shipment["Guid"]] = shipment
            if notify:
                self.notify(account, "salesorder.updated", order["Guid"])
            return copy.deepcopy(shipment)

    def edit_order(self, api_id: str, order_guid: str, **changes: Any) -> dict[str, Any]:
        """A user's edit (status, comments, delivery name): bumps the order and sends ``salesorder.updated``."""
        with self.transaction():
            account = self.account(api_id)
            order = account.orders.get(order_guid.lower())
            if order is None:
                raise ControlError(f"unknown sales order {order_guid}", 404)
            if "status" in changes:
                if changes["status"] not in ORDER_STATUSES:
                    raise ControlError(f"status must be one of {', '.join(ORDER_STATUSES)}")
                order["OrderStatus"] = changes["status"]
            for name, field in (("comments", "Comments"), ("deliveryName", "DeliveryName")):
                if name in changes:
                    order[field] = changes[name]
            order["LastModifiedOn"] = self.stamp()
            self.notify(account, "salesorder.updated", order["Guid"])
            return copy.deepcopy(order)

    def edit_shipment(self, api_id: str, guid: str, **changes: Any) -> dict[str, Any]:
        """A user's edit of a shipment (comments, a line's quantity, status): no event is sent."""
        with self.transaction():
            account = self.account(api_id)
            shipment = account.shipments.get(guid.lower())
            if shipment is None:
                raise ControlError(f"unknown sales shipment {guid}", 404)
            if "comments" in changes:
                shipment["Comments"] = changes["comments"]
            if "status" in changes:
                shipment["ShipmentStatus"] = changes["status"]
            for line, quantity in (changes.get("quantities") or {}).items():
                shipment["SalesShipmentLines"][int(line) - 1]["ShipmentQty"] = _quantity(quantity)
            for name, field in (("batchNumbers", "BatchNumbers"), ("serialNumbers", "SerialNumbers")):
                for line, numbers in (changes.get(name) or {}).items():
                    shipment["SalesShipmentLines"][int(line) - 1][field] = copy.deepcopy(numbers)
            shipment["LastModifiedOn"] = self.stamp()
            return copy.deepcopy(shipment)

    # --- reads for tests --------------------------------------------------------------------------------------------

    def order(self, api_id: str, guid: str) -> dict[str, Any]:
        return copy.deepcopy(self.account(api_id).orders[guid.lower()])

    def shipment(self, api_id: str, guid: str) -> dict[str, Any]:
        return copy.deepcopy(self.account(api_id).shipments[guid.lower()])

    def shipments_of(self, api_id: str, order_guid: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(s) for s in self.account(api_id).shipments.values() if s["OrderGuid"] ==
                order_guid.lower()]

    def subscriptions(self, api_id: str) -> list[dict[str, Any]]:
        return [dict(s) for s in self.account(api_id).subscriptions.values()]

    # --- the control routes -----------------------------------------------------------------------------------------

    def _control_add_account(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        account = self.add_account(
            api_id=pick(body, "apiId"), api_key=pick(body, "apiKey"), company_name=pick(body, "companyName"),
            time_zone=pick(body, "timeZone"), order_management=body.get("orderManagement", True) is not False,
            call_limit=pick(body, "callLimit"), warehouses=pick(body, "warehouses"), products=pick(body, "products"),
            shipping_companies=pick(body, "shippingCompanies"))
        return SandboxResponse.json(201, account.summary())

    def _control_account(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.account(api_id).summary())

    def _control_configure(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        body = control_body(request)
        names = {"orderManagement": "order_management", "callLimit": "call_limit", "timeZone": "time_zone",
                 "apiKey": "api_key"}
        return SandboxResponse.json(200, self.configure(api_id, **{names[k]: v for k, v in body.items()
                                                                    if k in names}).summary())

    def _control_place(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        body = control_body(request)
        if is_vendor_form(body):
            loaded = self.load_sales_orders(api_id, body, notify=(request.param("notify") or "") == "true")
            return SandboxResponse.json(201, {"loaded": loaded})
        lines = body.get("lines")
        if not isinstance(lines, list) or not lines:
            raise ControlError("lines is required: [{code, quantity}]")
        fields = {k: v for k, v in body.items() if k not in ("lines", "shipments", "status", "notify")}
        order = self.place_order(api_id, lines, shipments=body.get("shipments"), status=body.get("status", "Placed"),
                                 notify=body.get("notify", True) is not False, **fields)
        return SandboxResponse.json(201, {**order, "SalesShipments": self.shipments_of(api_id, order["Guid"])})

    def _control_orders(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, [copy.deepcopy(o) for o in self.account(api_id).orders.values()])

    def _control_order(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        if guid.lower() not in self.account(api_id).orders:
            raise ControlError(f"unknown sales order {guid}", 404)
        return SandboxResponse.json(200, {**self.order(api_id, guid), "SalesShipments": self.shipments_of(api_id,
                                                                                                          guid)})

    def _control_place_existing(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.edit_order(api_id, guid, status="Placed"))

    def _control_edit_order(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.edit_order(api_id, guid, **control_body(request)))

    def _control_add_shipment(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        body = control_body(request)
        return SandboxResponse.json(201, self.add_shipment(api_id, guid, **body))

    def _control_shipment(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        if guid.lower() not in self.account(api_id).shipments:
            raise ControlError(f"unknown sales shipment {guid}", 404)
        return SandboxResponse.json(200, self.shipment(api_id, guid))

    def _control_edit_shipment(self, request: SandboxRequest, api_id: str, guid: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.edit_shipment(api_id, guid, **control_body(request)))

    def _control_subscriptions(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, [public(s) for s in self.subscriptions(api_id)])

    def _control_subscribe(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        body = control_body(request)
        try:
            made = self.subscribe(self.account(api_id), str(body.get("url") or "https://other-app.example/hook"),
                                  list(body.get("eventTypes") or ["product.updated"]),
                                  description=str(body.get("description") or "another app"))
        except UnleashedError as exc:
            raise ControlError(exc.description, 409) from None
        return SandboxResponse.json(201, public(made))

    def _control_unsubscribe(self, request: SandboxRequest, api_id: str, subscription_id: str) -> SandboxResponse:
        if self.account(api_id).subscriptions.pop(subscription_id, None) is None:
            raise ControlError(f"unknown subscription {subscription_id}", 404)
        return SandboxResponse.empty(204)

    def _control_usage(self, request: SandboxRequest, api_id: str) -> SandboxResponse:
        account = self.account(api_id)
        return SandboxResponse.json(200, {"month": self.month(), "calls": account.usage.get(self.month(), 0),
                                          "limit": account.call_limit, "byMonth": dict(account.usage)})


def _quantity(value: Any) -> Decimal:
    number = finite_decimal(value)
    if number is None or number < 0:
        raise ControlError(f"quantity {value!r} is not a number of at least 0")
    return number


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ControlError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _address(address: dict[str, Any]) -> dict[str, Any]:
    return {"DeliveryStreetAddress": address.get("street"), "DeliveryStreetAddress2": address.get("street2"),
            "DeliverySuburb": address.get("suburb"), "DeliveryCity": address.get("city"),
            "DeliveryRegion": address.get("region"), "DeliveryCountry": address.get("country"),
            "DeliveryPostCode": address.get("postCode")}
