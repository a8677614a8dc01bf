"""Rose Rocket's order statuses, whatever their spelling (issue 21, assumption ``status-spelling``): one docs page
writes "in transit", another "In transit", v1 wrote "in-transit". Compared normalised, asked for in each spelling,
written back as the organisation spells them."""

from __future__ import annotations

import pytest
from integrations.rose_rocket.models import DELIVERED, INVOICED, Order, spelled_like, spellings, status_key


@pytest.mark.parametrize("given", ["in transit", "In transit", "In Transit", "in-transit", "IN_TRANSIT",
                                   " in  transit "])
def test_a_status_compares_whatever_its_case_spaces_hyphens_or_underscores(given):
    assert status_key(given) == "in transit"


@pytest.mark.parametrize("given", ["delivered", "Delivered", "DELIVERED"])
def test_an_order_is_delivered_in_any_spelling(given):
    order = Order.model_validate({"id": "o-1", "status": given})
    assert order.is_status(DELIVERED) and not order.is_status(INVOICED)


def test_the_poll_asks_for_each_spelling_the_docs_give():
    assert spellings(DELIVERED) == ("delivered", "Delivered")


@pytest.mark.parametrize(("example", "written"), [
    ("delivered", "invoiced"), ("Delivered", "Invoiced"), ("DELIVERED", "INVOICED"), (None, "invoiced")])
def test_a_status_is_written_back_as_the_organisation_spells_them(example, written):
    assert spelled_like(INVOICED, example) == written


@pytest.mark.parametrize(("example", "written"), [
    ("in-transit", "in-transit"), ("In transit", "In transit"), ("In Transit", "In Transit"),
    ("IN_TRANSIT", "IN_TRANSIT"), ("new", "in transit"), ("Delivered", "In transit")])
def test_a_two_word_status_follows_the_example_s_joiner_and_case(example, written):
    assert spelled_like("in transit", example) == written
