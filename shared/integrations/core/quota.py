"""A monthly call allowance per upstream account, and a cap on the work items calling one account at once.

For an upstream that gives each account a number of calls per calendar month (UTC) — typically shared by every app
connected to the account, with no usage headers to read — and throttles concurrency, we count our own calls. One item
per account and month in RateBudgetTable, ``budgetKey = {prefix}#{account}#{YYYY-MM}`` (``account`` is whatever the
connector names the account by: a digest, never a credential), holds:

- ``count``: calls made this month (every send, retries included: a conservative count);
- ``leases``: ``{leaseId: expiry}`` of the work items talking to the account right now. A work item takes a lease on
  its first call (one conditional ``UpdateItem``, refused while ``size(leases)`` is at the configured maximum, or
  once ``count`` reached the integration's monthly budget) and gives it back with its calls added (one
  ``UpdateItem``): two writes per work item that calls the account, none for one that doesn't. A lease whose holder
  died expires after ``lease_seconds`` and is cleared by the next caller that finds the account full.

The budget check is also made before every call inside a work item, so a long listing stops when the budget is spent.
Calls made while someone waits on a configuration screen are counted but never refused (:meth:`MonthlyQuota.counted`).

A connector configures one :class:`MonthlyQuota` with its :class:`QuotaRules` (key prefix, the name in messages, its
own :class:`QuotaBusy` / :class:`QuotaSpent` subclasses carrying its resolutions, where its maximum concurrency comes
from) and hands it to its clients' sessions as their rate budget.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Generic, TypeVar

from botocore.exceptions import ClientError

from . import aws
from .context import core
from .errors import RateBudgetExhausted
from .stores.dynamo import from_item, to_item

#: A lease outlives a worker's 120 s timeout, so only a dead holder's lease ever expires.
LEASE_SECONDS: Final = 300
#: SQS can't delay a message longer than 12 hours.
MAX_RETRY_AFTER: Final = 12 * 3600
#: Shares of the monthly budget a meter reports crossing (:meth:`QuotaMeter.crossed`).
THRESHOLDS: Final = (0.5, 0.8, 0.95, 1.0)


class QuotaBusy(RateBudgetExhausted):
    """The account already has its maximum of work items talking to it; this one waits its turn — waiting, not
    failing (core.waiting): however many items a burst brings for one account, none is dead-lettered for it."""

    resolution = "No action needed: the item goes ahead in a few seconds, when a call slot is free."


class QuotaSpent(RateBudgetExhausted):
    """This integration spent its monthly call budget; it resumes on the 1st (UTC) or when the budget is raised."""

    resolution = "Raise the integration's monthly call budget, or wait for the 1st of the month (UTC)."


class UnmeteredCall(RuntimeError):
    """A call made outside :meth:`MonthlyQuota.metered` / :meth:`MonthlyQuota.counted`: a programming error (it would
    go uncounted)."""


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def seconds_to_reset(moment: datetime) -> float:
    """Seconds from ``moment`` to the 1st of the next month, 00:00 UTC (when a monthly allowance resets)."""
    now = moment.astimezone(UTC)
    first = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return (first - now).total_seconds()


def _now() -> datetime:
    return datetime.now(UTC)


def _expires(month: str) -> int:
    """Keep a month's item ~2 months (TTL), long enough to show the previous month's usage."""
    year, number = (int(part) for part in month.split("-"))
    return int(datetime(year + (number >= 11), (number + 1) % 12 + 1, 1, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class QuotaRules:
    """What a connector configures: its keys, its name in messages, its errors, its concurrency."""

    #: ``{prefix}#{account}#{YYYY-MM}`` is the month's item; ``{prefix}#{account}#calls`` the line for a call slot.
    prefix: str
    #: The upstream as a person reading the sync log knows it.
    upstream: str
    #: Concurrent work items allowed per account (read at each lease, so a changed setting applies at once).
    max_concurrent: Callable[[], int]
    busy: type[QuotaBusy] = QuotaBusy
    spent: type[QuotaSpent] = QuotaSpent
    lease_seconds: int = LEASE_SECONDS
    max_retry_after: int = MAX_RETRY_AFTER
    thresholds: tuple[float, ...] = THRESHOLDS

    def key(self, account: str, month: str) -> str:
        return f"{self.prefix}#{account}#{month}"


@dataclass
class QuotaMeter:
    """The calls of one work item (or one configuration step) to one account. A connector subclasses it to set
    ``rules``."""

    rules: ClassVar[QuotaRules]

    account: str
    #: Calls this integration may make this month; None counts without refusing (configuration steps).
    budget: int | None
    #: Concurrent work items allowed on the account; None takes no lease (configuration steps).
    concurrency: int | None
    month: str = field(default_factory=lambda: month_of(_now()))
    calls: int = 0
    #: The month's count when the lease was taken (known once it is).
    used_before: int | None = None
    lease: str | None = None
    #: The month's count after this meter's calls were added (known once flushed).
    used_after: int | None = None
    clock: Callable[[], datetime] = _now

    @property
    def key(self) -> dict[str, Any]:
        return {"budgetKey": {"S": self.rules.key(self.account, self.month)}}

    @property
    def _calls_line(self) -> str:
        """The line items wait in for one of the account's call slots (core.waiting)."""
        return f"{self.rules.prefix}#{self.account}#calls"

    def before_call(self) -> None:
        if self.concurrency is not None and self.lease is None:
            self._take_lease(self.concurrency)
        if self.budget is not None and self.used_before is not None \
                and self.used_before + self.calls >= self.budget:
            raise self._spent(self.used_before + self.calls)
        self.calls += 1

    def _spent(self, count: int) -> QuotaSpent:
        wait = min(self.rules.max_retry_after, seconds_to_reset(self.clock()))
        return self.rules.spent(f"This integration's {self.rules.upstream} call budget for {self.month} is spent "
                                f"({count} of {self.budget} calls)", retry_after=wait,
                                budget_key=self.rules.key(self.account, self.month), slot_seconds=wait)

    def _take_lease(self, concurrency: int) -> None:
        lease = secrets.token_hex(8)
        table = core().settings.rate_budget_table
        for _ in range(3):
            now = time.time()
            values = to_item({":exp": int(now + self.rules.lease_seconds), ":max": concurrency,
                              ":budget": self.budget if self.budget is not None else 2**62,
                              ":ttl": _expires(self.month)})
            try:
                answer = aws.dynamodb().update_item(
                    TableName=table, Key=self.key, ReturnValues="ALL_NEW",
                    UpdateExpression="SET leases.#lease = :exp, expiresAt = if_not_exists(expiresAt, :ttl)",
                    ConditionExpression="attribute_exists(leases) AND size(leases) < :max"
                                        " AND (attribute_not_exists(#count) OR #count < :budget)",
                    ExpressionAttributeNames={"#lease": lease, "#count": "count"},
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                stored: Any = exc.response.get("Item")
                old = from_item(stored or {})
                self._refused(old, now)
                continue
            self.lease = lease
            self.used_before = int(from_item(answer["Attributes"]).get("count") or 0)
            return
        raise self.rules.busy(f"{self.rules.upstream} account busy: the lease table kept changing under us",
                              retry_after=5, budget_key=self._calls_line, slot_seconds=5)

    def _refused(self, old: dict[str, Any], now: float) -> None:
        """Why taking a lease failed, and the one repair that lets the next try succeed (or the error to raise)."""
        count = int(old.get("count") or 0)
        if self.budget is not None and count >= self.budget:
            raise self._spent(count)
        leases = old.get("leases") if isinstance(old.get("leases"), dict) else None
        table = core().settings.rate_budget_table
        if leases is None:
            # The month's first call: create the item with an empty lease map (the next try takes a lease in it).
            try:
                aws.dynamodb().update_item(
                    TableName=table, Key=self.key, UpdateExpression="SET leases = :none, expiresAt = :ttl",
                    ConditionExpression="attribute_not_exists(leases)",
                    ExpressionAttributeValues=to_item({":none": {}, ":ttl": _expires(self.month)}))
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            return
        expired = [name for name, expiry in leases.items() if float(expiry) < now]
        if not expired:
            raise self.rules.busy(f"{self.rules.upstream} account busy: {len(leases)} work item(s) are calling it (at "
                                  f"most {self.concurrency} at once)", retry_after=10 + secrets.randbelow(10),
                                  budget_key=self._calls_line, slot_seconds=5)
        for name in expired:  # a dead holder's lease: cleared only if it is still the same expired lease
            try:
                aws.dynamodb().update_item(
                    TableName=table, Key=self.key, UpdateExpression="REMOVE leases.#old",
                    ConditionExpression="leases.#old = :expiry", ExpressionAttributeNames={"#old": name},
                    ExpressionAttributeValues=to_item({":expiry": leases[name]}))
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise

    def flush(self) -> None:
        """Give the lease back and add this meter's calls to the month (one write), or just add the calls."""
        table = core().settings.rate_budget_table
        if self.lease is None and not self.calls:
            return
        names = {"#count": "count"}
        expression = "ADD #count :calls SET expiresAt = if_not_exists(expiresAt, :ttl)"
        if self.lease is not None:
            names["#lease"] = self.lease
            expression = "REMOVE leases.#lease " + expression
        answer = aws.dynamodb().update_item(
            TableName=table, Key=self.key, UpdateExpression=expression, ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item({":calls": self.calls, ":ttl": _expires(self.month)}),
            ReturnValues="UPDATED_NEW")
        self.used_after = int(from_item(answer.get("Attributes") or {}).get("count") or 0)
        self.lease = None

    def crossed(self) -> list[float]:
        """The budget shares this meter's calls crossed (for a usage log)."""
        if self.budget is None or self.used_after is None:
            return []
        before = self.used_after - self.calls
        return [share for share in self.rules.thresholds if before < share * self.budget <= self.used_after]


Meter = TypeVar("Meter", bound=QuotaMeter)


class MonthlyQuota(Generic[Meter]):
    """The metering of one upstream's accounts: the blocks calls are counted in, and the
    :class:`~integrations.core.ratelimit.RateBudget` its clients' sessions draw on (one unit per send, from the meter
    of the work item or step making it)."""

    def __init__(self, meter: type[Meter]) -> None:
        self.meter = meter
        self.rules = meter.rules
        self._current: ContextVar[Meter | None] = ContextVar(f"{self.rules.prefix}_meter", default=None)

    def used(self, account: str, *, at: datetime | None = None) -> int:
        """Calls counted for ``account`` this month (an eventually consistent read: for pacing and reports)."""
        response = aws.dynamodb().get_item(TableName=core().settings.rate_budget_table,
                                           Key={"budgetKey": {"S": self.rules.key(account, month_of(at or _now()))}})
        item = from_item(response.get("Item") or {})
        return int(item.get("count") or 0)

    @contextmanager
    def metered(self, account: str, *, budget: int, on_flush: Callable[[Meter], None] | None = None,
                concurrency: int | None = None) -> Iterator[Meter]:
        """Every call of the block is counted against ``budget`` under a concurrency lease taken on the first call
        (no call, no write). Re-entering for the same account reuses the outer meter."""
        with self._opened(account, budget, concurrency or self.rules.max_concurrent(), on_flush) as meter:
            yield meter

    @contextmanager
    def counted(self, account: str) -> Iterator[Meter]:
        """Calls made while a person waits (credentials check, finish, delete): counted, never refused or queued."""
        with self._opened(account, None, None, None) as meter:
            yield meter

    @contextmanager
    def _opened(self, account: str, budget: int | None, concurrency: int | None,
                on_flush: Callable[[Meter], None] | None) -> Iterator[Meter]:
        """The block's meter (the outer one for the same account), flushed when the block ends."""
        outer = self._current.get()
        if outer is not None and outer.account == account:
            yield outer
            return
        meter = self.meter(account=account, budget=budget, concurrency=concurrency)
        token = self._current.set(meter)
        try:
            yield meter
        finally:
            self._current.reset(token)
            meter.flush()
            if on_flush is not None:
                on_flush(meter)

    def acquire(self, key: str) -> None:
        meter = self._current.get()
        if meter is None or meter.account != key:
            raise UnmeteredCall(f"A call to the {self.rules.upstream} account {key} outside a metered block would "
                                "go uncounted")
        meter.before_call()
