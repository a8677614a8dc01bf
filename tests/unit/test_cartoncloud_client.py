"""The WMS client against CartonCloud's documented behaviours (examples: tests/fixtures/vendor/cartoncloud)."""

import json
from pathlib import Path

import pytest
import responses
from integrations.cartoncloud.client import TOKENS, CartonCloudClient, QuoteUnavailable
from integrations.cartoncloud.models import EntityRef, QuoteRequest
from integrations.core.errors import UpstreamAuthFailed, UpstreamRateLimited, UpstreamRejected
from integrations.core.http import HttpPolicy, UpstreamSession
from pydantic import SecretStr

from tests.builders import outbound_order

VENDOR = Path(__file__).parent.parent / "fixtures" / "vendor" / "cartoncloud"
BASE = "https://api.cartoncloud.test"
TENANT = "2f9e1c4a-6f0b-4b8e-9d7a-0c1d2e3f4a5b"
ORDERS = f"{BASE}/tenants/{TENANT}/outbound-orders"


def vendor(name):
    return json.loads((VENDOR / name).read_text())


@pytest.fixture(autouse=True)
def _fresh_tokens():
    TOKENS.clear()


@pytest.fixture
def client():
    return CartonCloudClient(base_url=BASE, tenant_id=TENANT, client_id="client-1",
                             client_secret=SecretStr("secret-1"),
                             session=UpstreamSession("CartonCloud", policy=HttpPolicy(max_attempts=2),
                                                     sleep=lambda s: None))


def token_ok():
    body = vendor("token.response.json") | {"access_token": "tok-1"}
    responses.post(f"{BASE}/uaa/oauth/token", json=body)


def order(reference="WOO-1001"):
    return outbound_order("cust-1", reference=reference, quantity=2)


def stored(order_id="o-1", status="AWAITING_PICK_AND_PACK", **extra):
    return {"id": order_id, "type": "OUTBOUND", "references": {"customer": "WOO-1001"}, "customer": {"id": "cust-1"},
            "details": {}, "status": status, "version": 1, "items": [],
            "timestamps": {"created": {"time": "2026-11-21T10:00:00+10:00"},
                           "modified": {"time": "2026-11-21T10:00:00+10:00"}}} | extra


@responses.activate
def test_token_is_fetched_with_basic_auth_and_cached_until_expiry(client):
    token_ok()
    responses.get(f"{ORDERS}/o-1", json=stored())
    responses.get(f"{ORDERS}/o-2", json=stored("o-2"))
    client.get_outbound_order("o-1")
    client.get_outbound_order("o-2")
    token_calls = [c for c in responses.calls if c.request.url.endswith("/uaa/oauth/token")]
    assert len(token_calls) == 1
    assert token_calls[0].request.headers["Authorization"].startswith("Basic ")
    assert token_calls[0].request.body == "grant_type=client_credentials"
    for call in responses.calls:
        assert call.request.headers["Accept-Version"] == "1"
    assert responses.calls[1].request.headers["Authorization"] == "Bearer tok-1"


@responses.activate
def test_a_401_refreshes_the_token_once(client):
    token_ok()
    responses.get(f"{ORDERS}/o-1", status=401, json=[{"message": "Unauthorized"}])
    responses.get(f"{ORDERS}/o-1", json=stored())
    assert client.get_outbound_order("o-1").id == "o-1"
    assert sum(c.request.url.endswith("/oauth/token") for c in responses.calls) == 2


@responses.activate
def test_wrong_credentials_say_where_to_fix_them(client):
    responses.post(f"{BASE}/uaa/oauth/token", status=401, json=[{"message": "Bad credentials"}])
    with pytest.raises(UpstreamAuthFailed) as raised:
        client.check_credentials()
    assert "Self-Managed Integrations" in raised.value.resolution
    assert "secret-1" not in str(raised.value)


@responses.activate
def test_create_sends_api_field_names_and_no_nulls(client):
    token_ok()
    responses.post(ORDERS, status=201, json=stored())
    created = client.create_outbound_order(order())
    sent = json.loads(responses.calls[1].request.body)
    assert sent["references"] == {"customer": "WOO-1001"}
    assert sent["details"]["deliver"]["address"] == {"contactName": "Jane Citizen", "address1": "1 Example St",
                                                     "city": "Perth", "postcode": "6000"}
    assert sent["items"][0]["details"]["product"] == {"references": {"code": "SKU-1"}}
    assert sent["items"][0]["measures"] == {"quantity": 2}  # a JSON number, not "2"
    assert not created.with_issues and not created.already_existed


@responses.activate
def test_228_is_created_with_issues(client):
    token_ok()
    rejected = stored(status="REJECTED", details={"errors": [
        {"message": "Ice Cream (IC-123) x 25 UNITS - Product not found", "isResolved": False}]})
    responses.post(ORDERS, status=228, json=rejected)
    created = client.create_outbound_order(order())
    assert created.with_issues
    assert created.order.status == "REJECTED"
    assert created.order.details.errors[0].message.endswith("Product not found")


@responses.activate
def test_422_duplicate_reference_binds_to_the_existing_order(client):
    token_ok()
    duplicate = vendor("error.response-422-duplicate.json")
    existing = duplicate[0]["details"]["duplicateId"]
    responses.post(ORDERS, status=422, json=duplicate)
    responses.get(f"{ORDERS}/{existing}", json=stored(existing))
    created = client.create_outbound_order(order())
    assert created.already_existed
    assert created.order.id == existing


@responses.activate
def test_validation_errors_name_the_json_pointer(client):
    token_ok()
    responses.post(ORDERS, status=422, json=vendor("error.response-422-validation.json"))
    with pytest.raises(UpstreamRejected) as raised:
        client.create_outbound_order(order())
    assert "/name: Name cannot be empty." in str(raised.value)
    assert raised.value.errors[1]["field"] == "/description"
    assert not raised.value.retryable


@responses.activate
def test_429_on_create_is_retried_then_left_to_the_queue(client):
    token_ok()
    responses.post(ORDERS, status=429, json=[{"message": "Rate limiting has been applied"}])
    with pytest.raises(UpstreamRateLimited):
        client.create_outbound_order(order())
    assert sum(c.request.url == ORDERS for c in responses.calls) == 2


@responses.activate
def test_search_follows_total_pages(client):
    token_ok()
    responses.post(f"{ORDERS}/search", json=[stored("o-1")], headers={"Total-Pages": "2"})
    responses.post(f"{ORDERS}/search", json=[stored("o-2")], headers={"Total-Pages": "2"})
    found = [o.id for o in client.search_outbound_orders({"condition": {}})]
    assert found == ["o-1", "o-2"]
    pages = [c.request.params.get("page") for c in responses.calls if "search" in c.request.url]
    assert pages == ["1", "2"]


@responses.activate
def test_quote_parses_charges_and_no_rate_is_a_named_error(client):
    token_ok()
    quote_url = f"{BASE}/tenants/{TENANT}/consignments/quote"
    responses.post(quote_url, json=vendor("consignment-quote.response.json"))
    responses.post(quote_url, status=422, json=vendor("consignment-quote.response-422.json"))
    request = QuoteRequest(customer=EntityRef(id="cust-1"), task_date="2026-11-21", items=[])
    quote = client.quote(request)
    assert [c.fee_category.name for c in quote.charges] == ["Delivery Fee", "Fuel Levy", "Flat Fee"]
    assert str(quote.charges[1].fee_after_modifiers.amount) == "0.6"
    with pytest.raises(QuoteUnavailable, match="No matching rate found"):
        client.quote(request)
