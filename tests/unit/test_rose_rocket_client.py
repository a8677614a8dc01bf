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
from integrations.rose_rocket.clients import budget_key, organisation_budget
from pydantic import SecretStr

from local.sandboxes.rose_rocket import RoseRocketSandbox
from local.sandboxes.transports import install_responses

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


# --- issue 21: what the docs leave open --------------------------------------------------------------------------


@pytest.fixture
def served():
    """A sandbox in any dialect: ``served(dialect)`` installs it at Rose Rocket's addresses."""
    from integrations.core.context import reset

    reset()  # tokens, remembered audiences and refused paths are per warm Lambda
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        def serve(**dialect: str) -> RoseRocketSandbox:
            made = RoseRocketSandbox(dialect=dialect)
            made.add_org(ORG, client_id="c", client_secret="s", service_user=USER)
            install_responses(rsps, made, DEFAULT_BASE_URL.split("/api/")[0])
            install_responses(rsps, made, DEFAULT_AUTH_URL)
            return made

        yield serve


def test_when_auth0_refuses_our_audience_the_api_base_url_is_asked_for_and_remembered(served):
    sandbox = served(**{"token-audience": "api-base-url"})
    rr = client()
    rr.boards("order")
    assert [b["body"]["audience"] for b in sandbox.request_bodies(r"^/oauth/token$")] == [
        "https://roserocket.com", DEFAULT_BASE_URL]
    assert [b["status"] for b in sandbox.request_bodies(r"^/oauth/token$")] == [403, 200]
    assert sandbox.request_bodies(r"^/oauth/token$")[0]["body"]["client_secret"] == "***"  # never kept
    rr.token(refresh=True)  # the next token is asked for with the audience that worked
    assert sandbox.request_bodies(r"^/oauth/token$")[-1]["body"]["audience"] == DEFAULT_BASE_URL
    assert len(sandbox.request_bodies(r"^/oauth/token$")) == 3


def test_a_token_answer_wrapped_in_data_is_read_and_one_without_a_token_is_said_in_words():
    from integrations.core.errors import UpstreamUnavailable

    with responses.RequestsMock() as rsps:
        rsps.post(f"{DEFAULT_AUTH_URL}/oauth/token", json={"data": {"access_token": "t-1", "expires_in": 60}})
        rsps.post(f"{DEFAULT_AUTH_URL}/oauth/token", json={"token_type": "Bearer"})
        assert client().token(refresh=True) == "t-1"
        with pytest.raises(UpstreamUnavailable, match="without an access token"):
            client().token(refresh=True)


def test_an_order_read_whose_paths_are_refused_is_read_with_the_listed_ones_and_stop_addresses_apart(served):
    from integrations.rose_rocket.models import ORDER_PATHS
    from integrations.rose_rocket.orders import read_order

    sandbox = served(**{"connected-paths": "refused"})
    org = sandbox.org(ORG)
    with sandbox.writing(org, USER) as records:
        customer = records.create("customer", {"name": "A"})
        service = records.create("serviceType", {"name": "EXPRESS"})
        order = records.create("order", {"customer": {"id": customer["id"]}, "serviceType": {"id": service["id"]},
                                         "tasks": [{"taskType": "delivery", "stops": [{"address": {
                                             "companyName": "Cafe", "city": "Brisbane"}}]}]})
    rr = client()
    found = read_order(rr, order["id"])
    assert found is not None and found.task("delivery").stops[0].address.company_name == "Cafe"
    assert set(found.unread) == {"serviceType", "invoice", "invoice.lineItems"} and found.service_type is None
    reads = [r for r in sandbox.request_bodies(r"^/api/v2/platformModel/objects/") if r["method"] == "GET"]
    assert [r["status"] for r in reads][:2] == [400, 200]  # everything refused; the listed paths read
    # the next read asks only for what Rose Rocket takes: one read of the order, one of its stop
    before = len(sandbox.request_log)
    assert read_order(rr, order["id"]).unread == found.unread
    assert [path for _, path, _ in sandbox.request_log[before:]] == [
        f"/api/v2/platformModel/objects/{order['id']}",
        f"/api/v2/platformModel/objects/{found.task('delivery').stops[0].id}"]
    assert set(ORDER_PATHS) - set(found.unread) - {"tasks.stops.address"} == {
        "customer", "tasks", "tasks.stops", "tasks.commodities", "sellQuote", "sellQuote.lineItems"}


def test_a_record_of_another_kind_read_as_an_order_is_read_bare_and_nothing_is_remembered(served):
    from integrations.rose_rocket.reads import read, refused_paths

    sandbox = served()
    with sandbox.writing(sandbox.org(ORG), USER) as records:
        manifest = records.create("manifest", {"notes": "Linehaul"})
    rr = client()
    found = read(rr, manifest["id"], ("customer", "tasks", "serviceType"))
    assert found.record is not None and found.record["objectKey"] == "manifest"
    assert refused_paths(rr) == frozenset()


def test_the_live_check_of_an_organisation_without_orders_says_what_it_could_not_see_and_writes_nothing(served):
    from integrations.core import live_check
    from integrations.rose_rocket.connector import CONNECTOR
    from integrations.rose_rocket.models import RoseRocketCredentials

    sandbox = served()
    credentials = RoseRocketCredentials.model_validate({"clientId": "c", "clientSecret": "s", "orgId": ORG,
                                                        "serviceAccountUserId": USER})
    report = live_check.run(CONNECTOR, credentials, {})
    outcomes = {f.key: f.outcome.value for f in report.findings}
    assert outcomes["status-spelling"] == outcomes["connected-paths"] == "could-not-check"
    assert "no orders yet" in report.of("status-spelling").seen
    assert outcomes["webhook-destination"] == "could-not-check"  # none registered from the command line
    assert {k for k, v in outcomes.items() if v == "confirmed"} == {
        "base-url", "token-request", "token-audience", "boards", "order-search", "customers", "service-type-object"}
    assert outcomes["zero-dimensions"] == "not-checkable"
    assert not [m for m, p, _ in sandbox.request_log if m in ("PUT", "PATCH", "DELETE")
                or (m == "POST" and not p.endswith(("/search", "/oauth/token")))]
    assert live_check.env_name("rose_rocket", "serviceAccountUserId") == "ROSE_ROCKET_SERVICE_ACCOUNT_USER_ID"
