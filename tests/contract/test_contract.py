"""The contract every connector passes (issue 8, point 7), run once per connector with its kit.

Each test states one promise of the frame in a platform's terms: configuration steps, the door, duplicates and
concurrency, the poll cursor, upstream faults, the one failure path and its retry, WMS events, and backfill.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from datetime import timedelta

import pytest
from integrations.core import backfill
from integrations.core.context import core
from integrations.core.integration_types import CredentialsRejected
from integrations.core.records import LinkStatus
from integrations.core.retry import retry_from_sync_log
from integrations.core.timeutil import utc_iso, utcnow
from integrations.core.workitems import WorkItem, enqueue
from pydantic import BaseModel, ValidationError

from local.lambda_runtime import LambdaContext, QueuePump

from .kit import ConnectorKit, Delivery


def post(kit: ConnectorKit, integration_id: str, delivery: Delivery):
    return kit.w.service.http("POST", kit.door_path(integration_id), headers=delivery.headers, body=delivery.body,
                              query=delivery.query)


def state(kit: ConnectorKit) -> tuple[int, int]:
    """What a refused request must leave as it was: the connector's queue and the sync table."""
    return kit.w.service.queue_depth(kit.connector.queue), len(kit.w.service.scan("SyncTable"))


def needs(condition: bool, why: str) -> None:
    if not condition:
        pytest.skip(why)


# --- configuration ------------------------------------------------------------------------------------------------


def test_step_models_speak_camel_case_and_refuse_unknown_fields(kit):
    integration_type = kit.connector.load_integration_type()
    examples = {integration_type.credentials_model: kit.credentials(),
                integration_type.order_settings_model: kit.order_settings(),
                integration_type.fulfilment_settings_model: kit.fulfilment_settings()}
    for model, example in examples.items():
        assert issubclass(model, BaseModel)
        names = list(model.model_json_schema(by_alias=True).get("properties", {}))
        assert all("_" not in name for name in names), f"{model.__name__} fields must be camelCase: {names}"
        model.model_validate(example)
        with pytest.raises(ValidationError) as refused:
            model.model_validate({**example, "colour": "red"})
        assert [e["loc"] for e in refused.value.errors()] == [("colour",)]


def test_good_credentials_are_accepted_and_bad_ones_refused_naming_the_field(kit):
    integration_type = kit.connector.load_integration_type()
    tenant = core().tenants.get(kit.w.tenant.tenant_id)
    facts = integration_type.check_credentials(tenant, integration_type.credentials_model.model_validate(
        kit.credentials()))
    assert isinstance(facts, dict)
    for body, field in kit.bad_credentials():
        with pytest.raises(CredentialsRejected) as refused:
            integration_type.check_credentials(tenant, integration_type.credentials_model.model_validate(body))
        assert refused.value.field == field and refused.value.resolution


def test_start_is_idempotent_and_stop_tolerates_what_is_already_gone(kit):
    integration = kit.connect()
    integration_type = kit.connector.load_integration_type()
    registered = kit.triggers(integration)
    integration_type.start(kit.context(integration))
    integration_type.start(kit.context(integration))
    assert kit.triggers(integration) == registered
    kit.remove_triggers_on_platform(integration)
    integration_type.stop(kit.context(integration))
    integration_type.stop(kit.context(integration))
    assert kit.triggers(integration) == 0


# --- the door -----------------------------------------------------------------------------------------------------

BAD_DELIVERIES = ["forged", "missing", "non-ascii", "tampered", "stale", "unknown-integration",
                  "deleted-integration", "deeply-nested", "not-json", "utf-16", "byte-order-mark"]


@pytest.mark.parametrize("case", BAD_DELIVERIES)
def test_the_door_answers_4xx_to_bad_deliveries_and_changes_nothing(kit, case):
    needs(bool(kit.connector.doors), "the connector has no door")
    needs(case != "stale" or kit.signs_timestamps, "the platform's signature carries no timestamp")
    integration = kit.connect()
    record = kit.new_record(lose_deliveries=True)
    [genuine, *_] = kit.deliveries(integration, record)
    path_id = integration.integration_id
    if case in kit.forgeries(integration, genuine):
        delivery = kit.forgeries(integration, genuine)[case]
    elif case == "unknown-integration":
        delivery, path_id = genuine, str(uuid.uuid4())
    elif case == "deleted-integration":
        kit.connector.load_integration_type().stop(kit.context(integration))
        from integrations.core.integration_types import IntegrationStatus

        stored = core().integrations.get(integration.integration_id)
        core().integrations.save(stored.model_copy(update={"status": IntegrationStatus.DELETED}), previous=stored)
        delivery = genuine
    elif case == "deeply-nested":
        delivery = kit.signed(integration, b"[" * 5000 + b"]" * 5000)
    elif case == "not-json":
        delivery = kit.signed(integration, b"order=42&status=processing")
    elif case == "utf-16":
        delivery = kit.signed(integration, genuine.body.decode().encode("utf-16"))
    elif case == "byte-order-mark":
        delivery = kit.signed(integration, b"\xef\xbb\xbf" + genuine.body)
    else:
        pytest.skip(f"{case} does not apply to {kit.key}'s deliveries (its kit says why)")
    before = state(kit)
    answer = post(kit, path_id, delivery)
    assert 400 <= answer.status < 500, (case, answer.status, answer.body)
    assert answer.headers.get("Content-Type", "").startswith("application/problem+json")
    assert state(kit) == before


def test_a_warm_door_accepts_a_delivery_for_an_integration_finished_a_moment_ago(kit):
    needs(bool(kit.connector.doors), "the connector has no door")
    draft = kit.draft()
    # The door (warm) sees the integration before it is finished: nothing can verify yet, so it refuses…
    early = post(kit, draft.integration_id, Delivery({}, b"{}"))
    assert 400 <= early.status < 500
    # …then it is finished in another Lambda (the management API), and the platform's first delivery arrives.
    integration = kit.finish(draft)
    record = kit.new_record(lose_deliveries=True)
    [genuine, *_] = kit.deliveries(integration, record)
    assert post(kit, integration.integration_id, genuine).status == kit.accepted


# --- duplicates, concurrency, the cursor ----------------------------------------------------------------------------


def work_concurrently(kit: ConnectorKit) -> None:
    """Every message now on the connector's queue, each taken by its own worker at the same time."""
    service = kit.w.service
    queue = service.stack.queues[kit.connector.queue]
    spec = service.stack.functions[kit.connector.worker]
    pump = QueuePump(service.sqs, queue, service.stack.queue_arns[kit.connector.queue],
                     service.handlers[kit.connector.worker], spec, fast_retry=True)
    messages = service.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                           MessageSystemAttributeNames=["All"]).get("Messages", [])

    def work(message):
        with contextlib.suppress(Exception):  # a batch of one that lost the race raises; SQS brings it back
            pump.handler({"Records": [pump._record(message)]}, LambdaContext(function_name=spec.logical_id))

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for message in messages:
        service.sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"],
                                              VisibilityTimeout=0)


def test_duplicate_and_concurrent_triggers_make_one_counterpart(kit):
    integration = kit.connect()
    record = kit.new_record(lose_deliveries=True)
    for _ in range(3):
        kit.trigger(integration, record)
    if kit.connector.poller:
        kit.poll()
        kit.w.service.pump(kit.connector.queue, rounds=1)  # the poll itself, which queues its own copy
    work_concurrently(kit)
    kit.pump()
    assert len(kit.counterparts()) == 1
    assert kit.counterpart_of(integration, record) == kit.counterparts()[0]["id"]
    assert kit.w.service.queue_depth(kit.connector.queue.removesuffix("Queue") + "DeadLetterQueue") == 0


def test_the_poll_cursor_only_moves_forward(kit):
    needs(kit.connector.poller is not None, "the connector has no poller")
    integration = kit.connect()
    kit.new_record(lose_deliveries=True)
    kit.poll({"scheduledTime": "2026-11-30T00:00:00Z"})
    kit.pump()
    key = kit.safety_net_cursor(integration)
    first = core().cursors.get(key)
    assert first is not None and len(kit.counterparts()) == 1
    assert core().cursors.advance(key, utc_iso(utcnow() - timedelta(days=1))) is False
    kit.poll({"scheduledTime": "2026-11-30T00:05:00Z"})
    kit.pump()
    assert core().cursors.get(key) >= first
    kit.new_record(lose_deliveries=True)
    kit.poll({"scheduledTime": "2026-11-30T00:10:00Z"})
    kit.pump()
    assert core().cursors.get(key) >= first and len(kit.counterparts()) == 2


# --- faults and the one failure path --------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_retried_and_nothing_is_lost_or_doubled(kit):
    integration = kit.connect()
    record = kit.new_record(lose_deliveries=True)
    since = len(kit.sandbox.request_log)
    kit.fault(429, count=2, retry_after=1)
    kit.trigger(integration, record)
    kit.pump()
    assert len(kit.counterparts()) == 1 and kit.counterpart_of(integration, record)
    # The platform really answered 429 twice, and after each it heard nothing from us for its Retry-After (1 s).
    served = kit.sandbox.timed_request_log[since:]
    throttled = [n for n, (_, _, status, _) in enumerate(served) if status == 429]
    assert len(throttled) == 2, served
    for n in throttled:
        assert n + 1 < len(served), f"the 429 to {served[n][1]} was never retried"
        waited = served[n + 1][3] - served[n][3]
        assert waited >= 1.0, f"the call after the 429 to {served[n][1]} came {waited:.3f} s later, not 1 s"


def test_a_401_needs_attention_with_a_resolution_and_the_retry_reaches_the_connectors_queue(kit):
    integration = kit.connect()
    record = kit.new_record(lose_deliveries=True)
    kit.revoke()
    kit.trigger(integration, record)
    kit.pump()
    key = kit.record_key(integration, record)
    link, entries = core().sync_log.history(key)
    assert link.status is LinkStatus.NEEDS_ATTENTION and link.resolution and link.last_error
    assert [e.event for e in entries].count("error") == 1
    assert kit.w.service.queue_depth(kit.connector.queue.removesuffix("Queue") + "DeadLetterQueue") == 0
    kit.restore()
    retry = retry_from_sync_log(key)
    [queued] = kit.w.service.messages(kit.connector.queue)
    assert queued["idempotencyKey"] == retry.idempotency_key and queued["source"] == "retry"
    kit.pump()
    assert kit.counterpart_of(integration, record) and core().links.find(link.ref).status is LinkStatus.SYNCED


# --- WMS events -----------------------------------------------------------------------------------------------------


def test_the_same_wms_event_applied_twice_writes_once(kit):
    needs(bool(kit.connector.subscribes), "the connector subscribes to no WMS event")
    integration = kit.connect()
    record = kit.new_record()
    kit.pump()
    kit.change_in_wms(integration, record)
    for notification in kit.w.notifications.sent[kit.w.delivered:]:
        from tests.functional.wms_helpers import deliver

        deliver(kit.w.service, notification)
    kit.w.delivered = len(kit.w.notifications.sent)
    kit.w.service.pump("WmsQueue")
    [event] = [m for m in kit.w.service.messages("StatusChangeQueue")]
    kit.pump()
    writes = kit.platform_writes()
    assert writes > 0
    again = WorkItem.model_validate(event).model_copy(update={"idempotency_key": "applied-again"})
    enqueue(kit.w.service.stack.queues["StatusChangeQueue"], again)
    kit.pump()
    assert kit.platform_writes() == writes


# --- backfill -------------------------------------------------------------------------------------------------------


def test_a_backfill_over_a_window_equals_live_sync(kit):
    needs(kit.connector.reads_from_platform, "the connector reads nothing from its platform")
    integration = kit.connect()
    start = utcnow() - timedelta(minutes=5)
    live = [kit.new_record() for _ in range(2)]
    kit.pump()
    lost = [kit.new_record(lose_deliveries=True) for _ in range(2)]
    assert len(kit.counterparts()) == 2
    started = backfill.start(kit.connector, integration, start, utcnow() + timedelta(seconds=1))
    kit.pump()
    made = kit.counterparts()
    assert len(made) == 4  # the two lost ones made; the two live ones not made again
    by_id = {order["id"]: order for order in made}
    for record in live + lost:
        assert kit.counterpart_of(integration, record) in by_id
    done = backfill.get(integration.integration_id, kit.key, started.backfill_id)
    assert done.status is backfill.BackfillStatus.DONE and done.queued == 4 and done.pages >= 1
    # what backfill made reads like what live sync made (same mapping, same references)
    shape = [{k: v for k, v in json.loads(json.dumps(by_id[kit.counterpart_of(integration, r)])).items()
              if k in ("customer", "warehouse", "type")} for r in live + lost]
    assert all(s == shape[0] for s in shape)
