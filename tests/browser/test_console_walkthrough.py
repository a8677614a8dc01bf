"""Issue 15's walkthrough, done in the page by the people who do it (README "Walkthrough: the web console"):

a customer user configures a WooCommerce integration through the box (a refused step shows the API's reason on its
field); the tenant admin sees the green dot appear; the shop places an order with an SKU the WMS doesn't know, it
needs attention, a warehouse user adds the product and the customer retries it from the page (and reads the record's
story in its sync log); they reconfigure it, then delete it; the admin bills the week and downloads the statement —
the deleted integration is charged for this week, and only this week.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from local import demo

from .conftest import People, World, accessibility_violations, described, shoot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(480)]


def test_configure_see_the_green_dot_retry_reconfigure_delete_and_download_the_statement(world: World,
                                                                                          people: People):
    shop = world.facts("woocommerce")
    store = {name: shop[name] for name in ("storeUrl", "consumerKey", "consumerSecret")}

    # 1. A customer user configures WooCommerce in the box: Name → Authentication → Order Creation → Fulfilment.
    customer = people.customer()
    expect(customer.get_by_role("heading", name="Steam Chef Store")).to_be_visible()
    customer.get_by_role("button", name="Configure a new WooCommerce integration").click()
    box = customer.get_by_role("dialog", name="Configure WooCommerce")
    box.get_by_role("textbox", name="Name").fill("Steam Chef shop")
    box.get_by_role("button", name="Next", exact=True).click()
    box.get_by_role("textbox", name="Store URL").fill(store["storeUrl"])
    box.get_by_label("Consumer key").fill(store["consumerKey"])
    box.get_by_label("Consumer secret").fill("cs_not_the_secret")
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("alert")).to_contain_text("WooCommerce refused the consumer secret")
    # … and on the field the API names (what a screen reader reads with it)
    assert "WooCommerce refused the consumer secret" in described(box.get_by_label("Consumer secret"))
    expect(box.get_by_role("alert")).to_contain_text("What to do:")
    box.get_by_role("button", name="Next", exact=True).scroll_into_view_if_needed()  # the field and its reason in view
    shoot(world, customer, "configure-refused-step")
    box.get_by_label("Consumer secret").fill(store["consumerSecret"])
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("heading", name="(3) Order Creation")).to_be_visible()
    # the warehouse is picked from the customer's own (named, not an id to paste)
    expect(box.get_by_role("combobox", name="Warehouse").locator("option:checked")).to_have_text("Brisbane DC")
    shoot(world, customer, "configure-order-creation")
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("heading", name="(4) Fulfilment")).to_be_visible()
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box).to_contain_text("$10.00 per week")  # the cost, before Finish
    shoot(world, customer, "configure-finish")
    box.get_by_role("button", name="Finish", exact=True).click()
    expect(box).to_contain_text("Steam Chef shop is live.")
    # Finishing checked the store live (issue 21): what it found is shown once, here
    expect(box.get_by_role("region", name="Connection check")).to_contain_text("Live check of the WooCommerce account")
    box.get_by_role("button", name="Done").click()
    expect(customer.get_by_text("1 active integration")).to_be_visible()
    assert store["consumerSecret"] not in customer.content()  # write-only: never back in the page

    # 2. The tenant admin sees the green dot and the live count against the customer.
    admin = people.admin()
    card = admin.get_by_role("link").filter(has_text="Steam Chef Store")
    expect(card).to_contain_text("1 active integration")
    expect(card.get_by_text("Has live integrations")).to_be_attached()
    shoot(world, admin, "customers")
    assert accessibility_violations(admin) == []

    # 3. An order with an SKU the WMS doesn't know needs attention; once the product exists, Retry syncs it.
    order = world.control("woocommerce", "POST", "stores/steam-chef/orders",
                          {"lineItems": [{"sku": "SKU-LID", "quantity": 1}], "customerNote": "Leave at reception"})
    customer.get_by_role("link", name="Steam Chef shop").click()
    attention = customer.locator(".attention-item")
    expect(attention).to_contain_text("SKU-LID")  # the page follows the log: no reload needed
    expect(attention).to_contain_text("What to do: Create the product SKU-LID in CartonCloud")
    expect(customer.get_by_text("Last webhook received")).to_be_visible()
    shoot(world, customer, "integration-needs-attention", full_page=True)
    assert accessibility_violations(customer) == []
    world.control("cartoncloud", "POST", f"tenants/{demo.TENANT_ID}/products",
                  {"customerId": demo.CUSTOMER_ID, "code": "SKU-LID", "name": "Steamer lid"})
    attention.get_by_role("button", name=re.compile("^Retry")).click()
    expect(customer.get_by_text(f"Retried WooCommerce order {order['id']}: synced.")).to_be_visible()
    expect(customer.get_by_text("Nothing needs attention.")).to_be_visible()
    health = customer.get_by_role("region", name="Health")
    expect(health.locator("dd").nth(3)).not_to_contain_text("None yet")  # last successful sync
    wms_orders = world.control("cartoncloud", "GET", f"tenants/{demo.TENANT_ID}/outbound-orders")
    assert [o for o in wms_orders if o["references"]["customer"] == str(order["number"])], wms_orders

    # The safety net runs (every 5 minutes deployed; here the operator fires it) and the page says when it last did;
    # a backfill of the past week reads the same order again and creates nothing twice.
    assert world.stack.scheduler is not None
    world.stack.scheduler.fire("WooCommercePollScheduleFunction")
    customer.get_by_role("button", name="Refresh").click()
    expect(health.locator("dd").nth(5)).not_to_contain_text("not yet")
    customer.get_by_role("button", name="Start backfill").click()
    progress = customer.locator(".backfill-progress")
    expect(progress).to_contain_text("Done")
    expect(progress).to_contain_text("1 record queued for sync")
    shoot(world, customer, "integration-health", full_page=True)

    # Check connection (issue 21): read-only probes of the store against what the connector assumes. A store whose
    # Shipment Tracking extension was turned off is "not as assumed", with what that means for it.
    world.control("woocommerce", "PATCH", "stores/steam-chef", {"shipmentTracking": False})
    check = customer.get_by_role("region", name="Connection check")
    check.get_by_role("button", name="Check connection").click()
    expect(check).to_contain_text("1 refuted")
    refuted = check.locator("li.finding").first
    expect(refuted).to_contain_text("Not as assumed Tracking numbers are written through the Shipment Tracking")
    expect(refuted).to_contain_text("What it means: Tracking numbers go on the order as a note")
    check.scroll_into_view_if_needed()
    shoot(world, customer, "connection-check")
    assert accessibility_violations(customer) == []
    world.control("woocommerce", "PATCH", "stores/steam-chef", {"shipmentTracking": True})
    assert len(world.control("cartoncloud", "GET", f"tenants/{demo.TENANT_ID}/outbound-orders")) == len(wms_orders)

    # One record's story: refused for the unknown SKU, then synced on the retry.
    order_label = f"WooCommerce order {order['id']}"
    customer.get_by_role("button", name=f"View log of {order_label}").click()
    story = customer.get_by_role("dialog", name=order_label)
    expect(story).to_contain_text("Status: Synced")
    expect(story.locator("li.log-error").first).to_contain_text("SKU-LID")
    expect(story.locator("ol.log > li").last).not_to_have_class("log-error")
    story.get_by_role("button", name="Close").click()
    expect(story).to_have_count(0)

    # 4. Reconfigure: the same box, on any step; the live integration uses the change at once.
    integration_path = customer.url.split("/console", 1)[1]
    customer.get_by_role("button", name="Reconfigure").click()
    box = customer.get_by_role("dialog", name="Reconfigure WooCommerce: Steam Chef shop")
    box.get_by_role("button", name="4 Fulfilment").click()
    box.get_by_label("Send tracking").uncheck()
    box.get_by_role("button", name="Save", exact=True).click()
    expect(box).to_contain_text("Fulfilment saved; the live integration uses it now.")
    box.get_by_role("button", name="Done").click()
    saved = world.api_get(f"/tenants/{demo.TENANT_ID}{integration_path}", role="customer")
    assert saved["status"] == "LIVE" and saved["fulfilment"]["sendTracking"] is False, saved

    # 5. Delete Integration from the three-dot menu: asked first, told billing stops from next week.
    customer.get_by_role("link", name="Steam Chef Store").click()
    customer.get_by_role("button", name="Options for Steam Chef shop").click()
    customer.get_by_role("menuitem", name="Delete Integration").click()
    confirm = customer.get_by_role("dialog", name=re.compile("Delete WooCommerce integration"))
    expect(confirm).to_contain_text("Billing stops from next week.")
    shoot(world, customer, "delete-confirm")
    confirm.get_by_role("button", name="Delete integration").click()
    expect(confirm).to_contain_text("“Steam Chef shop” is deleted.")
    confirm.get_by_role("button", name="Done").click()
    expect(customer.get_by_role("link", name="Steam Chef shop")).to_have_count(0)
    admin.reload()
    expect(admin.get_by_role("link").filter(has_text="Steam Chef Store")).to_contain_text("0 active integrations")

    # 6. The admin bills this week (the local demo's button) and downloads the statement.
    admin.get_by_role("link", name="Billing").click()
    # Billing opens on the newest statement: this week, as nothing was billed last week on this fresh stack.
    expect(admin.get_by_role("heading", name=re.compile("^Statement "))).to_be_visible()
    expect(admin.get_by_role("button", name="Next week")).to_be_disabled()
    admin.get_by_role("button", name="Bill this week now (local demo)").click()
    line = admin.get_by_role("row").filter(has_text="Steam Chef shop")
    expect(line).to_contain_text("$10.00")
    expect(line).not_to_contain_text("still live")  # deleted this week: charged for it, and only it
    shoot(world, admin, "billing")
    with admin.expect_download() as downloading:
        admin.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(downloading.value.path().read_text())))
    charge = next(row for row in rows if row["line"] == "charge")
    assert charge["integration_name"] == "Steam Chef shop" and charge["amount_cents"] == "1000", rows
    assert charge["period_end"], rows
    assert downloading.value.suggested_filename.startswith("statement-")
