"""Issue 23: alerts. Each condition is raised by what really happens to an integration (a bad order, a revoked key,
a paused webhook, a WMS outage…), opens one alert with one notice, and resolves itself — once — when the cause is
gone. The checks run as the AlertsQueue worker runs them (``TenantCheck``), at a chosen moment where a threshold is
about time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from integrations.core import context as core_context
from integrations.core.alerts.checker import TenantCheck, schedule_checks
from integrations.core.alerts.model import TENANT_SUBJECT, AlertThresholds
from integrations.core.alerts.store import AlertStore
from integrations.core.alerts.webhook import seal_webhook_secret
from integrations.core.alerts.wms_silence import note_changes_seen
from integrations.core.context import core
from integrations.core.integration_record import configuration_log_key
from integrations.core.sync_log_retry import retry_from_sync_log
from integrations.core.timeutil import utc_iso

from local.mails import sent_mails
from local.sandboxes.alert_hook import AlertHookSandbox
from local.sandboxes.transports import install_responses

from .conftest import wms_key
from .wms_helpers import place_order
from .woocommerce_helpers import SLUG, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


def check(woo: Woo, *, at: datetime | None = None, **thresholds: Any) -> dict[str, Any]:
    tenant = core().tenants.get(woo.tenant.tenant_id, fresh=True)
    if thresholds:
        settings = tenant.alerts.model_copy(update={"thresholds": AlertThresholds(**thresholds)})
        tenant = tenant.model_copy(update={"alerts": settings})
    return TenantCheck(tenant, now=at).run().to_json()


def alerts(woo: Woo) -> dict[str, dict[str, Any]]:
    store = AlertStore(core().settings.alerts_table)
    return {f"{a.subject}/{a.condition}": a.to_json() for a in store.alerts(woo.tenant.tenant_id)}


def history(woo: Woo, subject: str) -> list[tuple[str, str]]:
    store = AlertStore(core().settings.alerts_table)
    return [(entry.condition, entry.event) for entry in reversed(store.history(woo.tenant.tenant_id, subject))]


def later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def test_a_record_needing_attention_past_the_threshold_opens_one_alert_and_its_fix_resolves_it(connected: Woo):
    placed = connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    assert connected.link(placed["id"])["status"] == "NEEDS_ATTENTION"
    key = f"{connected.integration_id}/needs-attention"
    assert key not in check(connected)["opened"]  # younger than a day: not yet an alert
    first = check(connected, at=later(25))  # (a day later the safety-net poll has not run either: its own alert)
    assert key in first["opened"] and f"{key}: opened" in first["notices"]
    opened = alerts(connected)[key]
    assert opened["state"] == "OPEN" and opened["summary"] == "1 record has needed attention for over 24 h"
    assert "Retry" in opened["whatToDo"] and opened["platform"] == "WooCommerce"
    assert check(connected, at=later(26)) == {"opened": [], "updated": [], "resolved": [], "couldNotCheck": [],
                                              "notices": []}  # both still hold: nothing new to say
    connected.wms.add_product(connected.tenant.tenant_id, customer_id=connected.tenant.customer_id, code="SKU-404",
                              name="Found it")
    retry_from_sync_log(connected.link(placed["id"])["pk"])
    connected.pump()
    assert connected.link(placed["id"])["status"] == "SYNCED"
    done = check(connected, at=later(27))
    assert done["resolved"] == [key] and done["notices"] == [f"{key}: resolved"]  # the poll's alert still holds
    assert alerts(connected)[key]["state"] == "RESOLVED"
    assert check(connected, at=later(28))["resolved"] == []  # resolved once
    assert [entry for entry in history(connected, connected.integration_id) if entry[0] == "needs-attention"] == [
        ("needs-attention", "opened"), ("needs-attention", "notified"),
        ("needs-attention", "resolved"), ("needs-attention", "notified")]


def test_a_record_that_used_every_retry_is_a_critical_alert_until_it_syncs(connected: Woo):
    connected.wms.inject_fault(503, path_pattern=r"/outbound-orders|/warehouse-products")
    placed = connected.place()
    connected.pump()
    assert connected.service.queue_depth("WooCommerceDeadLetterQueue") == 2  # both checkout webhooks' items
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION"
    key = f"{connected.integration_id}/dead-lettered"
    result = check(connected)
    assert result["opened"] == [key]
    assert alerts(connected)[key]["level"] == "critical"
    assert f"{connected.integration_id}/needs-attention" not in alerts(connected)  # counted once, as the worse
    connected.wms.clear_faults()
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert check(connected)["resolved"] == [key]


def test_a_revoked_store_key_opens_a_credentials_alert_and_a_working_key_resolves_it(connected: Woo):
    shop = connected.store.store(SLUG)
    revoked = shop.keys[connected.consumer_key]
    connected.store.revoke_key(SLUG, connected.consumer_key)
    connected.place()
    connected.pump()
    key = f"{connected.integration_id}/credentials-refused"
    result = check(connected, platform_check_minutes=0)
    assert key in result["opened"]
    opened = alerts(connected)[key]
    assert opened["level"] == "critical" and "WooCommerce refused the saved credentials" in opened["summary"]
    assert "Authentication step" in opened["whatToDo"]
    assert connected.consumer_secret not in str(opened)
    assert key not in check(connected, platform_check_minutes=0)["resolved"]  # re-tested: still refused
    shop.keys[revoked.consumer_key] = revoked  # the shop owner restores the key
    assert key in check(connected, platform_check_minutes=0)["resolved"]


def test_a_paused_store_webhook_opens_an_alert_and_setting_it_active_resolves_it(connected: Woo):
    hook = connected.hooks()[0]
    connected.store.set_webhook_status(SLUG, hook["id"], "paused")
    key = f"{connected.integration_id}/webhooks-off"
    assert key in check(connected, platform_check_minutes=0)["opened"]
    assert "paused" in alerts(connected)[key]["summary"]
    assert key not in check(connected)["resolved"]  # not due: a store is asked once an hour by default
    connected.store.set_webhook_status(SLUG, hook["id"], "active")
    assert key in check(connected, platform_check_minutes=0)["resolved"]


def test_a_poll_that_stopped_running_opens_an_alert_and_the_next_poll_resolves_it(connected: Woo):
    key = f"{connected.integration_id}/poll-stopped"
    assert key not in check(connected, at=later(0.2))["opened"]  # 12 min: under 3 intervals of 5 min
    assert key in check(connected, at=later(0.5))["opened"]
    connected.service.schedule("WooCommercePollScheduleFunction")
    connected.pump()
    assert key not in alerts(connected) or key in check(connected, at=datetime.now(UTC))["resolved"]
    assert alerts(connected)[key]["state"] == "RESOLVED"


def test_a_live_check_that_refutes_an_assumption_opens_an_alert_until_a_later_check_does_not(connected: Woo):
    log = core().sync_log
    config = configuration_log_key(connected.integration_id)
    finding = {"key": "webhook-signature-base64", "outcome": "refuted", "seen": "hex", "means": "…"}
    log.append(config, "live-check", "1 refuted", details={"report": {"findings": [finding]}})
    key = f"{connected.integration_id}/assumption-refuted"
    assert key in check(connected)["opened"]
    assert "webhook-signature-base64" in alerts(connected)[key]["summary"]
    log.append(config, "live-check", "all confirmed",
               details={"report": {"findings": [{**finding, "outcome": "confirmed"}]}})
    assert key in check(connected)["resolved"]


def test_wms_notifications_silent_while_orders_change_opens_a_tenant_wide_alert_a_notification_resolves_it(
        connected: Woo):
    tenant_id = connected.tenant.tenant_id
    note_changes_seen(tenant_id, utc_iso(later(-8)))
    note_changes_seen(tenant_id, utc_iso(datetime.now(UTC)))
    key = f"{TENANT_SUBJECT}/wms-silent"
    assert key in check(connected)["opened"]
    assert alerts(connected)[key]["summary"].startswith("No change notification has come from the WMS")
    order_id = place_order(connected.tenant, reference="ALERT-1")
    connected.wms.set_outbound_order_status(tenant_id, order_id, "PACKED")
    assert connected.deliver_wms_notifications() >= 1  # the WMS notifies the new order: notifications work again
    assert wms_key(tenant_id, "OUTBOUND_ORDER", order_id)
    assert key in check(connected)["resolved"]


def test_concurrent_checks_open_one_alert_and_send_one_notice(connected: Woo):
    connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    results: list[dict[str, Any]] = []
    moment = later(25)
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(check(connected, at=moment))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    key = f"{connected.integration_id}/needs-attention"
    assert sum(r["opened"].count(key) for r in results) == 1
    assert sum(r["notices"].count(f"{key}: opened") for r in results) == 1
    assert history(connected, connected.integration_id).count(("needs-attention", "notified")) == 1


def test_the_schedule_queues_one_check_per_tenant_and_the_worker_runs_it(connected: Woo):
    assert schedule_checks(datetime.now(UTC)) >= 1
    assert schedule_checks(datetime.now(UTC)) >= 1  # the same minute again: idempotency absorbs it
    assert connected.service.pump("AlertsQueue") >= 1
    assert connected.service.queue_depth("AlertsQueue") == 0


@pytest.mark.parametrize("condition", ["needs-attention"])
def test_alerts_of_an_integration_no_longer_live_resolve(connected: Woo, condition: str):
    connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    key = f"{connected.integration_id}/{condition}"
    assert key in check(connected, at=later(25))["opened"]
    from integrations.core.integration_record import IntegrationStatus

    connected.update(status=IntegrationStatus.DELETED)
    assert key in check(connected, at=later(26))["resolved"]


def test_a_notice_the_webhook_failed_is_posted_at_the_next_check_and_never_mailed_twice(connected: Woo, monkeypatch):
    monkeypatch.setenv("ALERT_MAIL_SENDER", "alerts@integrations.test")
    boto3.client("ses").verify_email_identity(EmailAddress="alerts@integrations.test")
    core_context.reset()
    hooks = AlertHookSandbox()
    hooks.add_receiver("ops-room", "hook-secret-1")
    install_responses(connected.rsps, hooks, "https://hooks.alerts.test")
    tenant_id = connected.tenant.tenant_id
    core().tenants.update(tenant_id, {"alerts": {"thresholds": {}, "channels": {
        "emails": ["ops@3pl.example"], "webhookUrl": "https://hooks.alerts.test/hooks/ops-room",
        "webhookSecret": seal_webhook_secret(tenant_id, "hook-secret-1")}}})
    connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    hooks.inject_fault(503)
    key = f"{connected.integration_id}/needs-attention"
    first = check(connected, at=later(25))
    assert key in first["opened"] and f"{key}: opened" not in first["notices"]  # the webhook failed: still due
    mailed = [m for m in sent_mails() if "needed attention" in m["subject"]]
    assert len(mailed) == 1 and mailed[0]["to"] == ["ops@3pl.example"]
    hooks.clear_faults()
    second = check(connected, at=later(25.1))
    assert f"{key}: opened" in second["notices"]
    assert len([m for m in sent_mails() if "needed attention" in m["subject"]]) == 1  # not mailed again
    posted = [d.to_json() for d in hooks.deliveries_to() if d.verified]
    assert any(a["condition"] == "needs-attention" for d in posted for a in d["body"]["alerts"])
    assert check(connected, at=later(25.2))["notices"] == []
    events = [event for condition, event in history(connected, connected.integration_id)
              if condition == "needs-attention"]
    assert events == ["opened", "delivery-failed", "notified"]


def test_a_retry_right_after_new_credentials_are_saved_uses_them_though_the_worker_had_the_old_ones(connected: Woo):
    """A worker caches an integration for a minute; a person who saves a new key and presses Retry at once must not
    see the old key refused again (that failure would even be silent: the same error is logged once)."""
    import time

    shop = connected.store.store(SLUG)
    old = connected.fresh()
    connected.store.revoke_key(SLUG, connected.consumer_key)
    placed = connected.place()
    connected.pump()
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION"
    new_key = connected.store.add_key(SLUG)
    opened = core().vault.open(old.credentials or "", tenant_id=old.tenant_id, integration_id=old.integration_id)
    sealed = core().vault.seal({**{name: opened.reveal(name) for name in opened},
                                "consumerKey": new_key.consumer_key, "consumerSecret": new_key.consumer_secret},
                               tenant_id=old.tenant_id, integration_id=old.integration_id)
    connected.update(credentials=sealed)
    core().integrations._cache[old.integration_id] = (time.monotonic(), old)  # a warm worker still holds the old key
    assert shop.keys  # the new key is the store's only one
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.link(placed["id"])["status"] == "SYNCED"
