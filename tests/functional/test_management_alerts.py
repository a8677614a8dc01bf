"""Alerts through the management API (issue 23, points 2 and 4): the "Needs attention" overview of the tenant and of
one customer, an integration's alerts and history, acknowledge and snooze (with who did it), the tenant's alert
settings (thresholds, addresses, webhook and its secret shown once) and a customer's own alert addresses.

Alerts are opened here as the checker opens them (``AlertStore.raise_alert``); every answer is checked against
openapi/management.yaml by ``ManagementApi``. Permissions for every role are in test_management_permissions.py.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import boto3
import pytest
from integrations.core.alerts.model import TENANT_SUBJECT, Finding, Level
from integrations.core.alerts.store import AlertStore, Subject
from integrations.core.context import core
from integrations.core.stores import to_item
from integrations.core.timeutil import utc_iso, utcnow

from . import management_support
from .management_support import World
from .test_management_api import snapshot, table

world, auth_env = management_support.world, management_support.auth_env  # fixtures

CONDITION = "recordsNeedAttention"


def alerts() -> AlertStore:
    return AlertStore(core().settings.alerts_table)


def open_alert(world: World, integration: dict[str, Any], condition: str = CONDITION, *,
               summary: str = "2 orders need attention for more than a day") -> None:
    """An alert as the checker opens it."""
    subject = Subject(integration["integrationId"], customer_id=integration["customerId"],
                      integration_name=integration["name"], platform="Sandbox Shop (tests)")
    finding = Finding(summary=summary, what_to_do="Open the integration's sync log and retry them after the fix.",
                      count=2)
    assert alerts().raise_alert(world.a.tenant_id, subject, condition, finding, None) == "opened"


def open_tenant_alert(world: World, condition: str = "wmsNotificationsSilent") -> None:
    subject = Subject(TENANT_SUBJECT)
    finding = Finding(summary="No WMS notification for 6 hours", what_to_do="Check the webhook in CartonCloud.",
                      level=Level.CRITICAL)
    assert alerts().raise_alert(world.a.tenant_id, subject, condition, finding, None) == "opened"


def needs_attention(integration_id: str, record: str = "1") -> None:
    """A record of the integration needing attention, as the sync log keeps it (its link, on the sparse GSI
    byAttention)."""
    now = utc_iso(utcnow())
    boto3.client("dynamodb").put_item(TableName=core().settings.sync_table, Item=to_item({
        "pk": f"{integration_id}#sandboxshop#order#{record}", "sk": "LINK", "scope": integration_id,
        "recordType": "order", "status": "NEEDS_ATTENTION", "updatedAt": now, "attentionScope": integration_id,
        "attentionSince": now}))


def integration_path(world: World, integration: dict[str, Any], customer: str = "chef") -> str:
    return f"{world.path(customer)}/{integration['integrationId']}"


def test_the_overview_lists_open_alerts_and_records_needing_attention_across_customers(world):
    chef, baker = world.create_live("Chef shop", "chef"), world.create_live("Baker shop", "baker")
    open_alert(world, chef)
    open_tenant_alert(world)
    needs_attention(baker["integrationId"])
    needs_attention(baker["integrationId"], "2")

    answer = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin)
    assert answer.status == 200, answer.body
    overview = answer.json()
    assert [(a["subject"], a["condition"], a["state"]) for a in overview["alerts"]] == [  # newest first
        (TENANT_SUBJECT, "wmsNotificationsSilent", "OPEN"), (chef["integrationId"], CONDITION, "OPEN")]
    chef_alert = next(a for a in overview["alerts"] if a["subject"] == chef["integrationId"])
    assert chef_alert["customerId"] == world.a.customers["chef"] and chef_alert["snoozed"] is False
    assert chef_alert["whatToDo"].startswith("Open the integration's sync log")
    rows = {row["name"]: row for row in overview["integrations"]}
    assert rows["Baker shop"]["needsAttention"] == 2 and rows["Baker shop"]["openAlerts"] == 0
    assert rows["Chef shop"]["needsAttention"] == 0 and rows["Chef shop"]["openAlerts"] == 1
    assert rows["Chef shop"]["customerName"] == "Chef" and rows["Chef shop"]["platform"] == "Sandbox Shop (tests)"
    assert overview["openAlerts"] == 2 and overview["countedUpTo"] == 1000
    assert {"key": "needs-attention", "title": "Needs attention too long"} in overview["conditions"]
    assert chef_alert["conditionTitle"] == CONDITION  # not one the frame declares: its key stands for it
    badge = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin, query={"records": "skip"})
    assert badge.json()["openAlerts"] == 2 and badge.json()["integrations"] == []  # the header's one query

    only_baker = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin,
                               query={"customerId": world.a.customers["baker"]}).json()
    assert only_baker["alerts"] == [] and [r["name"] for r in only_baker["integrations"]] == ["Baker shop"]
    by_condition = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin,
                                 query={"condition": CONDITION}).json()
    assert [a["subject"] for a in by_condition["alerts"]] == [chef["integrationId"]]
    by_platform = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin,
                                query={"platform": "sandboxshop"}).json()
    assert [a["subject"] for a in by_platform["alerts"]] == [chef["integrationId"]]  # the WMS's is no platform's


def test_a_customer_user_sees_only_their_own_customers_alerts(world):
    chef, baker = world.create_live("Chef shop", "chef"), world.create_live("Baker shop", "baker")
    open_alert(world, chef)
    open_alert(world, baker)
    open_tenant_alert(world)
    mine = world.api.get(f"/tenants/{world.a.tenant_id}/customers/{world.a.customers['chef']}/alerts",
                         token=world.customer_user())
    assert mine.status == 200, mine.body
    assert [a["subject"] for a in mine.json()["alerts"]] == [chef["integrationId"]]
    assert [r["name"] for r in mine.json()["integrations"]] == ["Chef shop"]
    assert mine.json()["openAlerts"] == 1
    tenant_wide = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.customer_user())
    assert tenant_wide.status == 403


@pytest.mark.parametrize("bad", [{"state": "closed"}, {"platform": "nosuchplatform"}, {"condition": "a b"},
                                 {"customerId": "x" * 65}])
def test_the_overviews_filters_are_checked(world, bad):
    answer = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin, query=bad)
    assert answer.status == 400 and answer.fields == list(bad)


def test_acknowledge_and_snooze_are_recorded_with_who_and_show_in_the_history(world):
    chef = world.create_live("Chef shop", "chef")
    open_alert(world, chef)
    base = f"{integration_path(world, chef)}/alerts"
    user = world.customer_user()

    acknowledged = world.api.post(f"{base}/{CONDITION}/acknowledge", token=user)
    assert acknowledged.status == 200, acknowledged.body
    assert acknowledged.json()["acknowledgedBy"].startswith("user-customer-")
    assert acknowledged.json()["state"] == "OPEN"

    snoozed = world.api.post(f"{base}/{CONDITION}/snooze", {"hours": 24}, token=world.admin)
    assert snoozed.status == 200, snoozed.body
    until = snoozed.json()["snoozedUntil"]
    assert utc_iso(utcnow() + timedelta(hours=23, minutes=59)) < until <= utc_iso(utcnow() + timedelta(hours=24))
    assert snoozed.json()["snoozed"] is True and snoozed.json()["snoozedBy"].startswith("user-admin-")
    overview = world.api.get(f"/tenants/{world.a.tenant_id}/alerts", token=world.admin).json()
    assert overview["openAlerts"] == 0 and len(overview["alerts"]) == 1  # still open, not in the badge

    later = utc_iso(utcnow() + timedelta(days=2))
    assert world.api.post(f"{base}/{CONDITION}/snooze", {"until": later}, token=world.admin).json()[
        "snoozedUntil"] == later

    listed = world.api.get(base, token=user)
    assert listed.status == 200, listed.body
    assert [a["condition"] for a in listed.json()["alerts"]] == [CONDITION]
    history = listed.json()["history"]
    assert [entry["event"] for entry in history] == ["snoozed", "snoozed", "acknowledged", "opened"]
    assert history[2]["by"] == acknowledged.json()["acknowledgedBy"]


def test_a_resolved_alert_is_409_and_an_unknown_one_404_naming_the_condition(world):
    chef = world.create_live("Chef shop", "chef")
    open_alert(world, chef)
    assert alerts().resolve(world.a.tenant_id, chef["integrationId"], CONDITION, "No record needs attention now")
    base = f"{integration_path(world, chef)}/alerts"
    before = snapshot(world)
    resolved = world.api.post(f"{base}/{CONDITION}/acknowledge", token=world.admin)
    assert resolved.status == 409 and resolved.fields == ["condition"]
    assert world.api.post(f"{base}/{CONDITION}/snooze", {"hours": 1}, token=world.admin).status == 409
    unknown = world.api.post(f"{base}/noSuchCondition/acknowledge", token=world.admin)
    assert unknown.status == 404 and unknown.fields == ["condition"]
    assert world.api.post(f"{base}/noSuchCondition/snooze", {"hours": 1}, token=world.admin).status == 404
    assert snapshot(world) == before
    history = world.api.get(base, token=world.admin).json()
    assert history["alerts"][0]["state"] == "RESOLVED" and history["alerts"][0]["resolvedAt"]
    assert [entry["event"] for entry in history["history"]] == ["resolved", "opened"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "hours"), ({"hours": 0}, "hours"), ({"hours": 169}, "hours"), ({"hours": 1.5}, "hours"),
    ({"hours": "2"}, "hours"), ({"hours": None}, "hours"),
    ({"until": "2026-12-08T09:00:00"}, "until"),
    ({"until": timedelta(minutes=-1)}, "until"),
    ({"until": timedelta(days=7, minutes=10)}, "until"),
    ({"hours": 1, "until": timedelta(hours=2)}, "until"),
    ({"minutes": 5}, "minutes"),
])
def test_a_snooze_takes_hours_or_a_time_within_a_week_and_nothing_else(world, body, field):
    # A moment relative to now is made when the test runs (not when it is collected, minutes earlier under load).
    body = {name: utc_iso(utcnow() + value) if isinstance(value, timedelta) else value for name, value in body.items()}
    chef = world.create_live("Chef shop", "chef")
    open_alert(world, chef)
    before = snapshot(world)
    answer = world.api.post(f"{integration_path(world, chef)}/alerts/{CONDITION}/snooze", body, token=world.admin)
    assert answer.status == 400, answer.body
    assert answer.fields == [field]
    assert snapshot(world) == before


def test_tenant_wide_alerts_are_acknowledged_and_snoozed_by_admins_on_the_tenants_path(world):
    open_tenant_alert(world)
    base = f"/tenants/{world.a.tenant_id}/alerts/{TENANT_SUBJECT}/wmsNotificationsSilent"
    before = snapshot(world)
    assert world.api.post(f"{base}/acknowledge", token=world.customer_user()).status == 403
    assert world.api.post(f"{base}/snooze", {"hours": 1}, token=world.customer_user()).status == 403
    assert snapshot(world) == before
    acknowledged = world.api.post(f"{base}/acknowledge", token=world.admin)
    assert acknowledged.status == 200 and acknowledged.json()["subject"] == TENANT_SUBJECT
    assert world.api.post(f"{base}/snooze", {"hours": 1}, token=world.admin).json()["snoozed"] is True


def test_tenant_level_integrations_have_their_alerts_on_the_tenant_level_path(world):
    chef = world.create_live("Chef shop", "chef")
    open_alert(world, chef)
    # a customer's integration is not on the tenant-level path, whoever asks
    answer = world.api.get(f"/tenants/{world.a.tenant_id}/integrations/{chef['integrationId']}/alerts",
                           token=world.admin)
    assert answer.status == 404 and answer.fields == ["integrationId"]


def test_alert_settings_are_saved_in_parts_checked_and_the_webhook_secret_is_shown_once(world):
    path = f"/tenants/{world.a.tenant_id}/settings"
    saved = world.api.put(path, {"alerts": {"thresholds": {"attentionHours": 0.5, "budgetWarningPercent": 70},
                                            "channels": {"emails": ["ops@example-3pl.com", "Ana@Bücher.example"],
                                                         "webhookUrl": "https://hooks.example.com/alerts?k=1"}}},
                          token=world.admin)
    assert saved.status == 200, saved.body
    alerts_view = saved.json()["alerts"]
    assert alerts_view["thresholds"] == {"attentionHours": 0.5, "waitingHours": 2, "pollMissedIntervals": 3,
                                         "notificationSilenceHours": 6, "budgetWarningPercent": 70,
                                         "budgetCriticalPercent": 95, "platformCheckMinutes": 60, "digestAfter": 3}
    assert alerts_view["channels"] == {"emails": ["ops@example-3pl.com", "Ana@xn--bcher-kva.example"],
                                       "webhookUrl": "https://hooks.example.com/alerts?k=1",
                                       "webhookSecretSet": False, "customersReceiveAlerts": False,
                                       "customerEmails": {}}
    # another part alone leaves the rest as it is
    again = world.api.put(path, {"alerts": {"channels": {"customersReceiveAlerts": True}}}, token=world.admin)
    assert again.json()["alerts"]["channels"]["emails"] == ["ops@example-3pl.com", "Ana@xn--bcher-kva.example"]
    assert again.json()["alerts"]["channels"]["customersReceiveAlerts"] is True
    assert again.json()["alerts"]["thresholds"]["attentionHours"] == 0.5
    assert core().tenants.get(world.a.tenant_id, fresh=True).alerts.thresholds.attention_hours == 0.5

    secret = world.api.post(f"{path}/alert-webhook-secret", token=world.admin)
    assert secret.status == 201 and secret.header("Cache-Control") == "no-store"
    shown = secret.json()["webhookSecret"]
    assert secret.json()["signing"].startswith("X-Alert-Signature: v1=")  # as the webhook channel signs
    view = world.api.get(path, token=world.admin).json()
    assert view["alerts"]["channels"]["webhookSecretSet"] is True
    stored = next(t for t in table(world, "TenantsTable") if t["tenantId"] == world.a.tenant_id)
    assert shown not in json.dumps(view) and shown not in json.dumps(stored, default=str)
    sealed = stored["alerts"]["channels"]["webhookSecret"]
    assert core().vault.open(sealed, tenant_id=world.a.tenant_id).reveal("secret") == shown
    assert world.api.put(path, {"alerts": {"channels": {"webhookUrl": ""}}}, token=world.admin).json()[
        "alerts"]["channels"]["webhookUrl"] is None


@pytest.mark.parametrize(("alerts_body", "field"), [
    ({"thresholds": {"budgetCriticalPercent": 80}}, "alerts.thresholds.budgetCriticalPercent"),
    ({"thresholds": {"budgetWarningPercent": 96}}, "alerts.thresholds.budgetWarningPercent"),
    ({"thresholds": {"attentionHours": 0}}, "alerts.thresholds.attentionHours"),
    ({"thresholds": {"attentionHours": 721}}, "alerts.thresholds.attentionHours"),
    ({"thresholds": {"pollMissedIntervals": 1}}, "alerts.thresholds.pollMissedIntervals"),
    ({"thresholds": {"nope": 1}}, "alerts.thresholds.nope"),
    ({"channels": {"emails": ["not-an-address"]}}, "alerts.channels.emails[0]"),
    ({"channels": {"emails": ["ops@localhost"]}}, "alerts.channels.emails[0]"),
    ({"channels": {"emails": ["a@example.com", "A@example.com"]}}, "alerts.channels.emails"),
    ({"channels": {"emails": [f"p{i}@example.com" for i in range(11)]}}, "alerts.channels.emails"),
    ({"channels": {"webhookUrl": "http://hooks.example.com/x"}}, "alerts.channels.webhookUrl"),
    ({"channels": {"webhookUrl": "ftp://hooks.example.com/x"}}, "alerts.channels.webhookUrl"),
    ({"channels": {"webhookUrl": "https://user:pw@hooks.example.com/x"}}, "alerts.channels.webhookUrl"),
    ({"channels": {"webhookUrl": "https://bad host/x"}}, "alerts.channels.webhookUrl"),
    ({"channels": {"webhookUrl": None}}, "alerts.channels.webhookUrl"),
    ({"channels": {"webhookSecret": "chosen-by-me"}}, "alerts.channels.webhookSecret"),
    ({"channels": {"customersReceiveAlerts": "yes"}}, "alerts.channels.customersReceiveAlerts"),
])
def test_bad_alert_settings_are_refused_naming_the_field_and_change_nothing(world, alerts_body, field):
    before = snapshot(world)
    answer = world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"alerts": alerts_body}, token=world.admin)
    assert answer.status == 400, answer.body
    assert answer.fields == [field]
    assert snapshot(world) == before


def test_the_local_stacks_webhook_may_be_plain_http_on_loopback_only(world):
    path = f"/tenants/{world.a.tenant_id}/settings"
    for url in ("http://127.0.0.1:3000/sandbox/alerts", "http://localhost:8080/hook"):
        answer = world.api.put(path, {"alerts": {"channels": {"webhookUrl": url}}}, token=world.admin)
        assert answer.status == 200 and answer.json()["alerts"]["channels"]["webhookUrl"] == url


def test_a_customers_alert_addresses_are_set_by_its_user_only_when_the_tenant_sends_alerts_to_customers(world):
    chef = world.a.customers["chef"]
    path = f"/tenants/{world.a.tenant_id}/customers/{chef}/alert-contacts"
    user = world.customer_user()
    assert world.api.get(path, token=user).json() == {"customerId": chef, "emails": [],
                                                       "customersReceiveAlerts": False}
    before = snapshot(world)
    refused = world.api.put(path, {"emails": ["chef@example.com"]}, token=user)
    assert refused.status == 403 and "customers receive alerts" in refused.json()["resolution"]
    assert snapshot(world) == before
    # an admin may set them ahead
    assert world.api.put(path, {"emails": ["chef@example.com"]}, token=world.admin).status == 200

    world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"alerts": {"channels": {"customersReceiveAlerts": True}}},
                  token=world.admin)
    saved = world.api.put(path, {"emails": ["kitchen@example.com", "chef@example.com"]}, token=user)
    assert saved.status == 200, saved.body
    assert saved.json() == {"customerId": chef, "emails": ["kitchen@example.com", "chef@example.com"],
                            "customersReceiveAlerts": True}
    # another customer's at the same time: both kept (each is its own part of the settings)
    baker = world.a.customers["baker"]
    world.api.put(f"/tenants/{world.a.tenant_id}/customers/{baker}/alert-contacts", {"emails": ["b@example.com"]},
                  token=world.admin)
    stored = core().tenants.get(world.a.tenant_id, fresh=True).alerts.channels.customer_emails
    assert stored == {chef: ["kitchen@example.com", "chef@example.com"], baker: ["b@example.com"]}

    before = snapshot(world)
    for body, field in (({"emails": ["nope"]}, "emails[0]"), ({}, "emails"), ({"emails": None}, "emails")):
        answer = world.api.put(path, body, token=user)
        assert answer.status == 400 and answer.fields == [field], answer.body
    unknown = world.api.put(f"/tenants/{world.a.tenant_id}/customers/{uuid.uuid4()}/alert-contacts",
                            {"emails": []}, token=world.admin)
    assert unknown.status == 404 and unknown.fields == ["customerId"]
    assert snapshot(world) == before
