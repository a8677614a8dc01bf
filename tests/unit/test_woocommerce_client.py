"""The WooCommerce client and the configuration check, against the WooCommerce sandbox (in-process, no sockets)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from integrations.core.errors import UpstreamAuthFailed, UpstreamRateLimited
from integrations.core.http import HttpPolicy, UpstreamSession
from integrations.core.integration_types import CredentialsRejected
from integrations.core.ratelimit import SpacedBudget
from integrations.core.settings import settings
from integrations.woocommerce.client import STORE_RATE, WooCommerceClient, store_budget
from integrations.woocommerce.errors import READ_ONLY_RESOLUTION, OrderNotFound, RouteNotFound
from integrations.woocommerce.integration_type import discover
from integrations.woocommerce.models import StoreUrlInvalid, WooCommerceCredentials, normalise_store_url
from pydantic import SecretStr

from local.sandboxes.base import RecordingSender
from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox

BASE = "https://woo.test"
STORE = f"{BASE}/shop"


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def sandbox():
    woo = WooCommerceSandbox(sender=RecordingSender(200))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, woo, BASE)
        woo.calls = rsps.calls  # what our client actually sent (URLs, headers)
        yield woo


@pytest.fixture
def store(sandbox):
    return sandbox.add_store("shop")


def session(sleeps: Sleeps, **policy) -> UpstreamSession:
    return UpstreamSession("WooCommerce", policy=HttpPolicy(**policy), sleep=sleeps)


def client_for(store, sleeps: Sleeps, **kwargs) -> WooCommerceClient:
    key = next(iter(store.keys.values()))
    return WooCommerceClient(store_url=STORE, consumer_key=key.consumer_key,
                             consumer_secret=SecretStr(key.consumer_secret), session=session(sleeps), **kwargs)


def credentials(store, **changes) -> WooCommerceCredentials:
    key = next(iter(store.keys.values()))
    values = {"storeUrl": STORE, "consumerKey": key.consumer_key, "consumerSecret": key.consumer_secret} | changes
    return WooCommerceCredentials.model_validate(values)


# --- the client -----------------------------------------------------------------------------------------------------


def test_poll_listing_sends_utc_with_dates_are_gmt_and_follows_pages(sandbox, store, sleeps):
    for _ in range(3):
        sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 1}])
    sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 1}], status="pending")
    client = client_for(store, sleeps)
    found = list(client.orders_modified_since(datetime(2000, 1, 1, tzinfo=UTC), per_page=2))
    assert len(found) == 3 and all(o.status == "processing" for o in found)
    lists = [entry for entry in sandbox.request_log if entry[1].endswith("/wc/v3/orders")]
    assert len(lists) == 2  # two pages of two
    sent = [call for call in sandbox.calls if "/wc/v3/orders?" in call.request.url]
    query = parse_qs(urlsplit(sent[0].request.url).query)
    assert query["modified_after"] == ["2000-01-01T00:00:00"] and query["dates_are_gmt"] == ["true"]
    assert "Authorization" in sent[0].request.headers and "consumer_secret" not in query


def test_429_is_retried_honouring_retry_after_then_named(sandbox, store, sleeps):
    order = sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 1}])
    sandbox.inject_fault(429, count=2, retry_after=2)
    assert client_for(store, sleeps).get_order(order["id"]).id == order["id"]
    assert sleeps.slept == [2.0, 2.0]
    sandbox.inject_fault(429, retry_after=1)
    with pytest.raises(UpstreamRateLimited):
        client_for(store, sleeps).get_order(order["id"])


def test_errors_are_named_with_what_to_do(sandbox, store, sleeps):
    client = client_for(store, sleeps)
    with pytest.raises(OrderNotFound):
        client.get_order(424242)
    sandbox.configure_store("shop", shipment_tracking=False)
    order = sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 1}])
    with pytest.raises(RouteNotFound):
        client.shipment_trackings(order["id"])
    read_only = sandbox.add_key("shop", permissions="read")
    limited = WooCommerceClient(store_url=STORE, consumer_key=read_only.consumer_key,
                                consumer_secret=SecretStr(read_only.consumer_secret), session=session(sleeps))
    with pytest.raises(UpstreamAuthFailed) as refused:
        limited.update_order(order["id"], {"status": "completed"})
    assert refused.value.resolution == READ_ONLY_RESOLUTION
    assert read_only.consumer_secret not in str(refused.value)


def test_tracking_rows_use_the_carriers_name_and_link(sandbox, store, sleeps):
    order = sandbox.place_order("shop", [{"sku": "SKU-1", "quantity": 1}])
    client = client_for(store, sleeps)
    row = client.add_shipment_tracking(order["id"], number="TRK-1", carrier="Aramex",
                                       link="https://track.example/%1$s", shipped=date(2026, 11, 21))
    assert (row.tracking_provider, row.tracking_link, row.date_shipped) == ("Aramex", "https://track.example/TRK-1",
                                                                            "2026-11-21")
    assert [r.tracking_number for r in client.shipment_trackings(order["id"])] == ["TRK-1"]


def test_the_store_budget_is_keyed_by_a_digest_of_the_store_and_shared_by_its_clients(monkeypatch, store):
    key = next(iter(store.keys.values()))
    secret = SecretStr(key.consumer_secret)
    monkeypatch.delenv("RATE_BUDGET_TABLE", raising=False)
    settings.cache_clear()
    assert store_budget() is None  # no table configured: a bare client (every deployed function has one)
    monkeypatch.setenv("RATE_BUDGET_TABLE", "budgets")
    settings.cache_clear()
    try:
        one = WooCommerceClient(store_url=STORE, consumer_key=key.consumer_key, consumer_secret=secret)
        other = WooCommerceClient(store_url=STORE + "/", consumer_key="ck_other", consumer_secret=SecretStr("cs_x"))
        elsewhere = WooCommerceClient(store_url=f"{BASE}/other", consumer_key=key.consumer_key,
                                      consumer_secret=secret)
        budget = one.http.budget
        assert isinstance(budget, SpacedBudget) and budget.table_name == "budgets"
        assert budget.interval == pytest.approx((1 + SpacedBudget.SLACK) / STORE_RATE)
        assert one.budget_key == other.budget_key != elsewhere.budget_key  # per store, whichever key calls it
        assert one.budget_key.startswith("woocommerce#")
        assert "woo.test" not in one.budget_key and key.consumer_key not in one.budget_key
        interactive = store_budget(interactive=True)
        assert interactive is not None and interactive.max_wait < budget.max_wait
    finally:
        settings.cache_clear()


@pytest.mark.parametrize(("given", "expected"), [
    ("shop.example.com", "https://shop.example.com"),
    ("https://Shop.Example.com/", "https://shop.example.com"),
    ("https://example.com/store/wp-json/wc/v3", "https://example.com/store"),
    ("http://127.0.0.1:4001/shop", "http://127.0.0.1:4001/shop"),
])
def test_store_urls_are_normalised(given, expected):
    assert normalise_store_url(given) == expected


@pytest.mark.parametrize("given", ["http://shop.example.com", "ftp://shop.example.com",
                                   "https://user:pw@shop.example.com", "https://shop.example.com/?x=1"])
def test_store_urls_we_must_not_send_keys_to_are_refused(given):
    with pytest.raises(StoreUrlInvalid):
        normalise_store_url(given)


# --- the configuration check ----------------------------------------------------------------------------------------


def test_a_good_store_and_key_pass_and_the_tracking_namespace_is_found(store, sleeps):
    facts = discover(credentials(store), session=session(sleeps))
    assert facts["storeUrl"] == STORE
    assert facts["trackingNamespace"] == "wc-shipment-tracking/v3"
    assert facts["timezone"] == "Australia/Brisbane" and facts["queryStringAuth"] is False


def test_without_the_extension_the_namespace_is_none(sandbox, store, sleeps):
    sandbox.configure_store("shop", shipment_tracking=False)
    assert discover(credentials(store), session=session(sleeps))["trackingNamespace"] is None


@pytest.mark.parametrize(("case", "field", "says"), [
    ("wrong-key", "consumerKey", "Consumer key is invalid"),
    ("wrong-secret", "consumerSecret", "consumer secret"),
    ("read-only", "consumerKey", "read-only"),
    ("plain-permalinks", "storeUrl", "plain permalinks"),
    ("not-wordpress", "storeUrl", "does not answer as a WordPress site"),
    ("unreachable", "storeUrl", "Could not reach"),
    ("http", "storeUrl", "https://"),
])
def test_each_bad_configuration_names_its_field_and_what_to_do(sandbox, store, sleeps, case, field, says):
    creds = credentials(store)
    if case == "wrong-key":
        creds = credentials(store, consumerKey="ck_" + "0" * 40)
    elif case == "wrong-secret":
        creds = credentials(store, consumerSecret="cs_" + "0" * 40)
    elif case == "read-only":
        key = sandbox.add_key("shop", permissions="read")
        creds = credentials(store, consumerKey=key.consumer_key, consumerSecret=key.consumer_secret)
    elif case == "plain-permalinks":
        sandbox.configure_store("shop", permalinks="plain")
    elif case == "not-wordpress":
        creds = credentials(store, storeUrl=f"{BASE}/nothing-here")
    elif case == "unreachable":
        creds = credentials(store, storeUrl="https://unreachable.test")  # responses: ConnectionError
    elif case == "http":
        creds = WooCommerceCredentials.model_construct(store_url="http://shop.example.com",
                                                       consumer_key="ck", consumer_secret="cs")
    with pytest.raises(CredentialsRejected) as rejected:
        discover(creds, session=session(sleeps, max_attempts=1))
    assert rejected.value.field == field
    assert says.lower() in (str(rejected.value) + rejected.value.resolution).lower()
    assert rejected.value.resolution
    assert sandbox.webhooks("shop") == []  # a check never leaves anything on the store


def test_a_host_that_strips_authorization_falls_back_to_the_query_string(sandbox, store, sleeps):
    sandbox.configure_store("shop", strips_authorization=True)
    facts = discover(credentials(store), session=session(sleeps))
    assert facts["queryStringAuth"] is True
