"""Rate budgets per upstream account.

Two kinds, chosen per limit:
- :class:`SharedWindowBudget` — a fixed-window counter in DynamoDB, shared by every Lambda, for hard per-account
  limits such as CartonCloud's 30 outbound-order creates per minute per API user. One conditional ``UpdateItem``
  per call; when the window is full it raises :class:`RateBudgetExhausted` with the seconds until it resets, and
  the queue retries the item then.
- :class:`TokenBucket` — in-process smoothing for soft limits (requests per second), free of AWS calls.
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
                    retry_after=reset_in,
                ) from None
            raise


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
                raise RateBudgetExhausted(f"Rate budget {key} is spent ({self.rate}/s)", retry_after=wait)
            self._tokens[key] = tokens - 1
            self._stamp[key] = now
        if wait:
            self._sleep(wait)
