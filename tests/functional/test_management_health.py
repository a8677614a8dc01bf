"""What the console's integration view reads beyond the configuration (issue 15): an integration's health and
price on ``GET …/integrations/{id}``, and the warehouses a customer may use (the warehouse picker's choices).

Every answer is checked against openapi/management.yaml by ``ManagementApi``.
"""

from __future__ import annotations

import json

import pytest
from integrations.core.context import core
from integrations.woocommerce.poller import POLLER

from . import management_support
from .management_support import ManagementApi, World, mint
from .woocommerce_helpers import Woo, connected_fixture, woo_fixture  # noqa: F401 - fixtures

world, auth_env = management_support.world, management_support.auth_env  # fixtures

pytestmark = pytest.mark.usefixtures("auth_env")


def detail(woo: Woo) -> dict:
    tenant, customer = woo.tenant.tenant_id, woo.tenant.customer_id
    answer = ManagementApi(woo.service.stack).get(
        f"/tenants/{tenant}/customers/{customer}/integrations/{woo.integration_id}", token=mint(tenant, "admin"))
    assert answer.status == 200, answer.body
    return answer.json()


def test_a_new_integration_has_no_traffic_yet_and_says_what_it_costs(connected: Woo):
    shown = detail(connected)
    assert shown["weeklyPriceCents"] == 1000
    assert shown["health"] == {"receivesWebhooks": True, "lastWebhookAt": None, "lastSyncedAt": None,
                               "needsAttention": 0, "recordsChecked": shown["health"]["recordsChecked"],
                               "readsFromPlatform": True, "poll": {"lastRunAt": None, "newestChangeAt": None}}


def test_an_order_by_webhook_shows_the_webhook_and_the_sync(connected: Woo):
    placed = connected.place()
    connected.pump()
    assert connected.link(placed["id"])["status"] == "SYNCED"
    _, entries = connected.history(placed["id"])
    webhooks = [e["at"] for e in entries if e["event"] == "webhook"]

    health = detail(connected)["health"]
    assert health["lastWebhookAt"] == max(webhooks)
    assert health["lastSyncedAt"] == connected.link(placed["id"])["updatedAt"]
    assert health["needsAttention"] == 0


def test_a_record_needing_attention_is_counted_until_a_retry_fixes_it(connected: Woo):
    placed = connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    assert detail(connected)["health"]["needsAttention"] == 1

    connected.wms.add_product(connected.tenant.tenant_id, connected.tenant.customer_id, "SKU-404", "Steam Lid")
    tenant, customer = connected.tenant.tenant_id, connected.tenant.customer_id
    base = f"/tenants/{tenant}/customers/{customer}/integrations/{connected.integration_id}"
    retried = ManagementApi(connected.service.stack).post(
        f"{base}/sync-log/retry", {"record": connected.link(placed["id"])["pk"]}, token=mint(tenant, "admin"))
    assert retried.status == 202, retried.body
    connected.pump()
    assert detail(connected)["health"]["needsAttention"] == 0


def test_each_completed_poll_is_marked_even_when_it_finds_nothing(connected: Woo):
    connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    connected.pump()
    first = core().cursors.read(POLLER.cursor_key_of(connected.integration_id))
    assert first is not None and first["polledAt"]
    assert detail(connected)["health"]["poll"]["lastRunAt"] == first["polledAt"]

    connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:05:00Z"})
    connected.pump()
    second = core().cursors.read(POLLER.cursor_key_of(connected.integration_id))
    assert second is not None and second["polledAt"] > first["polledAt"]

    connected.store.drop_webhooks(2)  # an order only the poll finds: moving the cursor notes the run
    connected.place()
    connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:10:00Z"})
    connected.pump()
    third = core().cursors.read(POLLER.cursor_key_of(connected.integration_id))
    assert third is not None and third["position"] and third["polledAt"] == third["updatedAt"] > second["polledAt"]


def test_a_type_without_doors_or_poller_says_so(world: World):
    live = world.create_live()
    answer = world.api.get(f"{world.path()}/{live['integrationId']}", token=world.customer_user())
    assert answer.status == 200, answer.body
    assert answer.json()["health"] == {"receivesWebhooks": False, "lastWebhookAt": None, "lastSyncedAt": None,
                                       "needsAttention": 0, "recordsChecked": 0, "readsFromPlatform": False,
                                       "poll": None}
    assert answer.json()["weeklyPriceCents"] == 1000
    # the list stays as it was: health is read for one integration at a time
    listed = world.api.get(world.path(), token=world.admin).json()["integrations"]
    assert all("health" not in item for item in listed)


def test_the_customers_warehouses_are_the_ones_it_may_use(world: World):
    path = f"/tenants/{world.a.tenant_id}/customers/{world.a.customers['chef']}/warehouses"
    for token in (world.admin, world.customer_user()):
        answer = world.api.get(path, token=token)
        assert answer.status == 200, answer.body
        assert answer.json() == {"warehouses": [
            {"warehouseId": world.a.warehouses["brisbane"], "name": "Brisbane"},
            {"warehouseId": world.a.warehouses["perth"], "name": "Perth"}]}


def test_warehouses_are_refused_like_the_customers_integrations(world: World):
    baker = f"/tenants/{world.a.tenant_id}/customers/{world.a.customers['baker']}/warehouses"
    refused = world.api.get(baker, token=world.customer_user())  # another customer's
    assert refused.status == 403 and refused.fields == ["customerId"]
    assert world.api.get(baker, token=world.token("customer", customer="baker")).status == 403  # not self-managed
    assert world.api.get(baker, token=world.token("admin", tenant=world.b)).status == 403  # another tenant
    unknown = world.api.get(f"/tenants/{world.a.tenant_id}/customers/no-such-customer/warehouses", token=world.admin)
    assert unknown.status == 404 and unknown.fields == ["customerId"], json.dumps(unknown.json())
