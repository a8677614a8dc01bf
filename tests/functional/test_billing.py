"""Weekly billing on moto: who is charged for which ISO week, once, however often or concurrently the run repeats.

Integrations are made live and deleted through the management API with its clock set to chosen moments, so live
periods fall in known weeks (2026-W10 is Monday 2 March to Monday 9 March 2026, UTC).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from integrations.core import aws, context
from integrations.core.context import core
from integrations.core.stores import TenantStore
from integrations.core.weeks import IsoWeek
from integrations.management.billing import run as billing  # the run, where bill_tenant reads charged_integrations

from local.lambda_runtime import scheduler_input

from . import management_support
from .management_support import World
from .test_management_api import table

world, auth_env = management_support.world, management_support.auth_env  # fixtures

W10 = IsoWeek(2026, 10)
W11 = IsoWeek(2026, 11)
W12 = IsoWeek(2026, 12)


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@contextmanager
def clock(world: World, moment: datetime):
    service = world.api.service
    saved = service.clock
    service.clock = lambda: moment
    try:
        yield
    finally:
        service.clock = saved


def live_at(world: World, moment: datetime, name: str, customer: str = "chef") -> dict:
    with clock(world, moment):
        return world.create_live(name, customer)


def delete_at(world: World, moment: datetime, integration: dict, customer: str = "chef") -> None:
    with clock(world, moment):
        answer = world.api.delete(f"{world.path(customer)}/{integration['integrationId']}", token=world.admin)
    assert answer.status == 200, answer.body


def charges(week: IsoWeek) -> dict[str, dict]:
    return {c["integrationId"]: c for c in table(None, "ChargesTable") if c["week"] == str(week)}


def run_week(service, week: IsoWeek) -> dict:
    """The weekly schedule as EventBridge Scheduler fires it on the Monday after ``week``, then the queue."""
    event = scheduler_input(service.stack.functions["BillingScheduleFunction"].schedules[0],
                            scheduled_at=week.end.replace(minute=5))
    result = service.schedule("BillingScheduleFunction", event)
    service.pump("BillingQueue")
    return result


def test_the_weekly_run_charges_every_integration_live_at_any_moment_of_the_week_just_ended(world, service):
    before = live_at(world, at(25, month=2), "Live since February")          # W09 → still live
    brief = live_at(world, at(4, 9), "Live on Wednesday only")                 # W10, deleted the same day
    delete_at(world, at(4, 17), brief)
    gone = live_at(world, at(23, month=2), "Deleted before the week")        # W09 only
    delete_at(world, at(1, 23), gone)
    edge = live_at(world, at(24, month=2), "Deleted at the week's first instant")
    delete_at(world, W10.start, edge)                                         # live until, not into, W10
    live_at(world, at(9, 0), "Live from the next week")                       # W11
    with clock(world, at(3)):
        world.api.post(world.path(), {"type": "sandboxshop", "name": "Never finished"}, token=world.admin)
    grocer = _other_tenant_live(world, at(5))

    result = run_week(service, W10)
    assert result["week"] == "2026-W10" and result["queued"] == 2  # one work item per tenant

    charged = charges(W10)
    assert set(charged) == {before["integrationId"], brief["integrationId"], grocer}
    assert charged[before["integrationId"]]["amountCents"] == 1000      # tenant A's price
    assert charged[grocer]["amountCents"] == 1500                      # tenant B's own price
    assert charged[brief["integrationId"]]["tenantWeek"] == f"{world.a.tenant_id}#2026-W10"


def _other_tenant_live(world: World, moment: datetime) -> str:
    """Tenant B's customer grocer, live (B's admin token, B's warehouse)."""
    token = world.token("admin", tenant=world.b)
    base = world.path("grocer", tenant=world.b)
    with clock(world, moment):
        created = world.api.post(base, {"type": "sandboxshop", "name": "Grocer shop"}, token=token).json()
        item = f"{base}/{created['integrationId']}"
        world.api.put(f"{item}/steps/authentication", world.shop_credentials(), token=token)
        world.api.put(f"{item}/steps/orderCreation", {"warehouseId": world.b.warehouses["melbourne"]}, token=token)
        world.api.put(f"{item}/steps/fulfilment", {}, token=token)
        assert world.api.post(f"{item}/finish", token=token).json()["status"] == "LIVE"
    return str(created["integrationId"])


def test_deleting_stops_charges_from_the_next_week(world, service):
    integration = live_at(world, at(5), "Shop")            # W10
    delete_at(world, at(17), integration)                  # Tuesday of W12
    for week in (W10, W11, IsoWeek(2026, 13)):
        run_week(service, week)
    run_week(service, W12)
    assert integration["integrationId"] in charges(W10)
    assert integration["integrationId"] in charges(W11)
    assert integration["integrationId"] in charges(W12)    # the week it was deleted in
    assert charges(IsoWeek(2026, 13)) == {}


def test_repeated_runs_and_requested_reruns_charge_nothing_twice(world, service):
    first = live_at(world, at(3), "First")
    run_week(service, W10)
    written = charges(W10)
    assert set(written) == {first["integrationId"]}
    second = live_at(world, at(4), "Second (indexed after the first run)")
    with clock(world, at(10)):  # a new price from Tuesday of the next week on
        assert world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"weeklyPriceCents": 2500},
                             token=world.admin).status == 200

    run_week(service, W10)  # Scheduler retried the same invocation: same run id, absorbed
    with clock(world, at(20)):
        requested = world.api.post(f"/tenants/{world.a.tenant_id}/billing-runs", {"week": "2026-W10"},
                                   token=world.admin)
    assert requested.status == 202 and requested.json()["queued"] == 1
    service.pump("BillingQueue")

    again = charges(W10)
    assert again[first["integrationId"]] == written[first["integrationId"]]  # untouched: price, run, time
    # The missing one, late, at the price in force when W10 ended: not the price changed after the week
    assert again[second["integrationId"]]["amountCents"] == 1000
    assert len(again) == 2


@contextmanager
def in_its_own_lambda():
    """What runs inside is a separate warm Lambda: its own cached tenants (the management API and the billing worker
    are different functions in AWS; in these tests they would otherwise share one process's cache)."""
    stores = core()
    with context.use(dataclasses.replace(stores, tenants=TenantStore(stores.settings.tenants_table))):
        yield


def test_a_price_changed_a_moment_before_the_run_is_charged_and_each_week_keeps_its_own(world, service):
    integration = live_at(world, at(2), "Live all month")
    run_week(service, W10)                      # the billing worker has the tenant (price 1000) in its warm cache
    assert charges(W10)[integration["integrationId"]]["amountCents"] == 1000
    with clock(world, at(15, 23)), in_its_own_lambda():  # Sunday night of W11, in the management API's own Lambda
        changed = world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"weeklyPriceCents": 2500},
                                token=world.admin)
    assert changed.status == 200 and changed.json()["weeklyPriceCents"] == 2500

    run_week(service, W11)                      # at once: the new price was in force when W11 ended
    assert charges(W11)[integration["integrationId"]]["amountCents"] == 2500
    with clock(world, at(23)), in_its_own_lambda():  # and back again in W13
        assert world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"weeklyPriceCents": 1000},
                             token=world.admin).status == 200
    run_week(service, W12)                      # W12 ended before that change: 2500
    assert charges(W12)[integration["integrationId"]]["amountCents"] == 2500
    prices = [c["weeklyPriceCents"] for c in core().tenants.get(world.a.tenant_id, fresh=True).model_dump(
        by_alias=True)["priceChanges"]]
    assert prices == [1000, 2500, 1000]         # the history: the price before the first change, then each change


def test_two_concurrent_runs_for_one_week_produce_each_charge_once(world, monkeypatch):
    integrations = [live_at(world, at(3), f"Shop {n}") for n in range(12)]
    # moto's writes are made atomic, as DynamoDB's are, by the `stack` fixture (tests/functional/conftest.py).
    # Both runs read "nothing charged yet" before either writes, so only the conditional write can decide.
    both_read = threading.Barrier(2, timeout=30)
    read_charged = billing.charged_integrations

    def racing_read(tenant_id, week):
        found = read_charged(tenant_id, week)
        both_read.wait()
        return found

    monkeypatch.setattr(billing, "charged_integrations", racing_read)
    results: list[dict] = []
    errors: list[BaseException] = []

    def run(run_id: str) -> None:
        try:
            item = billing.run_item(world.a.tenant_id, W10, run_id)
            results.append(billing.bill_tenant(item, attempt=None))  # type: ignore[arg-type]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(r["charged"] + r["alreadyCharged"] for r in results) == [12, 12]
    assert sum(r["charged"] for r in results) == 12            # each charge written by exactly one run
    written = charges(W10)
    assert set(written) == {i["integrationId"] for i in integrations}
    assert {c["runId"] for c in written.values()} <= {"run-1", "run-2"}


def test_a_tenant_too_big_for_one_work_item_continues_in_follow_up_items(world, service, monkeypatch):
    monkeypatch.setattr(billing, "ENTRIES_PER_ITEM", 3)
    open_ones = [live_at(world, at(3), f"Open {n}") for n in range(5)]
    closed = [live_at(world, at(3), f"Closed {n}") for n in range(4)]
    for integration in closed:
        delete_at(world, at(6), integration)
    event = {"week": "2026-W10", "runId": "manual:test"}
    assert service.schedule("BillingScheduleFunction", event)["queued"] == 2
    received = service.pump("BillingQueue")
    assert received >= 1 + 3  # tenant B: one item; tenant A: its 9 index entries took at least 3 items of 3
    assert set(charges(W10)) == {i["integrationId"] for i in open_ones + closed}


def test_the_run_reads_only_the_live_period_index_never_integrations_or_sync_data(world, service):
    live_at(world, at(3), "Shop")
    deleted = live_at(world, at(3), "Deleted")
    delete_at(world, at(4), deleted)
    seen: list[tuple[str, str]] = []

    def record(params, model, **_):
        seen.append((model.name, params.get("TableName", "")))

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.*", record)
    try:
        run_week(service, W10)
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.*", record)
    settings = core().settings
    tables = {name for _, name in seen}
    assert settings.live_periods_table in tables and settings.charges_table in tables
    assert settings.integrations_table not in tables and settings.sync_table not in tables
    assert not [op for op, _ in seen if op == "Scan" and _ != settings.tenants_table]  # only the tenant list
    assert len(charges(W10)) == 2


def test_the_statement_lists_each_customers_integrations_with_totals_as_json_and_csv(world, service):
    first = live_at(world, at(3), "=Shop one")  # a name a spreadsheet would run as a formula
    second = live_at(world, at(3), "Shop two")
    baker = live_at(world, at(3), "Bakery", customer="baker")
    run_week(service, W10)
    path = f"/tenants/{world.a.tenant_id}/statements/2026-W10"

    statement = world.api.get(path, token=world.admin).json()
    assert statement["week"] == "2026-W10" and statement["weekStart"].startswith("2026-03-02T00:00:00")
    assert statement["totalCents"] == 3000 and statement["integrationCount"] == 3
    by_customer = {c["customerName"]: c for c in statement["customers"]}
    assert by_customer["Chef"]["totalCents"] == 2000 and by_customer["Baker"]["totalCents"] == 1000
    assert [line["integrationId"] for line in by_customer["Chef"]["integrations"]] == [
        first["integrationId"], second["integrationId"]]
    assert by_customer["Baker"]["integrations"][0]["integrationId"] == baker["integrationId"]

    as_csv = world.api.get(path, token=world.admin, query={"format": "csv"})
    assert as_csv.status == 200 and as_csv.header("Content-Type").startswith("text/csv")
    assert world.api.get(path, token=world.admin, headers={"accept": "text/csv"}).body == as_csv.body
    rows = list(csv.DictReader(io.StringIO(as_csv.body)))
    assert [r["line"] for r in rows].count("charge") == 3
    totals = {(r["line"], r["customer_name"]): r["amount"] for r in rows if r["line"] != "charge"}
    assert totals == {("customer_total", "Baker"): "10.00", ("customer_total", "Chef"): "20.00",
                      ("tenant_total", ""): "30.00"}
    assert "'=Shop one" in [r["integration_name"] for r in rows]

    empty = world.api.get(f"/tenants/{world.a.tenant_id}/statements/2026-W20", token=world.admin).json()
    assert empty["customers"] == [] and empty["totalCents"] == 0


def test_a_run_for_a_week_not_yet_ended_or_malformed_is_refused(world, service):
    future = world.api.post(f"/tenants/{world.a.tenant_id}/billing-runs", {"week": "2099-W01"}, token=world.admin)
    assert future.status == 400 and future.fields == ["week"]
    for week in ("2026-10", "2025-W53"):
        answer = world.api.post(f"/tenants/{world.a.tenant_id}/billing-runs", {"week": week}, token=world.admin)
        assert answer.status == 400 and answer.fields == ["week"], week
    bad = world.api.get(f"/tenants/{world.a.tenant_id}/statements/2026-W99", token=world.admin)
    assert bad.status == 400 and bad.fields == ["week"]
    assert service.queue_depth("BillingQueue") == 0


def test_the_live_period_index_holds_open_periods_and_one_item_per_week_of_closed_ones(world):
    integration = live_at(world, at(25, month=2), "Shop")     # W09
    index = {i["periodKey"].split("#")[0] for i in table(world, "LivePeriodsTable")}
    assert index == {"OPEN"}
    delete_at(world, at(10), integration)                     # W11
    keys = sorted(i["periodKey"] for i in table(world, "LivePeriodsTable"))
    assert [k.split("#")[1] for k in keys] == ["2026-W09", "2026-W10", "2026-W11"]
    assert all(k.startswith("WEEK#") for k in keys)


def test_the_schedule_sample_event_bills_the_week_before_its_scheduled_time(world, service):
    event = json.loads((Path(__file__).parents[2] / "events" / "billing_schedule.json").read_text())
    result = service.schedule("BillingScheduleFunction", event)
    scheduled = datetime.fromisoformat(event["scheduledTime"].replace("Z", "+00:00"))
    assert result["week"] == str(IsoWeek.of(scheduled).previous())
    assert result["runId"] == f"scheduled:{event['scheduledTime']}"


@pytest.mark.parametrize("expression", ["cron(5 0 ? * MON *)"])
def test_the_billing_schedule_is_monday_0005_utc(service, expression):
    [schedule] = service.stack.functions["BillingScheduleFunction"].schedules
    assert schedule.expression == expression
    assert "<aws.scheduler.scheduled-time>" in (schedule.input or "")


def test_a_transaction_with_some_charges_already_written_writes_exactly_the_others(world):
    integrations = [live_at(world, at(3), f"Shop {n}") for n in range(8)]
    entries = {e.integration_id: e for e in core().integrations.open_in_week(world.a.tenant_id, W10).entries}
    first = [entries[i["integrationId"]] for i in integrations[:3]]
    assert billing.charge(first, W10, amount_cents=1000, run_id="earlier") == (3, 0)
    everything = [entries[i["integrationId"]] for i in integrations]
    assert billing.charge(everything, W10, amount_cents=700, run_id="later") == (5, 3)
    written = charges(W10)
    assert len(written) == 8
    assert {written[i["integrationId"]]["runId"] for i in integrations[:3]} == {"earlier"}
    assert {written[i["integrationId"]]["amountCents"] for i in integrations[3:]} == {700}
