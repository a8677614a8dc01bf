"""The WooCommerce sandbox behaves like WooCommerce documents and codes it, reached in-process through ``responses``.

Where a vendor example exists (tests/fixtures/vendor/woocommerce/, sources in SOURCES.md) the sandbox is held to its
shape: the same fields, the same types; requests from the examples are sent unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from local.sandboxes.base import RecordingSender
from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox

BASE = "https://woo.test"
STORE = f"{BASE}/shop"
API = f"{STORE}/wp-json/wc/v3"
TRACKING = f"{STORE}/wp-json/wc-shipment-tracking/v3"
VENDOR = Path(__file__).resolve().parents[2] / "fixtures" / "vendor" / "woocommerce"
CK, CS = "ck_" + "a" * 40, "cs_" + "b" * 40


def vendor(name: str) -> Any:
    return json.loads((VENDOR / name).read_text())


def shape(value: Any) -> Any:
    """Field names and JSON types, recursively (lists by their first element)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hooks() -> RecordingSender:
    return RecordingSender(status=200)


@pytest.fixture
def sandbox(clock: Clock, hooks: RecordingSender):
    woo = WooCommerceSandbox(sender=hooks, now=clock.now, seed=7)
    woo.add_store("shop", consumer_key=CK, consumer_secret=CS)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, woo, BASE)
        yield woo


def call(method: str, url: str, *, auth: tuple[str, str] | None = (CK, CS), **kwargs: Any) -> requests.Response:
    return requests.request(method, url, auth=auth, **kwargs)


def order(sandbox: WooCommerceSandbox, **kwargs: Any) -> dict[str, Any]:
    return sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 2, "price": "12.50"}], **kwargs)


# --- orders -----------------------------------------------------------------------------------------------------------


def test_an_order_has_the_documented_fields_and_types(sandbox):
    placed = order(sandbox)
    got = call("GET", f"{API}/orders/{placed['id']}").json()
    documented = vendor("order-retrieve.response.json")
    assert set(documented) <= set(got)
    for name in ("billing", "line_items", "shipping_lines"):
        assert set(shape(documented[name]) if name == "billing" else shape(documented[name])[0]) <= set(
            shape(got[name]) if name == "billing" else shape(got[name])[0])
    assert isinstance(got["id"], int) and isinstance(got["number"], str) and got["total"] == "35.00"
    assert got["line_items"][0]["sku"] == "SKU-1" and got["line_items"][0]["quantity"] == 2


def test_dates_are_site_time_and_gmt_without_offsets(sandbox, clock):
    placed = order(sandbox)
    assert placed["date_created_gmt"] == "2026-11-21T00:00:00"
    assert placed["date_created"] == "2026-11-21T10:00:00"  # Australia/Brisbane, the store's time zone


def test_modified_after_is_read_as_site_time_unless_dates_are_gmt(sandbox, clock):
    first = order(sandbox)
    clock.advance(hours=2)
    second = order(sandbox)
    window = "2026-11-21T01:00:00"  # one hour after the first order, in UTC
    as_gmt = call("GET", f"{API}/orders", params={"modified_after": window, "dates_are_gmt": "true"}).json()
    as_site_time = call("GET", f"{API}/orders", params={"modified_after": window}).json()
    assert [o["id"] for o in as_gmt] == [second["id"]]
    assert {o["id"] for o in as_site_time} == {first["id"], second["id"]}  # 01:00 Brisbane is 15:00 UTC the day before


def test_listing_pages_with_wp_headers_and_caps_per_page_at_100(sandbox):
    for _ in range(3):
        order(sandbox)
    page = call("GET", f"{API}/orders", params={"per_page": 2, "page": 1, "order": "asc", "orderby": "id"})
    assert page.headers["X-WP-Total"] == "3" and page.headers["X-WP-TotalPages"] == "2"
    assert 'rel="next"' in page.headers["Link"]
    assert len(page.json()) == 2
    too_many = call("GET", f"{API}/orders", params={"per_page": 101})
    assert too_many.status_code == 400
    assert too_many.json() == {"code": "rest_invalid_param", "message": "Invalid parameter(s): per_page",
                               "data": {"status": 400, "params": {
                                   "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}}}


def test_status_filter_and_the_documented_update_request(sandbox):
    placed = order(sandbox)
    pending = order(sandbox, status="pending")
    processing = call("GET", f"{API}/orders", params={"status": "processing"}).json()
    assert [o["id"] for o in processing] == [placed["id"]]
    updated = call("PUT", f"{API}/orders/{placed['id']}", json=vendor("order-update.request.json"))
    assert updated.status_code == 200 and updated.json()["status"] == "completed"
    assert updated.json()["date_completed_gmt"] is not None
    assert set(vendor("order-update.response.json")) <= set(updated.json())
    assert call("GET", f"{API}/orders/{pending['id']}").json()["status"] == "pending"


def test_unknown_order_is_woocommerces_404(sandbox):
    missing = call("GET", f"{API}/orders/99999")
    assert missing.status_code == 404
    assert missing.json() == {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.",
                              "data": {"status": 404}}


def test_order_notes_like_the_documented_example(sandbox):
    placed = order(sandbox)
    created = call("POST", f"{API}/orders/{placed['id']}/notes", json=vendor("order-note-create.request.json"))
    assert created.status_code == 201
    assert shape(created.json()) == shape(vendor("order-note.response.json"))
    listed = call("GET", f"{API}/orders/{placed['id']}/notes").json()
    assert listed[0]["note"] == "Order ok!!!"  # newest first
    assert any(n["note"] == "Order status changed from Pending to Processing." for n in listed)


# --- authentication ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("auth", "message"), [
    (("ck_wrong", CS), "Consumer key is invalid."),
    ((CK, "cs_wrong"), "Consumer secret is invalid."),
])
def test_wrong_keys_are_401_authentication_errors(sandbox, auth, message):
    answer = call("GET", f"{API}/orders", auth=auth)
    assert answer.status_code == 401
    assert answer.json() == {"code": "woocommerce_rest_authentication_error", "message": message,
                             "data": {"status": 401}}


def test_no_key_is_401_cannot_view(sandbox):
    answer = call("GET", f"{API}/orders", auth=None)
    assert answer.status_code == 401 and answer.json()["code"] == "woocommerce_rest_cannot_view"


def test_a_read_only_key_reads_but_every_write_is_refused(sandbox):
    read_only = sandbox.add_key("shop", permissions="read")
    auth = (read_only.consumer_key, read_only.consumer_secret)
    placed = order(sandbox)
    assert call("GET", f"{API}/orders/{placed['id']}", auth=auth).status_code == 200
    for method, url, body in (("PUT", f"{API}/orders/{placed['id']}", {"status": "completed"}),
                              ("POST", f"{API}/webhooks/batch", {})):
        refused = call(method, url, auth=auth, json=body)
        assert refused.status_code == 401
        assert refused.json()["message"] == "The API key provided does not have write permissions."
    assert sandbox.order("shop", placed["id"])["status"] == "processing"


def test_the_key_also_works_in_the_query_string_and_a_stripped_header_reads_as_no_key(sandbox):
    params = {"consumer_key": CK, "consumer_secret": CS}
    assert call("GET", f"{API}/orders", auth=None, params=params).status_code == 200
    sandbox.configure_store("shop", strips_authorization=True)
    assert call("GET", f"{API}/orders").json()["code"] == "woocommerce_rest_cannot_view"
    assert call("GET", f"{API}/orders", auth=None, params=params).status_code == 200


def test_plain_permalinks_answer_wp_json_with_an_html_404_but_rest_route_works(sandbox):
    sandbox.configure_store("shop", permalinks="plain")
    pretty = call("GET", f"{STORE}/wp-json/")
    assert pretty.status_code == 404 and pretty.headers["Content-Type"].startswith("text/html")
    index = requests.get(f"{STORE}/", params={"rest_route": "/"})
    assert index.status_code == 200 and "wc/v3" in index.json()["namespaces"]


# --- webhooks ---------------------------------------------------------------------------------------------------------


def test_webhook_create_from_the_documented_request_pings_and_hides_the_secret(sandbox, hooks):
    body = vendor("webhook-create.request.json") | {"secret": "s3cret"}
    created = call("POST", f"{API}/webhooks", json=body)
    assert created.status_code == 201
    got = created.json()
    assert shape(got) == shape(vendor("webhook.response.json"))
    assert "secret" not in got and got["status"] == "active"
    ping = f"webhook_id={got['id']}".encode()
    assert [(sent.url, sent.body) for sent in hooks.sent] == [(body["delivery_url"], ping)]
    assert "X-WC-Webhook-Signature" not in hooks.sent[0].headers


def test_deliveries_are_signed_like_woocommerce_with_its_headers(sandbox, hooks):
    call("POST", f"{API}/webhooks", json={"topic": "order.created", "delivery_url": "https://int.test/h",
                                          "secret": "s3cret"})
    placed = order(sandbox, customer_note="Côté cour / rear")
    delivery = hooks.sent[-1]
    expected = base64.b64encode(hmac.new(b"s3cret", delivery.body, hashlib.sha256).digest()).decode()
    assert delivery.headers["X-WC-Webhook-Signature"] == expected
    assert delivery.headers["X-WC-Webhook-Topic"] == "order.created"
    assert delivery.headers["X-WC-Webhook-Resource"] == "order"
    assert delivery.headers["X-WC-Webhook-Event"] == "created"
    assert delivery.headers["X-WC-Webhook-Source"] == "https://shop.example.test/"
    assert delivery.headers["User-Agent"].startswith("WooCommerce/")
    assert b"\\/" in delivery.body and b"\\u00f4" in delivery.body  # wp_json_encode escapes
    assert delivery.json()["id"] == placed["id"] and delivery.json()["customer_note"] == "Côté cour / rear"


def test_order_created_is_followed_by_order_updated_for_the_same_order(sandbox, hooks):
    for topic in ("order.created", "order.updated"):
        call("POST", f"{API}/webhooks", json={"topic": topic, "delivery_url": "https://int.test/h", "secret": "x"})
    placed = order(sandbox)
    topics = [(s.headers["X-WC-Webhook-Topic"], s.json()["id"]) for s in hooks.sent if s.body[:1] == b"{"]
    assert topics == [("order.created", placed["id"]), ("order.updated", placed["id"])]


def test_failures_are_never_retried_and_the_seventh_disables_the_webhook(sandbox, hooks):
    created = call("POST", f"{API}/webhooks", json={"topic": "order.updated", "delivery_url": "https://int.test/h",
                                                    "secret": "x"}).json()
    hooks.status = 500
    placed = order(sandbox)
    for n in range(6):
        sandbox.set_order_status("shop", placed["id"], "on-hold" if n % 2 == 0 else "processing")
    state = sandbox.webhooks("shop")[0]
    assert state["status"] == "disabled"  # failures 1–6 counted, the 7th (count already > 5) disabled it
    sent_before = len(hooks.sent)
    sandbox.set_order_status("shop", placed["id"], "completed")
    assert len(hooks.sent) == sent_before  # a disabled webhook delivers nothing, and nothing was retried
    hooks.status = 200
    reactivated = call("PUT", f"{API}/webhooks/{created['id']}", json={"status": "active"})
    assert reactivated.json()["status"] == "active"
    assert hooks.sent[-1].body == f"webhook_id={created['id']}".encode()  # activation pings


def test_a_success_resets_the_failure_count(sandbox, hooks):
    call("POST", f"{API}/webhooks", json={"topic": "order.updated", "delivery_url": "https://int.test/h",
                                          "secret": "x"})
    hooks.status = 503
    placed = order(sandbox)
    assert sandbox.webhooks("shop")[0]["failure_count"] == 1
    hooks.status = 302
    sandbox.set_order_status("shop", placed["id"], "on-hold")
    assert sandbox.webhooks("shop")[0]["failure_count"] == 0


def test_held_deliveries_collapse_and_are_built_late_in_any_order(sandbox, hooks):
    call("POST", f"{API}/webhooks", json={"topic": "order.updated", "delivery_url": "https://int.test/h",
                                          "secret": "x"})
    sandbox.hold_deliveries("shop")
    first = order(sandbox, status="pending")
    second = order(sandbox, status="pending")
    sandbox.set_order_status("shop", first["id"], "processing")  # same webhook + order: not queued twice
    assert sandbox.release_deliveries("shop", order="reverse") == 2
    bodies = [s.json() for s in hooks.sent if s.body[:1] == b"{"]
    assert [b["id"] for b in bodies] == [second["id"], first["id"]]
    assert bodies[1]["status"] == "processing"  # built when sent, not when the order was created


def test_delete_needs_force_and_unknown_webhooks_are_404(sandbox):
    created = call("POST", f"{API}/webhooks", json={"topic": "order.updated", "delivery_url": "https://int.test/h"})
    trashed = call("DELETE", f"{API}/webhooks/{created.json()['id']}")
    assert trashed.status_code == 501 and trashed.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert call("DELETE", f"{API}/webhooks/{created.json()['id']}", params={"force": "true"}).status_code == 200
    gone = call("GET", f"{API}/webhooks/{created.json()['id']}")
    assert gone.status_code == 404 and gone.json()["code"] == "woocommerce_rest_shop_webhook_invalid_id"


def test_an_invalid_topic_is_refused(sandbox):
    refused = call("POST", f"{API}/webhooks", json={"topic": "order.exploded", "delivery_url": "https://x.test"})
    assert refused.status_code == 400 and refused.json()["code"] == "woocommerce_rest_shop_webhook_invalid_topic"


# --- Shipment Tracking ------------------------------------------------------------------------------------------------


def test_tracking_rows_like_the_documented_examples(sandbox):
    placed = order(sandbox)
    created = call("POST", f"{TRACKING}/orders/{placed['id']}/shipment-trackings",
                   json=vendor("shipment-tracking-create.request.json"))
    assert created.status_code == 201 and created.headers["Location"].endswith(created.json()["tracking_id"])
    documented = vendor("shipment-tracking-create.response.json")
    got = {key: value for key, value in created.json().items() if key != "_links"}
    assert shape(got) == shape(documented)
    assert {k: got[k] for k in ("tracking_provider", "tracking_link", "tracking_number", "date_shipped")} == \
        {k: documented[k] for k in ("tracking_provider", "tracking_link", "tracking_number", "date_shipped")}
    custom = call("POST", f"{TRACKING}/orders/{placed['id']}/shipment-trackings",
                  json=vendor("shipment-tracking-custom-provider.request.json")).json()
    assert custom["tracking_provider"] == "Example Courier"
    assert custom["tracking_link"] == "https://example.com/track/12345678"
    listed = call("GET", f"{TRACKING}/orders/{placed['id']}/shipment-trackings").json()
    assert [row["tracking_number"] for row in listed] == ["9400111899560000000000", "12345678"]
    assert set(vendor("shipment-tracking-list.response.json")) <= set(listed[0])


def test_tracking_needs_a_number_and_can_be_deleted(sandbox):
    placed = order(sandbox)
    missing = call("POST", f"{TRACKING}/orders/{placed['id']}/shipment-trackings", json={"tracking_provider": "UPS"})
    assert missing.status_code == 400 and missing.json()["code"] == "rest_missing_callback_param"
    row = call("POST", f"{TRACKING}/orders/{placed['id']}/shipment-trackings",
               json={"tracking_number": "1Z", "tracking_provider": "UPS"}).json()
    assert call("DELETE", f"{TRACKING}/orders/{placed['id']}/shipment-trackings/{row['tracking_id']}").ok
    assert call("GET", f"{TRACKING}/orders/{placed['id']}/shipment-trackings").json() == []


def test_without_the_extension_its_routes_are_rest_no_route_and_its_namespace_is_not_listed(sandbox):
    sandbox.configure_store("shop", shipment_tracking=False)
    placed = order(sandbox)
    answer = call("GET", f"{TRACKING}/orders/{placed['id']}/shipment-trackings")
    assert answer.status_code == 404
    assert answer.json() == {"code": "rest_no_route", "message": "No route was found matching the URL and request "
                             "method.", "data": {"status": 404}}
    assert "wc-shipment-tracking/v3" not in requests.get(f"{STORE}/wp-json/").json()["namespaces"]


# --- control API and faults -------------------------------------------------------------------------------------------


def test_control_api_places_and_moves_orders_and_faults_use_woocommerces_error_shape(sandbox):
    placed = requests.post(f"{BASE}/_control/stores/shop/orders", json={
        "lineItems": [{"sku": "SKU-9", "quantity": 1}], "status": "pending",
        "shippingMethod": {"methodId": "local_pickup:2", "title": "Local pickup", "total": "0.00"}}).json()
    assert placed["shipping_lines"][0]["method_id"] == "local_pickup:2"
    moved = requests.post(f"{BASE}/_control/stores/shop/orders/{placed['id']}/status", json={"status": "processing"})
    assert moved.json()["status"] == "processing"
    sandbox.inject_fault(429, count=1, retry_after=3)
    throttled = call("GET", f"{API}/orders")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert set(throttled.json()) == {"code", "message", "data"}
    assert call("GET", f"{API}/orders").status_code == 200
