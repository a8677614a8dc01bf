"""The local event source mapping: partial batch failures stay queued with the worker's backoff or a shortened one,
and the polling thread survives errors and stops when asked."""

from __future__ import annotations

import threading

import pytest

from local.lambda_runtime import PumpResult, QueuePump
from local.pumps import QueueConsumer
from local.resources import FunctionSpec

SPEC = FunctionSpec("Worker", "functions/x/", "app.handler", 30, {})


class FakeSqs:
    """Just enough SQS: one batch of messages, then nothing; records deletes and visibility changes."""

    def __init__(self, ids: list[str]) -> None:
        self.batches = [[{"MessageId": i, "ReceiptHandle": f"rh-{i}", "Body": "{}"} for i in ids]]
        self.deleted: list[str] = []
        self.visibility: dict[str, int] = {}

    def receive_message(self, **_):
        return {"Messages": self.batches.pop(0)} if self.batches else {}

    def delete_message_batch(self, QueueUrl, Entries):
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]

    def change_message_visibility(self, QueueUrl, ReceiptHandle, VisibilityTimeout):
        self.visibility[ReceiptHandle] = VisibilityTimeout


def failing(*ids: str):
    return lambda event, context: {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


@pytest.mark.parametrize(("options", "expected"), [
    ({}, {}),  # the worker's own backoff stands
    ({"fast_retry": True}, {"rh-b": 0}),
])
def test_succeeded_items_are_deleted_and_failed_ones_keep_the_chosen_visibility(options, expected):
    sqs = FakeSqs(["a", "b", "c"])
    pump = QueuePump(sqs, "url", "arn", failing("b"), SPEC, **options)

    assert pump.pump_once() == PumpResult(received=3, failed=1)
    assert sqs.deleted == ["rh-a", "rh-c"]
    assert sqs.visibility == expected


def test_a_whole_batch_failure_deletes_nothing():
    sqs = FakeSqs(["a", "b"])

    def crash(event, context):
        raise RuntimeError("all failed")

    assert QueuePump(sqs, "url", "arn", crash, SPEC).pump_once() == PumpResult(received=2, failed=2)
    assert sqs.deleted == []


class ScriptedPump:
    """Answers pump_once from a script (an exception is raised), then blocks briefly like an empty long poll."""

    def __init__(self, script: list) -> None:
        self.script = script
        self.drained = threading.Event()

    def pump_once(self, *, wait_seconds: int = 0) -> PumpResult:
        if not self.script:
            self.drained.set()
            threading.Event().wait(0.01)
            return PumpResult()
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def test_the_consumer_keeps_polling_after_an_error_counts_batches_and_stops():
    pump = ScriptedPump([PumpResult(3, 1), ConnectionError("moto restarting"), PumpResult(2, 0)])
    consumer = QueueConsumer("WmsQueue", "Worker", pump).start()

    assert pump.drained.wait(5)
    consumer.request_stop()
    consumer.join(5)

    assert not consumer._thread.is_alive()
    assert (consumer.received, consumer.failed) == (5, 1)
