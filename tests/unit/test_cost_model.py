"""docs/costs.md's tables are what local/cost_model.py computes from the counted requests, the template and the
prices (issue 25, point 3): a count, a price or an assumption that changes changes the page, or this fails."""

from __future__ import annotations

import pytest

from local import cost_model
from tests import documented


def test_docs_costs_holds_what_the_model_computes():
    text = cost_model.PAGE.read_text()
    assert cost_model.regenerate(text) == text, f"docs/costs.md differs from the model: run {cost_model.GENERATOR}"


def test_the_requests_per_order_are_the_documented_ones():
    wms = documented.stated("wms-notifications.md", r"\*\*Budget: (\d+) requests per notification")
    woocommerce = cost_model.woocommerce()
    assert [sum(p.requests.values()) for p in woocommerce.per_order] == [
        documented.stated("woocommerce.md", r"\*\*Budget: (\d+) requests per synced order"),
        documented.stated("woocommerce.md", r"\*\*Dispatch write-back: (\d+) requests")]
    assert sum(cost_model.starshipit().per_order[0].requests.values()) == documented.stated(
        "starshipit.md", r"\*\*(\d+) requests\.\*\*")
    assert sum(cost_model.wms_path().requests.values()) == wms


def test_a_count_that_changes_on_its_page_changes_the_table(monkeypatch):
    before = cost_model.summary_table()
    real = documented.page

    def page(name: str) -> str:
        text = real(name)
        return text.replace("| worker: bind — the link and the WMS order's pointer to it, one transaction | "
                            "TransactWriteItems 1 |", "| worker: bind | TransactWriteItems 2 |") \
            if name == "woocommerce.md" else text

    monkeypatch.setattr(documented, "page", page)
    after = cost_model.summary_table()
    assert after != before
    assert [line for line in after.splitlines() if line.startswith("| WooCommerce")] != \
        [line for line in before.splitlines() if line.startswith("| WooCommerce")]


@pytest.mark.parametrize("platform", cost_model.platforms(), ids=lambda p: p.title)
def test_orders_cost_more_than_idling_and_both_leave_a_margin(platform):
    idle = sum(cost_model.dollars(cost_model.idle_units(platform)).values())
    busy = sum(cost_model.dollars(cost_model.busy_units(platform)).values())
    assert 0 < idle < busy < cost_model.CHARGE_PER_MONTH


def test_a_split_written_from_a_pages_words_is_held_to_its_total():
    from collections import Counter

    with pytest.raises(AssertionError, match="the page says 9"):
        cost_model._checked("a path", Counter({"dynamodb:PutItem": 8}), 9)
