"""EventBridge Scheduler for the local stack: fires template.yaml's ScheduleV2 events at their expression and on
demand (moto stores schedules but never fires them).

Expressions: ``rate(N minute|minutes|hour|hours|day|days)`` (first run one interval after start, as a new rate
schedule does), ``cron(minutes hours day-of-month month day-of-week year)`` with ``* ? , - /`` and month/day names
(``L``, ``W`` and ``#`` are refused rather than guessed), and one-time ``at(yyyy-mm-ddThh:mm:ss)``. Times are UTC,
the only ``ScheduleExpressionTimezone`` template.yaml uses (the stack warns about any other). A run missed while
the process was paused is not backfilled.
Each firing invokes the target with the schedule's ``Input``, its placeholders filled
(:func:`~local.lambda_runtime.scheduler_input`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .lambda_runtime import scheduler_input
from .resources import Schedule

log = logging.getLogger(__name__)

MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
WEEKDAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
LAST_YEAR = 2199


class UnsupportedScheduleExpression(ValueError):
    """An expression EventBridge accepts but this stand-in does not evaluate, or one EventBridge refuses."""


class Expression(Protocol):
    def next_after(self, moment: datetime) -> datetime | None:
        """The first run strictly after ``moment`` (None: no more runs)."""


@dataclass(frozen=True)
class Rate:
    interval: timedelta
    anchor: datetime

    def next_after(self, moment: datetime) -> datetime:
        periods = max(0, int((moment - self.anchor) / self.interval))
        candidate = self.anchor + (periods + 1) * self.interval
        return candidate if candidate > moment else candidate + self.interval


@dataclass(frozen=True)
class At:
    moment: datetime

    def next_after(self, moment: datetime) -> datetime | None:
        return self.moment if self.moment > moment else None


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int]

    def next_after(self, moment: datetime) -> datetime | None:
        at = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        while at.year <= LAST_YEAR:
            if at.year not in self.years:
                at = datetime(at.year + 1, 1, 1, tzinfo=UTC)
            elif at.month not in self.months:
                at = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
            elif not self._day_matches(at):
                at = datetime(at.year, at.month, at.day, tzinfo=UTC) + timedelta(days=1)
            elif at.hour not in self.hours:
                at = at.replace(minute=0) + timedelta(hours=1)
            elif at.minute not in self.minutes:
                at += timedelta(minutes=1)
            else:
                return at
        return None

    def _day_matches(self, at: datetime) -> bool:
        if self.days_of_month is not None:
            return at.day in self.days_of_month
        assert self.days_of_week is not None
        return (at.weekday() + 1) % 7 + 1 in self.days_of_week  # EventBridge: 1 = SUN … 7 = SAT


_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


def parse_expression(text: str, *, now: datetime | None = None) -> Expression:
    """Parse a ScheduleExpression; ``now`` anchors a rate (its first run is one interval later)."""
    text = text.strip()
    if match := _RATE.fullmatch(text):
        value, unit = int(match[1]), match[2].rstrip("s")
        singular = unit == match[2]
        if value < 1 or singular != (value == 1):
            raise UnsupportedScheduleExpression(f"{text}: use 'rate(1 {unit})' or 'rate(N {unit}s)' with N > 1")
        return Rate(timedelta(**{f"{unit}s": value}), now or datetime.now(UTC))
    if match := _AT.fullmatch(text):
        return At(datetime.fromisoformat(match[1]).replace(tzinfo=UTC))
    if match := _CRON.fullmatch(text):
        return _parse_cron(text, match[1].split())
    raise UnsupportedScheduleExpression(f"{text}: expected rate(...), cron(...) or at(...)")


def _parse_cron(text: str, fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise UnsupportedScheduleExpression(f"{text}: EventBridge cron has 6 fields (minutes hours day-of-month "
                                            "month day-of-week year)")
    minutes, hours, dom, month, dow, year = fields
    days_of_month = _cron_field(text, dom, 1, 31, {})
    days_of_week = _cron_field(text, dow, 1, 7, WEEKDAYS)
    if (days_of_month is None) == (days_of_week is None):
        raise UnsupportedScheduleExpression(f"{text}: exactly one of day-of-month and day-of-week must be '?'")
    parsed = [_cron_field(text, value, low, high, {}) for value, low, high in
              ((minutes, 0, 59), (hours, 0, 23), (year, 1970, LAST_YEAR))]
    months = _cron_field(text, month, 1, 12, MONTHS)
    if None in parsed or months is None:
        raise UnsupportedScheduleExpression(f"{text}: '?' is only allowed in day-of-month or day-of-week")
    assert parsed[0] is not None and parsed[1] is not None and parsed[2] is not None
    return Cron(parsed[0], parsed[1], days_of_month, months, days_of_week, parsed[2])


def _cron_field(text: str, value: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    if value == "?":
        return None
    if re.search(r"[LW#]", re.sub(r"[A-Z]{3}", "", value.upper())):  # names (WED, JUL) removed first
        raise UnsupportedScheduleExpression(f"{text}: L, W and # are not supported locally")
    found: set[int] = set()
    for part in value.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                first, last = base.split("-", 1)
                start, end = _cron_value(first, names), _cron_value(last, names)
            else:
                start = _cron_value(base, names)
                end = high if step_text else start
        except ValueError:
            raise UnsupportedScheduleExpression(f"{text}: cannot read {value!r}") from None
        if not low <= start <= end <= high or step < 1:
            raise UnsupportedScheduleExpression(f"{text}: {value!r} is outside {low}-{high}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _cron_value(token: str, names: dict[str, int]) -> int:
    return names[token.upper()] if token.upper() in names else int(token)


@dataclass
class Target:
    schedule: Schedule
    function: str
    expression: Expression
    next_run: datetime | None
    runs: int = 0
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.schedule.name, "expression": self.schedule.expression, "function": self.function,
                "nextRun": self.next_run.isoformat() if self.next_run else None, "runs": self.runs,
                "lastError": self.last_error}


#: ``(function logical id, event) -> the handler's result``
Fire = Callable[[str, dict[str, Any]], Any]


class UnknownSchedule(KeyError):
    """No schedule (or function with a schedule) of that name."""


class LocalScheduler:
    """Fires each target when due (a thread, from :meth:`start`) or on demand (:meth:`fire`)."""

    def __init__(self, schedules: list[tuple[Schedule, str]], fire: Fire, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        self._fire = fire
        started = clock()
        self.targets = []
        for schedule, function in schedules:
            expression = parse_expression(schedule.expression, now=started)
            self.targets.append(Target(schedule, function, expression, expression.next_after(started)))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def target(self, name: str) -> Target:
        """By schedule name or by the function it targets."""
        for target in self.targets:
            if name in (target.schedule.name, target.function):
                return target
        raise UnknownSchedule(name)

    def fire(self, name: str) -> Any:
        """Run a schedule now (its next timed run is unchanged). Raises what the target raised."""
        target = self.target(name)
        return self._invoke(target, self.clock())

    def run_due(self, now: datetime) -> list[str]:
        """Fire every target whose time has come; returns their names. Failures are logged, not raised."""
        fired = []
        for target in self.targets:
            if target.next_run is None or target.next_run > now:
                continue
            due, target.next_run = target.next_run, target.expression.next_after(max(now, target.next_run))
            try:
                self._invoke(target, due)
            except Exception:
                log.exception("schedule %s failed", target.schedule.name)
            fired.append(target.schedule.name)
        return fired

    def _invoke(self, target: Target, scheduled_at: datetime) -> Any:
        log.info("schedule %s → %s (scheduled %s)", target.schedule.name, target.function,
                 scheduled_at.isoformat(timespec="seconds"))
        with self._lock:
            target.runs += 1
        try:
            result = self._fire(target.function, scheduler_input(target.schedule, scheduled_at=scheduled_at))
        except Exception as exc:
            target.last_error = repr(exc)
            raise
        target.last_error = None
        return result

    def start(self) -> LocalScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = self.clock()
            self.run_due(now)
            upcoming = [t.next_run for t in self.targets if t.next_run is not None]
            wait = min(upcoming) - self.clock() if upcoming else timedelta(minutes=1)
            self._stop.wait(min(60.0, max(0.05, wait.total_seconds())))
