"""Waiting for a rate budget is not failing: a fair line per budget, and the deferral of the items in it.

When a work item finds an upstream budget spent (CartonCloud's 30 creates a minute for a tenant's API client, shared
by every customer of the tenant), the worker **defers** it (:func:`defer`): the item goes back on its queue as a new
message, delayed until its turn, and the original is deleted. Its failed-attempt count travels with it (deferral
counts none), no "retry" entry is logged per wait, and however long the backlog it never reaches the DLQ. The
business key (the item's idempotency key, and the link's claim) keeps it single.

Its turn comes from the line (:class:`WaitingLine`, one DynamoDB item per budget): the line counts who waits per
group (an integration), and an item joining as its group's ``position``-th waits for its round in a round-robin over
the groups — ``sum over groups of min(their count, position)`` slots — so a customer's lone order is not queued behind
another customer's burst of 2,000. An item that wakes before its turn (SQS delays are at most 15 minutes) sleeps on;
one that wakes at its turn and still finds the budget spent waits for the next free slot. Each message also carries
its group as ``MessageGroupId`` so SQS fair queues deliver a quiet group's messages ahead of a noisy group's backlog.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from . import aws
from .records import CamelModel

#: SQS delays a message by at most 15 minutes.
MAX_DELAY_SECONDS = 900
#: A group that joined no line for this long has nobody waiting any more (items finished or were lost).
STALE_GROUP_SECONDS = 1800
LINE_TTL_SECONDS = 3600


class Ticket(CamelModel):
    """An item's place in a line: carried on the deferred work item until it is done."""

    line: str
    group: str
    position: int
    #: Epoch seconds of its estimated turn.
    due_at: float


@dataclass(frozen=True)
class Place:
    position: int
    #: Items of every group served before this one's turn, in the round-robin.
    ahead: int
    #: Items waiting in the line, all groups.
    waiting: int


class WaitingLine:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @staticmethod
    def _key(line: str) -> dict[str, Any]:
        return {"budgetKey": {"S": f"line#{line}"}}

    def join(self, line: str, group: str, *, now: float | None = None) -> Place:
        moment = time.time() if now is None else now
        response = aws.dynamodb().update_item(
            TableName=self.table_name, Key=self._key(line),
            UpdateExpression="ADD #w :one SET #t = :now, expiresAt = :expires",
            ExpressionAttributeNames={"#w": f"w:{group}", "#t": f"t:{group}"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"N": f"{moment:.3f}"},
                                       ":expires": {"N": str(int(moment + LINE_TTL_SECONDS))}},
            ReturnValues="ALL_NEW",
        )
        attributes = response["Attributes"]
        counts = {name[2:]: max(0, int(value["N"])) for name, value in attributes.items() if name.startswith("w:")}
        touched = {name[2:]: float(value["N"]) for name, value in attributes.items() if name.startswith("t:")}
        live = {g: c for g, c in counts.items() if moment - touched.get(g, moment) < STALE_GROUP_SECONDS}
        position = max(1, counts.get(group, 1))
        ahead = sum(min(count, position) for count in live.values()) - 1
        return Place(position=position, ahead=max(0, ahead), waiting=sum(live.values()))

    def hold(self, idempotency_key: str, *, now: float | None = None) -> bool:
        """Mark the work item ``idempotency_key`` as waiting; False when a copy of it already waits (a duplicate
        delivery: the waiting copy will do the work, so this one is dropped rather than queued twice)."""
        moment = time.time() if now is None else now
        try:
            aws.dynamodb().put_item(
                TableName=self.table_name,
                Item={"budgetKey": {"S": f"waiting#{idempotency_key}"},
                      "expiresAt": {"N": str(int(moment + LINE_TTL_SECONDS * 24))}},
                ConditionExpression="attribute_not_exists(budgetKey)",
            )
        except aws.client("dynamodb").exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, idempotency_key: str) -> None:
        aws.dynamodb().delete_item(TableName=self.table_name,
                                   Key={"budgetKey": {"S": f"waiting#{idempotency_key}"}})

    def leave(self, ticket: Ticket) -> None:
        """The item is done (made, or failed for good): one fewer waiting in its group."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name, Key=self._key(ticket.line),
                UpdateExpression="ADD #w :minus",
                ConditionExpression="#w > :zero",
                ExpressionAttributeNames={"#w": f"w:{ticket.group}"},
                ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
            )
        except aws.client("dynamodb").exceptions.ConditionalCheckFailedException:
            pass  # the line expired or was healed meanwhile


def ticket_for(line: str, group: str, place: Place, *, slot_seconds: float, now: float) -> Ticket:
    return Ticket(line=line, group=group, position=place.position, due_at=now + place.ahead * slot_seconds)


def delay_for(ticket: Ticket, *, retry_after: float | None, slot_seconds: float, now: float,
              rand: Any = random.random) -> int:
    """Seconds until the item should look again: its turn if that is ahead, else the next free slot (spread over a
    slot so the ones due together don't all wake at once)."""
    wait = ticket.due_at - now if ticket.due_at > now else (retry_after or slot_seconds) + rand() * slot_seconds
    return int(min(MAX_DELAY_SECONDS, max(1.0, wait)))
