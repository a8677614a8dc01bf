"""The outbound HTTP policy every platform client shares.

- connect/read timeouts on every call;
- retries on 429, 5xx and connection failures, with exponential backoff and full jitter, honouring
  ``Retry-After`` (seconds or an HTTP date);
- no retry on any other 4xx: those are returned for the platform client to map to a named error;
- an optional rate budget per upstream account, checked before each send;
- when retries run out, a named exception that says whether a later retry can help.

A ``Retry-After`` longer than ``max_inline_wait`` is not slept through inside a Lambda: the call raises at once with
``retry_after`` set, and the queue brings the item back after that delay (see ``core.worker``).

Inside a worker the invocation has a deadline (``core.deadline``): no attempt starts with less than
``min_call_seconds`` before it (:class:`~integrations.core.deadline.OutOfTime`), no backoff or ``Retry-After`` is slept
when the call after it could not start in time (the upstream's error is raised instead, with its ``retry_after``),
and an attempt's timeouts are cut so that connecting and reading together fit in the time left. Lambda's own timeout
would otherwise kill the invocation mid-call with the item's outcome unwritten.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import deadline
from .errors import (
    UpstreamAddressInvalid,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from .ratelimit import RateBudget
from .settings import settings

if TYPE_CHECKING:
    # requests (with urllib3, charset_normalizer, idna: ~20 ms) is imported when the first session is made, not at
    # import: doors and workers whose first path makes no upstream call don't pay for it at cold start.
    import requests

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retry pacing. ``from_settings()`` takes the pacing from the environment (tests set it to 0)."""

    connect_timeout: float = 3.05
    read_timeout: float = 20.0
    #: Sends per call, the first included.
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: The longest wait we sleep through in-process; longer waits go back to the queue.
    max_inline_wait: float = 10.0
    #: Under this much time before the invocation's deadline no attempt starts: even a quick answer needs a second.
    min_call_seconds: float = 1.0

    @classmethod
    def from_settings(cls) -> HttpPolicy:
        config = settings()
        return cls(base_delay=config.http_backoff_base_seconds, max_inline_wait=config.http_max_inline_wait_seconds)


#: Calls made while a person waits on a configuration screen: fewer, shorter tries than the workers make, and no
#: long sleeps (a setup step answers in seconds; it is never "retried automatically").
INTERACTIVE = HttpPolicy(connect_timeout=3.05, read_timeout=10.0, max_attempts=2, max_delay=1.0, max_inline_wait=2.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base·2^(attempt-1))]."""
    return float(rand() * min(cap, base * (2 ** (attempt - 1))))


class UpstreamSession:
    """A ``requests`` session bound to one upstream account, applying :class:`HttpPolicy` to every call."""

    def __init__(
        self,
        upstream: str,
        *,
        policy: HttpPolicy | None = None,
        budget: RateBudget | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.upstream = upstream
        self.policy = policy or HttpPolicy.from_settings()
        self.budget = budget
        if session is None:
            import requests  # imported on first use: see the TYPE_CHECKING import above

            session = requests.Session()
        self.session = session
        self._sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        budget_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send with retries. Returns any response that is not 429/5xx; raises a named error otherwise."""
        import requests  # loaded already (the session was made); a module lookup

        policy = self.policy
        last_error: UpstreamError | None = None
        for attempt in range(1, policy.max_attempts + 1):
            self._time_for_a_call(method, url)  # before the budget: a call that can't start spends no unit of it
            if self.budget is not None and budget_key is not None:
                self.budget.acquire(budget_key)
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    timeout=self._timeouts(self._time_for_a_call(method, url)),
                    allow_redirects=False,
                    **kwargs,
                )
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema) as exc:
                # A URL no retry can send: an address a person typed is wrong. Never a server error for it.
                raise UpstreamAddressInvalid(f"{self.upstream} can't be called at that address: "
                                             f"{type(exc).__name__}", upstream=self.upstream) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                # The exception text can carry the URL but never headers or bodies, so no credential leaks here.
                last_error = UpstreamUnavailable(
                    f"{self.upstream} did not answer {method} {_path(url)}: {type(exc).__name__}",
                    upstream=self.upstream,
                )
                retry_after = None
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                last_error = error_for_status(self.upstream, response.status_code, method, url, retry_after)
            if attempt == policy.max_attempts:
                break
            if retry_after is not None and retry_after > policy.max_inline_wait:
                break  # don't hold a Lambda asleep: the queue redelivers after retry_after
            delay = (
                retry_after
                if retry_after is not None
                else backoff_delay(attempt, base=policy.base_delay, cap=policy.max_delay)
            )
            left = deadline.remaining()
            if left is not None and left - delay < policy.min_call_seconds:
                break  # the next attempt could not start in time after this wait: the queue brings the item back
            self._sleep(delay)
        assert last_error is not None
        raise last_error

    def _time_for_a_call(self, method: str, url: str) -> float | None:
        """Seconds left before the invocation's deadline (None outside a worker); raises
        :class:`~integrations.core.deadline.OutOfTime` when too few are left to start a call."""
        left = deadline.remaining()
        if left is not None and left < self.policy.min_call_seconds:
            raise deadline.OutOfTime(f"Too little time left in this invocation to call {self.upstream} "
                                     f"({method} {_path(url)}: {max(left, 0.0):.1f} s)")
        return left

    def _timeouts(self, left: float | None) -> tuple[float, float]:
        """The policy's (connect, read) timeouts, cut so that together they end by the deadline. ``requests`` applies
        the read timeout between bytes, not to the whole answer: a server trickling bytes could still outlast it,
        which the worker's own margin before Lambda's timeout absorbs."""
        connect, read = self.policy.connect_timeout, self.policy.read_timeout
        if left is None or connect + read <= left:
            return connect, read
        connect = min(connect, left / 2)
        return connect, min(read, left - connect)


def error_for_status(
    upstream: str,
    status: int,
    method: str,
    url: str,
    retry_after: float | None = None,
    *,
    detail: str = "",
    errors: list[dict[str, object]] | None = None,
    resolution: str | None = None,
) -> UpstreamError:
    """The named error for an HTTP status. Platform clients pass their parsed ``detail``/``errors``."""
    what = f"{upstream} answered {status} to {method} {_path(url)}" + (f": {detail}" if detail else "")
    if status == 429:
        return UpstreamRateLimited(what, upstream=upstream, retry_after=retry_after)
    if status >= 500:
        return UpstreamUnavailable(what, upstream=upstream, status=status, retry_after=retry_after)
    if status in (401, 403):
        return UpstreamAuthFailed(what, upstream=upstream, status=status, resolution=resolution)
    if status == 404:
        return UpstreamNotFound(
            what,
            upstream=upstream,
            status=status,
            resolution=resolution or f"Check the record still exists in {upstream}.",
        )
    return UpstreamRejected(what, upstream=upstream, status=status, errors=errors, resolution=resolution)


def _path(url: str) -> str:
    """The path of a URL without its query string (which some platforms use for credentials)."""
    return urlsplit(url).path or "/"
