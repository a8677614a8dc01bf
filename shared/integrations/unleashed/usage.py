"""Our calls to an Unleashed account: counted per calendar month, paced, and never more than a few at once.

Unleashed gives each account a monthly call allowance shared by every app connected to it, and at 100 % blocks
*all* of them until the 1st of the next month, 00:00 UTC (intercom "Understanding your API usage limits"). Its API
exposes no usage headers (none are documented, none seen in public clients), so we count our own calls with core's
monthly quota (:mod:`integrations.core.quota`: the month's count and the concurrency leases, one item per account and
month in RateBudgetTable), configured here: ``budgetKey = unleashed#{account}#{YYYY-MM}`` (``account`` = a digest of
the API ID, never the ID itself), at most ``UNLEASHED_MAX_CONCURRENT_CALLS`` work items per account at once, and
Unleashed's own errors and resolutions. Every send counts, retries included: a conservative count, as Unleashed does
not count failed calls.

The budget check is also made before every call inside a work item, so a long listing stops when the budget is spent.
Calls made while someone waits on a configuration screen are counted but never refused (:func:`counted`).
"""

from __future__ import annotations

import hashlib
import os
from typing import Final

from ..core import quota
from ..core.quota import (
    QuotaBusy,
    QuotaMeter,
    QuotaRules,
    QuotaSpent,
    UnmeteredCall,
    month_of,
    seconds_to_reset,
)

#: A lease outlives the worker's 120 s timeout, so only a dead holder's lease ever expires.
LEASE_SECONDS: Final = quota.LEASE_SECONDS
#: SQS can't delay a message longer than 12 hours.
MAX_RETRY_AFTER: Final = quota.MAX_RETRY_AFTER
#: Default concurrent work items per account (one public client notes Unleashed "throttles concurrency").
DEFAULT_MAX_CONCURRENT: Final = 2
#: Shares of the monthly budget at which the usage log says so (and polling slows: :func:`poll_every`).
THRESHOLDS: Final = (0.5, 0.8, 0.95, 1.0)


class AccountBusy(QuotaBusy):
    """The account already has its maximum of work items talking to it; this one waits its turn — waiting, not
    failing (core.waiting): however many items a burst brings for one account, none is dead-lettered for it."""

    resolution = "No action needed: the item goes ahead in a few seconds, when a call slot is free."


class MonthlyBudgetSpent(QuotaSpent):
    """This integration spent its monthly Unleashed call budget; it resumes on the 1st (UTC) or when raised."""

    resolution = ("Raise apiCallsPerMonth in the integration's order creation step (and check the Unleashed plan's "
                  "monthly API allowance under Settings → Billing), or wait for the 1st of the month (UTC).")


def account_of(api_id: str) -> str:
    """The account's name in our keys: a digest of the API ID (one ID per Unleashed account, never changed)."""
    return hashlib.sha256(api_id.strip().encode("utf-8")).hexdigest()[:24]


def max_concurrent() -> int:
    """Concurrent work items per account (template.yaml ``UnleashedMaxConcurrentCallsPerAccount``)."""
    try:
        return max(1, int(os.environ.get("UNLEASHED_MAX_CONCURRENT_CALLS", DEFAULT_MAX_CONCURRENT)))
    except ValueError:
        return DEFAULT_MAX_CONCURRENT


def poll_every(fill: float) -> int | None:
    """How many 5-minute poll slots apart polls run at this share of the monthly budget (None: not at all).

    Below 50 % every 5 minutes; to 80 % every 15; to 95 % hourly; from 95 % polling stops, keeping what is left for
    webhook-driven orders and dispatch write-backs."""
    if fill < 0.5:
        return 1
    if fill < 0.8:
        return 3
    if fill < 0.95:
        return 12
    return None


RULES = QuotaRules(prefix="unleashed", upstream="Unleashed", max_concurrent=max_concurrent, busy=AccountBusy,
                   spent=MonthlyBudgetSpent, lease_seconds=LEASE_SECONDS, max_retry_after=MAX_RETRY_AFTER,
                   thresholds=THRESHOLDS)


class Meter(QuotaMeter):
    """The calls of one work item (or one configuration step) to one Unleashed account."""

    rules = RULES


def budget_key(account: str, month: str) -> str:
    return RULES.key(account, month)


#: The metering of Unleashed accounts, and the rate budget every Unleashed client's session draws on.
METERED = quota.MonthlyQuota(Meter)
used = METERED.used
metered = METERED.metered
counted = METERED.counted

__all__ = ["DEFAULT_MAX_CONCURRENT", "LEASE_SECONDS", "MAX_RETRY_AFTER", "METERED", "THRESHOLDS", "AccountBusy",
           "Meter", "MonthlyBudgetSpent", "UnmeteredCall", "account_of", "budget_key", "counted", "max_concurrent",
           "metered", "month_of", "poll_every", "seconds_to_reset", "used"]
