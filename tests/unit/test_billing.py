"""Billing's pure parts: ISO weeks in UTC, which weeks a live period touches, the CSV statement, warehouse fields."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from integrations.core.step_models import StepModel, WarehouseId
from integrations.core.step_models import warehouse_values as marked_values
from integrations.core.weeks import InvalidWeek, IsoWeek, week_just_ended, weeks_touched
from integrations.management.billing import CustomerStatement, Statement, StatementLine, statement_csv
from pydantic import BaseModel, Field


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_iso_weeks_are_monday_to_monday_in_utc_across_year_ends():
    week = IsoWeek.parse("2026-W01")
    assert (week.start, week.end) == (utc(2025, 12, 29), utc(2026, 1, 5))
    assert str(week.previous()) == "2025-W52" and str(week.next()) == "2026-W02"
    assert str(IsoWeek.parse("2020-W53").next()) == "2021-W01"
    # Monday 09:00 in Brisbane is still Sunday in UTC: the week is the UTC one
    assert IsoWeek.of(datetime(2026, 3, 9, 9, tzinfo=timezone(timedelta(hours=10)))) == IsoWeek(2026, 10)


@pytest.mark.parametrize("label", ["2026-10", "2026-W1", "26-W10", "2025-W53", "2026-W00", "2026-W54", ""])
def test_malformed_or_impossible_weeks_are_refused(label):
    with pytest.raises(InvalidWeek):
        IsoWeek.parse(label)


def test_the_run_at_monday_0005_bills_the_week_that_just_ended():
    assert week_just_ended(utc(2026, 3, 9, 0, 5)) == IsoWeek(2026, 10)
    assert week_just_ended(utc(2026, 1, 5, 0, 5)) == IsoWeek(2026, 1)
    assert week_just_ended(utc(2027, 1, 4, 0, 5)) == IsoWeek(2026, 53)


@pytest.mark.parametrize(("start", "end", "weeks"), [
    (utc(2026, 3, 4), utc(2026, 3, 4, 1), ["2026-W10"]),                    # an hour on a Wednesday
    (utc(2026, 3, 4), utc(2026, 3, 9), ["2026-W10"]),                       # until the week's last instant
    (utc(2026, 3, 4), utc(2026, 3, 9, 0, 0, 1), ["2026-W10", "2026-W11"]),  # one second into the next week
    (utc(2026, 3, 9), utc(2026, 3, 9), ["2026-W11"]),                       # an instant at a week's start
    (utc(2025, 12, 31), utc(2026, 1, 14), ["2026-W01", "2026-W02", "2026-W03"]),
])
def test_a_closed_period_touches_exactly_the_weeks_it_was_live_in(start, end, weeks):
    assert [str(w) for w in weeks_touched(start, end)] == weeks
    week = IsoWeek.of(start).previous()
    for _ in range(6):  # billing's check agrees with the index it writes
        assert week.touched_by(start, end) is (str(week) in weeks), week
        week = week.next()


def test_an_open_period_touches_every_week_from_its_start():
    start = utc(2026, 3, 4)
    assert not IsoWeek(2026, 9).touched_by(start, None)
    assert IsoWeek(2026, 10).touched_by(start, None) and IsoWeek(2027, 10).touched_by(start, None)


def test_the_csv_statement_has_a_line_per_charge_and_totals_and_defuses_formulas():
    statement = Statement(
        tenant_id="t", week="2026-W10", week_start=utc(2026, 3, 2), week_end=utc(2026, 3, 9), integration_count=3,
        total_cents=2550,
        customers=[
            CustomerStatement(customer_id="c1", customer_name="+Chef", integration_count=2, total_cents=2000,
                              integrations=[
                                  StatementLine(integration_id="i1", name="=HYPERLINK(1)", type="woocommerce",
                                                amount_cents=1000, period_start="2026-03-01T00:00:00.000000Z"),
                                  StatementLine(integration_id="i2", name="Two", type="unleashed", amount_cents=1000,
                                                period_start="s", period_end="e")]),
            CustomerStatement(customer_id="c2", customer_name="Baker", integration_count=1, total_cents=550,
                              integrations=[StatementLine(integration_id="i3", name="Three", type="starshipit",
                                                          amount_cents=550, period_start="s")]),
        ])
    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    assert [(r["line"], r["integration_id"], r["amount"]) for r in rows] == [
        ("charge", "i1", "10.00"), ("charge", "i2", "10.00"), ("customer_total", "", "20.00"),
        ("charge", "i3", "5.50"), ("customer_total", "", "5.50"), ("tenant_total", "", "25.50")]
    assert rows[0]["integration_name"] == "'=HYPERLINK(1)" and rows[0]["customer_name"] == "'+Chef"
    assert rows[1]["period_end"] == "e" and rows[0]["period_end"] == ""


class _Mapping(StepModel):
    code: str
    warehouse_id: WarehouseId


class _Settings(StepModel):
    default_warehouse_id: WarehouseId | None = None
    mappings: list[_Mapping] = Field(default_factory=list)
    by_region: dict[str, WarehouseId] = Field(default_factory=dict)
    note: str = "warehouse-like text that is not a warehouse field"


def test_every_warehouse_field_is_found_however_deeply_it_is_nested():
    settings = _Settings(default_warehouse_id="w0", mappings=[_Mapping(code="A", warehouse_id="w1"),
                                                              _Mapping(code="B", warehouse_id="w2")],
                         by_region={"north": "w3"})
    found = list(marked_values(settings))
    assert found == [("defaultWarehouseId", "w0"), ("mappings[0].warehouseId", "w1"),
                     ("mappings[1].warehouseId", "w2"), ("byRegion.north", "w3")]
    empty = _Settings()
    assert list(marked_values(empty)) == []


def test_a_model_without_warehouse_fields_yields_none():
    class Plain(BaseModel):
        a: str = "x"

    assert list(marked_values(Plain())) == []
