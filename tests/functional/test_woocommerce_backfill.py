"""Issue 8, point 6: backfill through the management API — a past window of the store's orders synced as live sync
would sync them (nothing created twice), its progress readable, and a window the service won't take refused with a
400 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integrations.core.context import core

from .management_support import ManagementApi, auth_env, mint  # noqa: F401  (auth_env is a fixture)
from .woocommerce_helpers import API_BASE, SLUG, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


@pytest.fixture
def api(stack, auth_env, monkeypatch) -> ManagementApi:  # noqa: F811
    monkeypatch.setenv("PUBLIC_API_BASE_URL", API_BASE)
    return ManagementApi(stack)


def item(woo: Woo) -> str:
    return f"/tenants/{woo.tenant.tenant_id}/customers/{woo.tenant.customer_id}/integrations/{woo.integration_id}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_backfill_creates_what_live_sync_missed_once_and_reports_its_progress(api, connected: Woo):
    start = datetime.now(UTC) - timedelta(hours=1)
    synced = connected.place()
    connected.pump()
    connected.door.outage = 503  # the next orders' webhooks never reach us
    missed = [connected.place(), connected.place([{"sku": "SKU-2", "quantity": 3}])]
    connected.store.set_order_status(SLUG, missed[0]["id"], "on-hold")  # not Processing: not for the WMS
    connected.door.outage = None
    assert len(connected.wms_orders()) == 1

    token = mint(connected.tenant.tenant_id, "admin")
    started = api.post(f"{item(connected)}/backfill", {"from": iso(start), "to": iso(datetime.now(UTC))},
                       token=token)
    assert started.status == 202, started.body
    progress_url = started.headers["Location"]
    assert started.json()["status"] == "RUNNING"
    connected.pump()

    progress = api.get(progress_url, token=token)
    assert progress.status == 200
    assert progress.json() | {} == {**progress.json(), "status": "DONE", "queued": 2, "pages": 1}
    references = sorted(order["references"]["customer"] for order in connected.wms_orders())
    assert references == sorted([synced["number"], missed[1]["number"]])  # the synced one not made twice
    _, entries = core().sync_log.history(f"{connected.integration_id}#woocommerce#backfill#"
                                         f"{started.json()['backfillId']}")
    assert [e.event for e in entries] == ["backfill-started", "backfill-done"]


@pytest.mark.parametrize(("window", "field"), [
    ({"from": "2026-01-01T00:00:00Z"}, "to"),
    ({"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00Z"}, "from"),  # no zone: never guessed
    ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
    ({"from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}, "to"),  # longer than 92 days
    ({"from": "2999-01-01T00:00:00Z", "to": "2999-01-02T00:00:00Z"}, "from"),
    ({"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "pages": 3}, "pages"),
    # Issue 20: the year 1 at +01:00 has no UTC equivalent (was a 500 after the backfill was written, left RUNNING)
    ({"from": "0001-01-01T00:00:00+01:00", "to": "0001-01-02T00:00:00+01:00"}, ["from", "to"]),
    ({"from": "1999-12-31T00:00:00Z", "to": "2000-01-02T00:00:00Z"}, "from"),  # before any platform's records
    ({"from": 1767225600, "to": "2026-01-02T00:00:00Z"}, "from"),  # Unix seconds: the contract says date-time
    ({"from": "2026-01-01T00:00:00Z", "to": 1767312000.0}, "to"),
])
def test_a_window_the_service_wont_take_is_a_400_naming_the_field_and_starts_nothing(api, connected: Woo, window,
                                                                                       field):
    before = connected.service.scan("SyncTable")
    answer = api.post(f"{item(connected)}/backfill", window, token=mint(connected.tenant.tenant_id, "admin"))
    assert answer.status == 400 and answer.fields == ([field] if isinstance(field, str) else field), answer.body
    assert connected.service.queue_depth("WooCommerceQueue") == 0
    assert connected.service.scan("SyncTable") == before  # no backfill left RUNNING, no log entry


def test_only_the_tenant_admin_or_the_permitted_customer_user_may_backfill(api, connected: Woo):
    window = {"from": iso(datetime.now(UTC) - timedelta(days=1)), "to": iso(datetime.now(UTC))}
    customer_token = mint(connected.tenant.tenant_id, "customer", connected.tenant.customer_id)
    assert api.post(f"{item(connected)}/backfill", window, token=customer_token).status == 403
    core().tenants.update(connected.tenant.tenant_id, {"selfManagedCustomerIds": [connected.tenant.customer_id]})
    assert api.post(f"{item(connected)}/backfill", window, token=customer_token).status == 202
    other = mint(connected.tenant.tenant_id, "customer", "another-customer")
    assert api.post(f"{item(connected)}/backfill", window, token=other).status == 403
