"""Starshipit's rate limit as one budget per account, shared by every Lambda.

Starshipit allows 2 requests/s on a Developer subscription and 20 on a Production one, and answers 429 beyond
(platform-apis-followup.md Q9). Its gateway is Azure API Management (the ``Ocp-Apim-Subscription-Key`` header), whose
``rate-limit`` policy counts calls in a **sliding** window (learn.microsoft.com, "rate-limit policy":
``renewal-period`` is "the length in seconds of the sliding window"). Core's
:class:`~integrations.core.ratelimit.SharedWindowBudget` counts in fixed windows, so 2 per window could still put 4
calls inside one sliding second (2 at the end of a window, 2 at the start of the next).

:class:`SpacedBudget` therefore spaces an account's calls at least ``1.2/N`` seconds apart across every Lambda — a
generic cell rate algorithm without burst: RateBudgetTable holds the account's next free instant, and taking a turn
is one conditional ``UpdateItem`` (``nextAt <= now`` → ``nextAt = now + 1.2/N``). No sliding second ever holds more
than N calls, even with a fifth of the interval lost to jitter between taking a turn and the call reaching the
gateway; the steady rate is N/1.2 per second. A caller that finds the turn taken waits for it in-process (the table
tells when) while the wait is short and inside the invocation's deadline; beyond that it raises
:class:`~integrations.core.errors.RateBudgetExhausted` and the queue brings the item back.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable

from botocore.exceptions import ClientError

from ..core import aws, deadline
from ..core.errors import RateBudgetExhausted
from . import PLATFORM

#: The longest a call waits in-process for the account's turn before its item goes back to the queue.
MAX_WAIT_SECONDS = 8.0
#: Kept free before the invocation's deadline (core.worker stops items with less than 10 s left).
DEADLINE_MARGIN_SECONDS = 10.0
#: Budget items outlive their last use by this long (RateBudgetTable's TTL removes them).
TTL_SECONDS = 3600
#: Turns are this much further apart than 1/N: slack for the time between taking a turn and the call reaching the
#: gateway, which varies (a call that arrives late must not meet the next one inside the gateway's second).
SLACK = 0.2


def budget_key(api_key: str) -> str:
    """The account's key in RateBudgetTable: a digest of its API key (which selects the account), never the key."""
    return f"{PLATFORM}#{hashlib.sha256(api_key.encode('utf-8')).hexdigest()[:24]}"


class SpacedBudget:
    """At most ``per_second`` calls in any second, per key, across every process (see the module's docstring)."""

    def __init__(self, table_name: str, *, per_second: float, max_wait: float = MAX_WAIT_SECONDS,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.table_name = table_name
        self.interval = (1.0 + SLACK) / per_second
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
            if waited + wait > self.max_wait or (left is not None and left - wait < DEADLINE_MARGIN_SECONDS):
                raise RateBudgetExhausted(f"Rate budget {key} is spent (one call every {self.interval:.3g}s; "
                                          f"waited {waited:.1f}s)", retry_after=wait)
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
                                           ":expires": {"N": str(int(now) + TTL_SECONDS)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            held = exc.response.get("Item", {}).get("nextAt", {}).get("N")  # type: ignore[attr-defined]
            return float(held) if held else now + self.interval
        return None
