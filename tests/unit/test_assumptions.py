"""Each connector's list of assumptions (integrations.core.assumptions) is the one source: its sandbox offers a
dialect switch for exactly the questions it declares with dialects, and its docs page shows exactly its table."""

from __future__ import annotations

import pytest
from integrations.core.assumptions import Assumption, by_key, markdown_table
from integrations.core.connectors import load, shipped

from local import assumptions_docs

DECLARING = sorted(key for key, connector in shipped().items() if connector.available)


def test_an_assumption_names_ours_and_another_answer_or_none():
    with pytest.raises(ValueError, match="at least one other"):
        Assumption("status-spelling", "x", "decided", "y", dialects=("lowercase",))
    with pytest.raises(ValueError, match="lower-case"):
        Assumption("Status Spelling", "x", "decided", "y")
    with pytest.raises(ValueError, match="twice"):
        by_key((Assumption("a", "x", "decided", "y"), Assumption("a", "z", "decided", "w")))


@pytest.mark.parametrize("key", DECLARING)
def test_every_connector_lists_what_it_assumes_about_its_vendor(key):
    connector = shipped()[key]
    assert connector.assumptions, f"{key} declares no assumptions (connector.py ASSUMPTIONS)"
    by_key(connector.assumptions)  # unique keys
    for assumption in connector.assumptions:
        assert assumption.assumes and assumption.source and assumption.if_wrong, assumption.key


@pytest.mark.parametrize("key", DECLARING)
def test_the_sandbox_offers_a_dialect_switch_for_each_open_question_and_no_other(key):
    connector = shipped()[key]
    sandbox = load(connector.sandbox)().factory(lambda url, headers, body: 200) if connector.sandbox else None
    declared = {a.key: a.dialects for a in connector.assumptions if a.dialects}
    offered = dict(type(sandbox).DIALECTS) if sandbox is not None else {}
    assert offered == declared, f"{key}: the sandbox's DIALECTS must equal the declared assumptions' dialects"
    if sandbox is not None:
        assert sandbox.dialect == {switch: answers[0] for switch, answers in declared.items()}  # ours by default


@pytest.mark.parametrize("key", DECLARING)
def test_the_docs_page_shows_exactly_the_declared_table(key):
    block = assumptions_docs.current_block(key)
    assert block is not None, f"{assumptions_docs.page_of(key).name} has no assumptions table markers"
    assert block == assumptions_docs.expected_block(key), (
        f"{assumptions_docs.page_of(key).name} differs from {key}'s declaration: run python -m local.assumptions_docs")
    assert markdown_table(shipped()[key].assumptions) in block
