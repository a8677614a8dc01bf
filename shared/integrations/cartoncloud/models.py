"""Pydantic models of the CartonCloud public API (Accept-Version 1), in its own field names.

Shapes follow the API reference and the official Postman examples (tests/fixtures/vendor/cartoncloud/). Reads
allow unknown fields (the API adds undocumented ones without notice); requests drop ``None`` fields because the API
wants optional fields absent or ``null``, never ``""``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _api_value(value: Any) -> Any:
    """JSON for CartonCloud: numbers as JSON numbers (pydantic's JSON mode would send Decimals as strings)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {k: _api_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_value(v) for v in value]
    return value


class CCModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow", defer_build=True)

    def to_api(self, *, exclude: set[str] | None = None) -> dict[str, Any]:
        """The JSON body to send: API field names, numbers as numbers, no ``None`` values."""
        return _api_value(  # type: ignore[no-any-return]
            self.model_dump(mode="python", by_alias=True, exclude_none=True, exclude=exclude)
        )


class OutboundOrderStatus(StrEnum):
    DRAFT = "DRAFT"
    AWAITING_STOCK = "AWAITING_STOCK"
    AWAITING_PICK_AND_PACK = "AWAITING_PICK_AND_PACK"
    PACKING_IN_PROGRESS = "PACKING_IN_PROGRESS"
    PICKED = "PICKED"
    PACKED = "PACKED"
    DISPATCHED = "DISPATCHED"
    REJECTED = "REJECTED"


class ConsignmentStatus(StrEnum):
    DRAFT = "DRAFT"
    AWAITING_PICKUP = "AWAITING_PICKUP"
    AWAITING_POINT_TO_POINT_PICKUP = "AWAITING_POINT_TO_POINT_PICKUP"
    AWAITING_SALE_ORDER_PACKING = "AWAITING_SALE_ORDER_PACKING"
    AWAITING_DROPOFF = "AWAITING_DROPOFF"
    IN_TRANSIT_PICKUP_WAREHOUSE = "IN_TRANSIT_PICKUP_WAREHOUSE"
    IN_WAREHOUSE = "IN_WAREHOUSE"
    WITH_ON_FORWARDER = "WITH_ON_FORWARDER"
    IN_TRANSIT_WAREHOUSE_DELIVERY = "IN_TRANSIT_WAREHOUSE_DELIVERY"
    IN_TRANSIT_PICK_DELIVERY = "IN_TRANSIT_PICK_DELIVERY"
    COLLECTED = "COLLECTED"
    DELIVERED = "DELIVERED"
    POINT_TO_POINT_DELIVERED = "POINT_TO_POINT_DELIVERED"
    CANCELLED = "CANCELLED"


# --- Standard elements ---------------------------------------------------------------------------------------------


class Money(CCModel):
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)


class State(CCModel):
    code: str | None = None
    name: str | None = None


class Country(CCModel):
    iso2_code: str | None = None
    iso3_code: str | None = None
    name: str | None = None


class Address(CCModel):
    company_name: str | None = None
    contact_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    suburb: str | None = None
    city: str | None = None
    state: State | None = None
    postcode: str | None = None
    country: Country | None = None
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = None


class References(CCModel):
    customer: str | None = None
    tracking: str | None = None
    alternate_reference: str | None = None
    numeric_id: int | str | None = None
    code: str | None = None
    barcode: str | None = None


class EntityRef(CCModel):
    """A reference to a customer, warehouse or product: resolved by ``id``, then ``references.code``, then name."""

    id: str | None = None
    name: str | None = None
    references: References | None = None


class Timestamp(CCModel):
    time: datetime


class Timestamps(CCModel):
    created: Timestamp | None = None
    modified: Timestamp | None = None
    packed: Timestamp | None = None
    dispatched: Timestamp | None = None


class ErrorReference(CCModel):
    message: str
    is_resolved: bool = False


# --- Outbound (sale) orders ------------------------------------------------------------------------------------


class DeliveryMethod(CCModel):
    type: Literal["SHIPPING", "PICKUP"] = "SHIPPING"
    requested_service: str | None = None


class Deliver(CCModel):
    address: Address | None = None
    method: DeliveryMethod | None = None
    instructions: str | None = None
    required_date: date | None = None
    cash_payment_amount: Money | None = None


class Collect(CCModel):
    address: Address | None = None
    required_date: date | None = None


class OutboundOrderDetails(CCModel):
    urgent: bool | None = None
    #: Packing instructions.
    instructions: str | None = None
    collect: Collect | None = None
    deliver: Deliver | None = None
    invoice_value: Money | None = None
    allow_splitting: bool | None = None
    errors: list[ErrorReference] | None = None


class UnitOfMeasure(CCModel):
    type: str


class OutboundOrderItemDetails(CCModel):
    product: EntityRef
    unit_of_measure: UnitOfMeasure | None = None
    approximate_unit_price: Money | None = None


class Measures(CCModel):
    quantity: Decimal | None = None
    weight: Decimal | None = None
    pallets: Decimal | None = None
    cubic: Decimal | None = None
    spaces: Decimal | None = None


class OutboundOrderItem(CCModel):
    details: OutboundOrderItemDetails
    measures: Measures
    properties: dict[str, Any] | None = None


class OutboundOrder(CCModel):
    """An outbound (sale) order: the request body and, with the read-only fields, the response."""

    id: str | None = None
    type: str = "OUTBOUND"
    references: References
    customer: EntityRef
    warehouse: EntityRef | None = None
    details: OutboundOrderDetails
    properties: dict[str, Any] | None = None
    items: list[OutboundOrderItem] = Field(default_factory=list)
    # read-only in responses
    status: OutboundOrderStatus | None = None
    version: int | None = None
    timestamps: Timestamps | None = None


# --- Consignments (TMS) and quotes -----------------------------------------------------------------------------


class Tracking(CCModel):
    # The reference names it companyName; the quote example writes company. Accept either.
    company_name: str | None = Field(default=None, validation_alias=AliasChoices("companyName", "company"))
    url: str | None = None


class ConsignmentDetails(CCModel):
    collect: Collect | None = None
    deliver: Deliver | None = None
    type: str | None = None
    tracking: Tracking | None = None
    invoice_value: Money | None = None
    authority_to_leave: bool | None = None


class ConsignmentItem(CCModel):
    details: OutboundOrderItemDetails | None = None
    measures: Measures
    properties: dict[str, Any] | None = None


class Consignment(CCModel):
    id: str | None = None
    type: str = "CONSIGNMENT"
    status: ConsignmentStatus | str | None = None
    references: References | None = None
    customer: EntityRef
    warehouse: EntityRef | None = None
    details: ConsignmentDetails | None = None
    properties: dict[str, Any] | None = None
    items: list[ConsignmentItem] = Field(default_factory=list)
    #: The sale order this consignment was generated from (search pointer ``/generatedFromTask/id``).
    generated_from_task: EntityRef | None = None
    version: int | None = None
    timestamps: Timestamps | None = None


class QuoteRequest(Consignment):
    task_date: date


class FeeCategory(CCModel):
    id: str | None = None
    name: str


class QuoteCharge(CCModel):
    fee_category: FeeCategory
    description: str | None = None
    fee: Money
    fee_after_modifiers: Money


class Named(CCModel):
    name: str


class Quote(CCModel):
    rate_card: Named | None = None
    rate: Named | None = None
    charges: list[QuoteCharge] = Field(default_factory=list)


# --- Customers, warehouses, errors ---------------------------------------------------------------------------


class WarehouseProduct(CCModel):
    id: str | None = None
    name: str | None = None
    references: References | None = None
    customer: EntityRef | None = None


class Customer(CCModel):
    id: str
    name: str
    references: References | None = None


class Warehouse(CCModel):
    id: str
    name: str


class ApiErrorEntry(CCModel):
    """One entry of CartonCloud's error array; ``field`` is a JSON Pointer into what we sent."""

    message: str
    field: str | None = None
    type: str | None = None
    details: dict[str, Any] | None = None


# --- Search conditions -----------------------------------------------------------------------------------------


def json_field(pointer: str) -> dict[str, str]:
    return {"type": "JsonField", "pointer": pointer}


def value(v: str) -> dict[str, str]:
    return {"type": "ValueField", "value": v}


def text_equals(pointer: str, v: str) -> dict[str, Any]:
    return {"type": "TextComparisonCondition", "field": json_field(pointer), "value": value(v), "method": "EQUAL_TO"}


def modified_after(moment: datetime) -> dict[str, Any]:
    if moment.tzinfo is None:
        raise ValueError("modified_after needs an aware datetime: CartonCloud compares instants with offsets")
    return {
        "type": "DateTimeComparisonCondition",
        "field": json_field("/timestamps/modified/time"),
        "value": value(moment.isoformat(timespec="seconds")),
        "method": "GREATER_THAN",
    }


def all_of(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"condition": {"type": "AndCondition", "conditions": list(conditions)}}
