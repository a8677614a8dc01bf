"""The monthly budget's pure rules: the account's key, the month, when it resets, the poll pace, thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from integrations.unleashed.usage import (
    Meter,
    account_of,
    budget_key,
    max_concurrent,
    month_of,
    poll_every,
    seconds_to_reset,
)


def test_the_account_is_a_digest_of_the_api_id_never_the_id():
    account = account_of("5a3a4f1e-0d2c-4b6a-9e8f-00000000d3e0")
    assert len(account) == 24 and "5a3a4f1e" not in account
    assert account_of(" 5a3a4f1e-0d2c-4b6a-9e8f-00000000d3e0 ") == account
    assert budget_key(account, "2026-11") == f"unleashed#{account}#2026-11"


def test_the_allowance_resets_on_the_first_at_midnight_utc():
    assert month_of(datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == "2026-11"
    assert seconds_to_reset(datetime(2026, 11, 30, 23, 0, tzinfo=UTC)) == 3600
    assert seconds_to_reset(datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)) == 30  # into the next year


@pytest.mark.parametrize(("fill", "every"), [(0.0, 1), (0.49, 1), (0.5, 3), (0.79, 3), (0.8, 12), (0.949, 12),
                                             (0.95, None), (1.2, None)])
def test_polling_slows_as_the_budget_fills_and_stops_at_95_percent(fill, every):
    assert poll_every(fill) == every


def test_thresholds_crossed_by_one_items_calls():
    meter = Meter(account="a", budget=1000, concurrency=2, calls=30, used_after=510)
    assert meter.crossed() == [0.5]
    meter = Meter(account="a", budget=1000, concurrency=2, calls=600, used_after=1000)
    assert meter.crossed() == [0.5, 0.8, 0.95, 1.0]
    assert Meter(account="a", budget=None, concurrency=None, calls=5, used_after=5).crossed() == []


def test_concurrency_per_account_is_configured_and_small(monkeypatch):
    monkeypatch.delenv("UNLEASHED_MAX_CONCURRENT_CALLS", raising=False)
    assert max_concurrent() == 2
    monkeypatch.setenv("UNLEASHED_MAX_CONCURRENT_CALLS", "3")
    assert max_concurrent() == 3
    monkeypatch.setenv("UNLEASHED_MAX_CONCURRENT_CALLS", "0")
    assert max_concurrent() == 1
    monkeypatch.setenv("UNLEASHED_MAX_CONCURRENT_CALLS", "lots")
    assert max_concurrent() == 2
