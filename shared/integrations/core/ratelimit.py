"""Rate budgets per upstream account.

Three kinds, chosen per limit:
- :class:`SlidingWindowBudget` — a sliding log in DynamoDB, shared by every Lambda, for hard per-account limits
  enforced over any rolling window, such as CartonCloud's 30 outbound-order creates per minute per API user: at most
  ``limit`` calls in any ``window_seconds``, so the upstream never answers 429 however its own window is aligned.
  One consistent read and one conditional write per call.
- :class:`SharedWindowBudget` — a fixed-window counter in DynamoDB (one conditional ``UpdateItem``), for limits
  counted per calendar window.
- :class:`TokenBucket` — in-process smoothing for soft limits (requests per second), free of AWS calls.

A spent budget raises :class:`RateBudgetExhausted` with the seconds until it has room: the worker **defers** the
item (core.waiting) rather than failing it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from botocore.exceptions import ClientError

from . import aws
from .errors import RateBudgetExhausted


class RateBudget(Protocol):
    def acquire(self, key: str) -> None:
        """Take one unit for ``key`` or raise :class:`RateBudgetExhausted`."""


class SharedWindowBudget:
    def __init__(
        self,
        table_name: str,
        *,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock

    def acquire(self, key: str) -> None:
        now = self._clock()
        window = int(now // self.window_seconds)
        reset_in = (window + 1) * self.window_seconds - now
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"budgetKey": {"S": f"{key}#{window}"}},
                UpdateExpression="ADD #count :one SET expiresAt = :expires",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self.limit)},
                    ":expires": {"N": str(int(now + 2 * self.window_seconds))},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RateBudgetExhausted(
                    f"Rate budget {key} is spent ({self.limit} per {self.window_seconds}s)",
                    retry_after=reset_in, budget_key=key, slot_seconds=self.window_seconds / self.limit,
                ) from None
            raise


class SlidingWindowBudget:
    """At most ``limit`` acquisitions in any ``window_seconds`` (a sliding log of their times in one item)."""

    #: Concurrent acquirers that lose the conditional write read again; after this many, the caller waits a slot.
    MAX_TRIES = 6

    def __init__(self, table_name: str, *, limit: int, window_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.table_name = table_name
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock

    @property
    def slot_seconds(self) -> float:
        return self.window_seconds / self.limit

    def acquire(self, key: str) -> None:
        table = aws.dynamodb()
        for _ in range(self.MAX_TRIES):
            now = self._clock()
            item = table.get_item(TableName=self.table_name, Key={"budgetKey": {"S": key}},
                                  ConsistentRead=True).get("Item", {})
            version = int(item.get("version", {}).get("N", "0"))
            recent = sorted(stamp for stamp in (float(s["N"]) for s in item.get("stamps", {}).get("L", []))
                            if stamp > now - self.window_seconds)
            if len(recent) >= self.limit:
                raise RateBudgetExhausted(
                    f"Rate budget {key} is spent ({self.limit} per {self.window_seconds:g}s)",
                    retry_after=recent[0] + self.window_seconds - now, budget_key=key, slot_seconds=self.slot_seconds)
            stamps = [*recent, now][-self.limit:]
            try:
                table.put_item(
                    TableName=self.table_name,
                    Item={"budgetKey": {"S": key}, "version": {"N": str(version + 1)},
                          "stamps": {"L": [{"N": f"{stamp:.6f}"} for stamp in stamps]},
                          "expiresAt": {"N": str(int(now + 2 * self.window_seconds))}},
                    ConditionExpression="attribute_not_exists(version) OR version = :v",
                    ExpressionAttributeValues={":v": {"N": str(version)}},
                )
                return
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        raise RateBudgetExhausted(f"Rate budget {key} is contended; waiting a slot", retry_after=self.slot_seconds,
                                  budget_key=key, slot_seconds=self.slot_seconds)


class TokenBucket:
    """Allows ``rate`` calls per second with bursts of ``burst``; waits up to ``max_wait`` for a token."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            tokens = min(self.burst, self._tokens.get(key, self.burst) + (now - self._stamp.get(key, now)) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            if wait > self.max_wait:
                raise RateBudgetExhausted(f"Rate budget {key} is spent ({self.rate}/s)", retry_after=wait,
                                          budget_key=key, slot_seconds=1 / self.rate)
            self._tokens[key] = tokens - 1
            self._stamp[key] = now
        if wait:
            self._sleep(wait)
