"""Unleashed dates → UTC, and the organisation's calendar (docs/unleashed.md "Dates and time zones")."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from integrations.unleashed.dates import (
    NotAnUnleashedDate,
    calendar_day,
    day_to_wire,
    filter_param,
    organisation_day,
    organisation_zone,
    parse_wire,
    to_wire,
)
from integrations.unleashed.models import SalesOrder

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "unleashed"


def test_wire_dates_are_utc_milliseconds():
    assert parse_wire("/Date(1563305758253)/") == datetime(2019, 7, 16, 19, 35, 58, 253000, tzinfo=UTC)
    assert parse_wire("/Date(0)/") == datetime(1970, 1, 1, tzinfo=UTC)
    assert parse_wire("/Date(-86400000)/") == datetime(1969, 12, 31, tzinfo=UTC)
    assert parse_wire(None) is None and parse_wire("") is None


def test_a_local_kind_suffix_does_not_move_the_instant():
    """.NET writes ``+hhmm`` for a Local-kind value; the milliseconds are still UTC (Microsoft's wire format)."""
    assert parse_wire("/Date(1563305758253+1200)/") == parse_wire("/Date(1563305758253)/")
    assert parse_wire("/Date(1563305758253-0500)/") == parse_wire("/Date(1563305758253)/")


@pytest.mark.parametrize("bad", ["2019-07-16T19:35:58Z", "/Date()/", "Date(1)", "/Date(1.5)/", "/Date(12)/x"])
def test_anything_else_is_refused_not_guessed(bad):
    with pytest.raises(NotAnUnleashedDate):
        parse_wire(bad)


def test_wire_round_trip():
    moment = datetime(2026, 11, 30, 6, 28, 28, 123000, tzinfo=UTC)
    assert parse_wire(to_wire(moment)) == moment
    with pytest.raises(ValueError):
        to_wire(datetime(2026, 11, 30))  # naive: its zone must be known


def test_captured_calendar_dates_sit_at_utc_midnight_so_their_day_is_the_utc_day():
    """A UK account in British Summer Time: OrderDate and RequiredDate still arrive at 00:00 UTC — so Unleashed sends
    the chosen calendar day at UTC midnight, and shifting it by any zone would move the day."""
    page = json.loads((VENDOR / "salesorders-list.response.json").read_text())
    order = SalesOrder.model_validate(page["Items"][0])
    assert parse_wire(order.OrderDate) == datetime(2018, 6, 7, tzinfo=UTC)
    assert order.order_day == date(2018, 6, 7) and order.required_day == date(2018, 7, 12)
    assert order.modified_at == datetime(2018, 7, 9, 10, 29, 47, 518000, tzinfo=UTC)
    assert calendar_day(day_to_wire(date(2026, 12, 31))) == date(2026, 12, 31)


@pytest.mark.parametrize(("zone", "iana"), [("New Zealand Standard Time", "Pacific/Auckland"),
                                            ("AUS Eastern Standard Time", "Australia/Sydney"),
                                            ("GMT Standard Time", "Europe/London"),
                                            ("Pacific/Auckland", "Pacific/Auckland")])
def test_the_organisation_zone_is_read_as_windows_or_iana(zone, iana):
    found, recognised = organisation_zone(zone)
    assert recognised and str(found) == iana


def test_an_unknown_zone_leaves_the_organisation_on_utc_and_says_so():
    assert organisation_zone("Mars Standard Time") == (UTC, False)
    assert organisation_zone(None) == (UTC, False)


def test_a_dispatch_is_dated_on_the_organisations_calendar():
    """08:30 in Auckland on 1 December is still 30 November in UTC: the shipment is dispatched on 1 December."""
    moment = datetime(2026, 11, 30, 19, 30, tzinfo=UTC)
    assert organisation_day(moment, "New Zealand Standard Time") == date(2026, 12, 1)
    assert organisation_day(moment, "GMT Standard Time") == date(2026, 11, 30)
    assert organisation_day(moment, None) == date(2026, 11, 30)
    # daylight saving: NZDT is +13:00 in December, NZST +12:00 in June
    assert organisation_day(datetime(2026, 6, 15, 11, 30, tzinfo=UTC), "New Zealand Standard Time") == \
        date(2026, 6, 15)
    assert organisation_day(datetime(2026, 6, 15, 12, 30, tzinfo=UTC), "New Zealand Standard Time") == \
        date(2026, 6, 16)


def test_list_filters_are_utc_whole_seconds_rounded_down():
    moment = datetime(2024, 4, 18, 11, 11, 5, 999999, tzinfo=UTC) + timedelta(hours=0)
    assert filter_param(moment) == "2024-04-18T11:11:05"
    from zoneinfo import ZoneInfo

    assert filter_param(datetime(2024, 4, 18, 11, 11, 5, tzinfo=ZoneInfo("Pacific/Auckland"))) == \
        "2024-04-17T23:11:05"
    with pytest.raises(ValueError):
        filter_param(datetime(2024, 4, 18))
