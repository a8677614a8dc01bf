"""The Starshipit sandbox keeps Starshipit's rules: the gateway (subscription key, sliding-second rate limit), the API
key, the envelopes, order validation, the lists and their filters, labels (a real PDF) and reprints, signed tracking
webhooks, the control API and faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local.sandboxes.base import RecordingSender, SandboxRequest
from local.sandboxes.starshipit import StarshipitSandbox, label_pdf

VENDOR = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "vendor" / "starshipit"
KEYS = {"StarShipIT-Api-Key": "key", "Ocp-Apim-Subscription-Key": "sub"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sent() -> RecordingSender:
    return RecordingSender(status=200)


@pytest.fixture
def ssi(clock, sent) -> StarshipitSandbox:
    sandbox = StarshipitSandbox(now=clock, sender=sent)
    sandbox.add_account("a", api_key="key", subscription_key="sub", rate_limit=1000)
    return sandbox


def call(ssi: StarshipitSandbox, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
         **query: str):
    raw = json.dumps(body).encode() if body is not None else b""
    return ssi.handle(SandboxRequest(method, path, query={k: [v] for k, v in query.items()},
                                     headers=KEYS if headers is None else headers, body=raw))


def example() -> dict[str, Any]:
    return json.loads((VENDOR / "create-order.request.json").read_text())


def create(ssi: StarshipitSandbox, clock: Clock, number: str = "10001", **destination: Any) -> dict[str, Any]:
    body = example()
    body["order"]["order_number"] = number
    body["order"]["destination"].update(destination)
    answer = call(ssi, "POST", "/api/orders", body)
    clock.advance(1)
    assert answer.status == 200, answer.parsed()
    return answer.parsed()["order"]  # type: ignore[no-any-return]


def test_starshipits_own_example_creates_the_order_its_example_answers(ssi, clock):
    made = create(ssi, clock)
    expected = json.loads((VENDOR / "create-order.response.json").read_text())["order"]
    assert set(expected) - {"order_id", "order_date"} <= set(made)
    assert (made["carrier"], made["carrier_name"], made["carrier_service_code"]) == ("AusPost", "Australia Post",
                                                                                      "7B05")
    assert made["status"] == "Unshipped" and made["items"][0]["item_id"] and made["packages"][0]["package_id"]


def test_the_gateway_then_the_api_key(ssi):
    missing = call(ssi, "GET", "/api/orders/unshipped", headers={"StarShipIT-Api-Key": "key"})
    assert missing.status == 401 and "missing subscription key" in missing.parsed()["message"]
    wrong = call(ssi, "GET", "/api/orders/unshipped", headers={**KEYS, "Ocp-Apim-Subscription-Key": "x"})
    assert wrong.status == 401 and wrong.parsed()["statusCode"] == 401 and "invalid subscription" in wrong.body.decode()
    api = call(ssi, "GET", "/api/orders/unshipped", headers={**KEYS, "StarShipIT-Api-Key": "x"})
    assert api.status == 401 and api.parsed()["success"] is False and api.parsed()["errors"][0]["message"]


def test_the_rate_limit_counts_a_sliding_second_per_subscription(ssi, clock):
    ssi.accounts["a"].rate_limit = 2  # a Developer subscription
    assert call(ssi, "GET", "/api/orders/unshipped").status == 200
    clock.advance(0.9)
    assert call(ssi, "GET", "/api/orders/unshipped").status == 200
    limited = call(ssi, "GET", "/api/orders/unshipped")
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    assert limited.parsed() == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."}
    clock.advance(0.2)  # the first call left the window; the second is still in it
    assert call(ssi, "GET", "/api/orders/unshipped").status == 200
    assert call(ssi, "GET", "/api/orders/unshipped").status == 429
    ssi.accounts["a"].retry_after = None
    clock.advance(0.5)
    assert "Retry-After" not in call(ssi, "GET", "/api/orders/unshipped").headers


def test_an_order_is_validated_as_a_whole_naming_each_field(ssi):
    body = example()
    order = body["order"]
    order["order_number"] = ""
    order["destination"].update(street="", post_code="20O0", country="Atlantis")
    order["items"][0]["quantity"] = 0
    order["carrier"] = "NoSuchCourier"
    answer = call(ssi, "POST", "/api/orders", body)
    assert answer.status == 400 and answer.parsed()["success"] is False
    assert [e["details"] for e in answer.parsed()["errors"]] == [
        "order.order_number", "order.destination.street", "order.destination.country", "order.items[0].quantity",
        "order.carrier"]
    order.update(order_number="X", carrier=None)
    order["destination"].update(street="1 St", country="AU")
    order["items"][0]["quantity"] = 1
    postcode = call(ssi, "POST", "/api/orders", body)
    assert postcode.status == 400 and postcode.parsed()["errors"][0]["details"] == "order.destination.post_code"


def test_order_numbers_are_unique_per_account_and_found_by_number(ssi, clock):
    made = create(ssi, clock, "N-1")
    again = call(ssi, "POST", "/api/orders", {"order": {**example()["order"], "order_number": "N-1"}})
    assert again.status == 400 and "already exists" in again.parsed()["errors"][0]["message"]
    assert call(ssi, "GET", "/api/orders", order_number="N-1").parsed()["order"]["order_id"] == made["order_id"]
    missing = call(ssi, "GET", "/api/orders", order_number="none")
    assert missing.status == 404 and missing.parsed() == {"success": False, "errors": [
        {"message": "Order not found", "details": "No order with order_number none"}]}


def test_the_shipped_list_filters_on_the_update_time_and_pages(ssi, clock):
    made = [create(ssi, clock, f"S-{n}") for n in range(3)]
    for order in made:
        ssi.ship_order("a", order["order_id"])
        clock.advance(1)
    middle = (clock.now - timedelta(seconds=2, milliseconds=500)).isoformat().replace("+00:00", "Z")
    listed = call(ssi, "GET", "/api/orders/shipped", since_last_updated=middle).parsed()
    assert [o["order_number"] for o in listed["orders"]] == ["S-1", "S-2"]
    assert call(ssi, "GET", "/api/orders/shipped", limit="1", page="2").parsed()["orders"][0]["order_number"] == "S-1"
    assert call(ssi, "GET", "/api/orders/shipped", ids_only="true").parsed()["order_ids"] == [o["order_id"]
                                                                                             for o in made]
    assert call(ssi, "GET", "/api/orders/shipped", limit="251").status == 400
    assert call(ssi, "GET", "/api/orders/shipped", since_last_updated="yesterday").status == 400
    clock.advance(25 * 3600)
    assert call(ssi, "GET", "/api/orders/shipped").parsed()["orders"] == []  # the default window: the last 24 h


def test_a_label_is_a_real_pdf_and_a_reprint_makes_no_second_shipment(ssi, clock, sent):
    ssi.set_webhook("a", "https://integrations.test/hook", "whsec")
    made = create(ssi, clock)
    printed = call(ssi, "POST", "/api/orders/shipment", {"order_id": made["order_id"]}).parsed()
    assert printed["success"] is True and printed["label_types"] == ["PDF"]
    assert printed["tracking_numbers"] == ["QQQ000000000000000001"]
    assert_valid_pdf(base64.b64decode(printed["labels"][0]))
    assert call(ssi, "POST", "/api/orders/shipment", {"order_id": made["order_id"]}).status == 400
    again = call(ssi, "POST", "/api/orders/shipment", {"order_number": made["order_number"], "reprint": True})
    assert again.parsed()["labels"] == printed["labels"] and ssi.accounts["a"].shipments == 1
    order = call(ssi, "GET", "/api/orders", order_id=str(made["order_id"])).parsed()["order"]
    assert order["status"] == "Printed" and order["packages"][0]["tracking_url"].endswith("QQQ000000000000000001")
    [webhook] = sent.sent
    assert webhook.json()["tracking_status"] == "Printed" and webhook.json()["order_number"] == "10001"
    assert webhook.headers["X-Starshipit-Signature"] == hmac.new(b"whsec", webhook.body, hashlib.sha256).hexdigest()


def test_the_control_api_ships_and_moves_tracking(ssi, clock, sent):
    ssi.set_webhook("a", "https://integrations.test/hook")  # no secret: unsigned
    made = create(ssi, clock)
    base = f"/_control/accounts/a/orders/{made['order_id']}"
    shipped = call(ssi, "POST", f"{base}/ship", {"trackingNumber": "TRK-1", "carrier": "Aramex"}, headers={})
    assert shipped.status == 200 and shipped.parsed()["status"] == "Shipped"
    assert shipped.parsed()["packages"][0]["tracking_number"] == "TRK-1" and shipped.parsed()["carrier"] == "Aramex"
    assert call(ssi, "POST", f"{base}/tracking", {"status": "Delivered"}, headers={}).status == 200
    assert call(ssi, "POST", f"{base}/tracking", {"status": "Teleported"}, headers={}).status == 400
    assert [w.json()["tracking_status"] for w in sent.sent] == ["Printed", "Dispatched", "Delivered"]
    assert all("X-Starshipit-Signature" not in w.headers for w in sent.sent)
    regenerated = call(ssi, "POST", "/_control/accounts/a/api-key", {}, headers={}).parsed()
    assert regenerated["apiKey"] != "key" and call(ssi, "GET", "/api/orders/unshipped").status == 401


def test_faults_speak_the_gateways_or_the_apis_shape(ssi):
    ssi.inject_fault(429, count=1, retry_after=3)
    ssi.inject_fault(503, count=1)
    limited = call(ssi, "GET", "/api/orders/unshipped")
    assert limited.status == 429 and limited.parsed()["statusCode"] == 429 and limited.headers["Retry-After"] == "3"
    failing = call(ssi, "GET", "/api/orders/unshipped")
    assert failing.status == 503 and failing.parsed()["success"] is False


def assert_valid_pdf(pdf: bytes) -> None:
    """The cross-reference table points at every object, and the content stream's length is what it says."""
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n", pdf)[1])  # type: ignore[index]
    assert pdf[start:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in pdf[start:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj\n".encode())
    length = int(re.search(rb"/Length (\d+)", pdf)[1])  # type: ignore[index]
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length and b"Tj" in stream


def test_label_text_is_escaped_and_kept_to_latin_1():
    pdf = label_pdf("Order (1)", ["back\\slash", "naïve – ünicode ✓"])
    assert_valid_pdf(pdf)
    assert b"Order \\(1\\)" in pdf and b"back\\\\slash" in pdf and b"na\xefve" in pdf


# --- Starshipit's own examples, kept whole (issue 21) -----------------------------------------------------------------


def vendor(name: str) -> Any:
    return json.loads((VENDOR / name).read_text())


def contains(whole: Any, part: Any) -> bool:
    """Every field of ``part`` is in ``whole`` with the same value (lists element by element)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and contains(whole[k], v) for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(whole) == len(part) and all(map(contains, whole, part))
    return bool(whole == part and type(whole) is type(part))


def test_the_create_order_example_is_accepted_as_it_is_and_read_back_whole(ssi):
    sent = vendor("create-order.request.json")
    made = call(ssi, "POST", "/api/orders", sent)
    assert made.status == 200, made.parsed()
    order_id = made.parsed()["order"]["order_id"]
    via_api = call(ssi, "GET", "/api/orders", order_id=str(order_id)).parsed()["order"]
    via_control = ssi.handle(SandboxRequest("GET", f"/_control/accounts/a/orders/{order_id}")).parsed()
    for read in (made.parsed()["order"], via_api, via_control):
        assert contains(read, sent["order"]), read  # every field sent, unchanged ("Australia" stays a name)
    # …and its answer is Starshipit's own example answer: the same ids, carrier, default package and flags. The two
    # samples were written at different times, so their order dates differ.
    answer = vendor("create-order.response.json")
    assert contains(made.parsed(), {**answer, "order": {k: v for k, v in answer["order"].items()
                                                        if k != "order_date"}})


def test_starshipits_own_records_load_through_the_control_api_as_they_are(ssi):
    answer = vendor("create-order.response.json")
    loaded = ssi.handle(SandboxRequest("POST", "/_control/accounts/a/orders", body=json.dumps(answer).encode()))
    assert loaded.status == 201 and loaded.parsed()["orders"] == [answer["order"]]  # nothing added
    read = call(ssi, "GET", "/api/orders", order_id="1020304051").parsed()["order"]
    assert read == answer["order"]
    search = vendor("orders-search.response.json")
    ssi.reset()
    ssi.add_account("a", api_key="key", subscription_key="sub", rate_limit=1000)
    loaded = ssi.handle(SandboxRequest("POST", "/_control/accounts/a/orders", body=json.dumps(search).encode()))
    assert loaded.parsed()["orders"] == search["orders"]
    assert call(ssi, "GET", "/api/orders/search", phrase="10001").parsed() == search  # served back unchanged
    assert call(ssi, "GET", "/api/orders", order_number="10001").parsed()["order"] == search["orders"][0]
    bad = ssi.handle(SandboxRequest("POST", "/_control/accounts/a/orders", body=b'{"order": "10001"}'))
    assert bad.status == 400 and "own JSON" in bad.parsed()["error"]


def test_the_update_order_example_is_applied_whole_to_the_order_it_names(ssi):
    ssi.load_orders("a", [vendor("create-order.response.json")["order"]])
    update = vendor("update-order.request.json")
    answer = call(ssi, "PUT", "/api/orders", update)
    assert answer.status == 200, answer.parsed()
    read = call(ssi, "GET", "/api/orders", order_id="1020304051").parsed()["order"]
    assert contains(read, update["order"]) and read["carrier_name"] == "Australia Post"
    ssi.ship_order("a", 1020304051)
    refused = call(ssi, "PUT", "/api/orders", update)  # printed and shipped: the status only
    assert refused.status == 400 and refused.parsed()["errors"][0]["details"] == "order"


def test_what_starshipit_refuses_is_refused_naming_the_field(ssi):
    cases = {
        "order.destination": {"order_number": "A-1"},
        "order.order_number": {"order_number": "N" * 51, "destination": example()["order"]["destination"]},
        "order.reference": {**example()["order"], "reference": "R" * 51},
        "order.shipping_method": {**example()["order"], "shipping_method": "M" * 101},
        "order.currency": {**example()["order"], "currency": "dollars"},
        "order.destination.post_code": {**example()["order"], "destination": {
            **example()["order"]["destination"], "country": "US", "post_code": "1" * 11}},
        "order.destination.delivery_instructions": {**example()["order"], "destination": {
            **example()["order"]["destination"], "delivery_instructions": "x" * 101}},
        "order.items[0].sku": {**example()["order"], "items": [{"sku": "S" * 51, "quantity": 1}]},
        "order.signature_required": {**example()["order"], "signature_required": "yes"},
    }
    for field, order in cases.items():
        answer = call(ssi, "POST", "/api/orders", {"order": order})
        assert answer.status == 400 and [e["details"] for e in answer.parsed()["errors"]] == [field], (field, answer)
    assert ssi.orders("a") == []


def test_every_request_body_is_kept_as_sent(ssi):
    body = vendor("create-order.request.json")
    call(ssi, "POST", "/api/orders", body)
    call(ssi, "GET", "/api/orders", order_number="10001")
    posted, read = ssi.sent(r"^/api/orders$")
    assert (posted.method, posted.status, posted.body) == ("POST", 200, body)
    assert (read.method, read.query, read.body) == ("GET", "", None)  # built from `query=` here, not a raw string
    listed = ssi.handle(SandboxRequest("GET", "/_control/requests", query={"bodies": ["true"]})).parsed()
    assert listed[0] == {"method": "POST", "path": "/api/orders", "query": "", "status": 200, "body": body}
    assert ssi.request_log[0] == ("POST", "/api/orders", 200)  # the base log keeps its 3-tuples


def test_a_tracking_webhook_body_is_sent_byte_for_byte_and_signed_as_the_account_says(ssi, sent):
    raw = (VENDOR / "tracking-webhook.json").read_bytes()
    nowhere = ssi.handle(SandboxRequest("POST", "/_control/accounts/a/webhook-deliveries", body=raw))
    assert nowhere.status == 409
    ssi.set_webhook("a", "https://integrations.test/webhooks/starshipit/i-1")
    ssi.handle(SandboxRequest("POST", "/_control/accounts/a/webhook-deliveries", body=raw))
    ssi.set_webhook("a", "https://integrations.test/webhooks/starshipit/i-1", "s3cret-key")
    answer = ssi.handle(SandboxRequest("POST", "/_control/accounts/a/webhook-deliveries", body=raw))
    assert answer.status == 200 and answer.parsed()["status"] == 200
    unsigned, signed = sent.sent
    assert unsigned.body == signed.body == raw and "X-Starshipit-Signature" not in unsigned.headers
    assert signed.headers["X-Starshipit-Signature"] == hmac.new(b"s3cret-key", raw, hashlib.sha256).hexdigest()


# --- dialects: each answer Starshipit might give to an open question ----------------------------------------------


def dialect(clock, sent, **answers: str) -> StarshipitSandbox:
    sandbox = StarshipitSandbox(now=clock, sender=sent, dialect=answers)
    sandbox.add_account("a", api_key="key", subscription_key="sub", rate_limit=1000)
    return sandbox


def test_a_missing_order_is_answered_in_each_dialect(clock, sent):
    shapes = {"404": (404, {"success": False, "errors": [{"message": "Order not found",
                                                          "details": "No order with order_number X"}]}),
              "empty": (200, {"order": None, "success": True}),
              "unsuccessful": (200, {"success": False, "errors": [{"message": "Order not found",
                                                                   "details": "No order with order_number X"}]})}
    for answer, (status, body) in shapes.items():
        missing = call(dialect(clock, sent, **{"order-lookup-missing": answer}), "GET", "/api/orders",
                       order_number="X")
        assert (missing.status, missing.parsed()) == (status, body), answer


def test_printing_needs_the_carrier_fields_in_that_dialect(clock, sent):
    strict = dialect(clock, sent, **{"print-label-carrier": "required"})
    order_id = call(strict, "POST", "/api/orders", example()).parsed()["order"]["order_id"]
    bare = call(strict, "POST", "/api/orders/shipment", {"order_id": order_id})
    assert bare.status == 400 and bare.parsed()["errors"][0]["details"] == "carrier"
    full = call(strict, "POST", "/api/orders/shipment", {"order_id": order_id, "carrier": "AusPost",
                                                          "carrier_service_code": "7E55",
                                                          "packages": [{"weight": 1.2}]})
    assert full.status == 200 and full.parsed()["tracking_numbers"]
    printed = strict.order("a", order_id)
    assert printed["carrier_service_code"] == "7E55" and printed["packages"][0]["weight"] == 1.2


def test_no_retry_after_and_base64_signatures_in_those_dialects(clock, sent):
    quiet = dialect(clock, sent, **{"retry-after": "absent", "webhook-signature": "base64"})
    quiet.accounts["a"].rate_limit = 1
    call(quiet, "GET", "/api/orders/unshipped")
    limited = call(quiet, "GET", "/api/orders/unshipped")
    assert limited.status == 429 and "Retry-After" not in limited.headers
    quiet.inject_fault(429, count=1, retry_after=3)
    clock.advance(2)
    assert "Retry-After" not in call(quiet, "GET", "/api/orders/unshipped").headers
    quiet.set_webhook("a", "https://integrations.test/hook", "s3cret-key")
    quiet.notify(quiet.accounts["a"], b'{"order_number":"1"}')
    mac = hmac.new(b"s3cret-key", b'{"order_number":"1"}', hashlib.sha256).digest()
    assert sent.sent[-1].headers["X-Starshipit-Signature"] == base64.b64encode(mac).decode()
