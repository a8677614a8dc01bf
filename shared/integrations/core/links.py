"""The two small store interfaces the sync logic is written against: sync links and sync logs.

DynamoDB implements them (:mod:`integrations.core.stores.links`, :mod:`integrations.core.stores.synclog`); unit
tests use in-memory fakes (``tests/unit/fakes.py``) that keep the same promises:

- every method that decides something (claim, bind, observe, remember_once) decides with one conditional write, so
  any number of concurrent, duplicated or out-of-order workers agree on one outcome;
- a link is stored at its origin; :meth:`LinkStore.bind` writes the counterpart's pointer in the same transaction,
  and refuses a counterpart already bound to another record (:class:`CounterpartTaken`);
- :meth:`LinkStore.find` and :meth:`LinkStore.record` follow a pointer to the link it belongs to;
- :meth:`LinkStore.alias` adds another pointer to a link (a second identifier of its counterpart, e.g. the number
  people see), taken by one link only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import PermanentError
from .records import Claim, LinkStatus, LogEntry, Observation, Origin, RecordRef, SyncLink


class CounterpartTaken(PermanentError):
    """The counterpart this record would be bound to is already bound to another record of the integration."""

    def __init__(self, message: str, *, other: str) -> None:
        super().__init__(message, resolution="Two records map to the same counterpart (e.g. two shop orders with "
                                             "one order number). Check both in the sync log; fix the duplicate at "
                                             "its source, then retry.")
        self.other = other


@dataclass(frozen=True)
class Recorded:
    #: The key of the link written (``ref``'s own, or the link a pointer at ``ref`` leads to).
    key: str
    #: Its ``lastError`` before this write (None when it had none).
    previous_error: str | None = None


class LinkStore(Protocol):
    def find(self, ref: RecordRef) -> SyncLink | None:
        """The link stored at ``ref``, or the one a pointer at ``ref`` leads to (consistent reads)."""

    def claim(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, origin: Origin, token: str,
              stale_before: str, number: str | None = None) -> Claim:
        """Take the right to make this record's counterpart now. Of any number of concurrent callers one wins.
        Refused while the link is bound, or claimed by another worker at or after ``stale_before`` (UTC ISO).
        ``number``: the record's own number as people know it (a shop's #1003), kept and made searchable."""

    def bind(self, ref: RecordRef, *, token: str, pointer: RecordRef, wms_record_key: str | None = None,
             platform_record_key: str | None = None, fingerprint: str | None = None,
             snapshot: Mapping[str, Any] | None = None, source_modified_at: str | None = None,
             status: LinkStatus = LinkStatus.SYNCED, memo: Mapping[str, Any] | None = None,
             counterpart_number: str | None = None, tenant_id: str | None = None,
             own_number: str | None = None) -> bool:
        """Bind a claimed link to its counterpart and write the counterpart's ``pointer``, in one transaction.
        ``counterpart_number``: the counterpart's number as people know it (the WMS order's reference), kept on the
        link and made searchable on the pointer (``tenant_id``'s), unless it is the same as the link's own number
        (``own_number``, searchable on the link already: one record is found once).
        False when another worker bound this link first; :class:`CounterpartTaken` when the counterpart is bound
        to another record."""

    def alias(self, ref: RecordRef, alias: RecordRef) -> str:
        """Make ``alias`` a pointer to the link at ``ref`` (another identifier of its counterpart: a number people
        see, which the platform's deliveries carry), unless it already leads elsewhere. One conditional write, so of
        two links wanting one alias one gets it. Returns the key of the link the alias leads to: ``ref.key`` when
        this call (or an earlier one) made it, another link's key when that one holds it."""

    def release(self, ref: RecordRef, token: str) -> None:
        """Give a claim back (making the counterpart failed); a claim already taken over is left alone."""

    def record(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, status: LinkStatus,
               error: str | None = None, resolution: str | None = None, attempts: int | None = None,
               work_item: str | None = None, origin: Origin = Origin.PLATFORM,
               dead_lettered: bool = False) -> Recorded:
        """Set a record's status, error and resolution (creating its link if needed, following a pointer if
        ``ref`` holds one). Says which link was written (its log should say why) and the error it held before.
        ``dead_lettered``: its automatic retries ran out (an alert condition of its own: docs/alerts.md)."""

    def observe(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, fingerprint: str,
                snapshot: Mapping[str, Any], source_modified_at: str) -> Observation:
        """Record a state just read from its source if it is new and not older than the stored one."""

    def remember(self, ref: RecordRef, name: str, value: Any) -> None:
        """Set one of the link's memo entries."""

    def remember_once(self, ref: RecordRef, name: str, value: Any) -> bool:
        """Set a memo entry unless it holds ``value`` already; True when it changed (say it once in the log)."""


class SyncLogStore(Protocol):
    def append(self, key: str, event: str, message: str, *, error: str | None = None,
               resolution: str | None = None, attempt: int | None = None,
               details: Mapping[str, Any] | None = None, index_as: Mapping[str, str] | None = None) -> None:
        """Add one readable entry to a record's log. ``index_as``: attributes a sparse index finds the entry by
        (the WMS door's ``notifiedTenant``: an alert check reads a tenant's last notification with no write of its
        own)."""

    def history(self, key: str, *, limit: int = 200) -> tuple[SyncLink | None, list[LogEntry]]:
        """The record's link (None for a pointer or an unknown record) and its log, oldest first."""
