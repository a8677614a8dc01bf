"""The time a Lambda invocation has left, shared by the worker and the HTTP policy.

The worker sets the deadline of the invocation (its remaining time less a margin for writing outcomes); the HTTP
policy never starts an attempt, waits for a ``Retry-After`` or uses a read timeout that would run past it. Work cut
short this way fails as :class:`OutOfTime`, a retryable error, instead of being killed mid-call by Lambda's timeout
with its outcome unwritten.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import RetryableError

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)
#: Where the deadline's time comes from (monotonic: a wall-clock step must not move it). Tests may replace it.
clock: Callable[[], float] = time.monotonic


class OutOfTime(RetryableError):
    """The invocation ran out of time before this work could finish; the queue brings it back."""

    resolution = "No action needed: the item is retried in a fresh invocation."


@contextmanager
def until(seconds_from_now: float) -> Iterator[None]:
    token = _deadline.set(clock() + seconds_from_now)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline, or None when there is none (outside a worker)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - clock()
