"""Time in one form: timezone-aware UTC, stored as fixed-width ISO 8601 strings that sort as they compare."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


#: The earliest moment the service takes from outside (a backfill window, a date filter): no platform it connects
#: holds records older, and every moment from here on converts to UTC without overflowing.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: The latest, likewise (a year of four digits in every time zone).
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a ``ValueError`` (never an ``OverflowError``) when it has no zone or can't be one."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the source's time zone must be known before storing")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} has no UTC equivalent (out of range)") from None


def in_service_range(moment: datetime) -> datetime:
    """``moment`` in UTC if it lies between :data:`EARLIEST` and :data:`LATEST`; else a ``ValueError`` saying so
    (for validators at the HTTP boundary)."""
    utc = as_utc(moment)
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(f"must be between {EARLIEST.date()} and {LATEST.date()} (UTC)")
    return utc


def utc_iso(moment: datetime) -> str:
    """``2025-01-12T03:04:05.000000Z``: fixed width, so string order is time order (cursors, conditions)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601 with an offset or ``Z``; a value without a zone is refused rather than guessed. Anything that
    is no instant (month 13, the year 1 at +01:00) is a ``ValueError``, never an ``OverflowError``."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return as_utc(parsed)
