"""Starshipit's rate limit as one budget per account, shared by every Lambda.

Starshipit allows 2 requests/s on a Developer subscription and 20 on a Production one, and answers 429 beyond
(platform-apis-followup.md Q9). The integration's ``requestsPerSecond`` setting is the limit; the budget is core's
:class:`~integrations.core.ratelimit.SharedWindowBudget` (RateBudgetTable, one conditional ``UpdateItem`` per call)
with a 1-second window of that many requests. A fixed window alone would fail a call the moment the second is
full, and the queue would bring it back 30 s later; :class:`PacedBudget` instead waits for the next window — a
fraction of a second — as long as the wait stays short and inside the invocation's deadline, and only then gives
the item back to the queue (``RateBudgetExhausted``, retried).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable

from ..core import deadline
from ..core.errors import RateBudgetExhausted
from ..core.ratelimit import RateBudget, SharedWindowBudget
from . import PLATFORM

#: The longest a call waits in-process for the account's budget before its item goes back to the queue.
MAX_WAIT_SECONDS = 8.0
#: Kept free before the invocation's deadline (core.worker stops items with less than 10 s left).
DEADLINE_MARGIN_SECONDS = 10.0


def budget_key(api_key: str) -> str:
    """The account's key in RateBudgetTable: a digest of its API key (which selects the account), never the key."""
    return f"{PLATFORM}#{hashlib.sha256(api_key.encode('utf-8')).hexdigest()[:24]}"


class PacedBudget:
    """Waits for a shared window budget instead of failing at once (see the module's docstring)."""

    def __init__(self, window: RateBudget, *, max_wait: float = MAX_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep, rand: Callable[[], float] = random.random) -> None:
        self.window = window
        self.max_wait = max_wait
        self._sleep = sleep
        self._rand = rand

    @classmethod
    def per_second(cls, table_name: str, requests_per_second: int, *, max_wait: float = MAX_WAIT_SECONDS
                   ) -> PacedBudget:
        return cls(SharedWindowBudget(table_name, limit=requests_per_second, window_seconds=1), max_wait=max_wait)

    def acquire(self, key: str) -> None:
        waited = 0.0
        while True:
            try:
                self.window.acquire(key)
                return
            except RateBudgetExhausted as exc:
                # A little jitter so waiting Lambdas don't all ask again at the same instant.
                wait = max(0.0, exc.retry_after or 1.0) + 0.05 * self._rand()
                left = deadline.remaining()
                if waited + wait > self.max_wait or (left is not None and left - wait < DEADLINE_MARGIN_SECONDS):
                    raise RateBudgetExhausted(f"{exc} (waited {waited:.1f}s for it)", retry_after=wait) from None
                self._sleep(wait)
                waited += wait
