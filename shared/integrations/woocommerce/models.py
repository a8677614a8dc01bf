"""Pydantic models of the WooCommerce REST API (``wc/v3``) and the Shipment Tracking extension, in their own field
names (snake_case), plus the integration's settings.

Reads allow unknown fields (plugins add many). WooCommerce sends ``null`` or ``""`` for absent text, money as
strings with two decimals, ids as integers, and two forms of every date: the site's local time and ``*_gmt``, both
without an offset (WC-DOCS "Orders"; examples: tests/fixtures/vendor/woocommerce/). We only read the ``*_gmt`` form
and attach UTC to it (:func:`gmt`), so store time zones never leak into what we store or compare.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.addresses import wire_host
from ..core.step_models import StepModel, WarehouseId, header_safe

#: Order statuses WooCommerce core knows (``checkout-draft`` is internal; webhooks skip it).
ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash",
                  "checkout-draft")
#: The status that sends an order to the WMS (product spec: "when the WooCommerce order reaches Processing").
SYNC_STATUS = "processing"
#: Statuses that, after the order reached the WMS, mean the shop no longer wants it shipped.
WITHDRAWN_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
#: The order topics we subscribe to (``order.deleted`` is not: deleting in the shop never deletes in the WMS).
ORDER_TOPICS = ("order.created", "order.updated")
#: Shipping methods that mean the customer collects (WooCommerce core ``local_pickup``, blocks ``pickup_location``).
PICKUP_METHODS = ("local_pickup", "pickup_location")
TRACKING_NAMESPACE = "wc-shipment-tracking/v3"


def gmt(value: str | None) -> datetime | None:
    """A WooCommerce ``*_gmt`` value (``2017-03-22T19:28:08``, no offset) as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def wc_gmt_param(moment: datetime) -> str:
    """A datetime as WooCommerce's list filters take it with ``dates_are_gmt=true``: UTC, no offset, seconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class WooModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


def _text(value: Any) -> Any:
    return "" if value is None else value


class WooAddress(WooModel):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    #: ``shipping.phone`` exists since WooCommerce 5.6 (woocommerce/woocommerce#30097); older stores omit it.
    phone: str = ""

    _texts = field_validator("*", mode="before")(_text)

    @property
    def has_street(self) -> bool:
        return bool(self.address_1.strip())

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name.strip(), self.last_name.strip()) if part)


class LineItem(WooModel):
    id: int
    name: str = ""
    product_id: int | None = None
    variation_id: int | None = None
    quantity: Decimal
    #: Read-only; empty when the product has no SKU or was deleted (WC-DOCS "Order - Line items properties").
    sku: str = ""
    price: Decimal | None = None
    total: str = ""

    @field_validator("sku", "name", "total", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return _text(value)


class ShippingLine(WooModel):
    id: int | None = None
    method_title: str = ""
    method_id: str = ""
    total: str = ""

    @field_validator("method_title", "method_id", "total", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return _text(value)

    @property
    def is_pickup(self) -> bool:
        return self.method_id.split(":", 1)[0] in PICKUP_METHODS


class WooOrder(WooModel):
    id: int
    parent_id: int = 0
    number: str = ""
    status: str
    currency: str = ""
    date_created_gmt: str | None = None
    date_modified_gmt: str | None = None
    date_paid_gmt: str | None = None
    customer_note: str = ""
    billing: WooAddress = Field(default_factory=WooAddress)
    shipping: WooAddress = Field(default_factory=WooAddress)
    total: str = ""
    line_items: list[LineItem] = Field(default_factory=list)
    shipping_lines: list[ShippingLine] = Field(default_factory=list)

    @field_validator("number", "currency", "customer_note", "total", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return _text(value)

    @field_validator("number", mode="before")
    @classmethod
    def _number_is_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def reference(self) -> str:
        """What the shop and its customer call the order (``number``; sequential-number plugins change it)."""
        return self.number or str(self.id)

    @property
    def created_at(self) -> datetime | None:
        return gmt(self.date_created_gmt)

    @property
    def modified_at(self) -> datetime | None:
        return gmt(self.date_modified_gmt)


class OrderNote(WooModel):
    id: int
    note: str = ""
    customer_note: bool = False
    date_created_gmt: str | None = None


class Webhook(WooModel):
    id: int
    name: str = ""
    #: active (delivers), paused (by an admin), disabled (by WooCommerce after repeated delivery failures).
    status: str
    topic: str
    delivery_url: str = ""


class ShipmentTracking(WooModel):
    #: The extension's own id of the row (a hash), not the tracking number.
    tracking_id: str
    tracking_number: str
    tracking_provider: str = ""
    tracking_link: str = ""
    date_shipped: str | None = None

    @field_validator("tracking_provider", "tracking_link", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return _text(value)


# --- the integration's settings (management steps 2–4) ---------------------------------------------------------


class WooCommerceCredentials(StepModel):
    """Step 2, *Authentication*. Every field is sealed with KMS by the management API and never returned."""

    store_url: str = Field(min_length=1, max_length=2048, description="The store's base URL, e.g. "
                           "https://shop.example.com (the address WordPress is installed at).")
    consumer_key: str = header_safe(128, "ck_… from WooCommerce → Settings → Advanced → REST API (Read/Write).")
    consumer_secret: str = header_safe(128, "cs_… shown once when the key is created.")

    @field_validator("store_url")
    @classmethod
    def _store_url(cls, value: str) -> str:
        return normalise_store_url(value)


class WooCommerceOrderSettings(StepModel):
    """Step 3, *Order creation*: the CartonCloud warehouse this customer's WooCommerce orders go to (the management
    frame checks the customer may use it)."""

    warehouse_id: WarehouseId = Field(description="CartonCloud warehouse id; the customer must have access to it.")


class WooCommerceFulfilmentSettings(StepModel):
    """Step 4, *Fulfilment*."""

    complete_fulfilment: bool = Field(default=True, description="Mark the WooCommerce order Completed when its "
                                      "CartonCloud order is Dispatched.")
    send_tracking: bool = Field(default=True, description="Send tracking to WooCommerce when the order is Packed "
                                "or Dispatched and whenever its tracking changes (needs the Shipment Tracking "
                                "extension; without it nothing is sent and completion still happens).")


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class StoreUrlInvalid(ValueError):
    """The store URL is not one we will send keys to."""


def normalise_store_url(value: str) -> str:
    """``https://shop.example.com/`` → ``https://shop.example.com``; refuses what we must not send keys to.

    WooCommerce accepts key authentication (HTTP Basic) only over HTTPS (WC-DOCS "Authentication"); plain HTTP is
    allowed for loopback hosts only, which is where the local sandboxes run.
    """
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = wire_host(parts.hostname or "", trailing_dot=True)
    if parts.scheme not in ("https", "http") or host is None or any(c.isspace() for c in text):
        raise StoreUrlInvalid("must be the store's web address, e.g. https://shop.example.com")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise StoreUrlInvalid("must start with https:// (WooCommerce accepts API keys only over HTTPS)")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise StoreUrlInvalid("must not contain credentials, a query or a fragment")
    path = parts.path.rstrip("/")
    for suffix in ("/wp-json/wc/v3", "/wp-json", "/wp-admin"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    try:
        port = parts.port
    except ValueError:
        raise StoreUrlInvalid("has a port that is not a number") from None
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{path}"
