"""What changed on a WMS order, decided once however many times and in whatever order we are told.

``wms.entity.changed`` items (from notifications and the poller) land here. The entity is re-fetched, reduced to
what integrations care about (status and tracking), and recorded with one conditional write on its sync link
(:meth:`SyncLog.observe`). Only the write that wins publishes a status-change item, so duplicate, concurrent and
out-of-order deliveries produce one change.

Publishing happens after the winning write. If the worker dies in between, the next delivery finds the stored
fingerprint unpublished and publishes it (after a grace period, so a concurrent winner is not doubled).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from ..core.context import core
from ..core.errors import RetryableError
from ..core.stores import CamelModel, RecordRef
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.worker import Attempt
from ..core.workitems import WorkItem, enqueue
from .models import Consignment, OutboundOrder
from .notifications import entity_ref
from .services import wms_client

STATUS_CHANGED = "wms.status.changed"
#: How long a stored-but-unpublished change is left to the worker that stored it before another publishes it.
PUBLISH_GRACE = timedelta(seconds=60)


class TrackingInfo(CamelModel):
    number: str
    carrier: str | None = None
    url: str | None = None
    consignment_id: str | None = None


class StatusChange(CamelModel):
    """The status-change work item integrations subscribe to."""

    tenant_id: str
    entity_type: str
    entity_id: str
    #: ``{tenantId}#{entityType}#{entityId}``: the key sync links of platform records are bound to.
    wms_record_key: str
    #: PACKED, DISPATCHED, REJECTED, STATUS_CHANGED, TRACKING_CHANGED.
    changes: list[str]
    status: str | None
    previous_status: str | None = None
    customer_reference: str | None = None
    customer_id: str | None = None
    warehouse_id: str | None = None
    tracking: list[TrackingInfo] = Field(default_factory=list)
    modified_at: str


def wms_record_key(tenant_id: str, entity_type: str, entity_id: str) -> str:
    return f"{tenant_id}#{entity_type}#{entity_id}"


def tracking_of(consignments: list[Consignment]) -> list[dict[str, Any]]:
    found = []
    for consignment in consignments:
        number = consignment.references.tracking if consignment.references else None
        if not number or consignment.status == "CANCELLED":
            continue
        tracking = consignment.details.tracking if consignment.details else None
        found.append(TrackingInfo(number=number, carrier=tracking.company_name if tracking else None,
                                  url=tracking.url if tracking else None,
                                  consignment_id=consignment.id).model_dump(by_alias=True))
    return sorted(found, key=lambda t: t["number"])


def _modified(*moments: datetime | None) -> str:
    known = [m for m in moments if m is not None]
    return utc_iso(max(known)) if known else utc_iso(utcnow())


def order_snapshot(order: OutboundOrder, consignments: list[Consignment]) -> dict[str, Any]:
    stamps = [c.timestamps.modified.time for c in consignments if c.timestamps and c.timestamps.modified]
    order_modified = order.timestamps.modified.time if order.timestamps and order.timestamps.modified else None
    return {
        "entityType": "OUTBOUND_ORDER",
        "entityId": order.id,
        "status": order.status.value if order.status else None,
        "customerReference": order.references.customer,
        "customerId": order.customer.id,
        "warehouseId": order.warehouse.id if order.warehouse else None,
        "tracking": tracking_of(consignments),
        "modifiedAt": _modified(order_modified, *stamps),
    }


def consignment_snapshot(consignment: Consignment) -> dict[str, Any]:
    modified = consignment.timestamps.modified.time if consignment.timestamps and consignment.timestamps.modified \
        else None
    return {
        "entityType": "CONSIGNMENT",
        "entityId": consignment.id,
        "status": str(consignment.status) if consignment.status else None,
        "customerReference": consignment.references.customer if consignment.references else None,
        "customerId": consignment.customer.id,
        "warehouseId": consignment.warehouse.id if consignment.warehouse else None,
        "tracking": tracking_of([consignment]),
        "modifiedAt": _modified(modified),
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    """What subscribers act on; other edits (notes, lines) don't make a status change."""
    essential = {"status": snapshot["status"], "tracking": snapshot["tracking"]}
    return hashlib.sha256(json.dumps(essential, sort_keys=True).encode()).hexdigest()[:32]


def classify(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    changes = []
    before = previous.get("status") if previous else None
    if current["status"] != before:
        changes.append({"PACKED": "PACKED", "DISPATCHED": "DISPATCHED", "REJECTED": "REJECTED"}.get(
            current["status"] or "", "STATUS_CHANGED"))
    if current["tracking"] and current["tracking"] != (previous or {}).get("tracking"):
        changes.append("TRACKING_CHANGED")
    return changes


def handle_entity_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """Re-fetch the entity, record its state, publish a status change if this delivery found a new one."""
    shared = core()
    tenant = shared.tenants.get(item.tenant_id)
    client = wms_client(tenant)
    entity_type, entity_id = item.payload["entityType"], item.payload["entityId"]

    if entity_type == "CONSIGNMENT":
        consignment = client.get_consignment(entity_id)
        order_id = consignment.generated_from_task.id if consignment.generated_from_task else None
        if order_id:  # tracking on a sale order's consignment is a change of that order
            entity_type, entity_id = "OUTBOUND_ORDER", order_id
        else:
            snapshot = consignment_snapshot(consignment)
    if entity_type == "OUTBOUND_ORDER":
        order = client.get_outbound_order(entity_id)
        consignments = client.consignments_from_order(entity_id) if order.status in ("PACKED", "DISPATCHED") else []
        snapshot = order_snapshot(order, consignments)

    ref = entity_ref(item.tenant_id, entity_type, entity_id)
    digest = fingerprint(snapshot)
    observation = shared.sync_log.observe(
        ref,
        tenant_id=item.tenant_id,
        integration_id=None,
        fingerprint=digest,
        snapshot=snapshot,
        source_modified_at=snapshot["modifiedAt"],
    )
    if not observation.changed:
        current = observation.current or {}
        if current.get("fingerprint") != digest or current.get("publishedFingerprint") == digest:
            shared.sync_log.append(ref.key, "unchanged",
                                   f"Re-fetched {entity_type} {entity_id}: status {snapshot['status']},"
                                   " nothing new since the last change we recorded", attempt=attempt.number)
            return {"changed": False}
        stored_at = parse_iso(current.get("updatedAt") or utc_iso(utcnow()))
        if utcnow() - stored_at < PUBLISH_GRACE:
            raise RetryableError("Another worker recorded this change moments ago and is publishing it;"
                                 " checking again shortly")
        previous = current.get("previousSnapshot") or None
    else:
        previous = observation.previous

    change = StatusChange(
        tenant_id=item.tenant_id,
        entity_type=entity_type,
        entity_id=entity_id,
        wms_record_key=wms_record_key(item.tenant_id, entity_type, entity_id),
        changes=classify(previous, snapshot),
        status=snapshot["status"],
        previous_status=(previous or {}).get("status"),
        customer_reference=snapshot["customerReference"],
        customer_id=snapshot["customerId"],
        warehouse_id=snapshot["warehouseId"],
        tracking=[TrackingInfo.model_validate(t) for t in snapshot["tracking"]],
        modified_at=snapshot["modifiedAt"],
    )
    publish(change, ref, digest)
    return {"changed": True, "changes": change.changes}


def publish(change: StatusChange, ref: RecordRef, digest: str) -> None:
    shared = core()
    enqueue(
        shared.settings.status_change_queue_url,
        WorkItem(
            kind=STATUS_CHANGED,
            tenant_id=change.tenant_id,
            idempotency_key=f"wms-status:{change.wms_record_key}:{digest}",
            sync_key=ref.key,
            payload=change.model_dump(by_alias=True, mode="json"),
            source="wms",
        ),
    )
    shared.sync_log.mark_published(ref.key, digest)
    tracking = ", ".join(t.number for t in change.tracking) or "none"
    shared.sync_log.append(
        ref.key,
        "status-change",
        f"{change.entity_type} {change.entity_id}: {change.previous_status or 'first seen'} → {change.status}"
        f" ({', '.join(change.changes) or 'no subscriber-relevant change'}); tracking: {tracking}",
    )
