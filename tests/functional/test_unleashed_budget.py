"""Issue 11, point 5 and the done-criteria's counts: the AWS and Unleashed requests per synced shipment (the figures in
docs/unleashed.md "Requests per synced shipment"), the monthly count, the concurrency lease, a spent budget, and
faults that lose nothing and double nothing."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from integrations.core import aws
from integrations.core.stores import to_item
from integrations.unleashed.refs import usage_ref
from integrations.unleashed.usage import (
    DEFAULT_MAX_CONCURRENT,
    AccountBusy,
    Meter,
    account_of,
    budget_key,
    metered,
    month_of,
    used,
)

from tests import documented

from .unleashed_helpers import (  # noqa: F401  (fixtures)
    API_ID,
    TWO_LINES,
    TWO_SHIPMENTS,
    UnleashedWorld,
    connected_fixture,
    unleashed_world_fixture,
)

PAGE = "unleashed.md"  # its "Requests per synced shipment"
ONE_SHIPMENT = r"\*\*An order with one shipment, from its webhook to its WMS order: "


@pytest.fixture
def aws_calls():
    calls: list[tuple[str, str]] = []
    listener = lambda service, operation: calls.append((service, operation))  # noqa: E731
    aws.add_request_listener(listener)
    yield calls
    aws.remove_request_listener(listener)


def counted(calls: list[tuple[str, str]]) -> Counter:
    return Counter(f"{service}:{operation}" for service, operation in calls)


def unleashed_requests(world: UnleashedWorld, since: int) -> list[str]:
    return [f"{method} {path.split('/')[1]}" for method, path, _ in world.unleashed.request_log[since:]]


def test_requests_per_synced_shipment(connected: UnleashedWorld, aws_calls):
    """Every AWS call our code makes, and every Unleashed call, for an order from its webhook to its WMS orders,
    then for one shipment's dispatch write-back — with warm caches (the steady state)."""
    warm = connected.place()
    connected.pump()
    connected.dispatch(connected.shipments(warm)[0]["Guid"])
    connected.pump()

    # One order, one shipment, one webhook.
    aws_calls.clear()
    before = len(connected.unleashed.request_log)
    order = connected.place()
    connected.pump()
    one = counted(aws_calls)
    # The page's table of steps, summed per operation: the door's entry and item; the order's fan-out (idempotency,
    # the account lease taken and given back, its link, "shipments" entry, the shipment items in one batch); the
    # shipment (idempotency, claim, the WMS create budget's window read then written, "created" entry, bind).
    assert one == documented.steps_table(PAGE, "**An order with one shipment"), json.dumps(one)
    assert sum(one.values()) == documented.stated(PAGE, ONE_SHIPMENT + r"(\d+) AWS requests")
    assert unleashed_requests(connected, before) == ["GET SalesOrders", "GET SalesShipments"]
    assert len(unleashed_requests(connected, before)) == documented.stated(PAGE, ONE_SHIPMENT + r"\d+ AWS \w+, (\d+)")

    # One order, two shipments: the fan-out is shared, each further shipment costs its own item.
    aws_calls.clear()
    before = len(connected.unleashed.request_log)
    two = connected.place(TWO_LINES, shipments=TWO_SHIPMENTS)
    connected.pump()
    assert sum(counted(aws_calls).values()) == sum(one.values()) + documented.stated(
        PAGE, r"Each further shipment of\s+the same order adds (\d+) AWS requests") == documented.stated(
        PAGE, r"two shipments: (\d+) AWS")
    assert unleashed_requests(connected, before) == ["GET SalesOrders", "GET SalesShipments"]
    assert len(connected.wms_orders()) == 4

    # One shipment's dispatch, from the WMS notification to the shipment Dispatched in Unleashed.
    shipment = connected.shipments(order)[0]["Guid"]
    wms_id = connected.link(shipment)["wmsOrderId"]
    aws_calls.clear()
    before = len(connected.unleashed.request_log)
    connected.wms.set_outbound_order_status(connected.tenant.tenant_id, wms_id, "DISPATCHED", tracking_number="TRK-2",
                                            carrier="Aramex")
    connected.pump()
    dispatched = counted(aws_calls)
    assert connected.shipment(shipment)["ShipmentStatus"] == "Dispatched"
    # The page's sum per operation: the WMS path (notification, idempotency, status change); the router (idempotency,
    # the customer's integrations, fan-out, the send); the Unleashed worker (idempotency, the WMS order's pointer and
    # the shipment's link, the account lease taken and given back, "write-back").
    by_operation = documented.sentence(PAGE, r"the \"write-back\" entry 1\)\. \((.*?)\)")
    assert dispatched == documented.operations(by_operation), json.dumps(dispatched)
    assert sum(dispatched.values()) == documented.stated(PAGE, r"\*\*One shipment's dispatch write-back: (\d+) AWS")
    assert unleashed_requests(connected, before) == ["GET SalesShipments", "PUT SalesShipments"]
    assert two  # placed above


def test_every_call_the_account_receives_is_counted_once_in_the_month(connected: UnleashedWorld):
    order = connected.place(TWO_LINES, shipments=TWO_SHIPMENTS)
    connected.pump()
    connected.dispatch(connected.shipments(order)[0]["Guid"])
    connected.pump()
    connected.service.schedule("UnleashedPollScheduleFunction", {"scheduledTime": "2026-11-30T00:00:00Z"})
    connected.pump()
    # configuring, the webhook's re-read, the write-back, a full poll (orders, shipments, subscription check)
    assert used(account_of(API_ID)) == len(connected.unleashed.request_log) == \
        connected.unleashed.account(API_ID).usage[connected.unleashed.month()]


def test_a_month_crossing_half_its_budget_says_so_in_the_usage_log(world: UnleashedWorld):
    world.connect(calls_per_month=1_000)
    prefill(world, 499)
    world.place()
    world.pump()
    [entry] = world.usage_log()
    assert entry["event"] == "api-usage" and "reached 50%" in entry["message"]
    assert "polling every 15 minutes" in entry["message"]
    assert usage_ref(world.integration_id).key.endswith("#unleashed#integration#api-usage")


def test_a_spent_budget_stops_calls_and_says_what_to_do(world: UnleashedWorld):
    world.connect(calls_per_month=1_000)
    prefill(world, 1_000)
    before = len(world.unleashed.request_log)
    order = world.place()
    world.service.pump("UnleashedQueue", rounds=1)
    assert world.wms_orders() == [] and len(world.unleashed.request_log) == before  # nothing called
    # Waiting, not failing (core.waiting): one "waiting" entry saying what to do, no retry, no attempt spent.
    entries = world.history(order["Guid"], "order")[1]
    [waiting] = [e for e in entries if e["event"] == "waiting"]
    assert "budget for" in waiting["message"] and "apiCallsPerMonth" in waiting["resolution"]
    assert not [e for e in entries if e["event"] == "retry"]


def test_at_most_the_configured_number_of_work_items_call_one_account_at_once(world: UnleashedWorld, monkeypatch):
    monkeypatch.setenv("UNLEASHED_MAX_CONCURRENT_CALLS", "2")
    account = account_of(API_ID)
    holding = [threading.Event(), threading.Event()]
    release = threading.Event()

    def hold(entered: threading.Event) -> None:
        with metered(account, budget=1_000) as meter:
            meter.before_call()  # the first call takes the lease
            entered.set()
            release.wait(timeout=10)

    threads = [threading.Thread(target=hold, args=(event,)) for event in holding]
    for thread in threads:
        thread.start()
    try:
        assert all(event.wait(timeout=10) for event in holding)
        with pytest.raises(AccountBusy, match="at most 2 at once"), metered(account, budget=1_000) as third:
            third.before_call()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=10)
    item = stored(world)
    assert item["leases"] == {} and item["count"] == 2  # both leases given back, with their calls; the third: none


def test_an_item_finding_every_call_slot_of_the_account_taken_waits_and_is_never_failed_for_it(world: UnleashedWorld):
    world.connect()
    account = account_of(API_ID)
    release = threading.Event()
    holding = [threading.Event() for _ in range(DEFAULT_MAX_CONCURRENT)]  # the worker's limit (template.yaml)

    def hold(entered: threading.Event) -> None:  # other work items of the account, in the middle of their calls
        with metered(account, budget=1_000, concurrency=DEFAULT_MAX_CONCURRENT) as meter:
            meter.before_call()
            entered.set()
            release.wait(timeout=30)

    holders = [threading.Thread(target=hold, args=(entered,)) for entered in holding]
    for holder in holders:
        holder.start()
    try:
        assert all(entered.wait(timeout=10) for entered in holding)
        order = world.place()
        world.service.pump("UnleashedQueue", rounds=1)
        assert world.wms_orders() == []
    finally:
        release.set()
        for holder in holders:
            holder.join(timeout=10)
    entries = world.history(order["Guid"], "order")[1]
    [waiting] = [e for e in entries if e["event"] == "waiting"]
    assert "account busy" in waiting["message"] and "call slot" in waiting["resolution"]
    assert not [e for e in entries if e["event"] in ("retry", "error")]  # no attempt spent on it
    assert world.service.queue_depth("UnleashedDeadLetterQueue") == 0


def test_a_dead_holders_lease_expires_and_is_cleared(world: UnleashedWorld):
    account = account_of(API_ID)
    long_ago = int(time.time()) - 10
    prefill(world, 0, leases={"dead-1": long_ago, "dead-2": long_ago})
    meter = Meter(account=account, budget=1_000, concurrency=2)
    meter.before_call()
    assert meter.lease is not None and set(stored(world)["leases"]) == {meter.lease}
    meter.flush()
    assert stored(world)["leases"] == {}


def test_a_429_storm_from_unleashed_loses_nothing_and_doubles_nothing(connected: UnleashedWorld):
    connected.unleashed.inject_fault(429, percent=60, seed=2261, retry_after=0, path_pattern=r"^/Sales")
    orders = [connected.place(TWO_LINES, shipments=TWO_SHIPMENTS) for _ in range(3)]
    connected.pump(rounds=40)
    assert [e for e in connected.unleashed.request_log if e[2] == 429], "the storm happened"
    connected.unleashed.clear_faults()
    connected.pump()
    references = sorted(o["references"]["customer"] for o in connected.wms_orders())
    assert references == sorted(f"{o['OrderNumber']} | {s['ShipmentNumber']}" for o in orders
                                for s in connected.shipments(o))
    assert connected.service.queue_depth("UnleashedDeadLetterQueue") == 0


def prefill(world: UnleashedWorld, calls: int, *, leases: dict | None = None) -> None:
    world.service.dynamodb.put_item(TableName=world.service.stack.tables["RateBudgetTable"], Item=to_item({
        "budgetKey": budget_key(account_of(API_ID), month_of(datetime.now(UTC))), "count": calls,
        "leases": leases or {}}))


def stored(world: UnleashedWorld) -> dict:
    from integrations.core.stores import from_item

    response = world.service.dynamodb.get_item(TableName=world.service.stack.tables["RateBudgetTable"], Key={
        "budgetKey": {"S": budget_key(account_of(API_ID), month_of(datetime.now(UTC)))}})
    return from_item(response["Item"])


def test_requests_per_idle_poll(connected: UnleashedWorld, aws_calls):
    """A poll that finds nothing: its AWS requests in the worker, and its Unleashed calls (docs/unleashed.md)."""
    def poll(when: str) -> tuple[Counter, list[str]]:
        connected.service.schedule("UnleashedPollScheduleFunction", {"scheduledTime": when})
        aws_calls.clear()
        before = len(connected.unleashed.request_log)
        connected.pump()
        return counted(aws_calls), unleashed_requests(connected, before)

    poll("2026-11-30T00:05:00Z")  # the hour's first poll also writes the usage report
    idle, calls = poll("2026-11-30T00:10:00Z")
    # idempotency record; the integration (fresh), the month's count, the usage record, the cursor; idempotency
    # completed, the account lease taken and given back, the poll's run noted
    assert idle == documented.operations(documented.sentence(PAGE, r"\*\*An idle poll:.*?\*\* \((.*?)\); every")), \
        json.dumps(idle)
    assert sum(idle.values()) == documented.stated(PAGE, r"\*\*An idle poll: (\d+) AWS requests")
    assert calls == ["GET SalesOrders"]
    with_shipments, calls = poll("2026-11-30T00:15:00Z")  # every third due poll: the shipment pass
    assert sum(with_shipments.values()) == sum(idle.values()) + documented.stated(  # its cursor
        PAGE, r"adds the shipment pass \(1 call, (\d+) read\)")
    assert calls == ["GET SalesOrders", "GET SalesShipments"]
