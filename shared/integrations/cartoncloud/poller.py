"""The safety net for missed notifications: poll each tenant's outbound orders by modified time.

The schedule fans out one ``wms.poll`` item per tenant (so 1,000 tenants don't share one Lambda's time); each
poll searches ``/timestamps/modified/time`` greater than the tenant's cursor minus an overlap, queues a
``wms.entity.changed`` item per order, and moves the cursor to the newest modified time seen. Duplicates from the
overlap are absorbed by the status service's conditional write.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..core.context import core
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.worker import Attempt
from ..core.workitems import WorkItem, enqueue_many
from . import PLATFORM
from .notifications import ENTITY_CHANGED, entity_ref
from .services import wms_client

POLL = "wms.poll"
#: Re-read this much before the cursor: clocks differ and a record can commit after a later one (30–120 s advised).
OVERLAP = timedelta(seconds=120)
#: The first poll of a tenant looks back this far.
FIRST_LOOKBACK = timedelta(hours=24)


def cursor_key(tenant_id: str) -> str:
    return f"{tenant_id}#{PLATFORM}#outbound-orders"


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    """Queue one poll per tenant. The idempotency key holds the minute, so a repeated schedule run is absorbed."""
    shared = core()
    moment = scheduled_at or utcnow()
    minute = moment.strftime("%Y-%m-%dT%H:%M")
    items = [
        WorkItem(kind=POLL, tenant_id=tenant_id, idempotency_key=f"wms-poll:{tenant_id}:{minute}", source="poller")
        for tenant_id in shared.tenants.ids()
    ]
    return enqueue_many(shared.settings.wms_queue_url, items)


def poll_tenant(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    shared = core()
    tenant = shared.tenants.get(item.tenant_id)
    if not tenant.wms_credentials:
        return {"skipped": "no WMS credentials"}
    key = cursor_key(tenant.tenant_id)
    cursor = shared.cursors.get(key)
    since = parse_iso(cursor) - OVERLAP if cursor else utcnow() - FIRST_LOOKBACK
    newest: datetime | None = None
    found: list[WorkItem] = []
    for order in wms_client(tenant).outbound_orders_modified_since(since):
        if not order.id or not order.timestamps or not order.timestamps.modified:
            continue
        modified = order.timestamps.modified.time
        found.append(WorkItem(
            kind=ENTITY_CHANGED,
            tenant_id=tenant.tenant_id,
            idempotency_key=f"wms-poll:{tenant.tenant_id}:OUTBOUND_ORDER:{order.id}:{utc_iso(modified)}",
            sync_key=entity_ref(tenant.tenant_id, "OUTBOUND_ORDER", order.id).key,
            payload={"entityType": "OUTBOUND_ORDER", "entityId": order.id, "eventTime": modified.isoformat()},
            source="poller",
        ))
        newest = modified if newest is None or modified > newest else newest
    # Queue first, then move the cursor: a crash in between re-polls the same window, never skips it.
    enqueue_many(shared.settings.wms_queue_url, found)
    if newest is not None:
        shared.cursors.advance(key, utc_iso(newest))
    return {"found": len(found), "since": utc_iso(since), "cursor": utc_iso(newest) if newest else cursor}
