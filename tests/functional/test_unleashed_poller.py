"""The safety net: lost deliveries found by the poll, its pace as the month's budget fills, the hourly usage report,
the subscription check, and backfill's window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.core import backfill
from integrations.core.connectors import get
from integrations.core.context import core
from integrations.core.stores import to_item
from integrations.unleashed.poller import POLLER
from integrations.unleashed.refs import integration_ref
from integrations.unleashed.usage import account_of, budget_key, month_of, used

from .conftest import log_of
from .unleashed_helpers import API_ID, TWO_LINES, UnleashedWorld, connected_fixture, unleashed_world_fixture  # noqa: F401  (fixtures)

SCHEDULE = "UnleashedPollScheduleFunction"


def poll_at(world: UnleashedWorld, when: str) -> None:
    world.service.schedule(SCHEDULE, {"scheduledTime": when})
    world.pump()


def spent(world: UnleashedWorld, calls: int) -> None:
    """The account already made ``calls`` calls this month (other integrations' work, earlier polls…)."""
    world.service.dynamodb.put_item(TableName=world.service.stack.tables["RateBudgetTable"], Item=to_item({
        "budgetKey": budget_key(account_of(API_ID), month_of(datetime.now(UTC))), "count": calls, "leases": {}}))


def listings(world: UnleashedWorld) -> list[str]:
    return [path for method, path, _ in world.unleashed.request_log if method == "GET" and path.count("/") == 2
            and path.split("/")[2].isdigit()]


def test_an_order_whose_delivery_was_lost_is_found_by_the_poll(connected: UnleashedWorld):
    connected.door.outage = 503
    order = connected.place()
    connected.door.outage = None
    connected.pump()
    assert connected.wms_orders() == []
    poll_at(connected, "2026-11-30T00:05:00Z")
    [made] = connected.wms_orders()
    assert made["references"]["customer"].startswith(order["OrderNumber"])
    cursor = core().cursors.get(POLLER.cursor_key(connected.fresh()))
    assert cursor is not None and cursor.endswith("Z")


def test_polling_slows_as_the_months_budget_fills_and_stops_at_95_percent(world: UnleashedWorld):
    world.connect(calls_per_month=10_000)
    spent(world, 6_000)  # 60 %: every third slot (15 minutes)
    before = len(listings(world))
    for minute in ("05", "10"):
        poll_at(world, f"2026-11-30T00:{minute}:00Z")
    assert len(listings(world)) == before  # slots 1 and 2 of 3: not due, nothing called
    poll_at(world, "2026-11-30T00:15:00Z")
    assert len(listings(world)) > before
    spent(world, 9_600)  # 96 %: stopped; the hourly report says so
    before = len(listings(world))
    poll_at(world, "2026-11-30T01:00:00Z")
    assert len(listings(world)) == before
    report = world.usage_log()[-1]
    assert report["event"] == "api-usage" and "9600 of the 10000" in report["message"]
    assert "polling stopped" in report["message"]


def test_the_hourly_report_shows_the_calls_made_this_month(connected: UnleashedWorld):
    connected.place()
    connected.pump()
    before = len(connected.unleashed.request_log)  # configuring (4) and the order's re-read (2)
    poll_at(connected, "2026-11-30T02:00:00Z")
    entries = connected.usage_log()
    assert entries and entries[0]["event"] == "api-usage"
    counted = int(entries[0]["message"].split("so far: ")[1].split(" ")[0])
    assert counted == before == 6
    assert "6 of the 60000 this integration may make (0%); polling every 5 minutes" in entries[0]["message"]
    # and the count goes on: every call the account received is counted, the poll's own included
    assert used(account_of(API_ID)) == len(connected.unleashed.request_log)


def test_a_missing_subscription_is_said_once_and_orders_still_arrive_by_poll(connected: UnleashedWorld):
    for subscription in connected.unleashed.subscriptions(API_ID):
        connected.unleashed.account(API_ID).subscriptions.pop(subscription["subscriptionId"])
    for hour in ("03", "04"):
        poll_at(connected, f"2026-11-30T{hour}:00:00Z")
    entries = log_of(integration_ref(connected.integration_id, "webhooks").key)[1]
    gone = [e for e in entries if "gone from Unleashed" in e["message"]]
    assert len(gone) == 1 and gone[0]["resolution"] == "Save any step of the integration."
    connected.place()
    poll_at(connected, "2026-11-30T04:05:00Z")
    assert len(connected.wms_orders()) == 1


def test_a_subscription_api_that_stops_answering_is_said_once_and_never_stops_the_poll(connected: UnleashedWorld):
    """Issue 21: the hourly subscription check meets an API that answers otherwise than we assume (here: as an
    unknown path). It says so once, with what to do, and the poll goes on bringing orders."""
    connected.unleashed.set_dialect({"subscription-api": "absent"})
    connected.door.outage = 503
    connected.place()
    for hour in ("03", "04"):
        poll_at(connected, f"2026-11-30T{hour}:00:00Z")
    assert len(connected.wms_orders()) == 1
    entries = log_of(integration_ref(connected.integration_id, "webhooks").key)[1]
    said = [e for e in entries if "no longer answers as this integration expects" in e["message"]]
    assert len(said) == 1 and "404" in said[0]["message"] and "poll alone" in said[0]["message"]


def test_an_integration_that_found_no_subscription_api_is_not_asked_again_hourly(world: UnleashedWorld):
    world.unleashed.set_dialect({"subscription-api": "absent"})
    world.connect()
    assert world.fresh().platform_state["webhookReason"] == "api-absent"
    before = len(world.unleashed.request_log)
    world.place()
    poll_at(world, "2026-11-30T03:00:00Z")
    assert len(world.wms_orders()) == 1  # on polling alone
    assert not [path for _, path, _ in world.unleashed.request_log[before:] if path.startswith("/webhooks")]


def test_a_backfill_takes_the_placed_orders_dated_in_the_window(connected: UnleashedWorld):
    connected.door.outage = 503
    today = connected.place(TWO_LINES, shipments=[{}, {}])
    last_week = connected.place(orderDate=(datetime.now(UTC) - timedelta(days=7)).date().isoformat())
    connected.door.outage = None
    started = backfill.start(get("unleashed"), connected.fresh(), datetime.now(UTC) - timedelta(days=1),
                             datetime.now(UTC))
    connected.pump()
    done = backfill.get(connected.integration_id, "unleashed", started.backfill_id)
    assert done.status is backfill.BackfillStatus.DONE and done.queued == 1
    assert sorted(o["references"]["customer"].split(" | ")[0] for o in connected.wms_orders()) == \
        [today["OrderNumber"]] * 2
    assert last_week["OrderNumber"] not in str(connected.wms_orders())
