"""Issue 22, point 5: a number about requests per record is stated once, on its connector's page, where the test that
measures it reads it (tests/documented.py); wherever another page or the README repeats it, it must be that number.

Each figure below is named by where it is measured; each repetition says which figure it repeats. A repetition that
drifts fails here naming both places.
"""

from __future__ import annotations

import pytest

from tests import documented

#: Each figure: the page that states it and the pattern its measuring test reads (same page, same words).
FIGURES = {
    # tests/functional/test_wms_notification_flow.py::test_aws_request_budget_per_notification
    "wms notification": ("wms-notifications.md", r"\*\*Budget: (\d+) requests per notification"),
    # tests/functional/test_woocommerce_resilience.py::test_aws_request_budget_per_synced_order
    "woocommerce order": ("woocommerce.md", r"\*\*Budget: (\d+) requests per synced order"),
    # tests/functional/test_woocommerce_poller.py::test_an_idle_poll_costs_seven_aws_requests_per_integration
    "woocommerce idle poll": ("woocommerce.md", r"An idle poll costs (\d+) per integration"),
    # tests/functional/test_unleashed_budget.py::test_requests_per_synced_shipment and ::test_requests_per_idle_poll
    "unleashed shipment": ("unleashed.md", r"\*\*An order with one shipment, from its webhook to its WMS order: "
                                           r"(\d+) AWS requests"),
    "unleashed calls per order": ("unleashed.md", r"\*\*An order with one shipment, from its webhook to its WMS "
                                                  r"order: \d+ AWS \w+, (\d+)"),
    "unleashed idle poll": ("unleashed.md", r"\*\*An idle poll: (\d+) AWS requests"),
    # tests/functional/test_starshipit_limits.py::test_requests_per_order_are_the_documented_ones
    "starshipit export": ("starshipit.md", r"\*\*(\d+) requests\.\*\*"),
    # tests/functional/test_rose_rocket_requests.py
    "rose rocket consignment": ("rose-rocket.md", r"### A WMS consignment to its Rose Rocket order: "
                                                  r"(\d+) AWS requests"),
    "rose rocket delivered order": ("rose-rocket.md", r"### A Delivered Rose Rocket order to its WMS consignment: "
                                                      r"(\d+) AWS requests"),
    "rose rocket rating": ("rose-rocket.md", r"### A rating request: (\d+) AWS requests"),
}

#: Where a figure is repeated: (page, the pattern finding the repetition, the figure, what it adds to the figure).
REPEATED = [
    ("../README.md", r"\((\d+) per WMS notification, see docs/wms-notifications\.md", "wms notification", 0),
    ("../README.md", r"(\d+) per WooCommerce order, docs/woocommerce\.md", "woocommerce order", 0),
    ("../README.md", r"(\d+)\s+per Unleashed shipment", "unleashed shipment", 0),
    ("../README.md", r"(\d+) Unleashed calls per order, docs/unleashed\.md", "unleashed calls per order", 0),
    ("../README.md", r"(\d+) per order exported to Starshipit", "starshipit export", 0),
    ("../README.md", r"(\d+) per consignment sent to Rose Rocket", "rose rocket consignment", 0),
    ("../README.md", r"(\d+) per Delivered Rose Rocket order", "rose rocket delivered order", 0),
    ("../README.md", r"(\d+) per\s+rating\s+request, docs/rose-rocket\.md", "rose rocket rating", 0),
    ("woocommerce.md", r"the WMS notification path \((\d+), docs/wms-notifications\.md\)", "wms notification", 0),
    ("unleashed.md", r"the WMS notification through the router \((\d+), docs/wms-notifications\.md\)",
     "wms notification", 0),
    ("starshipit.md", r"the WMS notification path is (\d+) of these", "wms notification", 0),
    ("rose-rocket.md", r"the usual (\d+) \(\[wms-notifications\.md\]", "wms notification", 0),
    # a tenant-level subscriber adds one Query to the notification path
    ("rose-rocket.md", r"notification path is (\d+) of these: the usual", "wms notification", 1),
    ("wms-notifications.md", r"\"Requests per record\": (\d+) for a\s+consignment created", "wms notification", 1),
    ("rose-rocket.md", r"moto's DynamoDB over HTTP — (\d+) AWS requests per rating", "rose rocket rating", 0),
    ("console.md", r"WooCommerce's idle poll (\d+) requests", "woocommerce idle poll", 0),
    ("console.md", r"Unleashed's (\d+)\)", "unleashed idle poll", 0),
]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_is_stated_once_on_its_page(name):
    page, pattern = FIGURES[name]
    assert documented.stated(page, pattern) > 0


@pytest.mark.parametrize("page, pattern, name, more", REPEATED, ids=[f"{p}:{n}" for p, _, n, _ in REPEATED])
def test_a_repeated_figure_is_the_measured_one(page, pattern, name, more):
    source, stated = FIGURES[name]
    figure = documented.stated(source, stated) + more
    repeated = documented.stated(page, pattern)
    where = page.removeprefix("../") if page.startswith("../") else f"docs/{page}"
    assert repeated == figure, f"{where} says {repeated} where docs/{source} states {name} as {figure - more}" + \
        (f" (+ {more} here)" if more else "")
