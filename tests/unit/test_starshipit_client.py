"""The Starshipit client against the sandbox (in-process through ``responses``), the webhook signature check, and the
account's rate budget key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from integrations.core.errors import SignatureInvalid, UpstreamAuthFailed, UpstreamRateLimited
from integrations.core.http import HttpPolicy, UpstreamSession
from integrations.starshipit.budget import budget_key
from integrations.starshipit.client import DEFAULT_BASE_URL, StarshipitClient, TooManyPages, rfc3339
from integrations.starshipit.door import parse, verify_signature
from integrations.starshipit.errors import StarshipitRejected, SubscriptionKeyRefused
from integrations.starshipit.models import NewDestination, NewItem, NewOrder, ShipmentResult, TrackingUpdate
from pydantic import SecretStr

from local.sandboxes.base import SandboxRequest
from local.sandboxes.starshipit import StarshipitSandbox
from local.sandboxes.transports import install_responses

VENDOR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "vendor" / "starshipit"
POLICY = HttpPolicy(base_delay=0.0, max_inline_wait=0.0)


@pytest.fixture
def sandbox():
    made = StarshipitSandbox()
    made.add_account("a", api_key="key-a", subscription_key="sub-a", rate_limit=1000)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, made, DEFAULT_BASE_URL)
        yield made


def client(api_key: str = "key-a", subscription: str = "sub-a") -> StarshipitClient:
    return StarshipitClient(api_key=SecretStr(api_key), subscription_key=SecretStr(subscription),
                            session=UpstreamSession("Starshipit", policy=POLICY), base=DEFAULT_BASE_URL)


def new_order(number: str, **destination: Any) -> NewOrder:
    return NewOrder(order_number=number, destination=NewDestination(**{
        "name": "Jane", "street": "1 George St", "suburb": "Sydney", "post_code": "2000", "country": "AU",
        **destination}), items=[NewItem(sku="A", quantity=1)])


def test_every_call_carries_both_keys_and_reads_the_envelope(sandbox):
    made = client().create_order(new_order("N-1"))
    assert made.order_number == "N-1" and made.status == "Unshipped" and made.carrier_name == "Australia Post"
    assert client().get_order(order_number="N-1").order_id == made.order_id
    assert client().get_order(order_id=made.order_id).order_number == "N-1"
    assert client().get_order(order_number="none") is None


def test_the_gateways_refusal_and_the_apis_are_told_apart(sandbox):
    with pytest.raises(SubscriptionKeyRefused):
        client(subscription="wrong").check()
    with pytest.raises(UpstreamAuthFailed) as api_key:
        client(api_key="wrong").check()
    assert not isinstance(api_key.value, SubscriptionKeyRefused) and "API key" in api_key.value.resolution
    assert "key-a" not in str(api_key.value) and "sub-a" not in str(api_key.value)


def test_a_refusal_keeps_starshipits_words(sandbox):
    with pytest.raises(StarshipitRejected) as refused:
        client().create_order(new_order("N-2", post_code="20O0"))
    assert refused.value.status == 400 and "post code" in refused.value.text
    assert refused.value.entries[0].details == "order.destination.post_code"


def test_a_200_whose_envelope_says_it_failed_is_a_refusal(sandbox):
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{DEFAULT_BASE_URL}/api/orders/unshipped",
                 json={"success": 0, "errors": [{"message": "Account suspended"}]})
        with pytest.raises(StarshipitRejected) as refused:
            client().check()
    assert "Account suspended" in str(refused.value)


def test_shipped_listing_pages_and_stops_at_the_limit(sandbox):
    for n in range(3):
        made = client().create_order(new_order(f"S-{n}"))
        sandbox.ship_order("a", made.order_id)
    since = datetime(2020, 1, 1, tzinfo=UTC)
    assert [o.order_number for o in client().shipped_since(since)] == ["S-0", "S-1", "S-2"]
    read: list[str] = []
    with pytest.raises(TooManyPages):
        read.extend(o.order_number for o in client().shipped_since(since, max_pages=2, limit=1))
    assert read == ["S-0", "S-1"]  # what was read came out before the listing was cut short
    assert rfc3339(datetime(2026, 11, 30, 1, 2, 3, 456789, tzinfo=UTC)) == "2026-11-30T01:02:03.456Z"


def test_a_label_and_its_reprint(sandbox):
    made = client().create_order(new_order("L-1"))
    first = client().print_label(made.order_id, reprint=False)
    assert first.tracking_numbers and base64.b64decode(first.labels[0]).startswith(b"%PDF")
    with pytest.raises(StarshipitRejected) as twice:
        client().print_label(made.order_id, reprint=False)
    assert "already been printed" in twice.value.text
    assert client().print_label(made.order_id, reprint=True).labels == first.labels
    assert sandbox.accounts["a"].shipments == 1


def test_the_print_label_example_is_read_and_its_every_key_is_in_the_sandboxs_answer(sandbox):
    """The third-party print-label example (synthetic values) holds the answer's shape: our model reads it, and the
    sandbox answers every key it has."""
    shape = json.loads((VENDOR / "orders-shipment.response.third-party.json").read_text())
    read = ShipmentResult.model_validate(shape)
    assert (read.order_id, read.tracking_numbers, read.labels, read.label_types) == (
        2, ["TN1", "TN2"], ["YQ=="], ["PDF", "PDF"])
    made = client().create_order(new_order("P-1"))
    answer = sandbox.handle(SandboxRequest("POST", "/api/orders/shipment", headers={
        "StarShipIT-Api-Key": "key-a", "Ocp-Apim-Subscription-Key": "sub-a"},
        body=json.dumps({"order_id": made.order_id}).encode())).parsed()
    assert set(shape) <= set(answer)


@pytest.mark.parametrize("answer", ["404", "empty", "unsuccessful"])
def test_a_missing_order_is_none_however_starshipit_says_it(answer):
    """Assumption order-lookup-missing: a 404, a 200 without an order or a 200 saying it found none are all "none";
    a refusal that says something else is raised (it must never pass for "none": a second order would follow)."""
    made = StarshipitSandbox(dialect={"order-lookup-missing": answer})
    made.add_account("a", api_key="key-a", subscription_key="sub-a", rate_limit=1000)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, made, DEFAULT_BASE_URL)
        assert client().get_order(order_number="nobody-has-this") is None
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{DEFAULT_BASE_URL}/api/orders",
                 json={"success": False, "errors": [{"message": "Something else went wrong"}]})
        with pytest.raises(StarshipitRejected):
            client().get_order(order_number="nobody-has-this")


# --- webhooks ---------------------------------------------------------------------------------------------------------


BODY = (VENDOR / "tracking-webhook.json").read_bytes()
MAC = hmac.new(b"whsec-1", BODY, hashlib.sha256).digest()


@pytest.mark.parametrize("signature", [MAC.hex(), MAC.hex().upper(), f"sha256={MAC.hex()}", f"SHA256={MAC.hex()}",
                                       base64.b64encode(MAC).decode(), f" {MAC.hex()} "])
def test_the_signature_is_accepted_in_the_spellings_of_one_hmac(signature):
    verify_signature(secret="whsec-1", signature=signature, body=BODY)  # raises SignatureInvalid if not
    with pytest.raises(SignatureInvalid):  # and the same spelling under another secret does not verify
        verify_signature(secret="whsec-2", signature=signature, body=BODY)


@pytest.mark.parametrize("secret,signature,body", [
    ("whsec-1", hmac.new(b"whsec-2", BODY, hashlib.sha256).hexdigest(), BODY),  # another secret
    ("whsec-1", MAC.hex(), BODY + b" "),  # tampered body
    ("whsec-1", MAC.hex()[:-1], BODY),  # truncated
    ("whsec-1", base64.urlsafe_b64encode(hashlib.sha256(BODY).digest()).decode(), BODY),  # a plain hash, no key
    ("whsec-1", "é" * 64, BODY),  # non-ASCII
    ("whsec-1", "", BODY), ("whsec-1", None, BODY),  # missing
    ("", hmac.new(b"", BODY, hashlib.sha256).hexdigest(), BODY),  # no secret: nothing verifies
    (None, MAC.hex(), BODY),
])
def test_anything_else_is_refused(secret, signature, body):
    with pytest.raises(SignatureInvalid):
        verify_signature(secret=secret, signature=signature, body=body)


def test_the_documented_webhook_parses_and_a_numeric_order_number_is_kept_as_text():
    update = parse(BODY)
    assert update.order_number == "5567476" and update.tracking_status == "Dispatched"
    assert TrackingUpdate.model_validate({"order_number": 5567476}).order_number == "5567476"


# --- the rate budget (core's SpacedBudget: tests/unit/test_rate_budgets.py) -------------------------------------------


def test_the_budget_key_is_a_digest_of_the_api_key():
    key = budget_key("secret-api-key")
    assert key.startswith("starshipit#") and "secret-api-key" not in key and key == budget_key("secret-api-key")


def test_the_sandbox_sends_the_gateways_429_with_or_without_retry_after(sandbox):
    sandbox.accounts["a"].rate_limit = 1
    sandbox.accounts["a"].retry_after = None
    session = UpstreamSession("Starshipit", policy=HttpPolicy(max_attempts=1))
    raw = StarshipitClient(api_key=SecretStr("key-a"), subscription_key=SecretStr("sub-a"), session=session)
    raw.check()
    with pytest.raises(UpstreamRateLimited) as limited:
        raw.check()
    assert limited.value.retry_after is None
    response = sandbox.handle(SandboxRequest("GET", "/api/orders/unshipped", headers={
        "Ocp-Apim-Subscription-Key": "sub-a", "StarShipIT-Api-Key": "key-a"}))
    assert response.status == 429 and json.loads(response.body)["message"].startswith("Rate limit is exceeded")


def test_a_create_that_doesnt_echo_the_order_reads_it_back_by_number():
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, f"{DEFAULT_BASE_URL}/api/orders", json={"success": True})
        rsps.add(responses.GET, f"{DEFAULT_BASE_URL}/api/orders",
                 json={"success": True, "order": {"order_id": 7, "order_number": "E-1", "status": "Unshipped"}})
        assert client().create_order(new_order("E-1")).order_id == 7
        assert rsps.calls[1].request.params == {"order_number": "E-1"}
