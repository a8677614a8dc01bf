"""Every screen, as the tenant admin and as a customer user, in people's words and at a phone's width (issue 24 points
3 and 4): the rendered text (``document.body.innerText``) holds none of the banned words below, and no screen scrolls
sideways at 1280×800 or at 390×844.

The screens: customers, a customer's integrations, an integration's page with its sync log (a record needing
attention, its story, the configuration history), Needs attention, billing, settings, the configuration box's steps
(and a refused one), and a customer user at the admin's screens (the refusal, in words).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from local import demo

from .conftest import DESKTOP, PHONE, People, World, fits_width

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

#: What no screen may say, and why. One list, so a new word is added in one place.
BANNED: dict[str, re.Pattern[str]] = {
    # How credentials are kept inside the service: a person is told they are write-only, not which AWS key seals them.
    "KMS": re.compile(r"\bKMS\b"),
    # The developers' name for the management service ("the management frame checks …").
    "frame": re.compile(r"\bframe\b", re.IGNORECASE),
    # The page *is* what a person uses; "the management API" is the developers' name for what it talks to.
    "management API": re.compile(r"management\s+API", re.IGNORECASE),
    # HTTP status codes in parentheses ("(400)", "(403)"): the words say what happened.
    "a status code": re.compile(r"\(\d{3}\)"),
    # A type's key where its title exists (`rose_rocket` for Rose Rocket), or any snake_case identifier.
    "snake_case": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    # A value the page failed to fill in.
    "undefined": re.compile(r"\bundefined\b"),
    "null": re.compile(r"\bnull\b"),
    "NaN": re.compile(r"\bNaN\b"),
    "[object Object]": re.compile(r"\[object Object\]"),
}


def banned_words(page: Page) -> list[str]:
    text = str(page.evaluate("document.body.innerText"))
    return [f"{why}: {found.group(0)!r} in …{text[max(0, found.start() - 60):found.end() + 60]!r}…"
            for why, pattern in BANNED.items() for found in [pattern.search(text)] if found]


def looks_right(page: Page, screen: str) -> None:
    """The screen as it is now: people's words, and nothing wider than the window."""
    found = banned_words(page)
    assert not found, f"{screen}:\n" + "\n".join(found)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert fits_width(page), f"{screen}: {width[0]} px wide in a {width[1]} px window"


def visit(page: Page, world: World, path: str, heading: str | re.Pattern[str]) -> None:
    page.goto(world.console + path)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)


@pytest.fixture(scope="module")
def shop_integration(world: World, browser) -> str:
    """A live WooCommerce integration of the demo customer with an order needing attention (an SKU the WMS doesn't
    know), configured through the box; its page's address under the console."""
    people = People(browser, world)
    try:
        store = world.add_store("words-shop")
        page = people.customer()
        page.get_by_role("button", name="Configure a new WooCommerce integration").click()
        box = page.get_by_role("dialog", name="Configure WooCommerce")
        box.get_by_role("textbox", name="Name").fill("Words shop")
        box.get_by_role("button", name="Next", exact=True).click()
        box.get_by_role("textbox", name="Store URL").fill(store["storeUrl"])
        box.get_by_label("Consumer key").fill(store["consumerKey"])
        box.get_by_label("Consumer secret").fill("cs_not_the_secret")
        box.get_by_role("button", name="Next", exact=True).click()
        # A refused step during setup: what to change, and to save the step again (there is no sync log yet).
        expect(box.get_by_role("alert")).to_contain_text("save the Authentication step again")
        expect(box.get_by_role("alert")).not_to_contain_text("sync log")
        looks_right(page, "a refused step")
        box.get_by_label("Consumer secret").fill(store["consumerSecret"])
        box.get_by_role("button", name="Next", exact=True).click()
        expect(box.get_by_role("heading", name="(3) Order Creation")).to_be_visible()
        looks_right(page, "the box's order creation step")
        box.get_by_role("button", name="Next", exact=True).click()
        expect(box.get_by_role("heading", name="(4) Fulfilment")).to_be_visible()
        box.get_by_role("button", name="Next", exact=True).click()
        expect(box).to_contain_text("$10.00 per week")
        # The Finish summary names the account it connects to (the store's address, from the credentials check).
        expect(box.locator(".account-address")).to_contain_text("words-shop")
        looks_right(page, "the box's finish step")
        box.get_by_role("button", name="Finish", exact=True).click()
        expect(box).to_contain_text("Words shop is live.")
        looks_right(page, "the box, live")
        box.get_by_role("button", name="Done").click()
        page.get_by_role("link", name="Words shop").click()
        address = page.url.split("/console/", 1)[1]
        world.control("woocommerce", "POST", "stores/words-shop/orders",
                      {"lineItems": [{"sku": "SKU-NOPE", "quantity": 1}]})
        expect(page.locator(".attention-item")).to_contain_text("SKU-NOPE")
        return address
    finally:
        people.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_every_screen_speaks_peoples_words_and_fits_the_width(world: World, people: People, shop_integration: str,
                                                              viewport: dict[str, int]):
    customers = f"customers/{demo.CUSTOMER_ID}"

    admin = people.admin(viewport)
    screens: list[tuple[str, str | re.Pattern[str]]] = [
        ("customers", "Self-Managed Integrations"),
        (customers, "Steam Chef Store"),
        (shop_integration, "Words shop"),
        ("attention", "Needs attention"),
        ("billing", "Billing"),
        ("settings", "Settings"),
    ]
    for path, heading in screens:
        visit(admin, world, path, heading)
        looks_right(admin, f"admin: {path}")

    # Billing with a statement line (the local demo bills this week): the amount in view, the type by its title,
    # and the "being billed" note gone once the statement shows the charges.
    visit(admin, world, "billing", "Billing")
    expect(admin.get_by_role("heading", name=re.compile("^Statement "))).to_be_visible()
    line = admin.get_by_role("row").filter(has_text="Words shop")
    if viewport == DESKTOP:
        admin.get_by_role("button", name="Bill this week now (local demo)").click()
        expect(line).to_contain_text("$10.00")
        expect(admin.get_by_text("is being billed now")).to_have_count(0)
        expect(admin.get_by_role("status")).to_contain_text("is up to date")
    expect(line).to_contain_text("WooCommerce")
    amount = line.get_by_role("cell", name="$10.00").bounding_box()
    assert amount is not None and amount["x"] + amount["width"] <= viewport["width"], amount
    looks_right(admin, "admin: billing with a statement")

    customer = people.customer(viewport=viewport)
    # Who is signed in: the person's name (the token's name claim) and, for a customer user, their customer.
    expect(customer.locator(".who")).to_contain_text("(Steam Chef Store)")
    expect(customer.locator(".who")).not_to_contain_text("demo-")
    expect(admin.locator(".who")).to_contain_text("Alex Morgan (tenant admin)")
    for path, heading in [(customers, "Steam Chef Store"), (shop_integration, "Words shop"),
                          ("attention", "Needs attention")]:
        visit(customer, world, path, heading)
        looks_right(customer, f"customer user: {path}")

    # The integration's page: the record needing attention, "View log" in reach, its story and the history.
    visit(customer, world, shop_integration, "Words shop")
    expect(customer.get_by_role("region", name="Health").locator(".account-address")).to_contain_text("words-shop")
    expect(customer.locator(".attention-item")).to_contain_text("SKU-NOPE")
    view_log = customer.get_by_role("button", name=re.compile("^View log of")).first
    view_log.scroll_into_view_if_needed()
    box = view_log.bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"], box
    looks_right(customer, "the integration with a record needing attention")
    view_log.click()
    story = customer.get_by_role("dialog").filter(has=customer.locator("ol.log"))
    expect(story.locator("li.log-error").first).to_contain_text("SKU-NOPE")
    looks_right(customer, "a record's story")
    story.get_by_role("button", name="Close").click()
    customer.get_by_role("button", name="Configuration history").click()
    history = customer.get_by_role("dialog", name="Configuration history")
    expect(history.locator("ol.log > li").first).to_be_visible()
    looks_right(customer, "the configuration history")
    history.get_by_role("button", name="Close").click()

    # Every step of the box, reconfiguring the live integration.
    customer.get_by_role("button", name="Reconfigure").click()
    box_dialog = customer.get_by_role("dialog", name="Reconfigure WooCommerce: Words shop")
    for number, step in enumerate(("Name", "Authentication", "Order Creation", "Fulfilment", "Finish"), start=1):
        button = box_dialog.get_by_role("button", name=f"{number} {step}")
        if button.is_enabled():
            button.click()
        expect(box_dialog.get_by_role("heading", name=f"({number}) {step}")).to_be_visible()
        looks_right(customer, f"the box's {step} step")
    box_dialog.get_by_role("button", name="Close").click()

    # A customer user typing the admin's screens: the refusal in words, and no admin button ever drawn.
    for path in ("billing", "settings"):
        customer.goto(world.console + path)
        expect(customer.get_by_role("alert")).to_contain_text("Only the tenant's administrators may do this")
        looks_right(customer, f"customer user at {path}")
