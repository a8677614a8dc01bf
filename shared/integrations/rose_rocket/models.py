"""Pydantic models of what the connector reads from Rose Rocket's platform model (v2: ``objectKey`` + ``json``
records, camelCase fields) and of its configuration steps.

Reads allow unknown fields (an organisation adds its own through Object Builder); connected objects are present only
when the read named them in ``paths``. Field names: roserocket.readme.io object pages (order, task, stop, address,
commodity, customer, quote, financial line items, invoice) — see docs/rose-rocket.md for the ones we decided.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

from ..core.step_models import StepModel, WarehouseId, header_safe

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: Order statuses as one docs page spells them (platform-apis-followup.md Q11). Another page capitalises them
#: ("Delivered", "In transit") and v1 wrote "in-transit": the wire spelling is unknown (assumption
#: ``status-spelling``), so statuses are only ever compared through :func:`status_key`, asked for in each
#: spelling (:func:`spellings`) and written back as the organisation spells them (:func:`spelled_like`).
DELIVERED, INVOICED = "delivered", "invoiced"


def status_key(value: str | None) -> str:
    """A status as compared: case, spaces, hyphens and underscores don't count ("In-Transit" is "in transit")."""
    return re.sub(r"[\s_-]+", " ", str(value or "").strip()).casefold()


def spellings(status: str) -> tuple[str, ...]:
    """The spellings Rose Rocket's pages give a status (lowercase and capitalised), for a search by value."""
    return tuple(dict.fromkeys((status, status.capitalize())))


def spelled_like(status: str, example: str | None) -> str:
    """``status`` spelled as ``example`` (a status the organisation sent) is: written back in its own spelling, as
    an enum that refuses another would require."""
    if not example:
        return status
    joiner = "-" if "-" in example else ("_" if "_" in example else " ")
    words = status_key(status).split(" ")
    if example.isupper():
        words = [w.upper() for w in words]
    elif example[:1].isupper():
        given = [w for w in re.split(r"[\s_-]+", example) if w]
        titled = len(given) > 1 and all(w[:1].isupper() for w in given)  # one word: as the docs' "In transit"
        words = [w.capitalize() if titled or i == 0 else w for i, w in enumerate(words)]
    return joiner.join(words)
CommodityType = Literal["bundle", "carton", "skid", "package", "container", "crate", "pallet", "other"]
ConsignmentType = Literal["DELIVERY", "PICKUP", "POINT_TO_POINT", "PICKUP_DELIVERY", "RETURNED", "DUPLICATE",
                          "WAREHOUSE_FULFILMENT"]
#: What an order is read with (reads.py degrades when Rose Rocket refuses one: assumption ``connected-paths``).
ORDER_PATHS = ("customer", "tasks", "tasks.stops", "tasks.stops.address", "tasks.commodities", "serviceType",
               "sellQuote", "sellQuote.lineItems", "invoice", "invoice.lineItems")


class RRModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow", defer_build=True)


class Address(RRModel):
    id: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    state_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    postal_code: str | None = None


class Stop(RRModel):
    id: str | None = None
    description: str | None = None
    special_instructions: str | None = None
    address: Address | None = None


class Commodity(RRModel):
    id: str | None = None
    commodity_type: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    pieces: Decimal | None = None
    weight: Decimal | None = None
    weight_unit: str | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str | None = None
    freight_class: str | None = None


class Task(RRModel):
    id: str | None = None
    task_type: str | None = None
    status: str | None = None
    stops: list[Stop] = Field(default_factory=list)
    commodities: list[Commodity] = Field(default_factory=list)


class Ref(RRModel):
    """A connected record as an order shows it (customer, service type, quote, invoice)."""

    id: str
    full_id: str | None = None
    name: str | None = None
    external_id: str | None = None
    status: str | None = None


class Customer(RRModel):
    id: str
    full_id: str | None = None
    name: str = ""
    external_id: str | None = None
    status: str | None = None


class Order(RRModel):
    id: str
    full_id: str | None = None
    external_id: str | None = None
    status: str | None = None
    ref_num: str | None = None
    po_num: str | None = None
    customer: Ref | None = None
    tasks: list[Task] = Field(default_factory=list)
    service_type: Ref | None = None
    sell_quote: dict[str, Any] | None = None
    invoice: dict[str, Any] | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: int | None = None
    #: The connected paths it was read without (Rose Rocket refused them: reads.py): what it may have and we
    #: can't see.
    _unread: tuple[str, ...] = PrivateAttr(default=())

    @property
    def unread(self) -> tuple[str, ...]:
        return self._unread

    def seen_without(self, unread: tuple[str, ...]) -> Order:
        self._unread = unread
        return self

    def task(self, task_type: str) -> Task | None:
        return next((t for t in self.tasks if status_key(t.task_type) == task_type.casefold()), None)

    def is_status(self, status: str) -> bool:
        return status_key(self.status) == status_key(status)

    @property
    def number(self) -> str:
        return self.full_id or self.id

    @property
    def commodities(self) -> list[Commodity]:
        """Every commodity of the order once (a commodity may sit on its pickup and its delivery task)."""
        seen: dict[str, Commodity] = {}
        loose: list[Commodity] = []
        for task in self.tasks:
            for commodity in task.commodities:
                if commodity.id:
                    seen.setdefault(commodity.id, commodity)
                else:
                    loose.append(commodity)
        return [*seen.values(), *loose]


class WebhookEnvelope(RRModel):
    """The v2 webhook envelope (roserocket.readme.io/docs/webhooks-2): ids only; the order is re-fetched."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    type: str = Field(min_length=1, max_length=128)
    ref_id: str = Field(pattern=UUID_PATTERN)
    org_id: str = Field(pattern=UUID_PATTERN)
    object_key: str = Field(min_length=1, max_length=64)
    owner_id: str | None = Field(default=None, max_length=128)
    created_at: str | None = Field(default=None, max_length=64)
    json_: dict[str, Any] | None = Field(default=None, alias="json")


class V1WebhookEvent(RRModel):
    """A v1 delivery (roserocket.readme.io/docs/webhooks-1: ``{event, order_id, timestamp}``, with
    ``previous_status``/``current_status`` on ``order.status_updated``): what arrives when our URL is entered in
    the v1 webhook settings. Ids only, like the v2 envelope; the order is re-read through the v2 API."""

    model_config = ConfigDict(extra="ignore", strict=True)

    event: str = Field(min_length=1, max_length=64, pattern=r"^[a-z_]+\.[a-z_.]+$")
    order_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    timestamp: str = Field(min_length=1, max_length=64)
    previous_status: str | None = Field(default=None, max_length=64)
    current_status: str | None = Field(default=None, max_length=64)


# --- the configuration steps -------------------------------------------------------------------------------------


class RoseRocketCredentials(StepModel):
    """Rose Rocket → Settings → API Settings → OAuth Applications (a service account bound to the application)."""

    client_id: str = header_safe(200, "The OAuth application's client ID")
    client_secret: str = header_safe(500, "The OAuth application's client secret (rotating it there retires this one)")
    org_id: str = Field(pattern=UUID_PATTERN, description="The Rose Rocket organisation id")
    service_account_user_id: str = Field(pattern=UUID_PATTERN, description="The service account user's id, "
                                         "created under the OAuth application")


DEFAULT_CONSIGNMENT_TYPES: list[ConsignmentType] = ["DELIVERY", "PICKUP", "POINT_TO_POINT", "PICKUP_DELIVERY",
                                                    "RETURNED", "WAREHOUSE_FULFILMENT"]


class RoseRocketOrderCreation(StepModel):
    create_orders_from_consignments: bool = Field(
        default=True, description="A consignment created in the WMS for a matched customer creates a Rose Rocket "
                                  "order (help page: \"On creation\")")
    consignment_types: list[ConsignmentType] = Field(
        default_factory=lambda: list(DEFAULT_CONSIGNMENT_TYPES), min_length=1,
        # A factory's value isn't in the JSON Schema by itself: a form drawn from the schema starts from it too.
        json_schema_extra={"default": list(DEFAULT_CONSIGNMENT_TYPES)},
        description="The WMS consignment types (details.type) that create orders")
    default_service_type: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="Service type for a consignment that names none (properties.serviceType)")
    default_commodity_type: CommodityType = Field(
        default="carton", description="Commodity type for a WMS line that names none (a line with pallets is a pallet)")
    create_consignments_on_delivered: bool = Field(
        default=True, description="A Rose Rocket order moved to Delivered creates the WMS consignment")
    default_warehouse_id: WarehouseId | None = Field(
        default=None, description="The WMS warehouse of consignments made from Rose Rocket orders")
    requests_per_minute: int = Field(
        default=300, ge=10, le=6000, description="Calls per minute this integration makes to the organisation "
                                                 "(Rose Rocket publishes no limit)")


class RoseRocketFulfilment(StepModel):
    update_consignments_while_delivered: bool = Field(
        default=True, description="Edits of a Rose Rocket order while it is Delivered update its WMS consignment")
    sync_invoice_status: bool = Field(
        default=True, description="WMS invoice statuses are written to Rose Rocket (docs/rose-rocket.md table)")
