"""The outbound HTTP policy every platform client shares."""

from datetime import UTC, datetime

import pytest
import requests
import responses
from integrations.core import aws, deadline, http
from integrations.core.errors import (
    RateBudgetExhausted,
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from integrations.core.http import HttpPolicy, UpstreamSession, backoff_delay, parse_retry_after
from integrations.core.ratelimit import SpacedBudget

from .fakes import FakeBudgetTable

URL = "https://upstream.test/api/things"


@pytest.fixture
def slept():
    return []


@pytest.fixture
def session(slept):
    return UpstreamSession("Upstream", policy=HttpPolicy(max_attempts=4), sleep=slept.append)


@responses.activate
def test_5xx_is_retried_with_backoff_then_succeeds(session, slept):
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    responses.get(URL, json={"ok": True})
    assert session.request("GET", URL).json() == {"ok": True}
    assert len(responses.calls) == 3
    assert len(slept) == 2 and all(0 <= s <= 8 for s in slept)


@responses.activate
def test_429_honours_retry_after_seconds(session, slept):
    responses.get(URL, status=429, headers={"Retry-After": "3"})
    responses.get(URL, json={})
    session.request("GET", URL)
    assert slept == [3.0]


@responses.activate
def test_long_retry_after_goes_back_to_the_queue_instead_of_sleeping(session, slept):
    responses.get(URL, status=429, headers={"Retry-After": "120"})
    with pytest.raises(UpstreamRateLimited) as raised:
        session.request("GET", URL)
    assert raised.value.retry_after == 120.0
    assert raised.value.retryable
    assert slept == [] and len(responses.calls) == 1


@responses.activate
def test_exhausted_retries_name_the_failure_and_say_retry_can_help(session):
    responses.get(URL, status=500)
    with pytest.raises(UpstreamUnavailable) as raised:
        session.request("GET", URL)
    assert len(responses.calls) == 4
    assert raised.value.retryable and raised.value.status == 500
    assert "retries automatically" in raised.value.resolution


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
@responses.activate
def test_other_4xx_are_not_retried(session, status):
    responses.post(URL, status=status, json=[{"message": "no"}])
    response = session.request("POST", URL, json={})
    assert response.status_code == status
    assert len(responses.calls) == 1


@responses.activate
def test_connection_errors_are_retried_then_named(session, slept):
    responses.get(URL, body=requests.ConnectionError("refused"))
    with pytest.raises(UpstreamUnavailable, match="did not answer GET /api/things"):
        session.request("GET", URL + "?consumer_secret=cs_hidden")
    assert len(responses.calls) == 4


@responses.activate
def test_timeouts_are_sent_on_every_call(session):
    seen = []
    responses.add_callback(responses.GET, URL,
                           callback=lambda r: (seen.append(r.req_kwargs["timeout"]), (200, {}, "{}"))[1])
    session.request("GET", URL)
    assert seen == [(3.05, 20.0)]


def test_error_names_say_whether_a_retry_helps():
    from integrations.core.http import error_for_status

    assert isinstance(error_for_status("X", 401, "GET", URL), UpstreamAuthFailed)
    assert isinstance(error_for_status("X", 404, "GET", URL), UpstreamNotFound)
    assert isinstance(error_for_status("X", 422, "GET", URL), UpstreamRejected)
    assert not error_for_status("X", 422, "GET", URL).retryable
    assert error_for_status("X", 429, "GET", URL).retryable
    assert error_for_status("X", 503, "GET", URL).retryable


def test_retry_after_parses_seconds_and_http_dates():
    now = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Sat, 21 Nov 2026 10:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_is_exponential_with_full_jitter_and_capped():
    assert backoff_delay(1, base=0.5, cap=8, rand=lambda: 1.0) == 0.5
    assert backoff_delay(3, base=0.5, cap=8, rand=lambda: 1.0) == 2.0
    assert backoff_delay(10, base=0.5, cap=8, rand=lambda: 1.0) == 8.0
    assert backoff_delay(3, base=0.5, cap=8, rand=lambda: 0.0) == 0.0


@responses.activate
def test_rate_budget_is_drawn_per_send_and_its_exhaustion_stops_the_call(monkeypatch, slept):
    table = FakeBudgetTable()
    monkeypatch.setattr(aws, "dynamodb", lambda: table)
    budget = SpacedBudget("t", per_second=1.0, max_wait=0.5, slack=0.0, clock=lambda: 10.0, sleep=slept.append)
    session = UpstreamSession("Upstream", budget=budget, sleep=slept.append)
    responses.get(URL, json={})
    session.request("GET", URL, budget_key="acct-1")
    with pytest.raises(RateBudgetExhausted) as raised:
        session.request("GET", URL, budget_key="acct-1")
    assert raised.value.retry_after == pytest.approx(1.0, abs=0.05)
    session.request("GET", URL, budget_key="acct-2")  # another account has its own budget
    assert len(responses.calls) == 2 and table.calls == 3


# --- the invocation's deadline (issue 20, point 13) ----------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The deadline's clock, moved only by the session's (fake) sleeps."""
    now = [1000.0]
    monkeypatch.setattr(deadline, "clock", lambda: now[0])
    return now


@pytest.fixture
def timed(clock, slept):
    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    return UpstreamSession("Upstream", policy=HttpPolicy(max_attempts=4), sleep=sleep)


class Drawn:
    """A rate budget that only records what was drawn."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def acquire(self, key: str) -> None:
        self.keys.append(key)


@responses.activate
def test_no_call_starts_with_too_little_time_before_the_deadline(clock, slept):
    responses.get(URL, json={})
    budget = Drawn()
    session = UpstreamSession("Upstream", budget=budget, sleep=slept.append)
    with deadline.until(HttpPolicy().min_call_seconds / 2), pytest.raises(deadline.OutOfTime) as raised:
        session.request("GET", URL, budget_key="acct-1")
    assert raised.value.retryable
    assert len(responses.calls) == 0 and budget.keys == []  # no call, and no unit of the budget spent on it


@responses.activate
def test_a_retry_after_that_would_run_past_the_deadline_is_not_slept(timed, slept, clock):
    responses.get(URL, status=429, headers={"Retry-After": "3"})
    responses.get(URL, status=429, headers={"Retry-After": "8"})
    responses.get(URL, json={})
    with deadline.until(11.5), pytest.raises(UpstreamRateLimited) as raised:
        timed.request("GET", URL)
    assert slept == [3.0]  # 8.5 s were left after it: too few to wait 8 and still have a second for the call
    assert raised.value.retry_after == 8.0 and raised.value.retryable
    assert len(responses.calls) == 2


@responses.activate
def test_a_backoff_that_would_run_past_the_deadline_is_not_slept(monkeypatch, clock, slept):
    monkeypatch.setattr(http, "backoff_delay", lambda attempt, *, base, cap: 4.0)  # its jitter drew the longest
    session = UpstreamSession("Upstream", policy=HttpPolicy(base_delay=4.0), sleep=slept.append)
    responses.get(URL, status=503)
    responses.get(URL, json={})
    with deadline.until(4.5), pytest.raises(UpstreamUnavailable):
        session.request("GET", URL)
    assert slept == [] and len(responses.calls) == 1
    responses.reset()
    responses.get(URL, status=503)
    responses.get(URL, json={})
    with deadline.until(30):  # with time for it, the same backoff is slept and the call retried
        session.request("GET", URL)
    assert slept == [4.0]


@responses.activate
def test_a_call_cannot_run_past_the_deadline(clock):
    seen = []
    responses.add_callback(responses.GET, URL,
                           callback=lambda r: (seen.append(r.req_kwargs["timeout"]), (200, {}, "{}"))[1])
    session = UpstreamSession("Upstream")
    with deadline.until(6):
        session.request("GET", URL)
    with deadline.until(60):
        session.request("GET", URL)
    session.request("GET", URL)  # outside a worker: the policy's own timeouts
    (connect, read), roomy, free = seen
    assert connect + read <= 6 and read < 20
    assert roomy == free == (3.05, 20.0)
