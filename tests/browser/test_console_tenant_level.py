"""A tenant-level integration (Rose Rocket, issue 13) done in the page by the tenant admin, with no page code of its
own: configured from "Your own integrations", what finishing hands over shown once in the box and never again, and
its type's actions run from its page — the customers' CSV downloaded, the matches uploaded as CSV and the report
shown, the matched customers listed.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, People, World, accessibility_violations, shoot
from .test_console_words_and_widths import looks_right

pytestmark = [pytest.mark.browser, pytest.mark.timeout(480)]


def test_the_admin_configures_rose_rocket_keeps_what_is_shown_once_and_runs_its_actions(world: World, people: People,
                                                                                          tmp_path):
    rose = world.facts("rose_rocket")
    admin = people.admin()
    own = admin.get_by_role("region", name="Your own integrations")
    own.get_by_role("button", name="Configure a new Rose Rocket integration").click()
    box = admin.get_by_role("dialog", name="Configure Rose Rocket")
    box.get_by_role("textbox", name="Name").fill("Our TMS")
    box.get_by_role("button", name="Next", exact=True).click()
    for field, fact in (("clientId", "clientId"), ("clientSecret", "clientSecret"), ("orgId", "orgId"),
                        ("serviceAccountUserId", "serviceAccountUserId")):
        box.locator(f"#step-authentication_{field}").fill(rose[fact])
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("heading", name="(3) Order Creation")).to_be_visible()
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box.get_by_role("heading", name="(4) Fulfilment")).to_be_visible()
    box.get_by_role("button", name="Next", exact=True).click()
    expect(box).to_contain_text("per week")  # the cost, before Finish
    box.get_by_role("button", name="Finish", exact=True).click()

    # What the API hands over once: the webhook URL to enter in Rose Rocket and the rating widget's credential.
    handed = box.get_by_role("region", name="Keep these now: they are shown once")
    expect(handed).to_contain_text("Webhook URL")
    expect(handed).to_contain_text("/webhooks/rose-rocket/")
    expect(handed).to_contain_text("rrrate_")
    shoot(world, admin, "tenant-level-shown-once")
    webhook_url = handed.locator("code").first.inner_text()
    box.get_by_role("button", name="Done").click()
    expect(own.locator(".integration-row").filter(has_text="Our TMS")).to_contain_text("Live")
    assert webhook_url not in admin.content()  # gone with the box: the API never shows it again

    # Its page checks the organisation live (issue 21): a new organisation has no orders, so how it spells statuses
    # is "not checked", with what to do; what the probes could read is confirmed.
    own.get_by_role("link", name=re.compile("Our TMS")).click()
    check = admin.get_by_role("region", name="Connection check")
    check.get_by_role("button", name="Check connection").click()
    expect(check).to_contain_text("Live check of the Rose Rocket account")
    expect(check.locator("li.finding").first).to_contain_text("Not checked")
    expect(check.locator("li.finding").first).to_contain_text("Run the check again once there are orders")
    check.scroll_into_view_if_needed()
    shoot(world, admin, "connection-check-rose-rocket")
    assert accessibility_violations(admin) == []

    # Its page lists its type's actions; the customers' CSV is a download.
    actions = admin.get_by_role("region", name="Actions")
    export = actions.get_by_role("article", name="Export customers")
    with admin.expect_download() as downloading:
        export.get_by_role("button", name="Export customers").click()
    exported = list(csv.reader(io.StringIO(downloading.value.path().read_text(encoding="utf-8"))))
    names = [row[0] for row in exported[1:]]
    assert "Steam Chef Store" in names and "Harbour Foods" in names, exported

    # The matches go back as a CSV upload: one good row, one naming a customer Rose Rocket doesn't have.
    matches = tmp_path / "matches.csv"
    matches.write_text("Rose Rocket Customer,Customer UUID\n"
                       f"{rose['customers']['Steam Chef Store']},{rose['wmsCustomers']['Steam Chef Store']}\n"
                       f"CUST-99999,{rose['wmsCustomers']['Harbour Foods']}\n", encoding="utf-8")
    importing = actions.get_by_role("article", name="Import customer matches")
    importing.get_by_label("CSV file").set_input_files(str(matches))
    importing.get_by_role("button", name="Import customer matches").click()
    expect(importing.locator("pre, .problem, [role=alert]").first).to_contain_text("CUST-99999")

    # Answers are tables and facts, never raw JSON: the matches listed (none applied, every customer unmatched).
    listing = actions.get_by_role("article", name="Matched and unmatched customers")
    listing.get_by_role("button", name="Matched and unmatched customers").click()
    expect(listing.get_by_role("table").first).to_contain_text("Steam Chef Store")
    expect(listing).not_to_contain_text("{")
    # The push form is the consignment's field alone (no leftover "Parameters" group).
    expect(actions.get_by_role("article", name="Send to Rose Rocket")).not_to_contain_text("Parameters")

    # Rotating the rating credential asks first — the old one stops at once — then shows the new one once, to copy.
    rotating = actions.get_by_role("article", name="Rotate the rating credential")
    rotating.get_by_role("button", name="Rotate the rating credential").click()
    confirm = admin.get_by_role("dialog", name="Rotate the rating credential?")
    expect(confirm).to_contain_text("the previous one stops working at once")
    confirm.get_by_role("button", name="Cancel").click()
    expect(rotating.locator("code.secret")).to_have_count(0)  # nothing rotated
    rotating.get_by_role("button", name="Rotate the rating credential").click()
    confirm.get_by_role("button", name="Rotate the rating credential").click()
    expect(rotating.locator("code.secret")).to_contain_text("rrrate_")
    expect(rotating).to_contain_text("This is the only time it is shown")
    expect(rotating.get_by_role("button", name="Copy Rating credential")).to_be_visible()
    shoot(world, admin, "tenant-level-actions", full_page=True)
    assert accessibility_violations(admin) == []
    looks_right(admin, "Rose Rocket's page with its actions' answers")
    admin.set_viewport_size(PHONE)
    looks_right(admin, "Rose Rocket's page with its actions' answers, on a phone")
