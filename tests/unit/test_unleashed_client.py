"""The Unleashed client against the Unleashed sandbox, in-process (no sockets): signing, paging, errors, the exact
order-number match, the whole-shipment PUT. Budget metering is tested with DynamoDB in the functional tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
import responses
from integrations.core.errors import UpstreamAuthFailed, UpstreamRateLimited
from integrations.core.http import HttpPolicy, UpstreamSession
from integrations.unleashed.client import CLIENT_TYPE, TooManyPages, UnleashedClient, signature
from integrations.unleashed.errors import OrderNotFound, ShipmentNotFound, ShipmentRefused
from pydantic import SecretStr

from local.sandboxes.transports import install_responses
from local.sandboxes.unleashed import UnleashedSandbox

BASE = "https://api.unleashed.test"
API_ID, API_KEY = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "k3y-for-unit-tests"
NO_WAIT = HttpPolicy(base_delay=0, max_attempts=2)


@pytest.fixture
def sandbox():
    box = UnleashedSandbox()
    box.add_account(api_id=API_ID, api_key=API_KEY, products=["SKU-1"], order_management=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, box, BASE)
        yield box


def client(key: str = API_KEY) -> UnleashedClient:
    """Unmetered (no budget on the session): the meter needs DynamoDB, tested functionally."""
    return UnleashedClient(api_id=API_ID, api_key=SecretStr(key), root=BASE,
                           session=UpstreamSession("Unleashed", policy=NO_WAIT, sleep=lambda _: None))


def test_the_signature_is_base64_hmac_sha256_of_the_query_string():
    """UL-DOC AuthenticationHelp's example: GET /SalesOrders/2?orderStatus=Placed&pageSize=200 signs the query only."""
    expected = base64.b64encode(hmac.new(b"secret", b"orderStatus=Placed&pageSize=200", hashlib.sha256).digest())
    assert signature("orderStatus=Placed&pageSize=200", "secret") == expected.decode()
    assert signature("", "secret") == base64.b64encode(hmac.new(b"secret", b"", hashlib.sha256).digest()).decode()


def test_calls_are_signed_as_sent_and_name_themselves(sandbox):
    since = datetime(2024, 4, 17, 23, 11, 5, tzinfo=UTC)
    orders, pagination = client().sales_orders(1, modified_since=since)
    assert orders == [] and pagination.NumberOfPages == 0
    # the colon-bearing filter was encoded once, signed as encoded, and accepted (a mismatch would be a 403)
    assert sandbox.request_log[-1] == ("GET", "/SalesOrders/1", 200)
    seen: list[dict] = []
    original = sandbox.handle

    def spy(request):
        seen.append({"headers": dict(request.headers), "query": request.raw_query})
        return original(request)

    sandbox.handle = spy
    client().sales_orders(1, modified_since=since)
    assert seen[0]["query"] == "orderStatus=Placed&pageSize=200&modifiedSince=2024-04-17T23%3A11%3A05"
    headers = {k.lower(): v for k, v in seen[0]["headers"].items()}
    assert headers["client-type"] == CLIENT_TYPE and headers["accept"] == "application/json"
    assert headers["api-auth-id"] == API_ID and "python-requests" not in headers["user-agent"]


def test_a_wrong_key_is_a_named_auth_failure_saying_where_the_keys_are(sandbox):
    with pytest.raises(UpstreamAuthFailed) as refused:
        client("wrong").check()
    assert refused.value.status == 403 and "Unleashed API Access" in refused.value.resolution
    assert "wrong" not in str(refused.value)


def test_orders_are_read_page_by_page_and_a_runaway_listing_stops(sandbox):
    for _ in range(450):
        sandbox.place_order(API_ID, [{"code": "SKU-1", "quantity": 1}], notify=False)
    since = datetime.now(UTC) - timedelta(hours=1)
    assert len(list(client().orders_modified_since(since))) == 450
    assert [path for _, path, _ in sandbox.request_log[-3:]] == ["/SalesOrders/1", "/SalesOrders/2",
                                                                  "/SalesOrders/3"]
    with pytest.raises(TooManyPages):
        list(client().orders_modified_since(since, max_pages=2))


def test_an_orders_shipments_are_matched_exactly_though_the_filter_matches_a_prefix(sandbox):
    short = sandbox.place_order(API_ID, [{"code": "SKU-1"}], orderNumber="SO-1", shipments=[{}], notify=False)
    sandbox.place_order(API_ID, [{"code": "SKU-1"}], orderNumber="SO-10", shipments=[{}, {}], notify=False)
    order = client().get_sales_order(short["Guid"])
    assert [s.OrderNumber for s in client().order_shipments(order)] == ["SO-1"]


def test_missing_records_are_named(sandbox):
    with pytest.raises(OrderNotFound):
        client().get_sales_order("00000000-0000-4000-8000-000000000000")
    with pytest.raises(ShipmentNotFound):
        client().get_shipment("00000000-0000-4000-8000-000000000000")


def test_a_shipment_is_read_raw_and_put_back_whole(sandbox):
    order = sandbox.place_order(API_ID, [{"code": "SKU-1", "quantity": 2}], shipments=[{}], notify=False)
    [shipment] = sandbox.shipments_of(API_ID, order["Guid"])
    raw = client().get_shipment(shipment["Guid"])
    assert raw["LastModifiedBy"] == "sandbox@example.com"  # fields we don't model survive
    raw["TrackingNumber"] = "TRK-9"
    assert client().put_shipment(shipment["Guid"], raw)["TrackingNumber"] == "TRK-9"
    raw.pop("SalesShipmentLines")
    with pytest.raises(ShipmentRefused, match="SalesShipmentLines are required"):
        client().put_shipment(shipment["Guid"], raw)


def test_the_quota_block_is_a_rate_limit_error(sandbox):
    sandbox.configure(API_ID, call_limit=1)
    client().check()
    with pytest.raises(UpstreamRateLimited, match="monthly API allowance is spent"):
        client().check()
