"""Waiting for a rate budget is not failing; taking turns at it is fair.

When a work item finds an upstream budget spent (CartonCloud's 30 creates a minute for a tenant's API client, shared
by every customer of the tenant), the worker **defers** it: the item goes back on its queue as a new message,
delayed until about its turn, and the original is deleted. Its failed-attempt count travels with it (deferral counts
none), no "retry" entry is logged per wait, and however long the backlog it never reaches the DLQ. The business key
(the item's idempotency key, and the link's claim) keeps it single; a second copy of the same work that arrives while
the first waits is dropped (:class:`WaitMarkers`).

**Turns.** A budget that shares fairly (:class:`~integrations.core.ratelimit.SlidingWindowBudget`) gives each item
that has to wait a *round* in its group's line (a group is a customer: all its stores are one share; see
``WorkItem.fair_group``): the group's next round, but never earlier than the budget's current round — start-time
fair queueing with equal weights. When the
budget has room it admits only the current round's items, so a lone order of customer B that arrives during customer
A's burst of 2,000 is admitted within a round or two, not after A's backlog. The round is carried on the deferred
item as its :class:`Ticket`; :data:`current_turn` hands it (and the item's group) to the budget while the item runs.
If the current round's item is not there when the budget has room (lost, deleted, or woken late), the line moves
past it after a few idle slots, so nobody waits behind it for long; it goes first whenever it does ask. Each
message also carries its group as ``MessageGroupId``, so SQS fair queues deliver a quiet group's messages ahead of a
noisy group's backlog.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import aws
from .records import CamelModel
from .timeutil import utc_iso

#: SQS delays a message by at most 15 minutes.
MAX_DELAY_SECONDS = 900
#: How long a wait marker outlives a lost item (then a redelivered copy may wait again).
MARKER_TTL_SECONDS = 24 * 3600


class Ticket(CamelModel):
    """An item's place while it waits for a budget: carried on the deferred work item until it is done."""

    line: str
    group: str
    #: Its round in the budget's fair line (None: a budget without turns; it simply looks again later).
    round: int | None = None
    #: About how many items are served before it (its own included), when it joined.
    position: int = 1
    #: Epoch seconds of its estimated turn.
    due_at: float


@dataclass(frozen=True)
class Place:
    """Where an item joined a budget's line: its round, about how many go before it (itself included), and about
    how long until its turn."""

    round: int
    position: int
    wait: float


@dataclass(frozen=True)
class Turn:
    """Whose work is running (its fair group) and, if it waited before, its ticket."""

    group: str
    ticket: Ticket | None = None

    def round_in(self, line: str) -> int | None:
        return self.ticket.round if self.ticket is not None and self.ticket.line == line else None


#: Set by the worker around each item; read by budgets that take turns.
current_turn: ContextVar[Turn | None] = ContextVar("current_turn", default=None)


@contextmanager
def turn(group: str, ticket: Ticket | None) -> Iterator[None]:
    token = current_turn.set(Turn(group, ticket))
    try:
        yield
    finally:
        current_turn.reset(token)


class WaitMarkers:
    """One marker per waiting work item, so a duplicate of the same work (both checkout webhooks) waits once."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def hold(self, idempotency_key: str, *, now: float, integration_id: str | None = None) -> bool:
        """Mark the work item as waiting; False when a copy of it already waits (then this copy is dropped).

        The marker names its integration and since when it waits (sparse GSI ``byWaitingIntegration``), so an
        alert check can count an integration's items waiting too long without a request of their own."""
        item = {"budgetKey": {"S": f"waiting#{idempotency_key}"},
                "expiresAt": {"N": str(int(now + MARKER_TTL_SECONDS))}}
        if integration_id:
            item["waitingIntegration"] = {"S": integration_id}
            item["waitingSince"] = {"S": utc_iso(datetime.fromtimestamp(now, UTC))}
        try:
            aws.dynamodb().put_item(TableName=self.table_name, Item=item,
                                    ConditionExpression="attribute_not_exists(budgetKey)")
        except aws.client("dynamodb").exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, idempotency_key: str) -> None:
        aws.dynamodb().delete_item(TableName=self.table_name,
                                   Key={"budgetKey": {"S": f"waiting#{idempotency_key}"}})


def ticket_for(budget_key: str, group: str, *, round_: int | None, position: int | None, wait: float,
               now: float) -> Ticket:
    return Ticket(line=budget_key, group=group, round=round_, position=max(1, position or 1), due_at=now + wait)


def delay_for(ticket: Ticket, *, retry_after: float | None, slot_seconds: float, now: float,
              rand: Any = random.random) -> int:
    """Whole seconds (SQS delays are) until the item should look again, rounded up so it never looks before it can
    be admitted (an early look costs another trip to the queue, so a later turn):
    - its turn, if that is still ahead;
    - else, holding a round in a line, exactly what the budget says: the line orders the rounds, so nothing needs
      spreading, and a spread would leave its slot idle;
    - else the next free slot, spread over a slot so the ones told the same time don't all wake at once.
    """
    if ticket.due_at > now:
        wait = ticket.due_at - now
    elif ticket.round is not None and retry_after is not None:
        wait = retry_after
    else:
        wait = (retry_after or slot_seconds) + rand() * slot_seconds
    return min(MAX_DELAY_SECONDS, max(1, math.ceil(wait)))
