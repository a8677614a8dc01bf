"""Issue 21, item 5: the live check of an integration's account — made at Finish (never blocking), on demand through
the management API (permitted like a reconfigure), kept on the configuration log, and from the command line with
credentials in environment variables. Shown here with WooCommerce; every connector's probes are held to its
sandbox's dialects by the contract suite (tests/contract, test_the_live_check_reports_exactly_…)."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout

import pytest
from integrations.core import aws, live_check
from integrations.core.context import core
from integrations.management.base import configuration_log_key

from .management_support import ManagementApi, auth_env, mint  # noqa: F401  (auth_env is a fixture)
from .woocommerce_helpers import API_BASE, SLUG, STORE_URL, Woo, woo_fixture  # noqa: F401  (fixtures)


@pytest.fixture
def api(stack, auth_env, monkeypatch) -> ManagementApi:  # noqa: F811
    monkeypatch.setenv("PUBLIC_API_BASE_URL", API_BASE)
    return ManagementApi(stack)


def live(api: ManagementApi, woo: Woo) -> str:
    token = mint(woo.tenant.tenant_id, "admin")
    base = f"/tenants/{woo.tenant.tenant_id}/customers/{woo.tenant.customer_id}/integrations"
    item = f"{base}/{api.post(base, {'type': 'woocommerce', 'name': 'Shop'}, token=token).json()['integrationId']}"
    for step, body in (("authentication", {"storeUrl": STORE_URL, "consumerKey": woo.consumer_key,
                                           "consumerSecret": woo.consumer_secret}),
                       ("orderCreation", {"warehouseId": woo.tenant.warehouse_id}), ("fulfilment", {})):
        assert api.put(f"{item}/steps/{step}", body, token=token).status == 200, step
    return item


def test_finishing_checks_the_account_and_a_refuted_assumption_says_what_to_do_without_blocking(api, woo: Woo):
    woo.store.configure_store(SLUG, shipment_tracking=False)  # this store has no Shipment Tracking extension
    item = live(api, woo)
    token = mint(woo.tenant.tenant_id, "admin")
    finished = api.post(f"{item}/finish", token=token)
    assert finished.status == 200 and finished.json()["status"] == "LIVE"  # never blocked by what the check finds
    report = finished.json()["liveCheck"]
    outcomes = {f["key"]: f["outcome"] for f in report["findings"]}
    assert outcomes["tracking-extension"] == "refuted" and outcomes["orders-read"] == "confirmed"
    assert outcomes["webhook-signature"] == "not-checkable"
    refuted = next(f for f in report["findings"] if f["key"] == "tracking-extension")
    assert "note" in refuted["means"] and "Activate the extension" in refuted["means"]
    assert "1 refuted" in report["summary"]

    link, entries = core().sync_log.history(configuration_log_key(item.rsplit("/", 1)[1]))
    checks = [e for e in entries if e.event == "live-check"]
    assert checks[0].message == report["summary"]
    assert [e.error for e in checks[1:]] == [refuted["seen"]] and checks[1].resolution == refuted["means"]


def test_check_connection_on_demand_is_permitted_like_a_reconfigure_and_writes_nothing_to_the_store(api, woo: Woo):
    item = live(api, woo)
    writes = len([r for r in woo.store.request_log if r[0] in ("POST", "PUT", "DELETE")])
    admin = mint(woo.tenant.tenant_id, "admin")
    checked = api.post(f"{item}/check", token=admin)
    assert checked.status == 200 and checked.json()["platform"] == "WooCommerce"
    assert {f["outcome"] for f in checked.json()["findings"]} <= {"confirmed", "not-checkable"}
    assert len([r for r in woo.store.request_log if r[0] in ("POST", "PUT", "DELETE")]) == writes
    # A user of a customer the tenant doesn't let self-manage, and another tenant's admin, may not.
    outsider = mint(woo.tenant.tenant_id, "customer", woo.tenant.customer_id)
    core().tenants.update(woo.tenant.tenant_id, {"selfManagedCustomerIds": []})
    assert api.post(f"{item}/check", token=outsider).status == 403
    assert api.post(f"{item}/check", token=mint("another-tenant", "admin")).status == 403


def test_an_account_that_cant_be_reached_is_reported_not_raised(api, woo: Woo):
    item = live(api, woo)
    woo.store.inject_fault(503, count=1000)
    checked = api.post(f"{item}/check", token=mint(woo.tenant.tenant_id, "admin"))
    assert checked.status == 200
    outcomes = {f["outcome"] for f in checked.json()["findings"]}
    assert "could-not-check" in outcomes and "confirmed" not in outcomes


def test_a_check_while_syncing_uses_every_request_the_account_allows_says_so_and_to_check_again(api, woo: Woo):
    item = live(api, woo)
    # Workers hold the store's turns for the next minute (the shared budget table as they leave it): the check must
    # not push the store over its rate, nor fail, nor say "nothing to do" as a waiting work item would.
    table, dynamodb = core().settings.rate_budget_table, aws.dynamodb()
    items = dynamodb.scan(TableName=table)["Items"]
    turns = [item["budgetKey"] for item in items if item["budgetKey"]["S"].endswith("#spacing")]
    assert turns  # configuring the integration called the store through its budget
    for key in turns:
        dynamodb.put_item(TableName=table, Item={"budgetKey": key, "nextAt": {"N": repr(time.time() + 60)}})
    checked = api.post(f"{item}/check", token=mint(woo.tenant.tenant_id, "admin"))
    assert checked.status == 200
    findings = checked.json()["findings"]
    assert {f["outcome"] for f in findings} == {"could-not-check"}
    assert all("syncing was using every request" in f["seen"] and "run the check again in a minute" in f["means"]
               for f in findings), findings[0]


def test_operators_run_it_from_the_command_line_with_credentials_in_the_environment(woo: Woo, monkeypatch):
    assert live_check.env_name("woocommerce", "consumerKey") == "WOOCOMMERCE_CONSUMER_KEY"
    monkeypatch.setenv("WOOCOMMERCE_STORE_URL", STORE_URL)
    monkeypatch.setenv("WOOCOMMERCE_CONSUMER_KEY", woo.consumer_key)
    monkeypatch.setenv("WOOCOMMERCE_CONSUMER_SECRET", woo.consumer_secret)
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert live_check.main(["woocommerce", "--json"]) == 0
    report = json.loads(printed.getvalue())
    assert report["platform"] == "WooCommerce" and report["findings"][0]["outcome"] == "confirmed"
    monkeypatch.delenv("WOOCOMMERCE_CONSUMER_SECRET")
    assert live_check.main(["woocommerce"]) == 2  # says which variables are missing
