"""The Rose Rocket client against the sandbox (in-process through ``responses``): service-account tokens, one refresh
on a 401, errors by name, upserts by externalId, and walking a board whose search has a limit and no cursor."""

from __future__ import annotations

import pytest
import responses
from integrations.core.errors import UpstreamAuthFailed, UpstreamNotFound, UpstreamRateLimited, UpstreamRejected
from integrations.core.http import HttpPolicy, UpstreamSession
from integrations.core.ratelimit import SpacedBudget
from integrations.rose_rocket import client as client_module
from integrations.rose_rocket.client import DEFAULT_AUTH_URL, DEFAULT_BASE_URL, RoseRocketClient, TooManyMatches
from integrations.rose_rocket.services import budget_key, organisation_budget
from pydantic import SecretStr

from local.sandboxes.base import install_responses
from local.sandboxes.rose_rocket import RoseRocketSandbox

ORG, USER = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098", "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
POLICY = HttpPolicy(base_delay=0.0, max_inline_wait=0.0, max_attempts=2)


@pytest.fixture
def sandbox():
    made = RoseRocketSandbox()
    made.add_org(ORG, client_id="c", client_secret="s", service_user=USER)
    client_module.TOKENS.clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, made, DEFAULT_BASE_URL.split("/api/")[0])
        install_responses(rsps, made, DEFAULT_AUTH_URL)
        yield made


def client(secret: str = "s", user: str = USER) -> RoseRocketClient:
    return RoseRocketClient(client_id="c", client_secret=SecretStr(secret), org_id=ORG, user_id=user,
                            session=UpstreamSession("Rose Rocket", policy=POLICY))


def test_a_token_is_asked_for_once_and_refreshed_once_on_a_401(sandbox):
    rr = client()
    rr.create("customer", {"name": "A"})
    rr.create("customer", {"name": "B"})
    assert len(sandbox.requests_to(r"^/oauth/token$")) == 1
    sandbox.expire_tokens()  # lifetimes are "deliberately variable": a 401 is routine
    rr.create("customer", {"name": "C"})
    assert len(sandbox.requests_to(r"^/oauth/token$")) == 2


def test_refusals_become_named_errors_with_rose_rockets_words(sandbox):
    with pytest.raises(UpstreamAuthFailed) as refused:
        client(secret="wrong").token()
    assert "Unauthorized" in str(refused.value) and refused.value.resolution
    with pytest.raises(UpstreamAuthFailed, match="user_id"):
        client(user="00000000-0000-4000-8000-000000000000").token(refresh=True)
    with pytest.raises(UpstreamRejected) as bad:
        client().create("order", {"status": "lost"})
    assert "json.status must be one of" in str(bad.value) and bad.value.errors
    with pytest.raises(UpstreamNotFound):
        client().update("00000000-0000-4000-8000-000000000000", "order", {})
    assert client().get("00000000-0000-4000-8000-000000000000") is None
    sandbox.org(ORG).rate_limit = 1
    sandbox.org(ORG).retry_after = 60
    with pytest.raises(UpstreamRateLimited) as limited:
        client().boards("order")
        client().boards("order")
    assert limited.value.retry_after == 60


def test_an_upsert_by_external_id_creates_once_then_updates(sandbox):
    rr = client()
    customer = rr.create("customer", {"name": "A"})
    first, created = rr.upsert("order", {"externalId": "cons-1", "customer": {"id": customer["id"]}, "refNum": "1"})
    again, created_again = rr.upsert("order", {"externalId": "cons-1", "refNum": "2"})
    assert created and not created_again and first["id"] == again["id"] and again["refNum"] == "2"
    assert rr.get_external("order", "cons-1")["fullId"] == "O-1"
    assert rr.get_external("order", "cons-2") is None


def test_a_search_walks_past_its_limit_by_the_order_field(sandbox, monkeypatch):
    monkeypatch.setattr(client_module, "SEARCH_LIMIT", 3)
    org = sandbox.org(ORG)
    with sandbox.writing(org, USER) as records:
        for n in range(8):
            record = records.create("customer", {"name": f"C{n}"})
            record["createdAt"] = f"2026-01-01T00:00:0{n // 2}.000Z"  # pairs share a millisecond
    rr = client()
    names = [r["name"] for r in rr.search(org.boards["customer"], filters=[], order_by="createdAt")]
    assert sorted(names) == [f"C{n}" for n in range(8)] and len(names) == 8
    later = [r["name"] for r in rr.search(org.boards["customer"], filters=[], order_by="createdAt",
                                          after="2026-01-01T00:00:02.000Z")]
    assert sorted(later) == ["C4", "C5", "C6", "C7"]
    with pytest.raises(TooManyMatches):
        list(rr.search(org.boards["customer"], filters=[], order_by="createdAt", max_pages=2))


def test_the_organisations_budget_spaces_requests_per_minute_across_every_lambda():
    """Core's request-rate budget (tests/unit/test_rate_budgets.py), at the integration's requestsPerMinute: 300 a
    minute is a call every 0.2 s, whichever Lambda makes it; a person waiting waits for a turn at most 3 s."""
    worker = organisation_budget("budgets", per_minute=300, interactive=False)
    assert isinstance(worker, SpacedBudget) and worker.table_name == "budgets"
    assert worker.interval == pytest.approx(0.2) and worker.max_wait == SpacedBudget.MAX_WAIT_SECONDS
    assert organisation_budget("budgets", per_minute=300, interactive=True).max_wait == 3.0
    assert budget_key(ORG) == f"rose_rocket#{ORG}"
