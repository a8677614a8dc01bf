"""Issue 20, point 11: a store's rate (3 requests/s) holds across every Lambda of the worker, not per process.

The worker runs as up to ``MaximumConcurrency`` Lambdas (10), each a process of its own: a budget kept in a process
lets each of them take the whole rate. Here two "Lambdas" — two copies of the WooCommerce client module, each with
its own module state, as two processes have, sharing only moto's RateBudgetTable — call one store at once, and the
store (the sandbox, which logs when each request arrives) never sees more than 3 in any second.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

import pytest
import responses
from integrations.woocommerce import client as woocommerce_client
from pydantic import SecretStr

from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox

WOO_BASE = "https://woo.test"
CALLS_EACH = 5


@pytest.fixture
def store() -> Iterator[WooCommerceSandbox]:
    sandbox = WooCommerceSandbox()
    sandbox.add_store("shop", name="Busy shop")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, sandbox, WOO_BASE)
        yield sandbox


@pytest.fixture
def another_lambda() -> Iterator[ModuleType]:
    """``integrations.woocommerce.client`` loaded again under another name: what a second Lambda process holds (its
    own module globals, where a per-process budget would live), on the same layer and the same tables."""
    name = "integrations.woocommerce._client_of_another_lambda"
    spec = importlib.util.spec_from_file_location(name, woocommerce_client.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(name, None)


def test_two_lambdas_together_never_call_one_store_more_than_3_times_in_any_second(stack, store, another_lambda):
    shop = store.store("shop")
    key = next(iter(shop.keys.values()))
    lambdas = [woocommerce_client, another_lambda]
    clients = [module.WooCommerceClient(store_url=f"{WOO_BASE}/shop", consumer_key=key.consumer_key,
                                        consumer_secret=SecretStr(key.consumer_secret)) for module in lambdas]
    start = threading.Barrier(len(clients))
    failures: list[BaseException] = []

    def work(client) -> None:
        try:
            start.wait()
            for _ in range(CALLS_EACH):
                client.call("GET", "/wc/v3/orders", params={"per_page": 1})
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    arrived = [at for method, path, status, at in store.timed_request_log if path.endswith("/wc/v3/orders")]
    assert len(arrived) == CALLS_EACH * len(clients)
    busiest = max(sum(1 for t in arrived if begin <= t < begin + 1.0) for begin in arrived)
    assert busiest <= woocommerce_client.STORE_RATE, sorted(round(t - arrived[0], 3) for t in arrived)
