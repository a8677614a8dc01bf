"""The contract every connector passes (issue 8, point 7), run once per connector with its kit.

Each test states one promise of the frame in a platform's terms: configuration steps, the door, duplicates and
concurrency, the poll cursor, upstream faults, the one failure path and its retry, WMS events, and backfill.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import uuid
from datetime import timedelta

import pytest
from integrations.core import backfill, live_check
from integrations.core.context import core
from integrations.core.integration_types import CredentialsRejected
from integrations.core.records import LinkStatus
from integrations.core.sync_log_retry import retry_from_sync_log
from integrations.core.timeutil import utc_iso, utcnow
from integrations.core.worker import Worker
from integrations.core.workitems import WorkItem, enqueue
from pydantic import BaseModel, ValidationError

from local.lambda_runtime import LambdaContext, QueuePump

from .kit import ConnectorKit, Delivery


def post(kit: ConnectorKit, integration_id: str, delivery: Delivery):
    return kit.world.service.http("POST", kit.door_path(integration_id), headers=delivery.headers, body=delivery.body,
                              query=delivery.query)


def state(kit: ConnectorKit) -> tuple[int, int]:
    """What a refused request must leave as it was: the connector's queue and the sync table."""
    return kit.world.service.queue_depth(kit.connector.queue), len(kit.world.service.scan("SyncTable"))


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
    tenant = core().tenants.get(kit.world.tenant.tenant_id)
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
                  "deleted-integration", "deeply-nested", "not-json", "utf-16", "byte-order-mark",
                  "sent-as-text-plain", "sent-without-content-type"]


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
        from integrations.core.integration_record import IntegrationStatus

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
    elif case in ("sent-as-text-plain", "sent-without-content-type"):  # genuine and signed, but not sent as JSON
        others = {name: value for name, value in genuine.headers.items() if name.lower() != "content-type"}
        media = "text/plain" if case == "sent-as-text-plain" else None
        delivery = dataclasses.replace(genuine, headers={**others, "content-type": media})
    else:
        pytest.skip(f"{case} does not apply to {kit.key}'s deliveries (its kit says why)")
    before = state(kit)
    answer = post(kit, path_id, delivery)
    assert 400 <= answer.status < 500, (case, answer.status, answer.body)
    if case.startswith("sent-"):
        assert answer.status == 415 and answer.json()["errors"][0]["field"] == "Content-Type", answer.body
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
    service = kit.world.service
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
        kit.world.service.pump(kit.connector.queue, rounds=1)  # the poll itself, which queues its own copy
    work_concurrently(kit)
    kit.pump()
    assert len(kit.counterparts()) == 1
    assert kit.counterpart_of(integration, record) == kit.counterparts()[0]["id"]
    assert kit.world.service.queue_depth(kit.connector.queue.removesuffix("Queue") + "DeadLetterQueue") == 0


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
        if not kit.sends_retry_after:
            continue  # a 429 without Retry-After is retried after the policy's own backoff (unit-tested pacing)
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
    assert kit.world.service.queue_depth(kit.connector.queue.removesuffix("Queue") + "DeadLetterQueue") == 0
    kit.restore()
    retry = retry_from_sync_log(key)
    [queued] = kit.world.service.messages(kit.connector.queue)
    assert queued["idempotencyKey"] == retry.idempotency_key and queued["source"] == "retry"
    kit.pump()
    assert kit.counterpart_of(integration, record) and core().links.find(link.ref).status is LinkStatus.SYNCED


# --- WMS events -----------------------------------------------------------------------------------------------------


def test_an_unexpected_exception_in_a_handler_reaches_the_sync_log_in_words_and_can_be_retried(kit, monkeypatch):
    """Issue 21: a bug — here an ``assert`` failing, an AssertionError with no message — fails every attempt. Each
    attempt's entry and the last say what failed, where, and that the operator has it (never an empty line); then
    the record needs attention with its work item kept, and a retry from the log after the fix makes it."""
    integration = kit.connect()
    record = kit.new_record(lose_deliveries=True)
    ours, real = kit.connector.queue, Worker.handlers

    def broken(self: Worker):  # the connector's own handlers, each failing as a bare assert does
        table = real.fget(self)  # type: ignore[attr-defined]

        def fault(item, attempt):
            raise AssertionError
        return {kind: fault for kind in table} if self.name == ours else table

    monkeypatch.setattr(Worker, "handlers", property(broken))
    kit.trigger(integration, record)
    kit.pump()
    key = kit.record_key(integration, record)
    link, entries = core().sync_log.history(key)
    said = f"Unexpected error in the {kit.connector.title} connector (AssertionError: no message); reported to the " \
           "operator"
    attempts = [e for e in entries if e.event in ("retry", "dead-lettered")]
    assert [e.attempt for e in attempts] == [1, 2, 3, 4, 5], [(e.event, e.message) for e in entries]
    assert all(e.error == said and said in e.message and e.resolution for e in attempts)
    assert attempts[-1].event == "dead-lettered" and "retry it from this log" in attempts[-1].resolution
    assert link.status is LinkStatus.NEEDS_ATTENTION and link.last_error == said and link.last_work_item
    assert kit.world.service.queue_depth(ours.removesuffix("Queue") + "DeadLetterQueue") == 1

    monkeypatch.setattr(Worker, "handlers", real)  # the operator's fix is deployed
    retry_from_sync_log(key)
    kit.pump()
    assert kit.counterpart_of(integration, record) and core().links.find(link.ref).status is LinkStatus.SYNCED


def test_the_same_wms_event_applied_twice_writes_once(kit):
    needs(bool(kit.connector.subscribes), "the connector subscribes to no WMS event")
    integration = kit.connect()
    record = kit.new_record()
    kit.pump()
    kit.change_in_wms(integration, record)
    for notification in kit.world.notifications.sent[kit.world.delivered:]:
        from tests.functional.wms_helpers import deliver

        deliver(kit.world.service, notification)
    kit.world.delivered = len(kit.world.notifications.sent)
    kit.world.service.pump("WmsQueue")
    [event] = [m for m in kit.world.service.messages("StatusChangeQueue")]
    kit.pump()
    writes = kit.platform_writes()
    assert writes > 0
    again = WorkItem.model_validate(event).model_copy(update={"idempotency_key": "applied-again"})
    enqueue(kit.world.service.stack.queues["StatusChangeQueue"], again)
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


# --- the live check (issue 21) ----------------------------------------------------------------------------------


def test_the_live_check_reports_exactly_the_truth_of_the_sandboxs_dialect(kit):
    """Read-only probes of the account: an assumption the sandbox answers our way is confirmed, one it answers the
    other way (this run's dialect) refuted with what it means; what can't be probed read-only says so. Nothing is
    written to the account by the check."""
    integration = kit.connect()
    credentials = kit.connector.load_integration_type().credentials_model.model_validate(kit.credentials())
    writes = kit.platform_writes()
    report = live_check.run(kit.connector, credentials, integration.platform_state)
    assert [f.key for f in report.findings] == [a.key for a in kit.connector.assumptions]
    for assumption in kit.connector.assumptions:
        finding = report.of(assumption.key)
        if not assumption.checkable:
            assert finding.outcome is live_check.Outcome.NOT_CHECKABLE, (assumption.key, finding)
            continue
        ours = kit.dialect.get(assumption.key, assumption.ours) == assumption.ours
        expected = live_check.Outcome.CONFIRMED if ours else live_check.Outcome.REFUTED
        assert finding.outcome is expected, (assumption.key, kit.dialect, finding)
        assert finding.seen, assumption.key
        if not ours:
            assert finding.means, assumption.key  # what it means and what to do
    assert kit.platform_writes() == writes
