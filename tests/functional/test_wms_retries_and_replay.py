"""Failures: retried with backoff and logged per attempt, then dead-lettered with what to do; replay brings them
back; errors a person must fix are not retried but marked with a resolution."""

from __future__ import annotations

import uuid

from integrations.core.replay import replay
from integrations.core.workitems import WorkItem

from .conftest import log_of, signed, wms_key
from .wms_helpers import deliver, place_order


def test_a_wms_outage_retries_then_dead_letters_then_replays_to_one_change(service, wms, tenant,
                                                                           sent_notifications):
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-1")
    wms.inject_fault(status=503, count=1000, path_pattern=r"/outbound-orders/")
    assert deliver(service, sent_notifications.sent[-1]).status == 202

    service.pump("WmsQueue")

    assert service.queue_depth("WmsQueue") == 0
    assert service.queue_depth("WmsDeadLetterQueue") == 1
    assert service.queue_depth("StatusChangeQueue") == 0
    link, entries = log_of(wms_key(tenant.tenant_id, "OUTBOUND_ORDER", order_id))
    attempts = [e for e in entries if e["event"] in ("retry", "dead-lettered")]
    assert [e["attempt"] for e in attempts] == [1, 2, 3, 4, 5]
    assert attempts[0]["event"] == "retry" and "503" in attempts[0]["error"] and "503" in attempts[0]["message"]
    assert attempts[-1]["event"] == "dead-lettered"
    assert attempts[-1]["message"].startswith("Gave up after 5 attempts: CartonCloud answered 503")
    assert "CartonCloud kept failing" in attempts[-1]["resolution"]
    assert "operator was alerted" in attempts[-1]["resolution"]

    # The WMS recovers; ops replay the dead letters.
    wms.clear_faults()
    moved = replay(service.stack.queues["WmsDeadLetterQueue"], service.stack.queues["WmsQueue"])
    assert moved == 1
    service.pump("WmsQueue")
    changes = service.messages("StatusChangeQueue")
    assert [c["payload"]["changes"] for c in changes] == [["DISPATCHED", "TRACKING_CHANGED"]]
    assert service.queue_depth("WmsDeadLetterQueue") == 0


def test_a_429_storm_loses_nothing_and_doubles_nothing(service, wms, tenant, sent_notifications):
    orders = [place_order(tenant, f"WOO-{n}") for n in range(5)]
    for order_id in orders:
        wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED")
    wms.inject_fault(status=429, percent=60, seed=4447)  # as CartonCloud documents it: no Retry-After
    for notification in sent_notifications.sent:
        assert deliver(service, notification).status == 202
    service.pump("WmsQueue", rounds=200)
    wms.clear_faults()
    service.pump("WmsQueue")  # anything still backing off after the storm

    changes = service.messages("StatusChangeQueue")
    assert sorted(c["payload"]["entityId"] for c in changes) == sorted(orders)
    assert service.queue_depth("WmsDeadLetterQueue") == 0


def test_an_entity_the_wms_does_not_know_needs_attention_and_is_not_retried(service, tenant):
    missing = str(uuid.uuid4())
    body = {"id": "n-404", "tenantId": tenant.tenant_id, "entityType": "OUTBOUND_ORDER", "entityId": missing,
            "eventTime": "2026-11-21T10:15:00+10:00"}
    headers, raw = signed(tenant.notification_secret, body)
    assert service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers=headers, body=raw).status == 202

    assert service.pump("WmsQueue") == 1  # one receive: not retried

    assert service.queue_depth("WmsQueue") == 0 and service.queue_depth("WmsDeadLetterQueue") == 0
    link, entries = log_of(wms_key(tenant.tenant_id, "OUTBOUND_ORDER", missing))
    assert link["status"] == "NEEDS_ATTENTION"
    assert "404" in link["lastError"]
    assert link["resolution"] == "Check the record still exists in CartonCloud."
    assert link["lastWorkItem"]  # kept, so a retry after the fix is possible
    assert entries[-1]["event"] == "error"


def _received_with_groups(service, queue: str) -> list[tuple[str, str | None]]:
    """Every message body on ``queue`` (consumed) with the ``MessageGroupId`` SQS delivers it under."""
    url, found = service.stack.queues[queue], []
    while batch := service.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               MessageSystemAttributeNames=["MessageGroupId"]).get("Messages", []):
        found += [(m["Body"], m.get("Attributes", {}).get("MessageGroupId")) for m in batch]
    return found


def test_a_replayed_dead_letter_keeps_its_fair_queue_group(service, wms, tenant, sent_notifications):
    """Issue 20, point 12: a dead-lettered item goes back to its source queue under the same MessageGroupId, so
    the fair queue still counts it in its customer's (here: its tenant's) share."""
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-1")
    wms.inject_fault(status=503, count=1000, path_pattern=r"/outbound-orders/")
    assert deliver(service, sent_notifications.sent[-1]).status == 202
    service.pump("WmsQueue")
    assert service.queue_depth("WmsDeadLetterQueue") == 1

    assert replay(service.stack.queues["WmsDeadLetterQueue"], service.stack.queues["WmsQueue"]) == 1

    [(body, group)] = _received_with_groups(service, "WmsQueue")
    assert group == WorkItem.model_validate_json(body).fair_group == f"{tenant.tenant_id}#integration#-"


def test_a_dead_letter_without_a_group_is_replayed_under_its_work_items_group(service, tenant):
    """A dead letter that carries no group (sent before fair queues, or moved by hand) takes its work item's."""
    item = WorkItem(kind="wms.notification", tenant_id=tenant.tenant_id, customer_id="cust-7",
                    idempotency_key="replay-group", source="notification")
    service.sqs.send_message(QueueUrl=service.stack.queues["WmsDeadLetterQueue"], MessageBody=item.to_message())
    service.sqs.send_message(QueueUrl=service.stack.queues["WmsDeadLetterQueue"], MessageBody="not a work item")

    assert replay(service.stack.queues["WmsDeadLetterQueue"], service.stack.queues["WmsQueue"]) == 2

    groups = dict(_received_with_groups(service, "WmsQueue"))
    assert groups[item.to_message()] == f"{tenant.tenant_id}#customer#cust-7"
    assert groups["not a work item"] is None  # nothing to derive a group from: replayed as it was
