"""The sliding-window budget every Lambda shares (core.ratelimit): never over the limit, fair turns, no stuck line.

On moto's DynamoDB with a clock the test moves, so each rule shows exactly.
"""

from __future__ import annotations

import pytest
from integrations.core import aws
from integrations.core.context import core
from integrations.core.errors import RateBudgetExhausted
from integrations.core.ratelimit import SlidingWindowBudget, decode_owed
from integrations.core.waiting import Ticket, turn

KEY = "cartoncloud#client#outbound-order-create"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def budget(stack, clock):
    return SlidingWindowBudget(core().settings.rate_budget_table, limit=3, window_seconds=30, clock=clock)


def take(budget: SlidingWindowBudget, group: str | None = None, ticket: Ticket | None = None) -> Ticket | None:
    """Acquire as a work item of ``group`` would; None when admitted, else its ticket (joining the line once)."""
    try:
        if group is None:
            budget.acquire(KEY)
        else:
            with turn(group, ticket):
                budget.acquire(KEY)
        return None
    except RateBudgetExhausted as exc:
        if ticket is not None:
            return ticket
        if group is None:  # outside a work item: no line to join, it just looks again later
            return Ticket(line=KEY, group="", due_at=budget._clock() + (exc.retry_after or 0))
        assert exc.join is not None
        place = exc.join()
        return Ticket(line=KEY, group=group or "", round=place.round, position=place.position,
                      due_at=budget._clock() + place.wait)


def test_never_more_than_the_limit_in_any_window(budget, clock):
    admitted = []
    for _ in range(200):  # someone asks every 1.7 s for nearly 6 windows
        if take(budget) is None:
            admitted.append(clock.now)
        clock.now += 1.7
    assert all(sum(1 for t in admitted if start <= t < start + 30) <= 3 for start in admitted)
    assert len(admitted) >= 3 * (200 * 1.7 // 30)  # and the whole budget is used


def test_a_quiet_group_is_admitted_in_the_first_round_not_after_a_noisy_groups_backlog(budget, clock):
    for _ in range(3):
        assert take(budget, "shop-a") is None  # A's burst takes the window…
    waiting_a = [take(budget, "shop-a") for _ in range(6)]  # …and six more of A's orders wait, one round each
    assert [t.round for t in waiting_a] == [4, 5, 6, 7, 8, 9] and [t.position for t in waiting_a] == [1, 2, 3, 4, 5, 6]
    lone_b = take(budget, "shop-b")  # then B's one order
    assert lone_b.round == 4 and lone_b.position == 2  # beside A's first waiting order, ahead of the other five

    clock.now += 31  # the window has room again (3 slots): everyone comes back, A's later rounds asking first
    admitted = []
    waiting = [*reversed(waiting_a), lone_b]
    while True:
        went = [w for w in waiting if take(budget, w.group, w) is None]
        if not went:
            break
        admitted += [(w.group, w.round) for w in went]
        waiting = [w for w in waiting if w not in went]
    assert sorted(admitted) == [("shop-a", 4), ("shop-a", 5), ("shop-b", 4)]  # B in the first round


def test_a_round_whose_item_never_comes_back_holds_the_line_only_a_few_slots(budget, clock):
    for _ in range(3):
        assert take(budget, "shop-a") is None
    lost = take(budget, "shop-a")  # round 4: its item is lost (its integration deleted, say)
    later = take(budget, "shop-a")  # round 5
    assert (lost.round, later.round) == (4, 5)
    clock.now += 31  # room again, but round 4 never asks
    assert take(budget, "shop-a", later) == later  # round 5 waits its turn…
    clock.now += SlidingWindowBudget.STALL_SLOTS * budget.slot_seconds + 0.1
    assert take(budget, "shop-a", later) is None  # …only until a few idle slots have passed


def test_a_new_groups_first_item_takes_a_free_slot_at_once_when_nobody_waits(budget, clock):
    assert take(budget, "shop-a") is None
    assert take(budget, "shop-b") is None
    assert take(budget, "shop-c") is None
    assert take(budget, "shop-d").position == 1  # the window is full: it waits, first in line


def test_a_round_is_served_whole_before_the_next_whoever_asks_first(budget, clock):
    for _ in range(3):  # A's orders take the window, one every slot
        assert take(budget, "shop-a") is None
        clock.now += 10
    clock.now -= 10
    waiting_a = [take(budget, "shop-a") for _ in range(4)]  # rounds 4..7
    lone_b = take(budget, "shop-b")  # round 4, beside A's first
    assert lone_b.round == 4

    clock.now += 10.01  # one slot has room: A's round-4 item takes it
    assert take(budget, "shop-a", waiting_a[0]) is None
    clock.now += 10  # room for one more, and A's round-5 item asks before B's round-4 one…
    assert take(budget, "shop-a", waiting_a[1]) == waiting_a[1]  # …but B is owed round 4 first
    assert take(budget, "shop-b", lone_b) is None
    clock.now += 10
    assert take(budget, "shop-a", waiting_a[1]) is None  # then round 5


def test_a_long_line_is_stored_in_a_few_runs_not_one_entry_per_round(budget, clock):
    """A 1,000-item backlog: every acquire reads and writes the line, so its size must not grow with the backlog."""
    for n in range(1_000):
        take(budget, "customer-a")
        if n % 40 == 0:
            take(budget, "customer-b")
    item = aws.dynamodb().get_item(TableName=core().settings.rate_budget_table, Key={"budgetKey": {"S": KEY}},
                                   ConsistentRead=True)["Item"]
    rounds = decode_owed(item["owedRuns"]["S"])
    assert sum(rounds.values()) >= 1_000 - 3  # everyone but the first window's three is waiting, each round held
    assert len(rounds) >= 990
    assert len(item["owedRuns"]["S"]) < 200
