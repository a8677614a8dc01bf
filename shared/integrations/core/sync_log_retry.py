"""Retry from the sync log: queue again the work item a person-must-fix failure kept on its link.

When a work item fails with a ``PermanentError`` (an unknown SKU, revoked credentials…), the worker marks the link
``NEEDS_ATTENTION`` and keeps the item on it (``lastWorkItem``). Once the person has fixed the cause, a retry puts
that item back on the queue of the connector its kind names (or the WMS queue for ``wms.`` items) with a fresh
idempotency key, so it runs again even if an earlier run completed. Only a record that needs attention is retried.
"""

from __future__ import annotations

import uuid

from .connectors import for_kind
from .context import core
from .errors import ConfigurationError
from .records import LinkStatus, RecordRef
from .timeutil import utcnow
from .workitems import WorkItem, enqueue


class NothingToRetry(ConfigurationError):
    """The record doesn't need attention (never failed, or already fine again), or keeps nothing we can route."""

    resolution = "Only records marked NEEDS_ATTENTION can be retried; this one has nothing waiting."


def queue_for(kind: str) -> str:
    """The queue that takes work items of ``kind``."""
    if kind.startswith("wms."):
        return core().settings.wms_queue_url
    connector = for_kind(kind)
    if connector is None:
        raise NothingToRetry(f"No connector takes work items of kind {kind!r}")
    return connector.queue_url()


def retry_from_sync_log(sync_key: str) -> WorkItem:
    stores = core()
    link = stores.links.find(RecordRef.parse(sync_key))
    if link is None or link.status is not LinkStatus.NEEDS_ATTENTION:
        state = link.status.value if link is not None else "unknown"
        raise NothingToRetry(f"{sync_key} is {state}, not NEEDS_ATTENTION: there is nothing to retry")
    if not link.last_work_item:
        raise NothingToRetry(f"{sync_key} keeps no work item to retry")
    item = WorkItem.model_validate_json(link.last_work_item)
    first = item.idempotency_key.split(":retry:", 1)[0]
    retry = item.model_copy(update={"idempotency_key": f"{first}:retry:{uuid.uuid4().hex[:12]}",
                                    "source": "retry", "enqueued_at": utcnow()})
    enqueue(queue_for(item.kind), retry)
    stores.sync_log.append(link.key, "retry-requested", f"Retry queued from the sync log after: {link.last_error}")
    return retry
