"""The local EventBridge Scheduler: expressions evaluated as EventBridge does, targets fired when due or on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local.resources import Schedule
from local.scheduler import LocalScheduler, UnknownSchedule, UnsupportedScheduleExpression, parse_expression

START = datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC)  # a Friday


def runs(expression: str, count: int, start: datetime = START) -> list[str]:
    parsed = parse_expression(expression, now=start)
    found, moment = [], start
    for _ in range(count):
        moment = parsed.next_after(moment)
        found.append(moment.strftime("%a %Y-%m-%d %H:%M"))
    return found


def test_a_rate_runs_one_interval_after_start_then_every_interval():
    assert runs("rate(5 minutes)", 3) == ["Fri 2026-11-20 10:05", "Fri 2026-11-20 10:10", "Fri 2026-11-20 10:15"]
    assert runs("rate(1 day)", 2) == ["Sat 2026-11-21 10:00", "Sun 2026-11-22 10:00"]
    assert parse_expression("rate(2 hours)", now=START).next_after(START + timedelta(hours=5)) == START + \
        timedelta(hours=6)


@pytest.mark.parametrize("expression", ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 weeks)",
                                        "every 5 minutes"])
def test_malformed_rates_are_refused_as_eventbridge_refuses_them(expression):
    with pytest.raises(UnsupportedScheduleExpression):
        parse_expression(expression)


@pytest.mark.parametrize(("expression", "expected"), [
    ("cron(5 0 ? * MON *)", ["Mon 2026-11-23 00:05", "Mon 2026-11-30 00:05"]),  # weekly billing
    ("cron(0/20 * * * ? *)", ["Fri 2026-11-20 10:20", "Fri 2026-11-20 10:40", "Fri 2026-11-20 11:00"]),
    ("cron(0 9 ? * MON-FRI *)", ["Mon 2026-11-23 09:00", "Tue 2026-11-24 09:00"]),
    ("cron(0 9 ? * 1,7 *)", ["Sat 2026-11-21 09:00", "Sun 2026-11-22 09:00"]),  # 1 = SUN, 7 = SAT
    ("cron(30 2 1 JAN,JUL ? *)", ["Fri 2027-01-01 02:30", "Thu 2027-07-01 02:30"]),
    ("cron(0 0 31 * ? *)", ["Thu 2026-12-31 00:00", "Sun 2027-01-31 00:00"]),  # months without a 31st skipped
])
def test_cron_runs_follow_eventbridge_fields(expression, expected):
    assert runs(expression, len(expected)) == expected


def test_a_cron_limited_to_a_year_ends():
    expression = parse_expression("cron(15 10 20 11 ? 2026)")
    assert expression.next_after(START) == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert expression.next_after(datetime(2026, 11, 20, 10, 15, tzinfo=UTC)) is None


@pytest.mark.parametrize("expression", [
    "cron(0 9 * * MON *)",  # both day fields set
    "cron(0 9 ? * ? *)",  # neither
    "cron(0 9 L * ? *)",
    "cron(0 9 15W * ? *)",
    "cron(0 9 ? * MON#2 *)",
    "cron(0 9 * * ?)",  # five fields (Unix cron)
    "cron(61 9 * * ? *)",
    "cron(? 9 * * ? *)",
])
def test_cron_forms_not_evaluated_locally_or_invalid_are_refused(expression):
    with pytest.raises(UnsupportedScheduleExpression):
        parse_expression(expression)


def test_at_runs_once():
    expression = parse_expression("at(2026-11-20T12:00:00)")
    assert expression.next_after(START) == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert expression.next_after(datetime(2026, 11, 20, 12, tzinfo=UTC)) is None


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


POLL = Schedule("local-wms-poll", "rate(5 minutes)", '{"scheduledTime": "<aws.scheduler.scheduled-time>"}')
BILLING = Schedule("local-weekly-billing", "cron(5 0 ? * MON *)", None)


def test_due_targets_fire_with_their_scheduled_time_and_are_rescheduled():
    clock, fired = Clock(START), []
    scheduler = LocalScheduler([(POLL, "PollFunction"), (BILLING, "BillingFunction")],
                               lambda function, event: fired.append((function, event)), clock=clock)

    assert scheduler.run_due(START + timedelta(minutes=4)) == []
    assert scheduler.run_due(START + timedelta(minutes=5, seconds=2)) == ["local-wms-poll"]

    assert fired == [("PollFunction", {"scheduledTime": "2026-11-20T10:05:30Z"})]
    assert scheduler.target("local-wms-poll").next_run == START + timedelta(minutes=10)
    assert scheduler.target("BillingFunction").next_run == datetime(2026, 11, 23, 0, 5, tzinfo=UTC)


def test_a_failing_target_is_counted_and_does_not_stop_the_others():
    def fire(function, event):
        if function == "PollFunction":
            raise RuntimeError("boom")
        return "ok"

    scheduler = LocalScheduler([(POLL, "PollFunction"), (BILLING, "BillingFunction")], fire, clock=Clock(START))
    monday = datetime(2026, 11, 23, 0, 6, tzinfo=UTC)

    assert scheduler.run_due(monday) == ["local-wms-poll", "local-weekly-billing"]
    assert "boom" in scheduler.target("local-wms-poll").last_error
    assert scheduler.target("local-weekly-billing").runs == 1


def test_on_demand_firing_by_schedule_or_function_name_keeps_the_timer():
    clock, fired = Clock(START), []
    scheduler = LocalScheduler([(POLL, "PollFunction")], lambda f, e: fired.append(e) or {"queued": 1}, clock=clock)
    clock.now = START + timedelta(minutes=1)

    assert scheduler.fire("PollFunction") == {"queued": 1}
    assert fired == [{"scheduledTime": "2026-11-20T10:01:30Z"}]
    assert scheduler.target("local-wms-poll").next_run == START + timedelta(minutes=5)
    with pytest.raises(UnknownSchedule):
        scheduler.fire("nope")
