"""Retry from the sync log: queue again the work item a person-must-fix failure kept on its link.

When a work item fails with a ``PermanentError`` (an unknown SKU, revoked credentials…), the worker marks the link
``NEEDS_ATTENTION`` and keeps the item on it (``lastWorkItem``). Once the person has fixed the cause, a retry puts
that item back on its queue with a fresh idempotency key, so it runs again even if an earlier run completed.
Platforms say which queue their kinds of work go to with :func:`register_queue`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from .context import core
from .errors import ConfigurationError
from .timeutil import utcnow
from .workitems import WorkItem, enqueue

_queues: dict[str, Callable[[], str]] = {}


class NothingToRetry(ConfigurationError):
    """The record keeps no work item (it never failed in a way a person must fix), or none we can route."""

    resolution = "Only records marked NEEDS_ATTENTION can be retried; this one has nothing waiting."


def register_queue(kind_prefix: str, queue_url: Callable[[], str]) -> None:
    """Work items whose kind starts with ``kind_prefix`` (e.g. ``woocommerce.``) are retried on ``queue_url()``."""
    _queues[kind_prefix] = queue_url


def retry_from_sync_log(sync_key: str) -> WorkItem:
    shared = core()
    kept = (shared.sync_log.link(sync_key) or {}).get("lastWorkItem")
    if not kept:
        raise NothingToRetry(f"{sync_key} has no work item to retry")
    item = WorkItem.model_validate_json(kept)
    prefixes = sorted((p for p in _queues if item.kind.startswith(p)), key=len, reverse=True)
    if not prefixes:
        raise NothingToRetry(f"{sync_key} keeps a {item.kind} item, which no queue takes")
    first = item.idempotency_key.split(":retry:", 1)[0]
    retry = item.model_copy(update={"idempotency_key": f"{first}:retry:{uuid.uuid4().hex[:12]}",
                                    "source": "retry", "enqueued_at": utcnow()})
    enqueue(_queues[prefixes[0]](), retry)
    shared.sync_log.append(sync_key, "retry-requested", f"Retry of {item.kind} queued from the sync log")
    return retry
