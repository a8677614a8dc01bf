"""Issue 10: waiting for the WMS's create budget is not failing, and customers share the budget fairly.

The budget is made small here (1 create per second) so the mechanisms show in seconds: an item that finds the
budget spent is deferred to its turn — a new message, its failed-attempt count carried, no "retry" logged, never
dead-lettered however often it waits — and customers take turns at it (bench/woocommerce.py measures the real
30-a-minute drain).
"""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from integrations.core import aws, context
from integrations.core.context import core
from integrations.core.errors import RateBudgetExhausted
from integrations.core.ratelimit import SlidingWindowBudget
from integrations.core.waiting import Ticket, turn
from integrations.woocommerce.refs import order_ref

from .conftest import log_of
from .woocommerce_helpers import SLUG, WOO_BASE, Woo, woo_fixture  # noqa: F401  (fixtures)


def budget_of(monkeypatch, *, per: str):
    """One WMS create in any ``per`` seconds for the tenant."""
    monkeypatch.setenv("WMS_CREATES_PER_WINDOW", "1")
    monkeypatch.setenv("WMS_CREATE_WINDOW_SECONDS", per)
    context.reset()


@pytest.fixture
def small_budget(monkeypatch):
    budget_of(monkeypatch, per="1")
    yield
    context.reset()


def spend_the_budget(woo: Woo) -> None:
    """Another customer's order of the tenant, late for its turn (so first when there is room), takes the budget."""
    config = core().settings
    budget = SlidingWindowBudget(config.rate_budget_table, limit=config.wms_creates_per_window,
                                 window_seconds=config.wms_create_window_seconds)
    key = f"cartoncloud#{woo.tenant.client_id}#outbound-order-create"
    late = Ticket(line=key, group=f"{woo.tenant.tenant_id}#customer#another", round=0, due_at=0)
    with contextlib.suppress(RateBudgetExhausted), turn(late.group, late):
        budget.acquire(key)


@pytest.fixture
def deferred():
    """Every work item re-sent with a delay (a deferral), as SendMessage was asked to send it."""
    sent: list[dict] = []

    def capture(params, **_):
        if params.get("DelaySeconds"):
            sent.append({**json.loads(params["MessageBody"]), "delay": params["DelaySeconds"]})

    client = aws.sqs()
    client.meta.events.register("provide-client-params.sqs.SendMessage", capture)
    yield sent
    client.meta.events.unregister("provide-client-params.sqs.SendMessage", capture)


def test_a_deferred_item_keeps_its_attempt_count_and_never_reaches_the_dlq(woo: Woo, small_budget, deferred):
    integration = woo.connect()
    woo.store.updated_after_created = False  # one webhook: one copy of the work
    woo.wms.inject_fault(503, count=4, path_pattern=r"/warehouse-products/search")  # one real failure
    placed = woo.place()
    woo.service.pump("WooCommerceQueue", rounds=1)  # it fails once for real, then the budget…
    for _ in range(7):  # …is spent every time it looks: more waits than maxReceiveCount (5)
        spend_the_budget(woo)
        woo.service.pump("WooCommerceQueue")
        time.sleep(1.1)  # its turn (SQS holds a deferred message for at least a second)
    for _ in range(10):  # the budget is free now: at its next turn it is made
        woo.pump()
        if woo.wms_orders():
            break
        time.sleep(1.1)
    assert len(woo.wms_orders()) == 1
    assert woo.service.queue_depth("WooCommerceDeadLetterQueue") == 0
    _, entries = log_of(order_ref(integration.integration_id, placed["id"]).key)
    events = [e["event"] for e in entries]
    assert events.count("retry") == 1 and events.count("waiting") == 1 and events[-1] == "created", events
    assert woo.link(placed["id"])["status"] == "SYNCED"
    # It waited more times than SQS's maxReceiveCount, each time as a new message carrying the one real failure.
    assert len(deferred) > 5 and {m["attempts"] for m in deferred} == {1}
    assert len({m["ticket"]["dueAt"] for m in deferred}) == 1  # one place in the line, kept while it waited


def test_a_lone_order_of_another_customer_is_made_ahead_of_a_burst_waiting_for_the_budget(woo: Woo, small_budget,
                                                                                         deferred):
    # Customer A's two shops and customer B's one, same tenant, one WMS create budget (one a second here).
    tenant = woo.tenant
    other = woo.wms.add_customer(tenant.tenant_id, name="Bao Bakery", warehouse_ids=[tenant.warehouse_id])
    woo.wms.add_product(tenant.tenant_id, customer_id=other["id"], code="SKU-1", name="Bao")
    shop_a = woo.connect()
    woo.store.add_store("chef-outlet", name="Steam Chef Outlet", home=f"{WOO_BASE}/chef-outlet")
    outlet_a = woo.connect(store="chef-outlet")
    woo.store.add_store("bakery", name="Bao Bakery", home=f"{WOO_BASE}/bakery")
    bakery = woo.connect(store="bakery", customer_id=other["id"])
    woo.door.holding = []  # webhooks wait: A's burst reaches us first, then B's one order
    burst = [woo.place() for _ in range(4)] + [woo.store.place_order("chef-outlet", [{"sku": "SKU-1", "quantity": 1}])
                                              for _ in range(4)]
    lone = woo.store.place_order("bakery", [{"sku": "SKU-1", "quantity": 1}])
    held, woo.door.holding = woo.door.holding, None
    for url, headers, body in held:
        woo.door.post(url, headers, body)

    spend_the_budget(woo)
    woo.service.pump("WooCommerceQueue")  # A's orders find the budget spent: each waits with a round of A's line
    first = {m["idempotencyKey"]: m for m in reversed(deferred)
             if m["integrationId"] in (shop_a.integration_id, outlet_a.integration_id)}
    # One line per customer, not per shop: A's eight orders hold eight rounds of one share.
    assert len(first) == 8 and len({m["ticket"]["round"] for m in first.values()}) == 8

    for _ in range(240):  # the budget lets one through a second; each waiting order comes back at about its turn
        if len(woo.wms_orders()) == 9:
            break
        time.sleep(0.5)
        woo.service.pump("WooCommerceQueue")
    made = [o["references"]["customer"] for o in woo.wms_orders()]  # in the order the WMS created them
    assert len(made) == 9 and len(set(made)) == 9
    # B's order is made in the first round, beside A's first (or, woken late, in the next): not after A's eight.
    lone_log = log_of(order_ref(bakery.integration_id, lone["id"]).key)[1]
    assert made.index(str(lone["number"])) <= 2, (made, [(e["event"], e["message"]) for e in lone_log])
    assert woo.service.queue_depth("WooCommerceDeadLetterQueue") == 0
    for shop, order in zip([shop_a] * 4 + [outlet_a] * 4, burst, strict=True):
        events = [e["event"] for e in log_of(order_ref(shop.integration_id, order["id"]).key)[1]]
        assert "retry" not in events and events.count("waiting") == 1 and events[-1] == "created", events
