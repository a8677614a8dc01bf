"""Pydantic models of the Starshipit API in its own field names (snake_case), and the integration's settings.

Sources (platform-apis.md §4, platform-apis-followup.md "Starshipit"; examples in tests/fixtures/vendor/starshipit/):
the create-order request and response, the order read model (``packages[]`` carry the tracking), the print-label
response (``tracking_numbers[]``, ``labels[]`` base64 PDFs), the tracking webhook, and the envelopes
``{"success", "errors": [{"message", "details"}]}`` and the gateway's ``{"statusCode", "message"}``.

Reads allow unknown fields (Starshipit adds many); ``success`` may be a boolean or 0/1 (a public client's fixture).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.step_models import StepModel, WarehouseId, header_safe

#: Order statuses (SSI-DEV; the status filter takes Unshipped|Shipped; Printed is what a labelled order shows).
UNSHIPPED, PRINTED, SHIPPED = "Unshipped", "Printed", "Shipped"
#: Tracking statuses a webhook carries (developers.starshipit.com/webhooks).
TRACKING_STATUSES = ("Printed", "Dispatched", "InTransit", "OutForDelivery", "Delivered", "PickupInStore",
                     "AttemptedDelivery", "Exception", "AwaitingCollection", "Cancelled")
#: The WMS statuses at or beyond each trigger status.
REACHED = {"PACKED": frozenset({"PACKED", "DISPATCHED"}), "DISPATCHED": frozenset({"DISPATCHED"})}
#: Starshipit caps ``order_number`` and ``reference`` at 50 characters (SSI-DEV "Create order").
MAX_ORDER_NUMBER, MAX_REFERENCE = 50, 50
#: Its other text limits on what we send, from the create-order page's field table (as a public client copies it:
#: rknell/starshipit_dart create_order_model.dart, destination_details.dart, create_order_item.dart).
MAX_SHIPPING_METHOD, MAX_SKU = 100, 50
DESTINATION_LIMITS = {"name": 100, "company": 100, "building": 100, "street": 100, "suburb": 100, "city": 100,
                      "state": 100, "post_code": 10, "phone": 100, "email": 100, "delivery_instructions": 100}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_legacy_order_number(order_number: str | None) -> bool:
    """Whether a Starshipit ``order_number`` is one the connector gave orders before it used people's numbers: the
    WMS outbound order's id (a UUID). Such orders keep working: a delivery naming one leads straight to its WMS
    order's link. Never used to decide anything else — other channels' numbers can look like anything."""
    return bool(order_number) and _UUID.fullmatch(str(order_number)) is not None


class SsiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


def _text(value: Any) -> Any:
    return None if value is None else str(value)


# --- what Starshipit answers ---------------------------------------------------------------------------------------


class Destination(SsiModel):
    name: str | None = None
    company: str | None = None
    building: str | None = None
    street: str | None = None
    suburb: str | None = None
    city: str | None = None
    state: str | None = None
    post_code: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    delivery_instructions: str | None = None

    _texts = field_validator("post_code", "phone", mode="before")(_text)


class Item(SsiModel):
    item_id: int | None = None
    description: str | None = None
    sku: str | None = None
    quantity: Decimal | None = None
    weight: Decimal | None = None
    value: Decimal | None = None


class Package(SsiModel):
    package_id: int | None = None
    weight: Decimal | None = None
    height: Decimal | None = None
    width: Decimal | None = None
    length: Decimal | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier_service_code: str | None = None
    carrier_service_name: str | None = None
    delivery_status: str | None = None
    label_created_date: str | None = None


class Order(SsiModel):
    """An order as ``GET /api/orders`` and the order lists answer it."""

    order_id: int
    order_number: str
    order_date: str | None = None
    reference: str | None = None
    carrier: str | None = None
    carrier_name: str | None = None
    carrier_service_code: str | None = None
    shipping_method: str | None = None
    status: str | None = None
    #: Search results and some lists carry the order's (first) tracking number at the top level.
    tracking_number: str | None = None
    destination: Destination | None = None
    items: list[Item] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    archived: bool | None = None
    manifested: bool | None = None

    _number = field_validator("order_number", mode="before")(_text)

    @field_validator("items", "packages", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def tracking_numbers(self) -> list[str]:
        """Every package's tracking number, in package order, once each (several packages: several numbers)."""
        found: list[str] = []
        for package in self.packages:
            number = (package.tracking_number or "").strip()
            if number and number not in found:
                found.append(number)
        if not found and self.tracking_number and self.tracking_number.strip():
            found.append(self.tracking_number.strip())
        return found

    @property
    def tracking_url(self) -> str | None:
        return next((p.tracking_url for p in self.packages if p.tracking_number and p.tracking_url), None)


class ShipmentResult(SsiModel):
    """``POST /api/orders/shipment``: the label (base64 PDFs) and the tracking numbers it came with."""

    order_id: int | None = None
    order_number: str | None = None
    carrier_name: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    label_types: list[str] = Field(default_factory=list)

    @field_validator("tracking_numbers", "labels", "label_types", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class ApiErrorEntry(SsiModel):
    message: str = ""
    details: str | None = None

    @field_validator("message", "details", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return "" if value is None else str(value)


class TrackingUpdate(SsiModel):
    """A tracking webhook's body (developers.starshipit.com/webhooks). The older docs print ``order_number`` as a
    number, so it is accepted as one and kept as text."""

    order_number: str = Field(min_length=1, max_length=MAX_ORDER_NUMBER)
    order_reference: str | None = None
    carrier_name: str | None = None
    carrier_service: str | None = None
    shipment_date: str | None = None
    tracking_number: str | None = None
    tracking_status: str | None = None
    last_updated_date: str | None = None

    @field_validator("order_number", "tracking_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value  # refused by the str type
        return str(value) if isinstance(value, int) else value


# --- what we send --------------------------------------------------------------------------------------------------


def as_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number Starshipit takes."""
    return int(value) if value == value.to_integral_value() else float(value)


def _api_value(value: Any) -> Any:
    """JSON for Starshipit: Decimals as numbers, no None values."""
    if isinstance(value, Decimal):
        return as_number(value)
    if isinstance(value, dict):
        return {k: _api_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_api_value(v) for v in value]
    return value


class NewDestination(BaseModel):
    # The New* bodies are built on first use, not at import: only the worker's create-order path sends them.
    model_config = ConfigDict(defer_build=True)

    name: str
    company: str | None = None
    building: str | None = None
    street: str
    suburb: str | None = None
    city: str | None = None
    state: str | None = None
    post_code: str | None = None
    country: str
    phone: str | None = None
    email: str | None = None
    delivery_instructions: str | None = None


class NewItem(BaseModel):
    model_config = ConfigDict(defer_build=True)

    description: str | None = None
    sku: str | None = None
    quantity: Decimal
    weight: Decimal | None = None
    value: Decimal | None = None


class NewPackage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    weight: Decimal | None = None


class NewOrder(BaseModel):
    """The body of ``POST /api/orders`` (``{"order": …}``)."""

    model_config = ConfigDict(defer_build=True)

    order_number: str = Field(min_length=1, max_length=MAX_ORDER_NUMBER)
    order_date: str | None = None
    reference: str | None = Field(default=None, max_length=MAX_REFERENCE)
    shipping_method: str | None = None
    carrier: str | None = None
    carrier_service_code: str | None = None
    currency: str | None = None
    destination: NewDestination
    items: list[NewItem] = Field(default_factory=list)
    packages: list[NewPackage] | None = None

    def to_api(self) -> dict[str, Any]:
        return {"order": _api_value(self.model_dump(mode="python"))}


# --- the integration's settings (management steps 2–4) ---------------------------------------------------------


class StarshipitCredentials(StepModel):
    """Step 2, *Authentication*. Every field is sealed with KMS by the management API and never returned."""

    api_key: str = header_safe(200, "StarShipIT-Api-Key: Starshipit → Settings → API (Regenerate if it is blank). "
                                    "It selects the account.")
    subscription_key: str = header_safe(200, "Ocp-Apim-Subscription-Key: Starshipit → Settings → API. It sets the "
                                             "subscription's rate limit.")
    webhook_secret: str | None = Field(default=None, min_length=8, max_length=200, repr=False, description=(
        "Optional: the secret key set (or generated) in Starshipit → Settings → Tracking & notifications, where "
        "the notification URL is {API}/webhooks/starshipit/{integrationId}. With it, only signed notifications are "
        "taken; without it, a notification only makes us re-read the order it names from Starshipit (at most once a "
        "minute), and tracking also comes back by the 5-minute poll."))


class ServiceMapping(StepModel):
    """A WMS order's requested service → the Starshipit carrier (and service code) to ship it with."""

    requested_service: str = Field(min_length=1, max_length=100, description="The CartonCloud order's "
                                   "details.deliver.method.requestedService, compared without case.")
    carrier: str = Field(min_length=1, max_length=50, description="Starshipit carrier code, e.g. AusPost.")
    carrier_service_code: str | None = Field(default=None, min_length=1, max_length=50,
                                             description="Starshipit carrier service code, e.g. 7B05.")


class StarshipitOrderCreation(StepModel):
    """Step 3, *Order creation* (help page 002: "Select the Sale Order status … e.g. Packed or Dispatched")."""

    create_shipment_at: Literal["PACKED", "DISPATCHED"] = Field(
        description="The WMS sale-order status that creates the order in Starshipit (or any later status, once).")
    warehouse_ids: list[WarehouseId] = Field(default_factory=list, max_length=100, description=(
        "The customer's CartonCloud warehouses whose orders go to Starshipit; empty: all of them."))
    carrier: str | None = Field(default=None, min_length=1, max_length=50, description=(
        "Default Starshipit carrier code for orders no mapping matches; empty: Starshipit's own rules choose."))
    carrier_service_code: str | None = Field(default=None, min_length=1, max_length=50,
                                             description="Default carrier service code (needs a carrier).")
    service_mappings: list[ServiceMapping] = Field(default_factory=list, max_length=200)
    default_country: str = Field(default="AU", pattern=r"^[A-Z]{2}$", description=(
        "ISO 3166 alpha-2 country for WMS delivery addresses without one (Starshipit requires a country)."))
    requests_per_second: int = Field(default=2, ge=1, le=20, description=(
        "Starshipit's rate limit for this account's subscription: 2 (Developer) or 20 (Production, on approval). "
        "Shared by every function calling the account."))

    @field_validator("carrier_service_code")
    @classmethod
    def _service_needs_carrier(cls, value: str | None, info: Any) -> str | None:
        if value is not None and not info.data.get("carrier"):
            raise ValueError("a carrier service code needs a carrier")
        return value

    @field_validator("warehouse_ids")
    @classmethod
    def _unique_warehouses(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("warehouse ids must not repeat")
        return value

    @field_validator("service_mappings")
    @classmethod
    def _unique_services(cls, value: list[ServiceMapping]) -> list[ServiceMapping]:
        names = [mapping.requested_service.strip().casefold() for mapping in value]
        if len(set(names)) != len(names):
            raise ValueError("each requested service may be mapped once")
        return value

    def reached(self, status: str | None) -> bool:
        """Whether a WMS status is the trigger or beyond it (PACKED → Packed or Dispatched; DISPATCHED →
        Dispatched): an order first seen past the trigger is still sent, once."""
        return (status or "") in REACHED[self.create_shipment_at]

    def covers(self, warehouse_id: str | None) -> bool:
        return not self.warehouse_ids or warehouse_id in self.warehouse_ids

    def carrier_for(self, requested_service: str | None) -> tuple[str | None, str | None]:
        """The carrier and service code for a WMS order's requested service: its mapping, else the defaults."""
        wanted = (requested_service or "").strip().casefold()
        for mapping in self.service_mappings:
            if wanted and mapping.requested_service.strip().casefold() == wanted:
                return mapping.carrier, mapping.carrier_service_code
        return self.carrier, self.carrier_service_code


class StarshipitFulfilment(StepModel):
    """Step 4, *Fulfilment*."""

    write_tracking: bool = Field(default=True, description="Write Starshipit's tracking numbers, carrier and "
                                 "tracking URL to the WMS order's consignment.")
    create_missing_consignment: bool = Field(default=True, description=(
        "When the WMS order has no consignment, create one (generated from the order) to hold the tracking. It is "
        "a TMS consignment: the tenant's consignment rate card may apply to it."))
