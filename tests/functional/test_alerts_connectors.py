"""Issue 23: an alert condition a connector adds in its declaration — Rose Rocket's webhook destination removed by
hand — raised and resolved as the frame's are (Unleashed's: test_alerts_unleashed.py)."""

from __future__ import annotations

from typing import Any

from integrations.core.alerts.checker import TenantCheck
from integrations.core.alerts.model import AlertThresholds
from integrations.core.alerts.store import AlertStore
from integrations.core.context import core

from . import rose_rocket_helpers
from .rose_rocket_helpers import ORG, USER, RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture


def check(tenant_id: str, **thresholds: Any) -> dict[str, Any]:
    tenant = core().tenants.get(tenant_id, fresh=True)
    settings = tenant.alerts.model_copy(update={"thresholds": AlertThresholds(**thresholds)})
    return TenantCheck(tenant.model_copy(update={"alerts": settings})).run().to_json()


def alert(tenant_id: str, key: str) -> dict[str, Any]:
    store = AlertStore(core().settings.alerts_table)
    return {f"{a.subject}/{a.condition}": a.to_json() for a in store.alerts(tenant_id)}[key]


def test_a_rose_rocket_webhook_destination_removed_by_hand_opens_an_alert_and_saving_a_step_resolves_it(
        world: RoseRocketWorld):
    world.connect()
    integration = core().integrations.get(world.integration_id)
    assert integration is not None
    destination = integration.platform_state["webhookDestinationId"]
    key = f"{world.integration_id}/webhook-gone"
    assert key not in check(world.tenant.tenant_id, platform_check_minutes=0)["opened"]
    org = world.rose_rocket.org(ORG)
    with world.rose_rocket.writing(org, USER) as records:
        records.delete(records.get(destination))
    assert key in check(world.tenant.tenant_id, platform_check_minutes=0)["opened"]
    assert "gone from Rose Rocket" in alert(world.tenant.tenant_id, key)["summary"]
    saved = world.api("PUT", f"{world.base}/steps/fulfilment", {})  # any save registers the webhook again
    assert saved.status == 200, saved.body
    assert key in check(world.tenant.tenant_id, platform_check_minutes=0)["resolved"]
