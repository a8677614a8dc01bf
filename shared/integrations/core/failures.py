"""What a failed work item says on its record's sync log: the error in words a person can act on, and what to do.

A named error (``core.errors``) already carries both. Anything else is a fault in the service itself — an
``AssertionError`` with no message, a ``KeyError``, a vendor answer our models didn't expect — and must still
read as one: what failed, where, and that the operator has it, never an empty line (issue 21). The worker logs such
a fault with its trace and counts it (``WorkItemsFailedUnexpectedly``), so "reported to the operator" is true.
"""

from __future__ import annotations

from dataclasses import dataclass

from .connectors import for_kind
from .errors import IntegrationError, UpstreamError

#: The longest an exception's own text may run in a sync-log entry (a vendor's whole answer can be in it).
MAX_DETAIL = 300


@dataclass(frozen=True)
class Failure:
    error: str
    resolution: str
    #: Not a named error: a fault in the service, reported to the operator.
    unexpected: bool


def where(kind: str) -> str:
    """The part of the service a work item of ``kind`` runs in, as a person would name it."""
    connector = for_kind(kind)
    if connector is not None:
        return f"the {connector.title} connector"
    return {"wms": "the WMS sync", "billing": "weekly billing"}.get(kind.split(".", 1)[0], "the service")


def describe(exc: BaseException, kind: str) -> Failure:
    if isinstance(exc, IntegrationError):
        return Failure(str(exc) or type(exc).__name__, exc.resolution, unexpected=False)
    detail = " ".join(str(exc).split())[:MAX_DETAIL] or "no message"
    return Failure(
        f"Unexpected error in {where(kind)} ({type(exc).__name__}: {detail}); reported to the operator",
        "Nothing in your data or settings needs changing for this: it is a fault in the service, reported to the "
        "operator with its details. It is retried automatically; if it keeps failing, retry from this log once the "
        "operator says it is fixed.",
        unexpected=True)


def gave_up(failure: Failure, exc: BaseException, attempts: int, waited_seconds: float, *,
            retry_from_log: bool) -> str:
    """What to do once automatic retries are over. ``retry_from_log``: the item is kept on the record, so a person
    can retry it (an integration's record); else only the operator can send it again (the WMS's own records)."""
    over = f" over about {in_words(waited_seconds)}" if waited_seconds >= 1 else ""
    cause = (f"{exc.upstream} kept failing" if isinstance(exc, UpstreamError) and exc.retryable
             else "the operator has the details" if failure.unexpected else "the cause is still there")
    then = ("Once the cause is fixed, retry it from this log; the operator was alerted too and can send it again."
            if retry_from_log else
            "The operator was alerted and sends it again once the cause is fixed; a later change of the record "
            "syncs it too.")
    return f"It failed {attempts} times{over} and is no longer retried automatically ({cause}). {then}"


def in_words(seconds: float) -> str:
    """``45 s``, ``3 min``, ``2 h 5 min``: a wait as a person reads it."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")
