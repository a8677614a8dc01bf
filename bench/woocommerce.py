"""WooCommerce webhook → WMS outbound order latency on the local stack, beside a bare baseline in the same run.

The local stack (moto's server, the API stand-in, queue consumers, the sandboxes: everything over real HTTP on
127.0.0.1) is started in this process, as tests/e2e does. Integrations are created through the management API, one
per store, with the stack's demo WMS tenant. Orders are placed in the WooCommerce sandbox at a steady rate, spread
over the stores (each store keeps its own 3 requests/s budget); each checkout sends WooCommerce's two webhooks
(order.created, order.updated) to our door, and the worker creates the outbound order in the WMS sandbox.

Latency = from the moment the store sends the order's first webhook to the moment the WMS sandbox answers the
create 201. The baseline, in the same run and at the same rate: the same number of bare creates, each a direct
``POST /outbound-orders`` to the WMS sandbox with a cached token (what one order costs with no service around it).

CartonCloud limits creates to 30 a minute per API client; the WMS sandbox enforces it, and it would turn this into
a measure of that limit, so it is switched off for the run (the service honours it when it is on: 429 → retry).

    .venv/bin/python bench/woocommerce.py                  # 1,000 orders at 5/s over 20 stores (~4 minutes)
    .venv/bin/python bench/woocommerce.py --orders 200      # a quick look
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]
os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING", "POWERTOOLS_SERVICE_NAME": "bench"})

import requests  # noqa: E402

from local import demo  # noqa: E402
from local.sandboxes.base import SandboxRequest, SandboxResponse  # noqa: E402
from local.sandboxes.cartoncloud import CartonCloudSandbox  # noqa: E402
from local.sandboxes.woocommerce import WooCommerceSandbox  # noqa: E402
from local.stack import LocalStack, StackConfig  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def describe(name: str, latencies: list[float]) -> str:
    ms = [v * 1000 for v in latencies]
    return (f"{name:<34} n={len(ms):>5}  p50 {percentile(ms, 0.50):8.1f} ms  p99 {percentile(ms, 0.99):8.1f} ms  "
            f"mean {statistics.fmean(ms):8.1f} ms  max {max(ms):8.1f} ms")


class Clocks:
    """When each order's first webhook left the store, and when the WMS created its order (by reference)."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.created: dict[str, float] = {}
        self.lock = threading.Lock()


def instrument(woo: WooCommerceSandbox, wms: CartonCloudSandbox, clocks: Clocks) -> None:
    """Time both ends without touching the service: the store's webhook sender, and the WMS sandbox's answers."""
    send = woo.sender

    def timed_send(url: str, headers: dict[str, str], body: bytes) -> int:
        if headers.get("X-WC-Webhook-Topic", "").startswith("order.") and body[:1] == b"{":
            number = str(json.loads(body)["number"])
            with clocks.lock:
                clocks.sent.setdefault(number, time.monotonic())
        return send(url, headers, body)

    woo.sender = timed_send
    handle = wms.handle

    def timed_handle(request: SandboxRequest) -> SandboxResponse:
        answer = handle(request)
        if request.method == "POST" and request.path.endswith("/outbound-orders") and answer.status == 201:
            reference = str(answer.parsed()["references"]["customer"])
            with clocks.lock:
                clocks.created.setdefault(reference, time.monotonic())
        return answer

    wms.handle = timed_handle  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="orders placed per second, over all stores "
                        "(the local stack runs one consumer thread per queue; ~5/s keeps it out of backlog)")
    args = parser.parse_args(argv)
    report: list[str] = []
    # The stack's functions, moto and the sandboxes all write to this process's stdout/stderr; keep the report clean.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = run(args, report)
    print("\n".join(report))
    return code


def run(args: argparse.Namespace, report: list[str]) -> int:
    def say(line: str) -> None:
        print(line, file=sys.__stdout__, flush=True)

    with LocalStack(StackConfig(free_ports=True, run_schedules=False, max_instances=4)) as stack:
        woo = stack.sandboxes["woocommerce"].sandbox
        wms = stack.sandboxes["cartoncloud"].sandbox
        assert isinstance(woo, WooCommerceSandbox) and isinstance(wms, CartonCloudSandbox)
        wms.create_limit_per_minute = None  # see the docstring
        wms.set_stock(demo.TENANT_ID, demo.CUSTOMER_ID, "SKU-1", 10**9)  # every order (and the baseline's) in stock
        woo_url = stack.sandboxes["woocommerce"].url
        facts = requests.get(f"{stack.api_url}/_local/demo", timeout=10).json()
        token = facts["management"]["customerToken"]
        base = f"{stack.api_url}/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
        headers = {"Authorization": f"Bearer {token}"}
        slugs = []
        for n in range(args.stores):
            slug = f"bench-{n}-{uuid.uuid4().hex[:4]}"
            store = woo.add_store(slug, home=f"{woo_url}/{slug}")
            key = next(iter(store.keys.values()))
            created = requests.post(base, json={"type": "woocommerce", "name": slug}, headers=headers, timeout=30)
            created.raise_for_status()
            item = f"{base}/{created.json()['integrationId']}"
            for step, body in (("authentication", {"storeUrl": f"{woo_url}/{slug}", "consumerKey": key.consumer_key,
                                                   "consumerSecret": key.consumer_secret}),
                               ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
                               ("fulfilment", {"completeFulfilment": True, "sendTracking": True})):
                requests.put(f"{item}/steps/{step}", json=body, headers=headers, timeout=30).raise_for_status()
            requests.post(f"{item}/finish", headers=headers, timeout=30).raise_for_status()
            slugs.append(slug)
        # Order numbers carry the store's name: one WMS customer's references must not collide across stores.
        clocks = Clocks()
        instrument(woo, wms, clocks)
        say(f"local stack up in {stack.started_in:.1f}s; {args.stores} stores live; "
            f"placing {args.orders} orders at {args.rate:g}/s (WMS create limit off, stock unlimited)")

        started = time.monotonic()
        placed: list[str] = []
        for n in range(args.orders):
            due = started + n / args.rate
            time.sleep(max(0.0, due - time.monotonic()))
            slug = slugs[n % len(slugs)]
            order = woo.place_order(slug, [{"sku": "SKU-1", "quantity": 1, "price": "19.95"}],
                                    number=f"{slug}:{n}")
            placed.append(order["number"])
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(set(placed) & set(clocks.created)) < len(placed):
            time.sleep(0.2)
        took = time.monotonic() - started
        done = [ref for ref in placed if ref in clocks.created and ref in clocks.sent]
        latencies = [clocks.created[ref] - clocks.sent[ref] for ref in done]
        wms_orders = [o for o in wms.outbound_orders(demo.TENANT_ID) if o["references"]["customer"] in set(placed)]

        # The bare baseline: the same number of creates straight to the WMS sandbox, at the same rate.
        wms_url = stack.sandboxes["cartoncloud"].url
        basic = base64.b64encode(f"{demo.CLIENT_ID}:{demo.CLIENT_SECRET}".encode()).decode()
        bearer = requests.post(f"{wms_url}/uaa/oauth/token", data={"grant_type": "client_credentials"},
                               headers={"Authorization": f"Basic {basic}", "Accept-Version": "1"},
                               timeout=10).json()["access_token"]
        session = requests.Session()

        def bare(n: int) -> float:
            body = {"type": "OUTBOUND", "references": {"customer": f"BARE-{uuid.uuid4().hex[:8]}-{n}"},
                    "customer": {"id": demo.CUSTOMER_ID}, "warehouse": {"id": demo.WAREHOUSE_ID},
                    "details": {"deliver": {"address": {"contactName": "Jane Citizen", "address1": "1 Example St",
                                                        "city": "Brisbane", "postcode": "4000"}}},
                    "items": [{"details": {"product": {"references": {"code": "SKU-1"}}},
                               "measures": {"quantity": 1}}]}
            sent = time.monotonic()
            answer = session.post(f"{wms_url}/tenants/{demo.TENANT_ID}/outbound-orders", json=body, timeout=30,
                                  headers={"Authorization": f"Bearer {bearer}", "Accept-Version": "1"})
            assert answer.status_code == 201, answer.text
            return time.monotonic() - sent

        baseline: list[float] = []
        begun = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = []
            for n in range(args.orders):
                time.sleep(max(0.0, begun + n / args.rate - time.monotonic()))
                futures.append(pool.submit(bare, n))
            baseline = [future.result() for future in futures]

        dead = next(q for q in stack.queue_depths() if q["name"] == "WooCommerceDeadLetterQueue")
        report.extend([
            describe("webhook → WMS order (the service)", latencies),
            describe("bare create → 201 (baseline)", baseline),
            f"ratio p50 {percentile(latencies, .5) / percentile(baseline, .5):.1f}×, "
            f"p99 {percentile(latencies, .99) / percentile(baseline, .99):.1f}×",
            f"orders placed {len(placed)}, in the WMS {len(wms_orders)} (distinct "
            f"{len({o['references']['customer'] for o in wms_orders})}), not reached {len(placed) - len(done)}, "
            f"dead-lettered {dead['visible']}; run took {took:.1f}s",
        ])
        return 0 if len(done) == len(placed) and len(wms_orders) == len(placed) else 1


if __name__ == "__main__":
    sys.exit(main())
