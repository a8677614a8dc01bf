"""Issue 23's browser test, done in the page by the tenant admin: a WooCommerce order with an SKU the WMS doesn't know
needs attention for longer than the tenant's threshold (set low on the Settings screen), the alert check runs (the
local stack's scheduler fires the alert schedule, as EventBridge Scheduler does every 5 minutes), the admin sees the
alert on "Needs attention" with the count in the header, opens the integration from it, retries the record once the
product exists, and after the next check the alert shows resolved, with its history.
"""

from __future__ import annotations

import importlib.util
import re
import time

import pytest
import requests
from playwright.sync_api import expect

from local import demo

from .conftest import People, World, accessibility_violations, configure_woocommerce, shoot

pytestmark = [
    pytest.mark.browser, pytest.mark.timeout(480),
    pytest.mark.skipif(importlib.util.find_spec("integrations.core.alerts.checker") is None,
                       reason="the alert check (integrations.core.alerts.checker) is not in this checkout yet"),
]

#: The smallest threshold that still means "older than": about a second (the model takes any positive number of
#: hours), so the record needs attention "too long" by the time the check runs.
ATTENTION_HOURS = "0.0003"


def run_alert_check(world: World) -> None:
    """``POST /_local/schedules/{name}``: the alert schedule (AlertsScheduleFunction's, ``…-alert-checks`` deployed)
    queues one check per tenant, which the stack's queue pump hands to AlertsWorkerFunction."""
    schedules = requests.get(f"{world.api}/_local/schedules", timeout=30).json()
    name = next(s["name"] for s in schedules if s["function"] == "AlertsScheduleFunction")
    fired = requests.post(f"{world.api}/_local/schedules/{name}", timeout=60)
    assert fired.status_code < 300, fired.text

    def checked() -> bool:  # the check has run (and its notices gone) once its work item left the queue
        queue = next(q for q in requests.get(f"{world.api}/_local/queues", timeout=30).json()
                     if q["name"] == "AlertsQueue")
        return queue["visible"] + queue["inFlight"] == 0

    deadline = time.monotonic() + 60
    while not checked():
        assert time.monotonic() < deadline, "the alert check did not finish within a minute"
        time.sleep(0.2)


def test_the_admin_sees_an_alert_opens_the_integration_retries_and_the_alert_resolves(world: World, people: People):
    shop = world.facts("woocommerce")
    store = {name: shop[name] for name in ("storeUrl", "consumerKey", "consumerSecret")}
    admin = people.admin()

    # The tenant's threshold for records needing attention, set low on the Settings screen (default: a day).
    admin.get_by_role("link", name="Settings").click()
    alerts = admin.get_by_role("region", name="Alerts")
    hours = alerts.get_by_label(re.compile("A record has needed attention for more than"))
    expect(hours).to_have_value("24")
    hours.fill(ATTENTION_HOURS)
    alerts.get_by_role("button", name="Save alert settings").click()
    expect(alerts.get_by_text("Alert settings saved.")).to_be_visible()

    # A live WooCommerce integration of the demo customer, and an order with an SKU the WMS doesn't know.
    admin.get_by_role("link", name="Customers").click()
    admin.get_by_role("link").filter(has_text="Steam Chef Store").click()
    configure_woocommerce(admin, "Steam Chef shop", store)
    order = world.control("woocommerce", "POST", "stores/steam-chef/orders",
                          {"lineItems": [{"sku": "SKU-POT", "quantity": 1}]})
    admin.get_by_role("link", name="Steam Chef shop").click()
    expect(admin.locator(".attention-item")).to_contain_text("SKU-POT")

    # The alert check runs: the record has needed attention longer than the threshold.
    run_alert_check(world)
    attention_link = admin.get_by_role("link", name=re.compile("^Needs attention"))
    attention_link.click()
    row = admin.get_by_role("row").filter(has_text="Needs attention too long")
    admin.get_by_role("button", name="Refresh").click()
    expect(row).to_contain_text("Steam Chef shop")
    expect(row).to_contain_text("Steam Chef Store")
    expect(row).to_contain_text("What to do:")
    expect(attention_link.locator(".count-badge")).to_be_visible()  # the header's count, read at navigation
    records = admin.get_by_role("region", name="Records needing attention")
    expect(records.get_by_role("row").filter(has_text="Steam Chef shop")).to_contain_text("1")
    shoot(world, admin, "needs-attention", full_page=True)
    assert accessibility_violations(admin) == []

    # From the overview to the integration: its Alerts panel says what happened and what to do.
    row.get_by_role("link", name="Steam Chef shop").click()
    panel = admin.get_by_role("region", name="Alerts")
    open_alert = panel.locator(".alert-item")
    expect(open_alert).to_contain_text("Needs attention too long")
    expect(open_alert).to_contain_text("What to do:")
    open_alert.get_by_role("button", name="Acknowledge").click()
    expect(panel.get_by_text("Acknowledged: Needs attention too long.")).to_be_visible()
    expect(open_alert).to_contain_text("Acknowledged by")
    shoot(world, admin, "integration-alerts", full_page=True)
    assert accessibility_violations(admin) == []

    # The fix (the product exists now) and Retry from the sync log: the record syncs.
    world.control("cartoncloud", "POST", f"tenants/{demo.TENANT_ID}/products",
                  {"customerId": demo.CUSTOMER_ID, "code": "SKU-POT", "name": "Stock pot"})
    admin.locator(".attention-item").get_by_role("button", name=re.compile("^Retry")).click()
    expect(admin.get_by_text(f"Retried WooCommerce order {order['id']}: synced.")).to_be_visible()

    # The next check finds nothing needing attention: the alert resolves by itself, and its history says so.
    run_alert_check(world)
    admin.get_by_role("button", name="Refresh").click()
    expect(panel.get_by_text("No open alerts.")).to_be_visible()
    panel.get_by_text(re.compile(r"^History \(")).click()
    history = panel.locator("ol.log")
    expect(history).to_contain_text("Resolved")
    expect(history).to_contain_text("Acknowledged")
    expect(history).to_contain_text("Opened")

    # On the overview it is no longer open; with resolved ones shown, it says Resolved.
    admin.get_by_role("link", name=re.compile("^Needs attention")).click()
    expect(admin.get_by_role("row").filter(has_text="Needs attention too long")).to_have_count(0)
    admin.get_by_label("Show resolved alerts too").check()
    expect(admin.get_by_role("row").filter(has_text="Needs attention too long")).to_contain_text("Resolved")
