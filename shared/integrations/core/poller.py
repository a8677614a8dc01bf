"""The cursor poller: the safety net for signals a platform (or the WMS) can drop, and the pager backfill uses.

A schedule fans out one poll item per scope (a live integration, or a tenant for the WMS) so one Lambda never
polls thousands of accounts in turn. :meth:`CursorPoller.handle` then, for one scope:

1. reads the scope's cursor (the newest source modified time fully processed, UTC) and lists what changed since
   the cursor minus :attr:`~CursorPoller.overlap` (clocks differ; a record can commit after a later one);
2. queues one work item per record — keyed exactly as a webhook's item for the same version, so whatever a webhook
   already did is not done again — **then** moves the cursor to the newest modified time it saw (a crash in between
   re-polls the window; never skips it), never backwards (a conditional write);
3. when the listing was cut short (:class:`Truncated`), queues what it read and keeps the cursor;
4. runs :meth:`~CursorPoller.after_poll` (e.g. re-enable webhooks the platform disabled).

Backfill (core.backfill) pages through a date window with :meth:`~CursorPoller.window` and the same
:meth:`~CursorPoller.work_item`, so a backfilled record and a live one are the same work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from .context import core
from .errors import RetryableError
from .integration_access import integration, is_live
from .integration_record import Integration
from .records import RecordRef
from .timeutil import parse_iso, utc_iso, utcnow
from .workitems import Attempt, WorkItem, enqueue_many

S = TypeVar("S")  # what one poll covers: an Integration, or a Tenant


class Truncated(RetryableError):
    """A listing stopped before its end (a page limit): what was read is queued, the cursor stays."""

    resolution = "Usually none: the next polls read on. If this repeats, contact support to raise the page limit."


@dataclass(frozen=True)
class Found:
    """One record a listing returned, and its modified time (UTC; None if the source doesn't say)."""

    record: Any
    modified_at: datetime | None


@dataclass(frozen=True)
class Page:
    """One page of a backfill window, and where the next one starts (None: the window is done)."""

    found: list[Found]
    next_token: str | None
    #: Records the page read but that aren't synced (e.g. not in the status that syncs): counted, not queued.
    passed_over: int = 0


@dataclass
class PollResult:
    found: int = 0
    since: str = ""
    cursor: str | None = None
    truncated: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    #: The cursor when the poll began (``cursor`` is moved on as the poll advances it).
    started_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"found": self.found, "since": self.since, "cursor": self.cursor,
                **({"truncated": self.truncated} if self.truncated else {}), **self.notes}


#: Every poll schedule's rate (template.yaml: ``rate(5 minutes)``).
POLL_EVERY = timedelta(minutes=5)


class CursorPoller(ABC, Generic[S]):
    #: The cursor's name within the scope (``orders``, ``consignments``).
    name: ClassVar[str]
    #: Re-read this much before the cursor: a record saved while a poll ran, or stamped by a clock a little behind,
    #: is still seen (docs/wms-notifications.md "Safety net: the pollers": a 120 s overlap).
    overlap: ClassVar[timedelta] = timedelta(seconds=120)

    # --- hooks ------------------------------------------------------------------------------------------------------

    @abstractmethod
    def queue_url(self) -> str:
        """Where poll items and the work items they find go."""

    @abstractmethod
    def scopes(self) -> Iterable[tuple[str, str | None]]:
        """``(tenant id, integration id or None)`` of every scope to poll now (the schedule's fan-out)."""

    @abstractmethod
    def poll_kind(self) -> str:
        """The kind of the poll items."""

    @abstractmethod
    def load(self, item: WorkItem) -> S | None:
        """The scope a poll item names, or None when it is no longer polled (deleted, not live)."""

    @abstractmethod
    def cursor_key(self, scope: S) -> str: ...

    @abstractmethod
    def first_since(self, scope: S) -> datetime:
        """Where the first poll of a scope starts."""

    @abstractmethod
    def changed_since(self, scope: S, since: datetime) -> Iterable[Found]:
        """Records modified after ``since``; raise :class:`Truncated` after yielding what was read, if cut short."""

    @abstractmethod
    def work_item(self, scope: S, record: Any, *, source: str) -> WorkItem:
        """The work item for one found record, keyed as the webhook's item for the same version."""

    def log_key(self, scope: S) -> str | None:
        """Where a poll's notes go (a truncated listing, what it queued)."""
        return None

    def after_poll(self, scope: S, result: PollResult, attempt: Attempt) -> None:
        """Anything else the safety net heals (webhooks the platform disabled…)."""

    def window(self, scope: S, start: datetime, end: datetime, token: str | None) -> Page:
        """One page of the records in ``[start, end)`` for a backfill (connectors that offer backfill)."""
        raise NotImplementedError(f"{type(self).__name__} offers no backfill")

    # --- the template -----------------------------------------------------------------------------------------------

    def schedule_polls(self, scheduled_at: datetime | None = None) -> int:
        """Queue one poll per scope. The key holds the minute, so a repeated schedule run polls once."""
        minute = (scheduled_at or utcnow()).strftime("%Y-%m-%dT%H:%M")
        items = [
            WorkItem(kind=self.poll_kind(), tenant_id=tenant_id, integration_id=integration_id,
                     idempotency_key=f"{self.poll_kind()}:{integration_id or tenant_id}:{minute}", source="poller")
            for tenant_id, integration_id in self.scopes()
        ]
        return enqueue_many(self.queue_url(), items)

    def handle(self, item: WorkItem, attempt: Attempt) -> dict[str, Any]:
        scope = self.load(item)
        if scope is None:
            return {"skipped": "not polled"}
        return self.poll(scope, attempt).to_json()

    def poll(self, scope: S, attempt: Attempt) -> PollResult:
        stores = core()
        key = self.cursor_key(scope)
        cursor = stores.cursors.get(key)
        since = parse_iso(cursor) - self.overlap if cursor else self.first_since(scope)
        result = PollResult(since=utc_iso(since), cursor=cursor, started_from=cursor)
        found: list[WorkItem] = []
        newest: datetime | None = None
        try:
            for each in self.changed_since(scope, since):
                found.append(self.work_item(scope, each.record, source="poller"))
                if each.modified_at is not None and (newest is None or each.modified_at > newest):
                    newest = each.modified_at
        except Truncated as exc:
            result.truncated = str(exc)
        # Queue first, then move the cursor: a crash in between re-polls the same window, never skips it.
        enqueue_many(self.queue_url(), found)
        result.found = len(found)
        log_key = self.log_key(scope)
        if result.truncated is not None:
            # An unread page may hold a record modified before the newest one seen: the cursor stays.
            if log_key:
                stores.sync_log.append(log_key, "poll-truncated", f"Poll since {result.since}: {result.truncated}; "
                                       f"{len(found)} record(s) queued, cursor kept", error=result.truncated,
                                       resolution=Truncated.resolution, attempt=attempt.number)
        elif newest is not None:
            stores.cursors.advance(key, utc_iso(newest))
            result.cursor = utc_iso(newest)
        if found and result.truncated is None and log_key:
            stores.sync_log.append(log_key, "poll", f"Poll since {result.since}: {len(found)} record(s) queued for a "
                                   f"re-fetch", attempt=attempt.number)
        self.after_poll(scope, result, attempt)
        return result


class IntegrationPoller(CursorPoller[Integration]):
    """A connector's poller: one scope per live integration of its type (GSI ``byLiveType``, never a scan)."""

    #: The connector key (the integration type).
    platform: ClassVar[str]
    #: When an integration has no live period on record, its first poll looks back this far.
    first_lookback: ClassVar[timedelta] = timedelta(hours=1)

    def queue_url(self) -> str:
        from .connectors import get

        connector = get(self.platform)
        assert connector is not None, f"no connector {self.platform}"
        return connector.queue_url()

    def poll_kind(self) -> str:
        return f"{self.platform}.poll"

    def scopes(self) -> Iterable[tuple[str, str | None]]:
        # The index is keys-only: the poll reads the integration (and its tenant) itself.
        return (("", integration_id) for integration_id in core().integrations.live_ids(self.platform))

    def load(self, item: WorkItem) -> Integration | None:
        assert item.integration_id
        found = integration(item.integration_id, fresh=True, of_type=self.platform)
        return found if is_live(found) else None

    def poll(self, scope: Integration, attempt: Attempt) -> PollResult:
        result = super().poll(scope, attempt)
        if result.cursor == result.started_from:
            # A poll that moved no cursor left no trace (moving it notes the run too), yet the console's health
            # view (management/health.py) shows when the safety net last ran: one write.
            core().cursors.mark_polled(self.cursor_key(scope))
        return result

    def expected_interval(self, scope: Integration) -> timedelta | None:
        """How often this integration's poll should run now (its schedule's rate); None while the connector has
        stopped polling it on purpose. The ``poll-stopped`` alert holds after several of these pass without one."""
        return POLL_EVERY

    def cursor_key(self, scope: Integration) -> str:
        return self.cursor_key_of(scope.integration_id)

    @classmethod
    def cursor_key_of(cls, integration_id: str) -> str:
        return f"{integration_id}#{cls.platform}#{cls.name}"

    def first_since(self, scope: Integration) -> datetime:
        live_since = scope.live_periods[-1].start if scope.live_periods else utcnow() - self.first_lookback
        return live_since - self.overlap

    def log_key(self, scope: Integration) -> str | None:
        return RecordRef(scope=scope.integration_id, platform=self.platform, record_type="integration",
                         record_id="poll").key
