"""Core's per-account rate budgets that need no line: the spacing every connector with a request rate draws on
(DynamoDB played by a fake that keeps its conditional-write promise), and the keys they are stored under."""

from __future__ import annotations

from typing import Any

import pytest
from integrations.core import aws
from integrations.core.errors import RateBudgetExhausted
from integrations.core.ratelimit import SpacedBudget, account_key

from .fakes import FakeBudgetTable


@pytest.fixture
def table(monkeypatch) -> FakeBudgetTable:
    fake = FakeBudgetTable()
    monkeypatch.setattr(aws, "dynamodb", lambda: fake)
    return fake


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def spaced(clock: Clock, **kwargs: Any) -> SpacedBudget:
    return SpacedBudget("t", clock=lambda: clock.now, sleep=clock.sleep, rand=lambda: 0.0, **kwargs)


def test_turns_are_spaced_across_every_caller(table: FakeBudgetTable):
    clock = Clock()
    one, other = spaced(clock, per_second=2), spaced(clock, per_second=2)  # two Lambdas: nothing shared but the table
    times = []
    for budget in (one, other, one, other, one):
        budget.acquire("acct")
        times.append(clock.now)
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [round((1 + SpacedBudget.SLACK) / 2, 6)] * 4  # never 3 inside one second, whichever second
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) == 2


def test_each_key_has_its_own_turns(table: FakeBudgetTable):
    clock = Clock()
    budget = spaced(clock, per_second=3)
    budget.acquire("store-a")
    budget.acquire("store-b")
    assert clock.slept == []
    budget.acquire("store-a")
    assert clock.slept == [pytest.approx((1 + SpacedBudget.SLACK) / 3)]


def test_a_per_minute_rate_without_slack_is_spaced_by_exactly_its_share_of_the_minute(table: FakeBudgetTable):
    clock = Clock()
    budget = spaced(clock, per_second=300 / 60, slack=0.0)
    for _ in range(301):
        budget.acquire("org")
    assert clock.now - 1000.0 == pytest.approx(60.0)  # the 301st call waits for the next minute


def test_a_long_wait_gives_the_item_back_to_the_queue(table: FakeBudgetTable):
    budget = SpacedBudget("t", per_second=1, max_wait=0.5, clock=lambda: 50.0, sleep=lambda s: None)
    budget.acquire("k")
    with pytest.raises(RateBudgetExhausted) as spent:
        budget.acquire("k")
    assert spent.value.retry_after == pytest.approx(1 + SpacedBudget.SLACK, abs=0.05)
    assert spent.value.budget_key == "k" and spent.value.retryable


def test_an_account_key_is_a_digest_never_the_value():
    key = account_key("upstream", "secret-api-key")
    assert key.startswith("upstream#") and "secret-api-key" not in key and key == account_key("upstream",
                                                                                               "secret-api-key")
    assert account_key("upstream", "another-key") != key and len(key) == len("upstream#") + 24
