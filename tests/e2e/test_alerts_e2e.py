"""Issue 23 end to end: each alert condition raised on the local stack, the alert check run by its schedule (the
AlertsQueue worker in the stack), one mail (moto's SES, read at ``GET /_local/mails``) and one signed webhook (the
alert-hook sandbox verifies it) per transition; the cause cleared; the alert resolved once.

Causes are real where the stack can make them in a test's time: an order the WMS can't take, a WMS outage through
every retry, a revoked store key, a paused webhook, an account check finding the tracking extension off, WMS
notifications arriving again. Where a condition is about hours passing (a poll that stopped for 15 minutes, a wait
of hours, notifications silent for hours, a month's calls), the test moves the recorded time the check reads
instead of waiting — the record it changes is the one the service keeps (named in each test).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from integrations.core.context import core
from integrations.core.timeutil import utc_iso

from local import demo

from .conftest import StackClient, wait_for

pytestmark = pytest.mark.e2e

SCHEDULE = "AlertsScheduleFunction"


class Alerts:
    """The demo tenant's alerts as people receive them, and the causes a test can make."""

    def __init__(self, client: StackClient) -> None:
        self.client = client
        facts = client.local("GET", "demo")
        self.token = facts["management"]["customerToken"]
        self.admin = facts["management"]["adminToken"]
        self.shops = facts["woocommerce"]["control"].rsplit("/stores/", 1)[0] + "/stores"
        self.hooks = client.stack.sandboxes["alert_hook"].url

    # --- the service's side -----------------------------------------------------------------------------------

    def run_check(self) -> None:
        """Fire the alert schedule and wait until its work item is done (the check and its notices). A run is known
        by its scheduled second (a retried run checks once), so two runs are a second apart, as the schedule's are
        five minutes apart."""
        time.sleep(1.0 - time.time() % 1.0)
        answer = requests.post(f"{self.client.api}/_local/schedules/{SCHEDULE}", timeout=60)
        assert answer.status_code == 200, answer.text
        wait_for(lambda: (q := self.client.queue("AlertsQueue"))["visible"] + q["inFlight"] == 0,
                 what="the alert check finished")

    def mails(self, about: str) -> list[dict[str, Any]]:
        return [m for m in self.client.local("GET", "mails") if about in m["subject"]]

    def posts(self, subject: str, condition: str) -> list[dict[str, Any]]:
        """Verified webhook deliveries naming this alert, oldest first, each with its state."""
        received = requests.get(f"{self.hooks}/_control/hooks/demo", timeout=10).json()["deliveries"]
        return [alert for delivery in reversed(received) if delivery["verified"]  # oldest first
                for alert in delivery["body"]["alerts"]
                if alert["condition"] == condition and (alert.get("integration") or {}).get("id", "TENANT") == subject]

    def thresholds(self, **values: Any) -> None:
        tenant = core().tenants.get(demo.TENANT_ID, fresh=True)
        merged = {**tenant.alerts.thresholds.model_dump(by_alias=True), **values}
        core().tenants.update(demo.TENANT_ID, {"alerts": {**tenant.alerts.model_dump(by_alias=True, mode="json"),
                                                           "thresholds": merged}})

    def api(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> requests.Response:
        return requests.request(method, f"{self.client.api}{path}", json=body, timeout=60,
                                headers={"Authorization": f"Bearer {token or self.token}"})

    # --- a store of its own per test (one live integration per account per customer) ---------------------------

    def connect_store(self) -> Shop:
        slug = f"alerts-{uuid.uuid4().hex[:6]}"
        store = requests.post(self.shops, json={"slug": slug, "name": f"Shop {slug}"}, timeout=10).json()
        key = store["keys"][0]
        base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
        name = f"Alerts shop {slug[-6:]}"
        created = self.api("POST", base, {"type": "woocommerce", "name": name})
        assert created.status_code == 201, created.text
        item = f"{base}/{created.json()['integrationId']}"
        for step, body in (("authentication", {"storeUrl": store["storeUrl"], "consumerKey": key["consumerKey"],
                                               "consumerSecret": key["consumerSecret"]}),
                           ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
                           ("fulfilment", {"completeFulfilment": True, "sendTracking": True})):
            answer = self.api("PUT", f"{item}/steps/{step}", body)
            assert answer.status_code == 200, (step, answer.text)
        assert self.api("POST", f"{item}/finish").json()["status"] == "LIVE"
        return Shop(self, f"{self.shops}/{slug}", item, created.json()["integrationId"], name, key, store["storeUrl"])


class Shop:
    def __init__(self, alerts: Alerts, control: str, item: str, integration_id: str, name: str, key: dict[str, Any],
                 store_url: str) -> None:
        self.alerts, self.control, self.item, self.id, self.name = alerts, control, item, integration_id, name
        self.key, self.store_url = key, store_url

    def place(self, sku: str = "SKU-1") -> int:
        order = requests.post(f"{self.control}/orders", json={"lineItems": [{"sku": sku, "quantity": 1}]}, timeout=10)
        assert order.status_code == 201, order.text
        return int(order.json()["id"])

    def link(self, order_id: int) -> dict[str, Any] | None:
        key = f"{self.id}#woocommerce#order#{order_id}"
        return requests.get(f"{self.alerts.client.api}/_local/sync-log", params={"key": key}, timeout=10).json()["link"]

    def wait_status(self, order_id: int, status: str, *, timeout: float = 30) -> dict[str, Any]:
        return wait_for(lambda: (link := self.link(order_id)) and link["status"] == status and link,
                        what=f"order {order_id} {status}", timeout=timeout)

    def retry(self, order_id: int) -> None:
        link = self.link(order_id)
        assert link is not None
        answer = self.alerts.api("POST", f"{self.item}/sync-log/retry", {"record": link["pk"]})
        assert answer.status_code == 202, answer.text

    def assert_raised_and_resolved(self, condition: str, words: str, clear: Any) -> None:
        """The check opens the alert with one mail and one signed post, a second check says nothing more; after
        ``clear()`` the next check resolves it with one mail and one post, and a further check says nothing. (Other
        alerts the cause also opens, e.g. its order needing attention, are mailed on their own.)"""
        alerts = self.alerts

        def mails(kind: str) -> list[str]:
            return [m["subject"] for m in alerts.mails(f'{kind}: WooCommerce "{self.name}"') if words in m["subject"]]

        time.sleep(1.5)  # the thresholds of a second pass
        alerts.run_check()
        assert len(mails("Alert")) == 1, [m["subject"] for m in alerts.mails(self.name)]
        assert [a["state"] for a in alerts.posts(self.id, condition)] == ["OPEN"]
        alerts.run_check()
        assert len(mails("Alert")) == 1
        clear()
        alerts.run_check()
        assert len(mails("Resolved")) == 1, [m["subject"] for m in alerts.mails(self.name)]
        assert [a["state"] for a in alerts.posts(self.id, condition)] == ["OPEN", "RESOLVED"]
        alerts.run_check()
        assert len(mails("Resolved")) == 1 and len(mails("Alert")) == 1


@pytest.fixture(scope="module")
def alerts(local_stack) -> Alerts:
    watched = Alerts(StackClient(local_stack))
    # A second for "too long" (the defaults are hours), platform checks at every run, a mail per notice.
    watched.thresholds(attentionHours=0.0003, waitingHours=0.0003, platformCheckMinutes=0, digestAfter=100)
    return watched


def test_an_order_needing_attention_past_the_threshold(alerts: Alerts):
    shop = alerts.connect_store()
    order = shop.place("SKU-ALERTS-404")
    shop.wait_status(order, "NEEDS_ATTENTION")

    def fix() -> None:
        alerts.client.wms_control("POST", f"tenants/{demo.TENANT_ID}/products", customerId=demo.CUSTOMER_ID,
                                  code="SKU-ALERTS-404", name="Found it")
        shop.retry(order)
        shop.wait_status(order, "SYNCED")

    shop.assert_raised_and_resolved("needs-attention", "needed attention", fix)


def test_an_order_that_used_every_retry(alerts: Alerts):
    shop = alerts.connect_store()
    # Product look-ups fail (before any create, so no create of the WMS's 30 a minute is spent on the outage).
    alerts.client.wms_control("POST", "faults", status=503, pathPattern="/warehouse-products")
    try:
        order = shop.place()
        wait_for(lambda: (link := shop.link(order)) and "failed 5 times" in (link.get("resolution") or ""),
                 what="retries ran out", timeout=120)  # 5 attempts, a second or more apart
        alerts.client.wait_idle()  # the other checkout webhook's item too: both in the dead-letter queue
    finally:
        alerts.client.wms_control("DELETE", "faults")

    def fix() -> None:
        shop.retry(order)
        shop.wait_status(order, "SYNCED")

    shop.assert_raised_and_resolved("dead-lettered", "no longer retried", fix)


def test_a_revoked_store_key(alerts: Alerts):
    shop = alerts.connect_store()
    revoked = requests.delete(f"{shop.control}/keys/{shop.key['consumerKey']}", timeout=10)
    assert revoked.status_code == 200, revoked.text
    order = shop.place()
    shop.wait_status(order, "NEEDS_ATTENTION")

    def new_key() -> None:
        key = requests.post(f"{shop.control}/keys", json={}, timeout=10).json()
        saved = alerts.api("PUT", f"{shop.item}/steps/authentication",
                           {"storeUrl": shop.store_url, "consumerKey": key["consumerKey"],
                            "consumerSecret": key["consumerSecret"]})
        assert saved.status_code == 200, saved.text

    shop.assert_raised_and_resolved("credentials-refused", "refused the saved credentials", new_key)


def test_a_paused_store_webhook(alerts: Alerts):
    shop = alerts.connect_store()
    hooks = requests.get(f"{shop.control}/webhooks", timeout=10).json()
    requests.post(f"{shop.control}/webhooks/{hooks[0]['id']}/status", json={"status": "paused"}, timeout=10)

    def active() -> None:
        requests.post(f"{shop.control}/webhooks/{hooks[0]['id']}/status", json={"status": "active"}, timeout=10)

    shop.assert_raised_and_resolved("webhooks-off", "webhooks are not active", active)


def test_an_account_check_refuting_an_assumption(alerts: Alerts):
    shop = alerts.connect_store()
    requests.patch(shop.control, json={"shipmentTracking": False}, timeout=10)
    assert alerts.api("POST", f"{shop.item}/check").status_code == 200

    def tracking_back() -> None:
        requests.patch(shop.control, json={"shipmentTracking": True}, timeout=10)
        assert alerts.api("POST", f"{shop.item}/check").status_code == 200

    shop.assert_raised_and_resolved("assumption-refuted", "tracking-extension", tracking_back)


def test_a_poll_that_stopped(alerts: Alerts):
    shop = alerts.connect_store()
    # 20 minutes without a poll, as the poll's cursor (CursorsTable) would show it after 4 missed runs.
    boto3.client("dynamodb").put_item(
        TableName=core().settings.cursors_table,
        Item={"cursorKey": {"S": f"{shop.id}#woocommerce#orders"},
              "polledAt": {"S": utc_iso(datetime.now(UTC) - timedelta(minutes=20))}})

    def poll() -> None:
        requests.post(f"{alerts.client.api}/_local/schedules/WooCommercePollScheduleFunction", timeout=60)
        alerts.client.wait_idle()

    shop.assert_raised_and_resolved("poll-stopped", "has not run since", poll)


def test_items_waiting_for_a_request_limit_too_long(alerts: Alerts):
    shop = alerts.connect_store()
    # A work item waiting for its turn since an hour ago, as its wait marker in RateBudgetTable records it.
    marker = {"budgetKey": {"S": f"waiting#alerts-e2e-{shop.id}"}, "waitingIntegration": {"S": shop.id},
              "waitingSince": {"S": utc_iso(datetime.now(UTC) - timedelta(hours=1))},
              "expiresAt": {"N": str(int(datetime.now(UTC).timestamp()) + 3600)}}
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=core().settings.rate_budget_table, Item=marker)

    def its_turn_came() -> None:
        dynamodb.delete_item(TableName=core().settings.rate_budget_table, Key={"budgetKey": marker["budgetKey"]})

    shop.assert_raised_and_resolved("waiting-for-budget", "waited over", its_turn_came)


def test_wms_notifications_silent_while_orders_change(alerts: Alerts):
    client = alerts.client
    alerts.thresholds(notificationSilenceHours=0.0003)  # a second, for the test (the default is 6 hours)
    try:
        heard = client.place_order(f"ALERT-{uuid.uuid4().hex[:6]}")
        client.move_order(heard, "PACKED")
        client.wait_until_processed(heard)  # notified: the door's entry is the tenant's last notification
        time.sleep(2)
        client.wms_control("POST", "notifications", drop=50)  # the WMS stops notifying us
        unheard = client.place_order(f"ALERT-{uuid.uuid4().hex[:6]}")
        client.move_order(unheard, "PACKED")
        requests.post(f"{client.api}/_local/schedules/WmsPollScheduleFunction", timeout=60)
        client.wait_idle()  # the poll caught the change the WMS did not notify
        alerts.run_check()
        opened = alerts.mails("Alert: Your WMS connection")
        assert len(opened) == 1 and "No change notification" in opened[0]["subject"]
        assert [a["state"] for a in alerts.posts("TENANT", "wms-silent")] == ["OPEN"]
        alerts.run_check()
        assert len(alerts.mails("Alert: Your WMS connection")) == 1
        client.wms_control("POST", "notifications", drop=0)  # notifications arrive again
        client.move_order(unheard, "DISPATCHED", trackingNumber="TRK-ALERT")
        wait_for(lambda: "DISPATCHED" in str(client.order_log(unheard)["entries"]), what="notified again")
        client.wait_idle()
        alerts.run_check()
        assert len(alerts.mails("Resolved: Your WMS connection")) == 1
        assert [a["state"] for a in alerts.posts("TENANT", "wms-silent")] == ["OPEN", "RESOLVED"]
    finally:
        client.wms_control("POST", "notifications", drop=0)
        alerts.thresholds(notificationSilenceHours=6)


def test_two_checks_at_once_open_one_alert_and_send_one_mail(alerts: Alerts):
    shop = alerts.connect_store()
    hooks = requests.get(f"{shop.control}/webhooks", timeout=10).json()
    requests.post(f"{shop.control}/webhooks/{hooks[0]['id']}/status", json={"status": "paused"}, timeout=10)
    fired = [threading.Thread(target=lambda: requests.post(
        f"{alerts.client.api}/_local/schedules/{SCHEDULE}", timeout=60)) for _ in range(2)]
    for thread in fired:
        thread.start()
    for thread in fired:
        thread.join()
    wait_for(lambda: (q := alerts.client.queue("AlertsQueue"))["visible"] + q["inFlight"] == 0,
             what="both checks finished")
    assert len(alerts.mails(f'Alert: WooCommerce "{shop.name}"')) == 1
    assert [a["state"] for a in alerts.posts(shop.id, "webhooks-off")] == ["OPEN"]


def test_unleashed_calls_past_80_then_95_percent_of_the_month(alerts: Alerts):
    from integrations.unleashed.usage import account_of, budget_key, month_of

    account = alerts.client.local("GET", "demo")["unleashed"]
    base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
    name = f"Alerts Unleashed {uuid.uuid4().hex[:6]}"
    created = alerts.api("POST", base, {"type": "unleashed", "name": name})
    assert created.status_code == 201, created.text
    item = f"{base}/{created.json()['integrationId']}"
    for step, body in (("authentication", {"apiId": account["apiId"], "apiKey": account["apiKey"]}),
                       ("orderCreation", {"defaultWarehouseId": demo.WAREHOUSE_ID, "apiCallsPerMonth": 1000}),
                       ("fulfilment", {"completeShipments": True})):
        answer = alerts.api("PUT", f"{item}/steps/{step}", body)
        assert answer.status_code == 200, (step, answer.text)
    assert alerts.api("POST", f"{item}/finish").json()["status"] == "LIVE"
    dynamodb = boto3.client("dynamodb")

    def calls_this_month(count: int) -> None:
        # The month's count as the meter keeps it in RateBudgetTable (a month of calls can't pass in a test).
        dynamodb.update_item(
            TableName=core().settings.rate_budget_table,
            Key={"budgetKey": {"S": budget_key(account_of(account["apiId"]), month_of(datetime.now(UTC)))}},
            UpdateExpression="SET #count = :n", ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":n": {"N": str(count)}})

    def mails(kind: str) -> list[dict[str, Any]]:
        return alerts.mails(f'{kind}: Unleashed "{name}"')

    calls_this_month(810)
    alerts.run_check()
    assert len(mails("Alert")) == 1 and "81 % of this month's Unleashed API calls" in mails("Alert")[0]["subject"]
    calls_this_month(960)
    alerts.run_check()
    assert len(mails("Worse")) == 1 and "96 %" in mails("Worse")[0]["subject"]
    alerts.run_check()
    assert len(mails("Worse")) == 1 and len(mails("Alert")) == 1
    calls_this_month(0)  # a new month, or a raised budget
    alerts.run_check()
    assert len(mails("Resolved")) == 1
    subject = created.json()["integrationId"]
    assert [a["state"] for a in alerts.posts(subject, "monthly-budget")] == ["OPEN", "OPEN", "RESOLVED"]
