"""The DynamoDB link store and the unit tests' in-memory fake keep the same promises (integrations.core.links):
the same scenarios run against both, the DynamoDB one on moto with tables from template.yaml."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from integrations.core.context import core
from integrations.core.links import CounterpartTaken
from integrations.core.records import LinkStatus, Origin, RecordRef, WmsRef

from tests.unit.fakes import InMemoryLinkStore

SHOP = RecordRef(scope="i-1", platform="shop", record_type="order", record_id="42")
WMS = WmsRef(tenant_id="t-1", entity_type="OUTBOUND_ORDER", entity_id="w-1")


@pytest.fixture(params=["dynamodb", "in-memory"])
def links(request, stack):
    return core().links if request.param == "dynamodb" else InMemoryLinkStore()


def claim(links, ref=SHOP, token="t", origin=Origin.PLATFORM, stale_before="2000-01-01T00:00:00.000000Z"):
    return links.claim(ref, tenant_id="t-1", integration_id="i-1", origin=origin, token=token,
                       stale_before=stale_before)


def bind(links, ref=SHOP, token="t", wms=WMS):
    return links.bind(ref, token=token, pointer=wms.seen_by("i-1"), wms_record_key=wms.key, fingerprint="f",
                      snapshot={"a": 1}, source_modified_at="2026-11-30T00:00:00.000000Z", memo={"n": "1001"})


def test_one_of_many_concurrent_claims_wins(links):
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda token: claim(links, token=token).won, [f"t{i}" for i in range(8)]))
    assert won.count(True) == 1


def test_a_bound_link_is_found_from_either_end_and_refuses_new_claims(links):
    assert claim(links).won and bind(links)
    for ref in (SHOP, WMS.seen_by("i-1")):
        found = links.find(ref)
        assert found.key == SHOP.key and found.wms_record_key == WMS.key and found.memo == {"n": "1001"}
        assert found.status is LinkStatus.SYNCED and found.wms_order_id == "w-1"
    refused = claim(links, ref=WMS.seen_by("i-1"), token="x", origin=Origin.WMS)
    assert not refused.won and refused.current.key == SHOP.key


def test_a_second_record_can_not_take_a_bound_counterpart(links):
    assert claim(links).won and bind(links)
    other = SHOP.model_copy(update={"record_id": "43"})
    assert claim(links, ref=other, token="u").won
    with pytest.raises(CounterpartTaken):
        bind(links, ref=other, token="u")
    assert links.find(other).bound is False


def test_a_stale_claim_is_taken_over_and_the_first_worker_then_loses_its_bind(links):
    assert claim(links, token="slow").won
    assert not claim(links, token="fast").won
    assert claim(links, token="fast", stale_before="2999-01-01T00:00:00.000000Z").won
    assert bind(links, token="fast")
    assert not bind(links, token="slow", wms=WmsRef(tenant_id="t-1", entity_type="OUTBOUND_ORDER", entity_id="w-2"))
    assert links.find(SHOP).wms_record_key == WMS.key


def test_recording_an_outcome_at_a_pointer_writes_the_link_it_belongs_to(links):
    assert claim(links).won and bind(links)
    recorded = links.record(WMS.seen_by("i-1"), tenant_id="t-1", integration_id="i-1",
                            status=LinkStatus.NEEDS_ATTENTION, error="Consumer key is invalid", resolution="Fix it")
    assert recorded.key == SHOP.key and recorded.previous_error is None
    link = links.find(SHOP)
    assert link.status is LinkStatus.NEEDS_ATTENTION and link.last_error == "Consumer key is invalid"
    again = links.record(SHOP, tenant_id="t-1", integration_id="i-1", status=LinkStatus.SYNCED)
    assert again.previous_error == "Consumer key is invalid" and links.find(SHOP).last_error is None


def test_remember_once_says_whether_it_changed(links):
    assert claim(links).won
    assert links.remember_once(SHOP, "divergedStatus", "cancelled") is True
    assert links.remember_once(SHOP, "divergedStatus", "cancelled") is False
    assert links.remember_once(SHOP, "divergedStatus", "refunded") is True
    assert links.find(SHOP).memo["divergedStatus"] == "refunded"


def test_observe_keeps_the_newest_state_once(links):
    record = WMS.record
    first = links.observe(record, tenant_id="t-1", integration_id=None, fingerprint="a", snapshot={"s": "PACKED"},
                          source_modified_at="2026-11-30T00:00:01.000000Z")
    same = links.observe(record, tenant_id="t-1", integration_id=None, fingerprint="a", snapshot={"s": "PACKED"},
                         source_modified_at="2026-11-30T00:00:01.000000Z")
    older = links.observe(record, tenant_id="t-1", integration_id=None, fingerprint="b", snapshot={"s": "NEW"},
                          source_modified_at="2026-11-30T00:00:00.000000Z")
    newer = links.observe(record, tenant_id="t-1", integration_id=None, fingerprint="c",
                          snapshot={"s": "DISPATCHED"}, source_modified_at="2026-11-30T00:00:02.000000Z")
    assert (first.changed, same.changed, older.changed, newer.changed) == (True, False, False, True)
    assert newer.previous == {"s": "PACKED"}


def test_an_alias_leads_to_its_link_and_one_link_holds_it(links):
    """A second identifier of a counterpart (a number people see) leads to the one link that took it first."""
    number = RecordRef(scope="i-1", platform="shop", record_type="number", record_id="1003")
    assert claim(links).won and bind(links)
    assert links.alias(SHOP, number) == SHOP.key
    assert links.find(number).key == SHOP.key  # followed like any pointer
    other = SHOP.model_copy(update={"record_id": "43"})
    assert links.alias(other, number) == SHOP.key  # held: the other link is told whose it is
    contested = number.model_copy(update={"record_id": "1004"})
    with ThreadPoolExecutor(8) as pool:
        holders = list(pool.map(lambda ref: links.alias(ref, contested), [SHOP, other] * 4))
    assert len(set(holders)) == 1 and holders[0] in (SHOP.key, other.key)


def test_a_memo_entry_bound_as_none_is_cleared_not_an_error(links):
    """A connector may pass ``None`` for a memo entry it has nothing for: that entry is cleared, the rest kept."""
    assert claim(links).won
    assert links.bind(SHOP, token="t", pointer=WMS.seen_by("i-1"), wms_record_key=WMS.key,
                      memo={"n": "1001", "reference": None})
    assert links.find(SHOP).memo == {"n": "1001"}
