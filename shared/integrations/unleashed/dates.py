"""Unleashed's dates, in UTC, and the organisation's calendar.

What the API sends (docs/unleashed.md "Dates and time zones", with the evidence):

- every date is the .NET JSON form ``"/Date(1563305758253)/"`` (on the wire ``"\\/Date(…)\\/"``): milliseconds since
  1970-01-01 **UTC**. The .NET serializer may append ``+hhmm`` to mark a value of "Local" kind; the number is still
  UTC milliseconds and the suffix does not move the instant (Microsoft's "DateTime Wire Format"), so it is ignored;
- timestamps (``CreatedOn``, ``LastModifiedOn``) are instants: read as aware UTC datetimes;
- calendar dates (``OrderDate``, ``RequiredDate``, ``DueDate``, ``DispatchDate``, ``PaymentDueDate``) are the day the
  organisation chose, sent as **00:00 UTC of that day** whatever the organisation's zone: a UK account's dates in
  British Summer Time still arrive at 00:00 UTC (tests/fixtures/vendor/unleashed/salesorders-list.response.json,
  OrderDate 2018-06-07 and RequiredDate 2018-07-12). So a date's calendar day is its UTC day, never shifted;
- list filters (``modifiedSince``, ``startDate``/``endDate``) are UTC (UL-DOC "SalesOrders", "SalesShipments").

The organisation's time zone (``GET /Companies`` → ``TimeZone``) is needed only to turn one of *our* instants into
the organisation's calendar day: the WMS dispatch time → the shipment's ``DispatchDate``. Unleashed is a .NET service,
so the zone may be a Windows name ("New Zealand Standard Time") or an IANA one ("Pacific/Auckland"); both are read.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_WIRE = re.compile(r"^/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/$")

#: Windows time-zone names (what a .NET service reports) → IANA, for the regions Unleashed sells in. A name not here
#: and not itself an IANA name leaves the organisation on UTC (and says so in the integration's facts).
WINDOWS_ZONES = {
    "New Zealand Standard Time": "Pacific/Auckland",
    "Chatham Islands Standard Time": "Pacific/Chatham",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "E. Australia Standard Time": "Australia/Brisbane",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "W. Australia Standard Time": "Australia/Perth",
    "Tasmania Standard Time": "Australia/Hobart",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "South Africa Standard Time": "Africa/Johannesburg",
    "Singapore Standard Time": "Asia/Singapore",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "India Standard Time": "Asia/Kolkata",
    "Arabian Standard Time": "Asia/Dubai",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Atlantic Standard Time": "America/Halifax",
    "Newfoundland Standard Time": "America/St_Johns",
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
}


class NotAnUnleashedDate(ValueError):
    """A value that is not the ``/Date(ms)/`` form."""


def parse_wire(value: str | None) -> datetime | None:
    """``"/Date(1563305758253)/"`` → 2019-07-16 19:35:58.253 UTC (aware). None/empty → None."""
    if value is None or value == "":
        return None
    found = _WIRE.fullmatch(value.strip())
    if found is None:
        raise NotAnUnleashedDate(f"{value!r} is not an Unleashed /Date(ms)/ value")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(found.group(1)))


def to_wire(moment: datetime) -> str:
    """An aware datetime as Unleashed writes it (``/Date(ms)/``, UTC milliseconds)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Unleashed dates are UTC instants")
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return f"/Date({delta // timedelta(milliseconds=1)})/"


def calendar_day(value: str | datetime | None) -> date | None:
    """The calendar day of an Unleashed date field (its UTC day: dates are sent at 00:00 UTC of the chosen day)."""
    moment = parse_wire(value) if isinstance(value, str) or value is None else value
    return moment.astimezone(UTC).date() if moment is not None else None


def day_to_wire(day: date) -> str:
    """A calendar day as Unleashed stores one: 00:00 UTC of that day."""
    return to_wire(datetime(day.year, day.month, day.day, tzinfo=UTC))


def organisation_zone(name: str | None) -> tuple[tzinfo, bool]:
    """The organisation's zone from ``Companies.TimeZone`` (Windows or IANA name), and whether it was recognised.

    Unrecognised (or no time-zone database on the host): UTC, with False, so the caller can say so."""
    if not name:
        return UTC, False
    iana = WINDOWS_ZONES.get(name.strip(), name.strip())
    try:
        return ZoneInfo(iana), True
    except (ZoneInfoNotFoundError, ValueError):
        return UTC, False


def organisation_day(moment: datetime, zone_name: str | None) -> date:
    """The organisation's calendar day at ``moment`` (an aware instant), e.g. the day a WMS dispatch happened."""
    zone, _ = organisation_zone(zone_name)
    return moment.astimezone(zone).date()


def filter_param(moment: datetime) -> str:
    """A UTC instant as the list filters take it (``2024-04-17T23:11:05``: UTC, whole seconds, no offset)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Unleashed filters are UTC")
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
