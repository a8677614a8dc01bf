"""Unleashed's constants, wire forms and the stored shape of an account.

The wire forms come from the captured responses in tests/fixtures/vendor/unleashed/ (SOURCES.md): PascalCase
fields, ``Pagination`` + ``Items`` envelopes, dates as ``"\\/Date(ms)\\/"`` (UTC milliseconds; calendar dates at 00:00
UTC). What no source shows is marked GUESS here; docs/unleashed.md "Assumptions" lists each.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

ORDER_STATUSES = ("Parked", "Placed", "Backordered", "Completed", "Deleted")
SHIPMENT_STATUSES = ("Parked", "Placed", "Picking", "Packed", "Dispatched", "Deleted")
#: After dispatch only these may change ("Comments and TrackingNumber remain editable after dispatch": Q3, T).
EDITABLE_AFTER_DISPATCH = ("Comments", "TrackingNumber")
#: Shipment fields a PUT replaces (a blank one overwrites: "Blank fields on PUT overwrite existing values").
EDITABLE = ("ShipmentStatus", "DispatchDate", "TrackingNumber", "ShippingCompany", "NumberOfPackages", "Comments",
            "ShipmentWeight", "DeliveryInstruction", "DeliveryName", "DeliveryStreetAddress",
            "DeliveryStreetAddress2", "DeliverySuburb", "DeliveryCity", "DeliveryRegion", "DeliveryCountry",
            "DeliveryPostCode", "SalesShipmentLines")
MAX_SUBSCRIPTIONS = 5
WEBHOOK_EVENTS = ("salesorder.created", "salesorder.updated", "salesorder.deleted", "customer.created",
                  "customer.updated", "customer.deleted", "product.created", "product.updated", "product.deleted")
# GUESS: Unleashed's own wording for these refusals is not public; the connector matches on the words in caps.
ORDER_MANAGEMENT_OFF = ("Shipment status cannot be changed: Order Management is not enabled for this account. The "
                        "dispatch date, number of packages and tracking can still be updated.")
LOCKED = "A dispatched shipment can only have its Comments and TrackingNumber changed."
SUBSCRIPTION_LIMIT = f"Maximum number of webhook subscriptions ({MAX_SUBSCRIPTIONS}) reached for this account."
QUOTA_REACHED = ("API usage limit reached: all API requests are blocked until the 1st of next month (UTC). Add an API "
                 "bundle under Settings > Billing.")
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_WIRE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UnleashedError(Exception):
    """An error answer: ``{"Description": …, "DebugInformation": null}`` (GUESS beyond ``Description``)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def wire(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return f"/Date({(moment.astimezone(UTC) - EPOCH) // timedelta(milliseconds=1)})/"


def wire_day(day: date | None) -> str | None:
    """A calendar day as Unleashed sends one: 00:00 UTC of that day."""
    return wire(datetime(day.year, day.month, day.day, tzinfo=UTC)) if day is not None else None


def parse_wire(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    found = _WIRE.match(str(value).strip())
    if found is None:
        raise UnleashedError(400, f"{value!r} is not a valid date; dates are sent as /Date(milliseconds)/")
    return EPOCH + timedelta(milliseconds=int(found.group(1)))


def parse_filter_time(name: str, value: str) -> datetime:
    """A list filter time (UTC, ``2024-04-17T23:11:05`` or a date)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", ""))
    except ValueError:
        raise UnleashedError(400, f"The {name} filter must be a date or a UTC date and time "
                                  "(e.g. 2024-04-17T23:11:05)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def body_json(obj: Any) -> bytes:
    """JSON as Unleashed writes it: ``/`` in dates escaped (``"\\/Date(…)\\/"``), as .NET's serializer does."""
    text = json.dumps(obj, default=_default)
    return re.sub(r'"/Date\((-?\d+)\)/"', r'"\\/Date(\1)\\/"', text).encode("utf-8")


def _default(value: Any) -> Any:
    if hasattr(value, "__float__"):
        number = float(value)
        return int(number) if number.is_integer() else number
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def new_guid() -> str:
    return str(uuid.uuid4())


@dataclass
class Account:
    """One Unleashed account (an organisation), reached with its API ID and key."""

    api_id: str
    api_key: str
    company_name: str = "Sandbox Trading Ltd"
    #: GUESS: a Windows zone name, as a .NET service reports one (IANA names are accepted too).
    time_zone: str = "New Zealand Standard Time"
    order_management: bool = True
    currency: str = "NZD"
    #: Calls a month before every call is refused (None: no limit); successful calls only are counted.
    call_limit: int | None = None
    usage: dict[str, int] = field(default_factory=dict)
    warehouses: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipping_companies: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    order_numbers: int = 0
    shipment_numbers: int = 0

    def summary(self) -> dict[str, Any]:
        return {"apiId": self.api_id, "apiKey": self.api_key, "companyName": self.company_name,
                "timeZone": self.time_zone, "orderManagement": self.order_management, "callLimit": self.call_limit,
                "usage": dict(self.usage), "warehouses": sorted(self.warehouses),
                "shippingCompanies": [c["Name"] for c in self.shipping_companies],
                "orders": len(self.orders), "shipments": len(self.shipments),
                "subscriptions": len(self.subscriptions)}
