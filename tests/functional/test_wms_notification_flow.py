"""Issue 2, done-criteria: a signed WMS notification flows through queue and worker into the sync log; bad
signatures get 401 and queue nothing; three concurrent copies make one status change; the AWS request budget."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from integrations.core import aws
from integrations.core.context import core

from tests import documented

from .conftest import log_of, signed, wms_key
from .wms_helpers import deliver, place_order

PAGE = "wms-notifications.md"  # its "AWS request budget": what one notification costs


def notification_for(tenant, order_id, **overrides):
    return {"id": str(uuid.uuid4()), "tenantId": tenant.tenant_id, "entityType": "OUTBOUND_ORDER",
            "entityId": order_id, "eventTime": "2026-11-21T10:15:00+10:00", "event": "STATUS_CHANGED"} | overrides


def history(tenant, order_id):
    return log_of(wms_key(tenant.tenant_id, "OUTBOUND_ORDER", order_id))


def test_signed_notification_flows_through_queue_and_worker_into_the_sync_log(service, wms, tenant,
                                                                              sent_notifications):
    # GIVEN an order the WMS user packs, with a tracking number, which makes the WMS notify us
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED", tracking_number="TRK-100", carrier="Aramex",
                   tracking_url="https://track.example/TRK-100")
    assert len(sent_notifications.sent) == 1

    # WHEN the notification arrives and the queues are worked
    response = deliver(service, sent_notifications.sent[0])
    assert response.status == 202, response.body
    assert service.pump("WmsQueue") == 1
    changes = service.messages("StatusChangeQueue")
    assert service.pump("StatusChangeQueue") == 1

    # THEN one status change names what changed, and the order's sync log tells the story
    assert [c["payload"]["changes"] for c in changes] == [["PACKED", "TRACKING_CHANGED"]]
    assert changes[0]["payload"]["tracking"][0]["number"] == "TRK-100"
    link, entries = history(tenant, order_id)
    assert link["status"] == "SYNCED" and link["snapshot"]["status"] == "PACKED"
    assert [e["event"] for e in entries] == ["notification", "status-change", "fan-out"]
    assert "first seen → PACKED" in entries[1]["message"]
    assert "no live integration of this customer subscribes to it" in entries[2]["message"]


@pytest.mark.parametrize("case", ["missing", "wrong-secret", "tampered", "stale", "unknown-tenant", "no-secret"])
def test_bad_or_missing_signature_gets_401_and_nothing_is_queued(service, tenant, case):
    body = notification_for(tenant, str(uuid.uuid4()))
    headers, raw = signed(tenant.notification_secret, body)
    path = f"/wms/{tenant.tenant_id}/notifications"
    if case == "missing":
        headers = {}
    elif case == "wrong-secret":
        headers, raw = signed("not-the-secret", body)
    elif case == "tampered":
        raw = raw.replace(b"OUTBOUND_ORDER", b"CONSIGNMENT")
    elif case == "stale":
        headers, raw = signed(tenant.notification_secret, body, at=int(time.time()) - 301)
    elif case == "unknown-tenant":
        path = f"/wms/{uuid.uuid4()}/notifications"
    elif case == "no-secret":
        stores = core()
        stored = stores.tenants.get(tenant.tenant_id)
        stores.tenants.put(stored.model_copy(update={"notification_secret": None}))

    response = service.http("POST", path, headers=headers, body=raw)

    assert response.status == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Signature verification failed"
    assert service.queue_depth("WmsQueue") == 0
    assert service.scan("SyncTable") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"entityType": "PRODUCT"}, "entityType"),
        ({"entityType": "INVOICE"}, "invoice"),  # an invoice can't be re-fetched: its notification carries it
        ({"invoice": {"status": "APPROVED", "paymentStatus": "PAID", "consignmentIds": []}}, "invoice"),
        ({"eventTime": "2026-11-21T10:15:00"}, "eventTime"),
        ({"entityId": ""}, "entityId"),
        ({"id": None}, "id"),
        ({"tenantId": "another-tenant"}, "tenantId"),
        # issue 9, point 9: outside the contract, though signed
        ({"eventTime": 1763700000}, "eventTime"),           # a number is not a time with a zone
        ({"eventTime": "1763700000"}, "eventTime"),
        ({"entityId": "\u0000"}, "entityId"),              # not a WMS id: never queued to GET /outbound-orders/<NUL>
        ({"entityId": "../../customers"}, "entityId"),
        ({"id": "n-1\nX-Injected: 1"}, "id"),
        # issue 20 (negative fuzzing): the pattern's shape but no instant — each was a 500 once signed
        ({"eventTime": "2026-13-21T10:15:00+10:00"}, "eventTime"),
        ({"eventTime": "2026-11-21T25:15:00Z"}, "eventTime"),
        ({"eventTime": "2026-11-21T10:15:00+99:00"}, "eventTime"),
        ({"eventTime": "0001-01-01T00:00:00+01:00"}, "eventTime"),  # no UTC equivalent (was an OverflowError)
        ({"eventTime": "1999-12-31T23:59:59Z"}, "eventTime"),        # before the service's range
    ],
)
def test_invalid_notification_body_gets_400_naming_the_field_and_changes_nothing(service, tenant, change, field):
    body = {k: v for k, v in (notification_for(tenant, str(uuid.uuid4())) | change).items() if v is not None}
    headers, raw = signed(tenant.notification_secret, body)
    response = service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers=headers, body=raw)
    assert response.status == 400, response.body
    assert field in [e["field"] for e in response.json()["errors"]]
    assert service.queue_depth("WmsQueue") == 0
    assert service.scan("SyncTable") == []


def test_openapi_doors_yaml_takes_what_the_door_takes_and_forbids_what_it_refuses(service, tenant):
    """Issue 20 (negative fuzzing): the door takes null for what is optional (``event``, a non-invoice's ``invoice``,
    an invoice's ``number`` and ``customerId``), which openapi/doors.yaml forbade; the document now says so, and
    what the door refuses stays outside it."""
    from pathlib import Path

    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "doors.yaml").read_text())
    registry = Registry().with_resource("urn:doors", Resource(contents=document, specification=DRAFT202012))
    request_schema = Draft202012Validator({"$ref": "urn:doors#/components/schemas/WmsNotification"},
                                          registry=registry)
    invoice = {"status": "APPROVED", "paymentStatus": "PAID", "consignmentIds": []}
    for change, status in (({"event": None, "invoice": None}, 202),
                           ({"entityType": "INVOICE", "invoice": {**invoice, "number": None, "customerId": None}}, 202),
                           ({"entityType": "INVOICE", "invoice": None}, 400),
                           ({"invoice": invoice}, 400),
                           ({"event": 5}, 400),
                           ({"entityType": "INVOICE", "invoice": {**invoice, "number": ""}}, 400)):
        body = notification_for(tenant, str(uuid.uuid4())) | change
        headers, raw = signed(tenant.notification_secret, body)
        response = service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers=headers, body=raw)
        assert response.status == status, (change, response.body)
        assert request_schema.is_valid(body) == (status < 400), change


@pytest.mark.parametrize("case", ["not-json", "deeply-nested", "utf-16", "byte-order-mark", "not-an-object"])
def test_a_signed_body_that_is_not_a_json_object_in_utf8_is_a_400(service, tenant, case):
    good = json.dumps(notification_for(tenant, str(uuid.uuid4())))
    raw = {"not-json": b"{not json", "deeply-nested": b"[" * 5000 + b"]" * 5000,
           "utf-16": good.encode("utf-16"), "byte-order-mark": b"\xef\xbb\xbf" + good.encode(),
           "not-an-object": b"[1, 2]"}[case]
    headers, raw = signed(tenant.notification_secret, raw)
    response = service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers=headers, body=raw)
    assert response.status == 400, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert service.queue_depth("WmsQueue") == 0
    assert service.scan("SyncTable") == []


@pytest.mark.parametrize(("header", "value"), [
    ("X-Notification-Timestamp", "1" * 310),      # issue 9, point 1: was an OverflowError (500)
    ("X-Notification-Timestamp", "١٧٦٣٧٠٠٠٠٠"),   # digits, but not ASCII ones
    ("X-Notification-Timestamp", "-1"),
    ("X-Notification-Signature", "v1=é"),         # issue 9, point 2: was a TypeError (500)
    ("X-Notification-Signature", "v1=" + "ü" * 64),
])
def test_a_hostile_signature_header_is_a_401_not_a_500(service, tenant, header, value):
    headers, raw = signed(tenant.notification_secret, notification_for(tenant, str(uuid.uuid4())))
    response = service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers={**headers, header: value},
                            body=raw)
    assert response.status == 401, response.body
    assert service.queue_depth("WmsQueue") == 0


def test_same_notification_three_times_concurrently_makes_one_status_change(service, wms, tenant,
                                                                            sent_notifications):
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-7",
                                  carrier="StarTrack")
    notification = sent_notifications.sent[-1]

    # Three deliveries of the same notification at once…
    results = []
    threads = [threading.Thread(target=lambda: results.append(deliver(service, notification))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in results] == [202, 202, 202]

    # …worked by three concurrent worker invocations (one message each), then retried until the queue is empty.
    messages = service.sqs.receive_message(QueueUrl=service.stack.queues["WmsQueue"], MaxNumberOfMessages=10,
                                           MessageSystemAttributeNames=["All"])["Messages"]
    assert len(messages) == 3
    from local.lambda_runtime import QueuePump

    spec = service.stack.functions["WmsWorkerFunction"]
    pump = QueuePump(service.sqs, service.stack.queues["WmsQueue"], service.stack.queue_arns["WmsQueue"],
                     service.handlers["WmsWorkerFunction"], spec, fast_retry=True)
    outcomes: list[str] = []

    def work(message):
        # A copy that finds its twin in progress fails its batch (BatchProcessingError), as a Lambda would.
        try:
            pump.handler({"Records": [pump._record(message)]}, _context(spec))
            outcomes.append("done")
        except BatchProcessingError:
            outcomes.append("retry")

    workers = [threading.Thread(target=work, args=(m,)) for m in messages]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert "done" in outcomes and len(outcomes) == 3
    for message in messages:  # whatever the concurrent runs left undone comes back, as SQS would bring it back
        service.sqs.change_message_visibility(QueueUrl=service.stack.queues["WmsQueue"],
                                              ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    service.pump("WmsQueue")

    changes = service.messages("StatusChangeQueue")
    assert len(changes) == 1
    assert changes[0]["payload"]["changes"] == ["DISPATCHED", "TRACKING_CHANGED"]


def test_out_of_order_notifications_make_one_change_to_the_current_state(service, wms, tenant, sent_notifications):
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED")
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-9")
    packed, dispatched = sent_notifications.sent[-2:]
    # The later notification arrives first; the earlier one after it.
    assert deliver(service, dispatched).status == 202
    assert deliver(service, packed).status == 202
    service.pump("WmsQueue")
    changes = service.messages("StatusChangeQueue")
    assert [c["payload"]["status"] for c in changes] == ["DISPATCHED"]
    _, entries = history(tenant, order_id)
    assert Counter(e["event"] for e in entries)["unchanged"] == 1


def test_aws_request_budget_per_notification(service, wms, tenant, sent_notifications):
    """Every AWS call our code makes for one notification, from HTTP request to fan-out (docs/wms-notifications.md).

    Warm caches (tenant, decrypted secrets, queue URLs) are the steady state, so one notification warms them first.
    """
    warm_order = place_order(tenant, "WARM-1")
    wms.set_outbound_order_status(tenant.tenant_id, warm_order, "PACKED")
    deliver(service, sent_notifications.sent[-1])
    service.pump("WmsQueue")
    service.pump("StatusChangeQueue")

    order_id = place_order(tenant, "WOO-2002")
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED", tracking_number="TRK-2")
    calls: list[tuple[str, str]] = []
    aws.add_request_listener(lambda service_name, operation: calls.append((service_name, operation)))
    try:
        assert deliver(service, sent_notifications.sent[-1]).status == 202
        service.pump("WmsQueue")
        service.pump("StatusChangeQueue")
    finally:
        aws._listeners.clear()
    counted = Counter(f"{s}:{o}" for s, o in calls)
    # The page's table of steps, summed per operation (sync log ×3, idempotency ×2 put and completed, the conditional
    # state write, mark published, the customer's integrations, the work item and the status change), and its budget.
    assert counted == documented.steps_table(PAGE, "**Budget:"), json.dumps(counted)
    assert sum(counted.values()) == documented.stated(PAGE, r"\*\*Budget: (\d+) requests per notification")


def _context(spec):
    from local.lambda_runtime import LambdaContext

    return LambdaContext(function_name=spec.logical_id, timeout_seconds=spec.timeout)
