"""Rate budgets per upstream account, shared by every Lambda through RateBudgetTable.

One implementation per kind of limit; every connector with that kind of limit configures the same one:
- :class:`SlidingWindowBudget` — at most ``limit`` calls in any ``window_seconds`` (a sliding log in one item), taken
  in fair turns by the customers waiting for it (core.waiting), for hard per-account limits counted over a rolling
  window such as CartonCloud's 30 outbound-order creates per minute per API user: the upstream never answers 429
  however its own window is aligned. One consistent read and one conditional write per call.
- :class:`SpacedBudget` — a request rate (N per second, or per minute): the account's calls spaced at least
  ``(1 + slack)/N`` seconds apart across every Lambda, so no second (or minute) ever holds more than N. One
  conditional ``UpdateItem`` per call.
- :mod:`integrations.core.quota` — an allowance per calendar month with a cap on work items calling at once.

A spent budget raises :class:`RateBudgetExhausted` with the seconds until it has room: the worker **defers** the
item (core.waiting) rather than failing it. A per-process budget (a token bucket in memory) is no budget at all
where a worker runs as up to ``MaximumConcurrency`` Lambdas: each would allow the whole rate.
"""

from __future__ import annotations

import functools
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError

from . import aws, deadline
from .errors import RateBudgetExhausted
from .waiting import Place, current_turn


class RateBudget(Protocol):
    def acquire(self, key: str) -> None:
        """Take one unit for ``key`` or raise :class:`RateBudgetExhausted`."""


def account_key(prefix: str, account: str) -> str:
    """A budget's key for one upstream account: ``{prefix}#`` and a digest of what names the account (an API key, a
    store's URL), never that value itself — the table is read by people and tools that must not see credentials."""
    return f"{prefix}#{hashlib.sha256(account.encode('utf-8')).hexdigest()[:24]}"


class SpacedBudget:
    """At most ``per_second`` calls in any second, per key, across every process: a generic cell rate algorithm
    without burst. RateBudgetTable holds the account's next free instant (``{key}#spacing`` → ``nextAt``); taking a
    turn is one conditional ``UpdateItem`` (``nextAt <= now`` → ``nextAt = now + (1 + slack)/N``).

    ``slack`` spaces turns further apart than 1/N: the time between taking a turn and the call reaching the upstream
    varies, and a call that arrives late must not meet the next one inside the upstream's second (0.2: a fifth of the
    interval may be lost to that jitter; the steady rate is then N/1.2 per second). A caller that finds the turn taken
    waits for it in-process (the table tells when) while the wait is short and inside the invocation's deadline;
    beyond that it raises :class:`RateBudgetExhausted` and the queue brings the item back.
    """

    #: The longest a call waits in-process for the account's turn before its item goes back to the queue.
    MAX_WAIT_SECONDS = 8.0
    #: Kept free before the invocation's deadline (core.worker stops items with less than 10 s left).
    DEADLINE_MARGIN_SECONDS = 10.0
    #: Budget items outlive their last use by this long (RateBudgetTable's TTL removes them).
    TTL_SECONDS = 3600
    SLACK = 0.2

    def __init__(self, table_name: str, *, per_second: float, max_wait: float = MAX_WAIT_SECONDS,
                 slack: float = SLACK, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, rand: Callable[[], float] = random.random) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.table_name = table_name
        self.interval = (1.0 + slack) / per_second
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._rand = rand

    def acquire(self, key: str) -> None:
        waited = 0.0
        while True:
            now = self._clock()
            next_free = self._take_turn(key, now)
            if next_free is None:
                return
            # A little jitter so the Lambdas waiting for the same turn don't all ask at the same instant.
            wait = max(0.0, next_free - now) + 0.02 * self._rand()
            left = deadline.remaining()
            if waited + wait > self.max_wait or (left is not None and left - wait < self.DEADLINE_MARGIN_SECONDS):
                raise RateBudgetExhausted(f"Rate budget {key} is spent (one call every {self.interval:.3g}s; "
                                          f"waited {waited:.1f}s)", retry_after=wait, budget_key=key,
                                          slot_seconds=self.interval)
            self._sleep(wait)
            waited += wait

    def _take_turn(self, key: str, now: float) -> float | None:
        """None when this call took the turn; else when the next turn is free."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"budgetKey": {"S": f"{key}#spacing"}},
                UpdateExpression="SET nextAt = :next, expiresAt = :expires",
                ConditionExpression="attribute_not_exists(nextAt) OR nextAt <= :now",
                ExpressionAttributeValues={":next": {"N": repr(now + self.interval)}, ":now": {"N": repr(now)},
                                           ":expires": {"N": str(int(now) + self.TTL_SECONDS)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            held = exc.response.get("Item", {}).get("nextAt", {}).get("N")  # type: ignore[attr-defined]
            return float(held) if held else now + self.interval
        return None


class SlidingWindowBudget:
    """At most ``limit`` acquisitions in any ``window_seconds`` (a sliding log of their times in one item), taken in
    fair turns by the groups that have to wait for it (core.waiting).

    The item holds the last ``limit`` acquisition times, the budget's current round and when it last admitted
    someone, each waiting group's last round, and how many waiting items hold each round. An acquirer in a work item
    (``core.waiting.current_turn``) that finds no room, or finds it is not its round yet, reserves its group's next
    round — never earlier than the current one — and is told roughly when its turn comes. With room, an item is
    admitted only when no item of an earlier round still waits: a round is served whole before the next, whichever
    of its items happens to ask first. All of it is one consistent read and one conditional write.

    A burst of N orders holds ~N rounds, so the per-round counts are stored run-length encoded in one string
    (:func:`encode_owed`): a 2,000-order burst is a few dozen characters rather than a 2,000-entry map that every
    acquire would read and write again (~9 bytes an entry: ~18 KB, so ~5 RCU and ~18 WCU a take; 400 KB, DynamoDB's
    item limit, near 45,000 rounds).
    """

    #: Concurrent acquirers that lose the conditional write read again; after this many, the caller waits a slot.
    MAX_TRIES = 6
    #: Slots with room and nobody admitted after which the line moves past the round it waits for (its items lost, or
    #: asleep past their turn): nobody waits long behind a missing item, and an item passed by is still first
    #: whenever it asks (its round is then behind). Fewer idle slots drain a burst faster but let later rounds overtake
    #: an item woken a little late (SQS delays are whole seconds): fairness first.
    STALL_SLOTS = 3

    def __init__(self, table_name: str, *, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.time, name: str = "") -> None:
        self.table_name = table_name
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        #: What a person reading a sync log calls it ("CartonCloud's outbound-order creates").
        self.name = name

    @property
    def slot_seconds(self) -> float:
        return self.window_seconds / self.limit

    def acquire(self, key: str) -> None:
        turn = current_turn.get()
        what = f"{self.name or f'Rate budget {key}'} ({self.limit} per {self.window_seconds:g} s)"
        for _ in range(self.MAX_TRIES):
            now = self._clock()
            line = self._read(key)
            recent = [stamp for stamp in line.stamps if stamp > now - self.window_seconds]
            room = len(recent) < self.limit
            current = self._current_round(line, now, room)
            group = turn.group if turn is not None else None
            held = turn.round_in(key) if turn is not None else None
            mine = held if held is not None else max(current, line.rounds.get(group or "", 0)) + 1
            if room and line.owed_before(mine, current) == 0:
                admitted = line.admit(now, mine, group, current=current, held=held is not None, limit=self.limit)
                if self._write(key, line.version, admitted, now):
                    return
                continue
            wait = (0.0 if room else recent[0] + self.window_seconds - now)
            exhausted = RateBudgetExhausted(
                f"{what}: used up for now" if not room else f"{what}: others' turn first",
                retry_after=wait + (line.owed_before(held, current) if held is not None else 0) * self.slot_seconds,
                budget_key=key,
                slot_seconds=self.slot_seconds, round_=held)
            if held is None and group is not None:
                # Not in the line yet: the worker joins it (once per work item, duplicates excluded).
                exhausted.join = functools.partial(self._join, key, group, wait)
            raise exhausted
        raise RateBudgetExhausted(f"{what}: contended; waiting a slot", retry_after=self.slot_seconds,
                                  budget_key=key, slot_seconds=self.slot_seconds)

    def _join(self, key: str, group: str, until_room: float) -> Place:
        """Reserve ``group``'s next round (never earlier than the current one) and say when it comes."""
        for _ in range(self.MAX_TRIES):
            now = self._clock()
            line = self._read(key)
            recent = [stamp for stamp in line.stamps if stamp > now - self.window_seconds]
            current = self._current_round(line, now, len(recent) < self.limit)
            mine = max(current, line.rounds.get(group, 0)) + 1
            if self._write(key, line.version, line.reserve(group, mine), now):
                ahead = line.owed_before(mine + 1, current)  # the earlier rounds and the others already in its own
                return Place(round=mine, position=ahead + 1, wait=until_room + ahead * self.slot_seconds)
        raise RateBudgetExhausted(f"Rate budget {key} is contended; waiting a slot", retry_after=self.slot_seconds,
                                  budget_key=key, slot_seconds=self.slot_seconds)

    def _read(self, key: str) -> _Line:
        return _Line.read(aws.dynamodb().get_item(TableName=self.table_name, Key={"budgetKey": {"S": key}},
                                                  ConsistentRead=True).get("Item", {}))

    def _current_round(self, line: _Line, now: float, room: bool) -> int:
        """The round being admitted: the last admitted one — or, once the budget has had room for a few slots with
        nobody admitted, past the waiting rounds whose items did not ask (lost, or asleep past their turn)."""
        if not room or not line.round_at:
            return line.round
        room_since = line.stamps[0] + self.window_seconds if len(line.stamps) >= self.limit else 0.0
        idle = now - max(line.round_at, room_since)
        stall = self.STALL_SLOTS * self.slot_seconds
        owed = sorted(r for r, count in line.owed.items() if r >= line.round and count > 0)
        if idle <= stall or not owed:
            return line.round
        return owed[min(len(owed), int(idle // stall)) - 1] + 1

    def _write(self, key: str, version: int, line: _Line, now: float) -> bool:
        try:
            aws.dynamodb().put_item(
                TableName=self.table_name,
                Item={"budgetKey": {"S": key}, "version": {"N": str(version + 1)},
                      "stamps": {"L": [{"N": f"{stamp:.6f}"} for stamp in line.stamps]},
                      "round": {"N": str(line.round)}, "roundAt": {"N": f"{line.round_at:.6f}"},
                      "rounds": {"M": {group: {"N": str(last)} for group, last in line.rounds.items()}},
                      "owedRuns": {"S": encode_owed(line.owed)},
                      "expiresAt": {"N": str(int(now + max(2 * self.window_seconds, LINE_TTL_SECONDS)))}},
                ConditionExpression="attribute_not_exists(version) OR version = :v",
                ExpressionAttributeValues={":v": {"N": str(version)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True


def encode_owed(owed: dict[int, int]) -> str:
    """Round -> count as ``first:count*length,count*length,…`` over consecutive rounds (gaps are a run of 0s):
    ``{7: 1, 8: 1, 9: 2, 11: 1}`` is ``7:1*2,2*1,0*1,1*1``; empty is ``""``."""
    held = {round_: count for round_, count in owed.items() if count > 0}
    if not held:
        return ""
    first, last = min(held), max(held)
    runs: list[list[int]] = []
    for round_ in range(first, last + 1):
        count = held.get(round_, 0)
        if runs and runs[-1][0] == count:
            runs[-1][1] += 1
        else:
            runs.append([count, 1])
    return f"{first}:" + ",".join(f"{count}*{length}" for count, length in runs)


def decode_owed(encoded: str) -> dict[int, int]:
    """The inverse of :func:`encode_owed` (rounds with a count of 0 left out)."""
    if not encoded:
        return {}
    first, _, runs = encoded.partition(":")
    owed: dict[int, int] = {}
    round_ = int(first)
    for run in runs.split(","):
        count, _, length = run.partition("*")
        if int(count):
            owed.update(dict.fromkeys(range(round_, round_ + int(length)), int(count)))
        round_ += int(length)
    return owed


#: A line's state outlives a quiet hour (waiting items carry their rounds for at most that long between looks).
LINE_TTL_SECONDS = 3600


@dataclass
class _Line:
    version: int = 0
    #: The last ``limit`` acquisition times (older ones too: they tell when room appeared).
    stamps: list[float] = field(default_factory=list)
    round: int = 0
    round_at: float = 0.0
    #: Waiting group -> the last round handed to it.
    rounds: dict[str, int] = field(default_factory=dict)
    #: Round -> how many waiting items hold it and were not admitted yet (rounds from the current one on).
    owed: dict[int, int] = field(default_factory=dict)

    @classmethod
    def read(cls, item: dict[str, Any]) -> _Line:
        return cls(version=int(item.get("version", {}).get("N", "0")),
                   stamps=sorted(float(s["N"]) for s in item.get("stamps", {}).get("L", [])),
                   round=int(item.get("round", {}).get("N", "0")),
                   round_at=float(item.get("roundAt", {}).get("N", "0")),
                   rounds={g: int(v["N"]) for g, v in item.get("rounds", {}).get("M", {}).items()},
                   owed=decode_owed(item.get("owedRuns", {}).get("S", "")))

    def owed_before(self, round_: int, current: int) -> int:
        """Waiting items holding a round from ``current`` up to (not including) ``round_``: they go first. Rounds
        before ``current`` were passed by (their items are late, and are admitted as soon as they ask)."""
        return sum(count for r, count in self.owed.items() if current <= r < round_)

    def admit(self, now: float, round_: int, group: str | None, *, current: int, held: bool, limit: int) -> _Line:
        current = max(current, round_)
        rounds = dict(self.rounds)
        if group is not None:
            rounds[group] = max(rounds.get(group, 0), round_)
        owed = dict(self.owed)
        if held and owed.get(round_, 0) > 0:
            owed[round_] -= 1
        # A group whose rounds were all handed out waits no more: its next item starts from the current round.
        return _Line(self.version, [*self.stamps, now][-limit:], current, now,
                     {g: last for g, last in rounds.items() if last > current},
                     {r: count for r, count in owed.items() if r >= current and count > 0})

    def reserve(self, group: str, round_: int) -> _Line:
        return _Line(self.version, self.stamps, self.round, self.round_at, {**self.rounds, group: round_},
                     {**self.owed, round_: self.owed.get(round_, 0) + 1})
