"""What changed on a WMS record, decided once however many times and in whatever order we are told.

``wms.entity.changed`` items (from notifications and the pollers) land here. The entity is re-fetched, reduced to
what integrations act on (status and tracking), and recorded with one conditional write on the WMS record
(:meth:`~integrations.core.links.LinkStore.observe`). Only the write that wins publishes a ``wms.event`` item for
the router (:mod:`.routing`), so duplicate, concurrent and out-of-order deliveries produce one event.

A consignment generated from an outbound order is also a change of that order (its tracking is the order's), so a
consignment notification records both.

An invoice can't be re-fetched (the WMS has no public invoice API): its notification carries its state, which is
recorded the same way — ordered by the notification's ``eventTime``, so an older notification arriving late never
replaces a newer state, and the same state twice is one change.

Publishing happens after the winning write. If the worker dies in between, the next delivery finds the stored
fingerprint unpublished and publishes it (after a grace period, so a concurrent winner is not doubled).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from ..core.context import core
from ..core.errors import RetryableError
from ..core.events import (
    CONSIGNMENTS_CHANGED,
    CREATED,
    DISPATCHED,
    PACKED,
    REJECTED,
    STATUS_CHANGED,
    TRACKING_CHANGED,
    InvoiceInfo,
    TrackingInfo,
    WmsEvent,
)
from ..core.records import WmsRef
from ..core.stores.tenants import Tenant
from ..core.timeutil import parse_iso, utc_iso, utcnow
from ..core.workitems import Attempt, WorkItem, enqueue
from .clients import wms_client
from .models import Consignment, OutboundOrder

#: The kind of the items the router (StatusChangeQueue) takes.
EVENT = "wms.event"
#: How long a stored-but-unpublished change is left to the worker that stored it before another publishes it.
PUBLISH_GRACE = timedelta(seconds=60)
PUBLISHED = "publishedFingerprint"
#: Order statuses that are changes of their own; any other new status is STATUS_CHANGED.
NAMED_STATUSES = {"PACKED": PACKED, "DISPATCHED": DISPATCHED, "REJECTED": REJECTED}


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


def invoice_snapshot(invoice_id: str, state: dict[str, Any], event_time: str) -> dict[str, Any]:
    """An invoice as its notification describes it (``InvoiceState`` as queued), at the notification's event time."""
    return {
        "entityType": "INVOICE",
        "entityId": invoice_id,
        "status": state["status"],
        "customerReference": None,
        "customerId": state.get("customerId"),
        "warehouseId": None,
        "tracking": [],
        "invoice": {"number": state.get("number"), "paymentStatus": state["paymentStatus"],
                    "consignmentIds": sorted(set(state.get("consignmentIds") or []))},
        "modifiedAt": utc_iso(parse_iso(event_time)),
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    """What subscribers act on; other edits (notes, lines) don't make an event."""
    essential = {"status": snapshot["status"], "tracking": snapshot["tracking"]}
    if snapshot.get("invoice") is not None:
        essential["invoice"] = {k: v for k, v in snapshot["invoice"].items() if k != "number"}
    return hashlib.sha256(json.dumps(essential, sort_keys=True).encode()).hexdigest()[:32]


def classify_invoice(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    if previous is None:
        return [CREATED]
    changes = []
    before, now = previous.get("invoice") or {}, current["invoice"]
    if current["status"] != previous.get("status") or now["paymentStatus"] != before.get("paymentStatus"):
        changes.append(STATUS_CHANGED)
    if now["consignmentIds"] != before.get("consignmentIds"):
        changes.append(CONSIGNMENTS_CHANGED)
    return changes


def classify(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    if current["entityType"] == "INVOICE":
        return classify_invoice(previous, current)
    changes = []
    if previous is None and current["entityType"] == "CONSIGNMENT":
        changes.append(CREATED)
    before = previous.get("status") if previous else None
    if current["status"] != before and not (previous is None and current["entityType"] == "CONSIGNMENT"):
        changes.append(NAMED_STATUSES.get(current["status"] or "", STATUS_CHANGED))
    if current["tracking"] and current["tracking"] != (previous or {}).get("tracking"):
        changes.append(TRACKING_CHANGED)
    return changes


def handle_entity_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """Re-fetch the entity, record its state, publish a WMS event if this delivery found a new one."""
    tenant = core().tenants.get(item.tenant_id)
    entity_type, entity_id = item.payload["entityType"], item.payload["entityId"]
    if entity_type == "INVOICE":  # nothing to re-fetch: the notification's state, at its event time
        snapshot = invoice_snapshot(entity_id, item.payload["invoice"], item.payload["eventTime"])
        return {"invoice": _record(tenant, snapshot, attempt)}
    client = wms_client(tenant)
    results: dict[str, Any] = {}
    if entity_type == "CONSIGNMENT":
        consignment = client.get_consignment(entity_id)
        results["consignment"] = _record(tenant, consignment_snapshot(consignment), attempt)
        order_id = consignment.generated_from_task.id if consignment.generated_from_task else None
        if not order_id:
            return {"consignment": results["consignment"]}
        entity_id = order_id  # tracking on a sale order's consignment is a change of that order too
    order = client.get_outbound_order(entity_id)
    consignments = client.consignments_from_order(entity_id) if order.status in ("PACKED", "DISPATCHED") else []
    results["order"] = _record(tenant, order_snapshot(order, consignments), attempt)
    return results


def _record(tenant: Tenant, snapshot: dict[str, Any], attempt: Attempt) -> dict[str, Any]:
    stores = core()
    wms = WmsRef(tenant_id=tenant.tenant_id, entity_type=snapshot["entityType"], entity_id=snapshot["entityId"])
    digest = fingerprint(snapshot)
    observation = stores.links.observe(wms.record, tenant_id=tenant.tenant_id, integration_id=None,
                                       fingerprint=digest, snapshot=snapshot,
                                       source_modified_at=snapshot["modifiedAt"])
    if not observation.changed:
        current = observation.current
        if current is None or current.fingerprint != digest or current.memo.get(PUBLISHED) == digest:
            stores.sync_log.append(wms.key, "unchanged",
                                   f"Re-fetched {wms.entity_type} {wms.entity_id}: status {snapshot['status']},"
                                   " nothing new since the last change we recorded", attempt=attempt.number)
            return {"changed": False}
        stored_at = parse_iso(current.updated_at or utc_iso(utcnow()))
        if utcnow() - stored_at < PUBLISH_GRACE:
            raise RetryableError("Another worker recorded this change moments ago and is publishing it;"
                                 " checking again shortly")
        previous = current.previous_snapshot or None
    else:
        previous = observation.previous or None
    event = WmsEvent(
        tenant_id=tenant.tenant_id,
        entity_type=wms.entity_type,
        entity_id=wms.entity_id,
        changes=classify(previous, snapshot),
        status=snapshot["status"],
        previous_status=(previous or {}).get("status"),
        customer_reference=snapshot["customerReference"],
        customer_id=snapshot["customerId"],
        warehouse_id=snapshot["warehouseId"],
        tracking=[TrackingInfo.model_validate(t) for t in snapshot["tracking"]],
        invoice=InvoiceInfo.model_validate(snapshot["invoice"]) if snapshot.get("invoice") else None,
        modified_at=snapshot["modifiedAt"],
        fingerprint=digest,
    )
    publish(event)
    return {"changed": True, "changes": event.changes}


def publish(event: WmsEvent) -> None:
    stores = core()
    wms = event.ref
    tracking = ", ".join(t.number for t in event.tracking) or "none"
    detail = (f"payment {event.invoice.payment_status}; {len(event.invoice.consignment_ids)} consignment(s)"
              if event.invoice is not None else f"tracking: {tracking}")
    # Logged before it is queued: the subscribers' entries ("fan-out", …) must read after it, and they can be
    # written by another worker the moment the item is on the queue.
    stores.sync_log.append(
        wms.key,
        "status-change",
        f"{event.entity_type} {event.entity_id}: {event.previous_status or 'first seen'} → {event.status}"
        f" ({', '.join(event.changes) or 'no subscriber-relevant change'}); {detail}",
    )
    enqueue(
        stores.settings.status_change_queue_url,
        WorkItem(kind=EVENT, tenant_id=event.tenant_id, idempotency_key=f"wms-event:{wms.key}:{event.fingerprint}",
                 record=wms.record, payload=event.model_dump(by_alias=True, mode="json"), source="wms"),
    )
    stores.links.remember(wms.record, PUBLISHED, event.fingerprint)
