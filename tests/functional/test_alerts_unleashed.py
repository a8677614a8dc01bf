"""Issue 23: Unleashed's own alert condition — the monthly call budget at 80 % then 95 %: one alert, made critical
once, resolved when the month's count falls back (a new month, or a raised budget)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from integrations.core.context import core
from integrations.unleashed import usage
from integrations.unleashed.clients import unleashed_client
from integrations.unleashed.settings import settings_of

from .test_alerts_connectors import alert, check
from .unleashed_helpers import UnleashedWorld, connected_fixture, unleashed_world_fixture  # noqa: F401  (fixtures)


def test_unleashed_calls_at_80_then_95_percent_open_one_alert_made_critical_once(connected: UnleashedWorld):
    world = connected
    integration = world.fresh()
    budget = settings_of(integration).order.api_calls_per_month
    account = unleashed_client(integration).account
    month_key = usage.budget_key(account, usage.month_of(datetime.now(UTC)))

    def spend(calls: int) -> None:
        # The budget's own item, as the meter keeps it: the month's count of calls.
        boto3.client("dynamodb").update_item(
            TableName=core().settings.rate_budget_table, Key={"budgetKey": {"S": month_key}},
            UpdateExpression="SET #count = :n", ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":n": {"N": str(calls)}})

    key = f"{world.integration_id}/monthly-budget"
    spend(int(budget * 0.79))
    assert key not in check(world.tenant.tenant_id)["opened"]
    spend(int(budget * 0.81))
    assert key in check(world.tenant.tenant_id)["opened"]
    assert alert(world.tenant.tenant_id, key)["level"] == "warning"
    spend(int(budget * 0.96))
    worse = check(world.tenant.tenant_id)
    assert key in worse["updated"] and f"{key}: updated" in worse["notices"]
    assert alert(world.tenant.tenant_id, key)["level"] == "critical"
    assert key not in check(world.tenant.tenant_id)["updated"]  # critical already: said once
    spend(0)  # a new month (or a raised budget)
    assert key in check(world.tenant.tenant_id)["resolved"]


def test_an_unleashed_subscription_removed_by_hand_opens_an_alert_until_a_save_subscribes_again(
        connected: UnleashedWorld):
    from integrations.unleashed.integration_type import INTEGRATION_TYPE

    from .test_unleashed_poller import API_ID, poll_at

    world = connected
    for subscription in world.unleashed.subscriptions(API_ID):
        world.unleashed.account(API_ID).subscriptions.pop(subscription["subscriptionId"])
    poll_at(world, "2026-11-30T03:00:00Z")  # the poll's hourly look at the subscription
    key = f"{world.integration_id}/webhook-gone"
    assert key in check(world.tenant.tenant_id)["opened"]
    assert "gone from Unleashed" in alert(world.tenant.tenant_id, key)["summary"]
    integration = world.fresh()
    started = INTEGRATION_TYPE.start(world.context(integration))  # what saving any step does: subscribe again
    world.update(platform_state={**integration.platform_state, **started})
    poll_at(world, "2026-11-30T04:00:00Z")
    assert key in check(world.tenant.tenant_id)["resolved"]
