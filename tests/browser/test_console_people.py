"""Who sees what, and the page as every person meets it: a customer user not allowed to self-manage is told whom to
ask (until the admin allows them, in the page); a customer user at another customer's address gets the API's 403,
shown plainly; tenant settings keep credentials write-only and show the notification secret once; the configuration
box, the three-dot menu and the dialogs work from the keyboard alone; the screens fit a phone's width; and axe-core
finds no serious accessibility problem on them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from local import demo

from .conftest import PHONE, People, World, accessibility_violations, described, fits_width, shoot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(480)]


@pytest.fixture(scope="module")
def wattle(world: World) -> str:
    """A second customer of the demo 3PL, not allowed to manage its own integrations (and a third, for the list)."""
    world.add_customer("Alpine Outfitters", "ALPINE")
    return world.add_customer("Wattle Homewares", "WATTLE")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would (once it is there to reach: a step's form
    waits for its warehouse choices)."""
    target.wait_for()
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{target} never got the focus by Tab")


def test_who_sees_what_and_another_customers_address_is_the_apis_403(world: World, people: People, wattle: str):
    # A customer user whose 3PL hasn't allowed their customer to self-manage: whom to ask, not an empty page.
    refused = people.customer("Wattle Homewares (not allowed to self-manage)")
    expect(refused.get_by_role("heading", name="Self-managed integrations are not enabled for you")).to_be_visible()
    expect(refused.get_by_role("alert")).to_contain_text("Ask your CartonCloud account owner")
    shoot(world, refused, "not-allowed")
    assert accessibility_violations(refused) == []

    # The admin finds the customer by name and allows it in the settings …
    admin = people.admin()
    admin.get_by_label(re.compile("Search customers by name")).fill("watt")
    expect(admin.locator(".customer-card")).to_have_count(1)
    expect(admin.locator(".customer-card")).to_contain_text("Wattle Homewares")
    admin.get_by_role("link", name="Settings").click()
    admin.get_by_role("checkbox", name="Wattle Homewares").check()
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()
    # … and the same person, reloading, now manages their own integrations.
    refused.reload()
    expect(refused.get_by_role("heading", name="Wattle Homewares")).to_be_visible()
    expect(refused.get_by_role("button", name="Configure a new WooCommerce integration")).to_be_visible()

    # Another customer's user, poking at Wattle's addresses: the API's refusal, plainly.
    chef = people.customer()
    for address in (f"customers/{wattle}", f"customers/{wattle}/integrations/any-integration"):
        chef.goto(f"{world.console}{address}")
        expect(chef.get_by_role("alert")).to_contain_text("Customer users may only manage their own customer's "
                                                          "integrations")
        expect(chef.get_by_role("alert")).not_to_contain_text("(403)")  # words, not a status code
    shoot(world, chef, "another-customers-address")
    chef.goto(f"{world.console}billing")  # an admin-only screen: the API says so
    expect(chef.get_by_role("alert")).to_contain_text("Only the tenant's administrators may do this")


def test_every_type_the_api_lists_is_offered_and_its_steps_render_from_its_schemas(world: World, people: People):
    # No per-platform page code: whatever GET /integration-types lists (WooCommerce, Unleashed, Starshipit, …) has
    # its Configure button, and its box renders each field its Authentication step's JSON Schema names.
    listed_types = world.api_get("/integration-types", role="customer")["types"]
    types = [t for t in listed_types if t.get("scope", "customer") == "customer"]
    tenant_types = [t for t in listed_types if t.get("scope") == "tenant"]
    assert {"woocommerce", "unleashed", "starshipit"} <= {t["type"] for t in types}, types
    page = people.customer()
    expect(page.get_by_role("heading", name="Steam Chef Store")).to_be_visible()
    expect(page.locator(".type-card h3")).to_have_text([t["title"] for t in types])
    for listed in types:
        page.get_by_role("button", name=f"Configure a new {listed['title']} integration").click()
        box = page.get_by_role("dialog", name=f"Configure {listed['title']}")
        box.get_by_role("textbox", name="Name").fill(f"{listed['title']} trial")
        box.get_by_role("button", name="Next", exact=True).click()
        expect(box.get_by_role("heading", name="(2) Authentication")).to_be_visible()
        schema = next(s["fields"] for s in listed["steps"] if s["step"] == "authentication")
        for name in schema["properties"]:
            expect(box.locator(f"#step-authentication_{name}")).to_be_visible()
        if listed["type"] == "unleashed":
            shoot(world, page, "configure-unleashed-authentication")
        box.get_by_role("button", name="Close").click()
        expect(box).to_have_count(0)
        # The name step made a draft: listed as such, not counted as live.
        expect(page.locator(".integration-row").filter(has_text=f"{listed['title']} trial")).to_contain_text("Draft")

    # Tenant-scope types (issue 13's contract: Rose Rocket) are the admin's own, under "Your own integrations", and
    # never offered to a customer; with none listed, there is no such section.
    admin = people.admin()
    expect(admin.locator(".customer-card").first).to_be_visible()  # the page is drawn (types come first)
    own = admin.get_by_role("region", name="Your own integrations")
    if tenant_types:
        expect(own.locator(".type-card h3")).to_have_text([t["title"] for t in tenant_types])
        for listed in tenant_types:
            expect(page.get_by_role("button", name=f"Configure a new {listed['title']} integration")).to_have_count(0)
    else:
        expect(own).to_have_count(0)


def test_settings_keep_credentials_write_only_and_show_the_notification_secret_once(world: World, people: People):
    admin = people.admin()
    admin.get_by_role("link", name="Settings").click()
    client_id = admin.get_by_label("Client ID")
    expect(admin.get_by_role("group", name="CartonCloud API client")).to_contain_text("Status: set.")
    expect(client_id).to_have_value("")  # never shown back
    expect(client_id).to_have_attribute("placeholder", "Set — leave blank to keep")
    assert demo.CLIENT_SECRET not in admin.content()

    # A refusal from the API lands on the field it names; nothing changes.
    client_id.fill("not ascii é")
    admin.get_by_label("Client secret").fill("whatever")
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.get_by_role("alert")).to_contain_text("The settings were not saved")
    assert "String should match pattern" in described(client_id)
    client_id.fill("")
    admin.get_by_label("Client secret").fill("")

    # The price, in dollars; a typo is caught before it is sent.
    price = admin.get_by_label("Weekly price per live integration (AUD)")
    price.fill("twelve")
    admin.get_by_role("button", name="Save settings").click()
    assert "Enter an amount in dollars" in described(price)
    price.fill("12.50")
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()
    expect(admin.get_by_text("Now $12.50")).to_be_visible()
    assert world.api_get(f"/tenants/{demo.TENANT_ID}/settings")["weeklyPriceCents"] == 1250
    shoot(world, admin, "settings", full_page=True)
    assert accessibility_violations(admin) == []
    price.fill("10.00")
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.get_by_text("Now $10.00")).to_be_visible()

    # The WMS notification secret: generated on request, shown once, then only "set".
    admin.get_by_role("button", name="Generate a new secret").click()
    confirm = admin.get_by_role("dialog", name="Generate a new notification secret?")
    expect(confirm).to_contain_text("The current secret stops working at once")
    shoot(world, admin, "notification-secret-confirm")  # (the secret itself is never put in a screenshot)
    confirm.get_by_role("button", name="Generate", exact=True).click()
    shown = admin.get_by_role("dialog", name="Your new notification secret")
    expect(shown).to_contain_text("This is the only time the secret is shown.")
    secret = shown.locator("code.secret").inner_text()
    assert len(secret) >= 32 and secret != demo.NOTIFICATION_SECRET
    expect(shown).to_contain_text(f"/wms/{demo.TENANT_ID}/notifications")
    shown.get_by_role("button", name="I have copied it").click()
    assert secret not in admin.content()
    admin.reload()
    assert secret not in admin.content()


def test_the_box_the_menu_and_the_dialogs_work_from_the_keyboard_alone(world: World, people: People):
    store = world.add_store("keyboard-shop")
    page = people.customer()
    configure = page.get_by_role("button", name="Configure a new WooCommerce integration")
    tab_to(page, configure)
    page.keyboard.press("Enter")
    box = page.get_by_role("dialog", name="Configure WooCommerce")
    expect(box.get_by_role("heading", name="(1) Name")).to_be_focused()  # the box's step, announced
    page.keyboard.press("Tab")
    expect(box.get_by_role("textbox", name="Name")).to_be_focused()
    page.keyboard.type("Keyboard shop")
    page.keyboard.press("Enter")  # Next
    expect(box.get_by_role("heading", name="(2) Authentication")).to_be_focused()
    for label, value in (("Store URL", store["storeUrl"]), ("Consumer key", store["consumerKey"]),
                         ("Consumer secret", store["consumerSecret"])):
        tab_to(page, box.get_by_label(label))
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    expect(box.get_by_role("heading", name="(3) Order Creation")).to_be_focused()
    tab_to(page, box.get_by_role("button", name="Next", exact=True))
    page.keyboard.press("Enter")
    expect(box.get_by_role("heading", name="(4) Fulfilment")).to_be_focused()
    tab_to(page, box.get_by_label("Send tracking"))
    page.keyboard.press("Space")  # off
    tab_to(page, box.get_by_role("button", name="Next", exact=True))
    page.keyboard.press("Enter")
    finish = box.get_by_role("button", name="Finish", exact=True)
    tab_to(page, finish)
    page.keyboard.press("Enter")
    expect(box).to_contain_text("Keyboard shop is live.")
    page.keyboard.press("Escape")  # the box closes; focus returns to what opened it
    expect(box).to_have_count(0)
    expect(configure).to_be_focused()

    # The three-dot menu: open with Enter, move with the arrows, Escape closes a dialog and returns the focus.
    expect(page.locator(".integration-row").filter(has_text="Keyboard shop")).to_contain_text("Live")
    menu = page.get_by_role("button", name="Options for Keyboard shop")
    tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Reconfigure")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Delete Integration")).to_be_focused()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name=re.compile("Delete WooCommerce integration"))
    expect(confirm).to_be_visible()
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(menu).to_be_focused()
    saved = world.api_get(f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations")["integrations"]
    mine = next(i for i in saved if i["name"] == "Keyboard shop")
    assert mine["status"] == "LIVE" and mine["fulfilment"]["sendTracking"] is False, mine

    # And delete it, still by keyboard.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    tab_to(page, confirm.get_by_role("button", name="Delete integration"))
    page.keyboard.press("Enter")
    expect(confirm).to_contain_text("is deleted")


def test_the_screens_fit_a_phone(world: World, people: People):
    page = people.customer(viewport=PHONE)
    expect(page.get_by_role("heading", name="Steam Chef Store")).to_be_visible()
    assert fits_width(page)
    shoot(world, page, "phone-integrations", full_page=True)
    page.get_by_role("button", name="Configure a new WooCommerce integration").click()
    box = page.get_by_role("dialog", name="Configure WooCommerce")
    box.get_by_role("textbox", name="Name").fill("Phone shop")
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("heading", name="(2) Authentication")).to_be_visible()
    assert fits_width(page)
    shoot(world, page, "phone-configure")
    assert accessibility_violations(page) == []
    box.get_by_role("button", name="Close").click()

    admin = people.admin(viewport=PHONE)
    for screen in ("Customers", "Billing", "Settings"):
        admin.get_by_role("link", name=screen).click()
        expect(admin.get_by_role("heading", name=screen if screen != "Customers" else "Self-Managed Integrations",
                                 exact=True)).to_be_visible()
        assert fits_width(admin), screen
    assert accessibility_violations(admin) == []
