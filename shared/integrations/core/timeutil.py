"""Time in one form: timezone-aware UTC, stored as fixed-width ISO 8601 strings that sort as they compare."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """``2025-01-12T03:04:05.000000Z``: fixed width, so string order is time order (cursors, conditions)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the source's time zone must be known before storing")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601 with an offset or ``Z``; a value without a zone is refused rather than guessed."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)
