"""ISO weeks in UTC (Monday 00:00 to the next Monday 00:00): the unit billing charges (product decision 2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_PATTERN = re.compile(r"^(?P<year>[0-9]{4})-W(?P<week>[0-9]{2})$")
#: The years a billing week can be in: the service didn't exist before 2000, and four digits end in 2999.
YEARS = range(2000, 3000)


class InvalidWeek(ValueError):
    """A week label that is not ``YYYY-Www`` or names a week the ISO calendar doesn't have."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, label: str) -> IsoWeek:
        """``2026-W47`` → IsoWeek(2026, 47); refuses a week the year doesn't have (``2025-W53``)."""
        match = _PATTERN.fullmatch(label)
        if not match:
            raise InvalidWeek(f"{label!r} is not an ISO week like 2026-W07")
        year, week = int(match["year"]), int(match["week"])
        if year not in YEARS:
            raise InvalidWeek(f"{label!r} is outside the years {YEARS.start}–{YEARS.stop - 1}")
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidWeek(f"{year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, moment: datetime) -> IsoWeek:
        """The week holding ``moment`` (read in UTC)."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime: weeks are UTC, so the moment's zone must be known")
        calendar = moment.astimezone(UTC).isocalendar()
        return cls(calendar.year, calendar.week)

    @property
    def start(self) -> datetime:
        return datetime.combine(date.fromisocalendar(self.year, self.week, 1), time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the week (exclusive)."""
        return self.start + timedelta(days=7)

    def previous(self) -> IsoWeek:
        return IsoWeek.of(self.start - timedelta(days=1))

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.end)

    def touched_by(self, start: datetime, end: datetime | None) -> bool:
        """Whether a live period ``[start, end)`` (``end`` None: still live) overlaps this week."""
        if end is None:
            return start < self.end
        if end == start:  # live for an instant: counts in the week of that instant
            return self.start <= start < self.end
        return start < self.end and end > self.start

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def weeks_touched(start: datetime, end: datetime) -> list[IsoWeek]:
    """Every week a closed period ``[start, end)`` was live in (a zero-length period counts in its own week)."""
    last = IsoWeek.of(max(start, end - timedelta(microseconds=1)))
    weeks, week = [], IsoWeek.of(start)
    while week <= last:
        weeks.append(week)
        week = week.next()
    return weeks


def week_just_ended(moment: datetime) -> IsoWeek:
    """The last full week before ``moment`` (the Monday 00:05 schedule bills the week that ended 5 minutes ago)."""
    return IsoWeek.of(moment).previous()
