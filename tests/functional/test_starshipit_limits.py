"""Issue 12, point 5: Starshipit's rate (2 requests/s by default, a setting of the integration) is never exceeded by
workers running at once; a 429 with or without ``Retry-After`` is retried and loses nothing; and what one order
costs, in AWS and Starshipit requests (the budget docs/starshipit.md states)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter

import jwt
import pytest
from integrations.core import aws
from integrations.core.ratelimit import SpacedBudget

from local.lambda_runtime import LambdaContext, QueuePump
from tests import documented

from .starshipit_helpers import ACCOUNT, StarshipitWorld, connected_fixture, starshipit_world_fixture  # noqa: F401  (fixtures)


def work_concurrently(world: StarshipitWorld) -> None:
    """Every message on StarshipitQueue, each taken by its own worker at the same time (several Lambdas)."""
    service = world.service
    queue = service.stack.queues["StarshipitQueue"]
    spec = service.stack.functions["StarshipitWorkerFunction"]
    messages = []
    while batch := service.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                               MessageSystemAttributeNames=["All"]).get("Messages", []):
        messages += batch
    pumps = [QueuePump(service.sqs, queue, service.stack.queue_arns["StarshipitQueue"],
                       service.handlers["StarshipitWorkerFunction"], spec, fast_retry=True) for _ in messages]

    def work(pump, message):
        with contextlib.suppress(Exception):
            pump.handler({"Records": [pump._record(message)]}, LambdaContext(function_name=spec.logical_id))

    threads = [threading.Thread(target=work, args=pair) for pair in zip(pumps, messages, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_workers_at_once_never_exceed_the_accounts_rate(world: StarshipitWorld, monkeypatch):
    # A Developer subscription, as the gateway counts it (sliding second).
    world.starshipit.accounts[ACCOUNT].rate_limit = 2
    world.connect(requests_per_second=2, webhook=False)
    seen: list[float] = []
    real = world.starshipit.handle

    def timed(request):
        answer = real(request)
        if request.path.startswith("/api/"):
            seen.append(time.monotonic())
        return answer

    monkeypatch.setattr(world.starshipit, "handle", timed)
    orders = [world.place() for _ in range(4)]
    for order_id in orders:
        world.move(order_id, "PACKED")
    world.deliver_wms_notifications()
    world.service.pump("WmsQueue")
    world.service.pump("StatusChangeQueue")
    work_concurrently(world)
    world.pump()
    assert sorted(world.numbers()) == sorted(world.references[o] for o in orders)
    assert [entry for entry in world.starshipit.request_log if entry[2] == 429] == []
    assert len(seen) >= 8  # a look-up and a create per order
    busiest = max(sum(1 for t in seen if start <= t < start + 1.0) for start in seen)
    assert busiest <= 2, seen


@pytest.mark.parametrize("retry_after", [1, None])
def test_a_429_with_or_without_retry_after_is_retried_and_loses_nothing(connected: StarshipitWorld, retry_after):
    order_id = connected.place()
    connected.starshipit.inject_fault(429, count=2, retry_after=retry_after, path_pattern=r"^/api/orders$")
    connected.move(order_id, "PACKED")
    connected.pump()
    assert connected.numbers() == [connected.references[order_id]]
    throttled = [entry for entry in connected.starshipit.request_log if entry[2] == 429]
    assert len(throttled) == 2
    assert connected.service.queue_depth("StarshipitDeadLetterQueue") == 0


def test_a_429_storm_retries_with_backoff_and_nothing_is_doubled(connected: StarshipitWorld):
    connected.starshipit.inject_fault(429, percent=60, seed=9102, retry_after=0, path_pattern=r"^/api/")
    orders = [connected.place() for _ in range(4)]
    for order_id in orders:
        connected.move(order_id, "PACKED")
    connected.pump(rounds=30)
    assert [entry for entry in connected.starshipit.request_log if entry[2] == 429], "the storm happened"
    connected.starshipit.clear_faults()
    connected.pump()
    assert sorted(connected.numbers()) == sorted(connected.references[o] for o in orders)
    created = [entry for entry in connected.starshipit.requests_to(r"^/api/orders$", method="POST") if entry[2] == 200]
    assert len(created) == 4


# --- what one order costs ---------------------------------------------------------------------------------------------


@pytest.fixture
def aws_calls(monkeypatch):
    """Every AWS call our code makes, and how many times the rate budget made a call wait for its turn (each wait
    is one more conditional UpdateItem: how many depends on timing, so the documented counts are without waits)."""
    calls: list[tuple[str, str]] = []
    listener = lambda service, operation: calls.append((service, operation))  # noqa: E731
    real = SpacedBudget._take_turn

    def counted(self, key, now):
        held = real(self, key, now)
        if held is not None:
            calls.append(("budget", "wait"))
        return held

    monkeypatch.setattr(SpacedBudget, "_take_turn", counted)  # observes only: the answer is passed on unchanged
    aws.add_request_listener(listener)
    yield calls
    aws.remove_request_listener(listener)


def without_waits(calls: list[tuple[str, str]]) -> Counter:
    counted = Counter(f"{service}:{operation}" for service, operation in calls)
    waits = counted.pop("budget:wait", 0)
    counted["dynamodb:UpdateItem"] -= waits
    return +counted


def documented_table(section: str) -> dict[str, int]:
    """A requests table of docs/starshipit.md: the ``| `service:Operation` | n | … |`` rows under ``### {section}``."""
    return documented.request_table("starshipit.md", f"### {section}\n")


def starshipit_calls(world: StarshipitWorld, since: int) -> Counter:
    return Counter(f"starshipit:{method} {path}" for method, path, _ in world.starshipit.request_log[since:])


LABELS_KEY = "functional-tests-labels-key-0123456789abcdef0123"


def print_label(world: StarshipitWorld, wms_order_id: str):
    now = int(time.time())
    token = jwt.encode({"iss": "https://auth.integrations.invalid/", "aud": "integrations-management",
                        "sub": "admin", "exp": now + 600, "tenant_id": world.tenant.tenant_id, "role": "admin"},
                       LABELS_KEY, algorithm="HS256")
    return world.service.http("POST", f"/tenants/{world.tenant.tenant_id}/customers/{world.tenant.customer_id}/"
                            f"integrations/{world.integration_id}/labels", headers={"Authorization": f"Bearer {token}"},
                            body=json.dumps({"wmsOrderId": wms_order_id}).encode())


def test_requests_per_order_are_the_documented_ones(connected: StarshipitWorld, aws_calls, monkeypatch):
    """Every AWS and Starshipit call for one order — from the WMS's PACKED notification to the Starshipit order, and
    its tracking back by the poll — with warm caches: docs/starshipit.md "Requests per order"."""
    warm = connected.place()
    connected.move(warm, "PACKED")
    connected.pump()
    connected.service.schedule("StarshipitPollScheduleFunction", {"scheduledTime": "2026-11-30T00:00:00Z"})
    connected.pump()  # the cursor exists; nothing shipped yet

    order_id = connected.place()
    aws_calls.clear()
    since = len(connected.starshipit.request_log)
    connected.move(order_id, "PACKED")
    connected.pump()
    exported, exported_ssi = without_waits(aws_calls), starshipit_calls(connected, since)
    assert connected.ssi_order_for(order_id)

    connected.door.outage = 503  # Starshipit's webhooks lost: the poll alone brings the tracking back
    connected.starshipit.ship_order(ACCOUNT, connected.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-COST")
    aws_calls.clear()
    since = len(connected.starshipit.request_log)
    connected.service.schedule("StarshipitPollScheduleFunction", {"scheduledTime": "2026-11-30T00:05:00Z"})
    connected.pump()
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["QQQ-COST"]
    tracked, tracked_ssi = without_waits(aws_calls), starshipit_calls(connected, since)

    # A label through our API for a third order (warm: a first label printed before).
    monkeypatch.setenv("AUTH_HS256_KEY", LABELS_KEY)
    for _ in range(2):
        labelled = connected.place()
        connected.move(labelled, "PACKED")
        connected.pump()
        aws_calls.clear()
        since = len(connected.starshipit.request_log)
        assert print_label(connected, labelled).status == 200
    label, label_ssi = without_waits(aws_calls), starshipit_calls(connected, since)

    assert dict(exported) == documented_table("Export: AWS requests"), json.dumps(exported)
    assert sum(exported.values()) == documented.stated("starshipit.md", r"\*\*(\d+) requests\.\*\*")  # its total
    assert dict(exported_ssi) == documented_table("Export: Starshipit requests"), json.dumps(exported_ssi)
    assert dict(tracked) == documented_table("Tracking: AWS requests"), json.dumps(tracked)
    assert sum(tracked.values()) == documented.stated("starshipit.md", r"\*\*(\d+) requests\*\*: the\s+schedule")
    assert dict(tracked_ssi) == documented_table("Tracking: Starshipit requests"), json.dumps(tracked_ssi)
    assert dict(label) == documented_table("Label: AWS requests"), json.dumps(label)
    assert dict(label_ssi) == documented_table("Label: Starshipit requests"), json.dumps(label_ssi)
