"""Pydantic models of the Unleashed API in its own field names (PascalCase), and of its webhook deliveries.

Shapes follow the captured responses in tests/fixtures/vendor/unleashed/ (SOURCES.md) and platform-apis(-followup).md
§3 / Q2–Q4. Reads allow unknown fields (Unleashed returns many we don't use); dates stay in their wire form
(``/Date(ms)/``) and are read through :mod:`.dates`. A sales shipment is kept as the raw JSON it came in, too: it is
written back whole (GET, change, PUT), so nothing we don't model may be lost on the way.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .dates import calendar_day, parse_wire

#: The order status whose shipments go to the WMS (help page 001: "Sales Order in Placed status").
PLACED = "Placed"
#: Shipment statuses (Shiptheory's Unleashed page; "Deleted" seen in live data). ``None`` = Order Management off.
SHIPMENT_PARKED = "Parked"
SHIPMENT_DISPATCHED = "Dispatched"
SHIPMENT_DELETED = "Deleted"
#: The webhook events we subscribe to (lower-case, dotted: platform-apis-followup.md Q4).
ORDER_EVENTS = ("salesorder.created", "salesorder.updated")


class UnleashedModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class ProductRef(UnleashedModel):
    Guid: str | None = None
    ProductCode: str | None = None
    ProductDescription: str | None = None


class WarehouseRef(UnleashedModel):
    Guid: str | None = None
    WarehouseCode: str | None = None
    WarehouseName: str | None = None


class CustomerSummary(UnleashedModel):
    Guid: str | None = None
    CustomerCode: str | None = None
    CustomerName: str | None = None


class CurrencyRef(UnleashedModel):
    CurrencyCode: str | None = None


#: ``SalesOrderLine.LineType`` of a charge (delivery, a fee): billed on the order, no product, never picked.
CHARGE = "Charge"


class SalesOrderLine(UnleashedModel):
    LineNumber: int | None = None
    #: ``None`` for a product line; ``"Charge"`` for a charge (captured SO-00000202: "Delivery", no product code).
    LineType: str | None = None
    Product: ProductRef = Field(default_factory=ProductRef)
    OrderQuantity: Decimal | None = None
    UnitPrice: Decimal | None = None
    #: A fraction: 1.0 is free (captured SO-00000202: UnitPrice 2.4, DiscountRate 1.0, LineTotal 0.0).
    DiscountRate: Decimal | None = None
    #: What the line charges, after its discount and before tax (both captures: SubTotal = Σ LineTotal).
    LineTotal: Decimal | None = None
    Comments: str | None = None
    BatchNumbers: Any = None
    Guid: str | None = None

    @property
    def is_charge(self) -> bool:
        return (self.LineType or "").strip().casefold() == CHARGE.casefold()


class DeliveryAddress(UnleashedModel):
    """The ``Delivery*`` fields an order and a shipment share."""

    DeliveryName: str | None = None
    DeliveryStreetAddress: str | None = None
    DeliveryStreetAddress2: str | None = None
    DeliverySuburb: str | None = None
    DeliveryCity: str | None = None
    DeliveryRegion: str | None = None
    DeliveryCountry: str | None = None
    DeliveryPostCode: str | None = None

    @property
    def has_street(self) -> bool:
        return bool((self.DeliveryStreetAddress or "").strip())


class SalesOrder(DeliveryAddress):
    Guid: str
    OrderNumber: str
    OrderStatus: str | None = None
    OrderDate: str | None = None
    RequiredDate: str | None = None
    Customer: CustomerSummary = Field(default_factory=CustomerSummary)
    CustomerRef: str | None = None
    Comments: str | None = None
    Warehouse: WarehouseRef | None = None
    DeliveryMethod: str | None = None
    Currency: CurrencyRef | None = None
    #: A discount on the whole order (a fraction); whether each LineTotal already includes it is not known.
    DiscountRate: Decimal | None = None
    SalesOrderLines: list[SalesOrderLine] = Field(default_factory=list)
    CreatedOn: str | None = None
    LastModifiedOn: str | None = None

    @property
    def modified_at(self) -> datetime | None:
        return parse_wire(self.LastModifiedOn)

    @property
    def required_day(self) -> date | None:
        return calendar_day(self.RequiredDate)

    @property
    def order_day(self) -> date | None:
        return calendar_day(self.OrderDate)

    def line(self, number: int | None) -> SalesOrderLine | None:
        return next((line for line in self.SalesOrderLines if line.LineNumber == number), None) \
            if number is not None else None


class ShippingCompanyRef(UnleashedModel):
    Guid: str | None = None
    Name: str | None = None


class SalesShipmentLine(UnleashedModel):
    LineNumber: int | None = None
    Product: ProductRef = Field(default_factory=ProductRef)
    ShipmentQty: Decimal | None = None
    SalesOrderLineNumber: int | None = None
    BatchNumbers: Any = None
    SerialNumbers: Any = None


class SalesShipment(DeliveryAddress):
    Guid: str
    ShipmentNumber: str
    OrderNumber: str | None = None
    OrderGuid: str | None = None
    ShipmentStatus: str | None = None
    ShipmentDate: str | None = None
    DispatchDate: str | None = None
    TrackingNumber: str | None = None
    ShippingCompany: ShippingCompanyRef | None = None
    NumberOfPackages: int | None = None
    Comments: str | None = None
    DeliveryInstruction: str | None = None
    Warehouse: WarehouseRef | None = None
    SalesShipmentLines: list[SalesShipmentLine] = Field(default_factory=list)
    CreatedOn: str | None = None
    LastModifiedOn: str | None = None

    @property
    def modified_at(self) -> datetime | None:
        return parse_wire(self.LastModifiedOn)

    @property
    def order_management_off(self) -> bool:
        """Shipments of an account with Order Management off carry no status (UNCONFIRMED: docs/unleashed.md)."""
        return self.ShipmentStatus is None

    def reference(self) -> str:
        return f"{self.OrderNumber or '?'} | {self.ShipmentNumber}"


class Pagination(UnleashedModel):
    NumberOfItems: int = 0
    PageSize: int = 0
    PageNumber: int = 1
    NumberOfPages: int = 1


class Company(UnleashedModel):
    CompanyName: str | None = None
    TimeZone: str | None = None
    BaseCurrencyCode: str | None = None


class WebhookSubscription(BaseModel):
    """A webhook subscription as the subscription API answers (camelCase like the deliveries; UNCONFIRMED)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    subscriptionId: str
    notificationUrl: str
    eventTypes: list[str] = Field(default_factory=list)
    isActive: bool = True
    #: The key deliveries are signed with: returned once, when the subscription is created.
    signatureKey: str | None = None


class WebhookDelivery(BaseModel):
    """One delivery's body: ``data`` is a JSON *string* such as ``{"salesOrderGuid": "…"}`` (Q4)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    subscriptionId: str | None = None
    eventNotificationId: str = Field(min_length=1, max_length=128)
    eventType: str = Field(min_length=1, max_length=100)
    createdOn: str | None = None
    data: str | dict[str, Any] | None = None
