"""Starshipit's rate limit as one budget per account, shared by every Lambda (core's :class:`SpacedBudget`).

Starshipit allows 2 requests/s on a Developer subscription and 20 on a Production one, and answers 429 beyond
(platform-apis-followup.md Q9). Its gateway is Azure API Management (the ``Ocp-Apim-Subscription-Key`` header), whose
``rate-limit`` policy counts calls in a **sliding** window (learn.microsoft.com, "rate-limit policy":
``renewal-period`` is "the length in seconds of the sliding window"). A fixed-window counter would not do: 2 per
window could still put 4 calls inside one sliding second (2 at the end of a window, 2 at the start of the next).

:class:`~integrations.core.ratelimit.SpacedBudget` therefore spaces an account's calls at least ``1.2/N`` seconds apart
across every Lambda (N the integration's ``requestsPerSecond``). No sliding second ever holds more than N calls, even
with a fifth of the interval lost to jitter between taking a turn and the call reaching the gateway (its default
slack); the steady rate is N/1.2 per second.
"""

from __future__ import annotations

from ..core.ratelimit import SpacedBudget, account_key
from . import PLATFORM

#: The longest a worker's call waits in-process for the account's turn before its item goes back to the queue.
MAX_WAIT_SECONDS = SpacedBudget.MAX_WAIT_SECONDS


def budget_key(api_key: str) -> str:
    """The account's key in RateBudgetTable: a digest of its API key (which selects the account), never the key."""
    return account_key(PLATFORM, api_key)


def account_budget(table_name: str, *, per_second: float, max_wait: float = MAX_WAIT_SECONDS) -> SpacedBudget:
    """The budget every client of an account draws on, whichever Lambda it runs in."""
    return SpacedBudget(table_name, per_second=per_second, max_wait=max_wait)
