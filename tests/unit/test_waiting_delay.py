"""How long a deferred work item sleeps before it looks at the budget again (core.waiting.delay_for)."""

from __future__ import annotations

import pytest
from integrations.core.waiting import MAX_DELAY_SECONDS, Ticket, delay_for

NOW = 1_800_000_000.0
SLOT = 61 / 30


def never(*_):
    raise AssertionError("a spread was drawn")


def ticket(*, due_in: float, round_: int | None = 7) -> Ticket:
    return Ticket(line="cartoncloud#client#outbound-order-create", group="tenant#customer#a", round=round_,
                  position=3, due_at=NOW + due_in)


def test_a_turn_still_ahead_is_slept_to_rounded_up_never_woken_before_it():
    assert delay_for(ticket(due_in=12.3), retry_after=None, slot_seconds=SLOT, now=NOW, rand=never) == 13
    assert delay_for(ticket(due_in=12.0), retry_after=None, slot_seconds=SLOT, now=NOW, rand=never) == 12


def test_an_item_holding_a_round_looks_again_exactly_when_the_budget_says_without_a_spread():
    assert delay_for(ticket(due_in=-0.5), retry_after=4.2, slot_seconds=SLOT, now=NOW, rand=never) == 5
    assert delay_for(ticket(due_in=-0.5), retry_after=0.0, slot_seconds=SLOT, now=NOW, rand=never) == 1


def test_an_item_without_a_round_is_spread_over_a_slot():
    early = delay_for(ticket(due_in=-1, round_=None), retry_after=3.0, slot_seconds=SLOT, now=NOW, rand=lambda: 0.0)
    late = delay_for(ticket(due_in=-1, round_=None), retry_after=3.0, slot_seconds=SLOT, now=NOW, rand=lambda: 0.99)
    assert (early, late) == (3, 6)


@pytest.mark.parametrize("due_in, retry_after", [(5_000.0, None), (-1.0, 5_000.0)])
def test_no_delay_is_longer_than_sqs_allows(due_in, retry_after):
    assert delay_for(ticket(due_in=due_in), retry_after=retry_after, slot_seconds=SLOT, now=NOW) == MAX_DELAY_SECONDS
