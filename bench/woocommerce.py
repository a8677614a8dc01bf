"""WooCommerce orders → the WMS on the local stack: latency below the WMS's limit, and a burst against it, in one run.

The local stack (four processes: moto, the sandboxes, the API stand-in with the doors, the queue consumers; everything
over real HTTP on 127.0.0.1) is started by this process, as tests/e2e does. Integrations are made through the
management API: ``--stores`` stores of customer A and one store of customer B (a second customer of the same WMS
tenant, so of the same API client). Orders are placed through the WooCommerce sandbox's control API; each checkout
sends WooCommerce's two webhooks to our door. Everything is measured from the sandboxes' own records (control APIs),
never by patching the service: a delivery's ``sentAt`` and ``durationMs`` (the door's answer time as the store saw
it), and the wall-clock ``createdAt`` of each WMS order. CartonCloud's limit (30 creates per minute per API client)
is on in the WMS sandbox throughout.

1. **Below the limit**: ``--below`` orders of customer A at ``--below-rate``/s (under 30/min). Latency = the order's
   first webhook leaving the store → the WMS order created. Baseline, same run, same count and rate: a bare
   ``POST /outbound-orders`` to the WMS sandbox with a cached token (another WMS tenant, so its own limit).
2. **A burst against the limit**: ``--burst`` orders of customer A at ``--burst-rate``/s, and meanwhile one order of
   customer B every ``--quiet-every`` s until A's burst is in the WMS. Reported: creates per minute ÷ 30 over the
   drain, orders dead-lettered, WMS 429s, "retry" vs "waiting" entries in the sync log, B's wait (its webhook → its
   WMS order), the door's answer time and failed deliveries during the burst, webhooks the stores disabled.

    .venv/bin/python bench/woocommerce.py                        # 40 below at 0.4/s, 300 burst at 5/s (~16 min)
    .venv/bin/python bench/woocommerce.py --below 20 --burst 100  # a quicker look (~6 min)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import itertools
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]
os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING", "POWERTOOLS_SERVICE_NAME": "bench",
                   "LOCAL_LOG_LEVEL": "WARNING"})

import requests  # noqa: E402

from local import demo  # noqa: E402
from local.stack import LocalStack, StackConfig  # noqa: E402

CREATES_PER_MINUTE = 30  # CartonCloud's documented limit per API client
WINDOW_SECONDS = 61  # the service's window for them: a second of margin against CartonCloud's own minute
SKU = "SKU-1"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def describe(name: str, seconds: list[float], unit: str = "ms") -> str:
    if not seconds:
        return f"{name:<44} n=    0"
    scale = 1000 if unit == "ms" else 1
    values = [v * scale for v in seconds]
    return (f"{name:<44} n={len(values):>5}  p50 {percentile(values, .5):9.1f} {unit}  "
            f"p99 {percentile(values, .99):9.1f} {unit}  max {max(values):9.1f} {unit}")


@dataclass
class Bench:
    stack: LocalStack
    http: requests.Session = field(default_factory=requests.Session)
    admin: str = ""
    #: WMS orders sharing a customer reference, as of the last :meth:`created_at`.
    duplicates: int = 0
    #: store slug -> its integration id; order number -> (slug, WooCommerce order id)
    integrations: dict[str, str] = field(default_factory=dict)
    orders: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def wms(self) -> str:
        return self.stack.sandboxes["cartoncloud"].url

    @property
    def woo(self) -> str:
        return self.stack.sandboxes["woocommerce"].url

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, url, timeout=60, **kwargs)
        assert answer.status_code < 300, f"{method} {url} → {answer.status_code}: {answer.text[:300]}"
        return answer.json() if answer.content else None

    def wms_control(self, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, f"{self.wms}/_control/{path}", json=body)

    def add_store(self, customer_id: str) -> str:
        """A store of ``customer_id`` with a live integration, made as its admin would through the management API."""
        slug = f"bench-{uuid.uuid4().hex[:6]}"
        key, secret = f"ck_{uuid.uuid4().hex}", f"cs_{uuid.uuid4().hex}"
        self.call("POST", f"{self.woo}/_control/stores", json={"slug": slug, "consumerKey": key,
                                                                "consumerSecret": secret})
        base = f"{self.stack.api_url}/tenants/{demo.TENANT_ID}/customers/{customer_id}/integrations"
        headers = {"Authorization": f"Bearer {self.admin}"}
        created = self.call("POST", base, json={"type": "woocommerce", "name": slug}, headers=headers)
        item = f"{base}/{created['integrationId']}"
        for step, body in (("authentication", {"storeUrl": f"{self.woo}/{slug}", "consumerKey": key,
                                               "consumerSecret": secret}),
                           ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
                           ("fulfilment", {"completeFulfilment": True, "sendTracking": True})):
            self.call("PUT", f"{item}/steps/{step}", json=body, headers=headers)
        self.call("POST", f"{item}/finish", headers=headers)
        self.integrations[slug] = created["integrationId"]
        return slug

    def place(self, slug: str, number: str) -> None:
        order = self.call("POST", f"{self.woo}/_control/stores/{slug}/orders",
                          json={"lineItems": [{"sku": SKU, "quantity": 1, "price": "19.95"}], "number": number})
        self.orders[number] = (slug, order["id"])

    def history(self, number: str) -> list[dict[str, Any]]:
        """The sync log of one order, oldest first."""
        from integrations.woocommerce.refs import order_ref

        slug, order_id = self.orders[number]
        key = order_ref(self.integrations[slug], order_id).key
        return self.call("GET", f"{self.stack.api_url}/_local/sync-log", params={"key": key})["entries"]

    def created_at(self) -> dict[str, float]:
        """Customer reference (the store's order number) → wall-clock time its WMS order was created."""
        orders = self.wms_control("GET", f"tenants/{demo.TENANT_ID}/outbound-orders")
        created: dict[str, float] = {}
        self.duplicates = 0
        for order in orders:
            reference = str(order["references"].get("customer"))
            if reference in created:
                self.duplicates += 1
            created[reference] = order["_sandbox"]["createdAt"]
        return created

    def deliveries(self) -> list[dict[str, Any]]:
        return [d for d in self.call("GET", f"{self.woo}/_control/webhooks")
                if "/webhooks/woocommerce/" in d["url"]]

    def first_sent(self, deliveries: list[dict[str, Any]]) -> dict[str, float]:
        sent: dict[str, float] = {}
        for delivery in deliveries:
            body = delivery["body"]
            if isinstance(body, dict) and "number" in body and delivery["sentAt"] is not None:
                number = str(body["number"])
                sent[number] = min(sent.get(number, delivery["sentAt"]), delivery["sentAt"])
        return sent

    def wait_created(self, numbers: list[str], timeout: float) -> dict[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            created = self.created_at()
            if all(n in created for n in numbers) or time.monotonic() > deadline:
                return created
            time.sleep(2)


def place_steadily(bench: Bench, slugs: list[str], count: int, rate: float, prefix: str) -> list[str]:
    numbers = []
    started = time.monotonic()
    for n in range(count):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        number = f"{prefix}-{n}"
        bench.place(slugs[n % len(slugs)], number)
        numbers.append(number)
    return numbers


def baseline(bench: Bench, count: int, rate: float) -> list[float]:
    """Bare creates straight to the WMS sandbox, for another tenant (its own API client, so its own limit)."""
    tenant, client, secret = str(uuid.uuid4()), f"bare-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    bench.wms_control("POST", "tenants", {"tenantId": tenant, "clientId": client, "clientSecret": secret,
                                          "name": "Baseline"})
    warehouse = bench.wms_control("POST", f"tenants/{tenant}/warehouses", {"name": "Bare DC"})["id"]
    customer = bench.wms_control("POST", f"tenants/{tenant}/customers",
                                 {"name": "Bare", "code": "BARE", "warehouseIds": [warehouse]})["id"]
    bench.wms_control("POST", f"tenants/{tenant}/products", {"customerId": customer, "code": SKU, "name": "Pot"})
    bench.wms_control("POST", f"tenants/{tenant}/stock", {"customerId": customer, "code": SKU, "quantity": 10**9})
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    token = bench.call("POST", f"{bench.wms}/uaa/oauth/token", data={"grant_type": "client_credentials"},
                       headers={"Authorization": f"Basic {basic}", "Accept-Version": "1"})["access_token"]
    session = requests.Session()

    def create(n: int) -> float:
        body = {"type": "OUTBOUND", "references": {"customer": f"BARE-{n}"}, "customer": {"id": customer},
                "warehouse": {"id": warehouse},
                "details": {"deliver": {"address": {"contactName": "Jane Citizen", "address1": "1 Example St",
                                                    "city": "Brisbane", "postcode": "4000"}}},
                "items": [{"details": {"product": {"references": {"code": SKU}}}, "measures": {"quantity": 1}}]}
        sent = time.monotonic()
        answer = session.post(f"{bench.wms}/tenants/{tenant}/outbound-orders", json=body, timeout=30,
                              headers={"Authorization": f"Bearer {token}", "Accept-Version": "1"})
        assert answer.status_code == 201, answer.text
        return time.monotonic() - sent

    begun = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for n in range(count):
            time.sleep(max(0.0, begun + n / rate - time.monotonic()))
            futures.append(pool.submit(create, n))
        return [future.result() for future in futures]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=10, help="customer A's stores (customer B has one)")
    parser.add_argument("--below", type=int, default=40, help="orders placed below the WMS's limit")
    parser.add_argument("--below-rate", type=float, default=0.4, help="orders/s below the limit (0.4/s = 24/min)")
    parser.add_argument("--burst", type=int, default=300, help="customer A's burst")
    parser.add_argument("--burst-rate", type=float, default=5.0, help="orders/s of the burst")
    parser.add_argument("--quiet-every", type=float, default=15.0, help="seconds between customer B's lone orders")
    parser.add_argument("--explain", action="store_true", help="print the sync log of customer B's slowest order")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the consumers' and functions' logs (this process) are not the report
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    log = Path(tempfile.mkstemp(prefix="bench-woocommerce-", suffix=".log")[1])
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    print(f"{started} UTC · bench/woocommerce.py {' '.join(argv or sys.argv[1:])} · {os.cpu_count()} cores · "
          f"the stack's logs: {log}", flush=True)
    # The functions in this process (the queue consumers) log and flush metrics to stdout: not the report.
    with contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack(StackConfig(free_ports=True, run_schedules=False, log_file=log)).start()
        try:
            return run(Bench(stack), args)
        finally:
            stack.stop()


def run(bench: Bench, args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        print(line, file=sys.__stdout__, flush=True)

    bench.admin = bench.call("GET", f"{bench.stack.api_url}/_local/demo")["management"]["adminToken"]
    customer_b = bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/customers",
                                   {"name": "Bench Customer B", "code": "BENCHB", "warehouseIds": [demo.WAREHOUSE_ID]})
    for customer in (demo.CUSTOMER_ID, customer_b["id"]):
        if customer != demo.CUSTOMER_ID:
            bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/products",
                              {"customerId": customer, "code": SKU, "name": "Steam Pot"})
        bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/stock",
                          {"customerId": customer, "code": SKU, "quantity": 10**9})
    stores_a = [bench.add_store(demo.CUSTOMER_ID) for _ in range(args.stores)]
    store_b = bench.add_store(customer_b["id"])
    say(f"local stack up in {bench.stack.started_in:.1f}s; {args.stores} stores of customer A and 1 of customer B "
        f"live; WMS limit {CREATES_PER_MINUTE} creates/min on")

    # 1. Below the limit.
    below = place_steadily(bench, stores_a, args.below, args.below_rate, "below")
    created = bench.wait_created(below, timeout=args.below / args.below_rate + 120)
    sent = bench.first_sent(bench.deliveries())
    latencies = [created[n] - sent[n] for n in below if n in created and n in sent]
    bare = baseline(bench, args.below, args.below_rate)
    say("")
    say(f"Below the limit: {args.below} orders at {args.below_rate:g}/s ({args.below_rate * 60:g}/min)")
    say("  " + describe("store webhook → WMS order (the service)", latencies))
    say("  " + describe("bare create → 201 (baseline)", bare))
    if latencies:
        say(f"  ratio p50 {percentile(latencies, .5) / percentile(bare, .5):.1f}×, "
            f"p99 {percentile(latencies, .99) / percentile(bare, .99):.1f}×; "
            f"not in the WMS {len([n for n in below if n not in created])}")
    time.sleep(62)  # the WMS's sliding minute empties: the burst starts from a fresh window

    # 2. The burst, with customer B's lone orders.
    burst_started = time.time()
    done = threading.Event()
    lone: list[str] = []

    def quiet_customer() -> None:
        n = 0
        while not done.wait(args.quiet_every if n else args.quiet_every / 2):
            number = f"lone-b-{n}"
            bench.place(store_b, number)
            lone.append(number)
            n += 1

    quiet = threading.Thread(target=quiet_customer, daemon=True)
    quiet.start()
    burst = place_steadily(bench, stores_a, args.burst, args.burst_rate, "burst")
    expected = args.burst / (CREATES_PER_MINUTE * 60 / WINDOW_SECONDS) * 60
    created = bench.wait_created(burst, timeout=expected + 240)
    done.set()
    quiet.join()
    created = bench.wait_created(burst + lone, timeout=180)
    deliveries = bench.deliveries()
    sent = bench.first_sent(deliveries)

    ours = sorted(created[n] for n in burst + lone if n in created)
    rate = (len(ours) - 1) / (ours[-1] - ours[0]) * 60 if len(ours) > 1 else 0.0
    waits_b = [created[n] - sent[n] for n in lone if n in created and n in sent]
    during = [d for d in deliveries if d["sentAt"] is not None and d["sentAt"] >= burst_started]
    door = [d["durationMs"] / 1000 for d in during if d["durationMs"] is not None]
    failed = [d for d in during if d["status"] is None or not 200 <= d["status"] < 303]
    disabled = sum(1 for slug in stores_a + [store_b]
                   for hook in bench.call("GET", f"{bench.woo}/_control/stores/{slug}/webhooks")
                   if hook["status"] != "active")
    wms_429 = sum(1 for r in bench.wms_control("GET", "requests")
                  if r["status"] == 429 and r["path"].endswith("/outbound-orders"))
    dead = sum(q["visible"] for q in bench.stack.queue_depths() if q["name"].endswith("DeadLetterQueue"))
    log = bench.call("GET", f"{bench.stack.api_url}/_local/sync-log", params={"limit": 1_000_000})["entries"]
    events = [e["event"] for e in log]
    waiting = next((e["message"] for e in log if e["event"] == "waiting" and "rate limit" in e["message"]), None)
    missing = [n for n in burst + lone if n not in created]

    say("")
    say(f"Burst: {args.burst} orders of customer A at {args.burst_rate:g}/s over {args.stores} stores; customer B "
        f"placed {len(lone)} lone orders meanwhile, one every {args.quiet_every:g}s")
    say(f"  creates {rate:.1f}/min over the drain ({len(ours)} orders in {(ours[-1] - ours[0]) / 60:.1f} min): "
        f"{rate / CREATES_PER_MINUTE:.2f} of the WMS's {CREATES_PER_MINUTE}/min" if len(ours) > 1 else "  no creates")
    say(f"  WMS 429s {wms_429}; dead-lettered {dead}; sync log: {events.count('waiting')} 'waiting', "
        f"{events.count('retry')} 'retry' entries")
    gaps = sorted(((later - earlier, earlier) for earlier, later in itertools.pairwise(ours)), reverse=True)[:3]
    say("  longest pauses between creates: " + ", ".join(f"{gap:.1f}s at +{at - burst_started:.0f}s"
                                                        for gap, at in gaps))
    # What the drain loses: each create against the earliest the window allowed it (the create 30 before it + 61 s).
    # From the third window on: the burst's first window is bunched, and the second may spread it out at no loss.
    late = [ours[k] - ours[k - CREATES_PER_MINUTE] - WINDOW_SECONDS for k in range(2 * CREATES_PER_MINUTE, len(ours))]
    say("  " + describe("creates after the window had room (3rd on)", late, unit="s"))
    say("  " + describe("customer B's wait (webhook → WMS order)", waits_b, unit="s"))
    say("  " + describe("door answer time during the burst", door))
    say(f"  deliveries during the burst {len(during)}, failed {len(failed)}; webhooks disabled by the stores "
        f"{disabled}")
    say(f"  not in the WMS {len(missing)}; WMS orders doubled {bench.duplicates}")
    if waiting:
        say(f"  a waiting order's log: \"{waiting}\"")
    if waits_b and args.explain:
        for number in lone:
            if number in created and number in sent:
                waited = [e["message"].split(": position")[-1] for e in bench.history(number)
                          if e["event"] == "waiting"]
                say(f"    {number:<10} sent +{sent[number] - burst_started:5.0f}s  "
                    f"waited {created[number] - sent[number]:5.1f}s  {waited[0] if waited else 'not at all'}")
        slowest = max((n for n in lone if n in created and n in sent), key=lambda n: created[n] - sent[n])
        say(f"  customer B's slowest order, {slowest} (sent at +{sent[slowest] - burst_started:.0f}s):")
        for entry in bench.history(slowest):
            say(f"    {entry['at']}  {entry['event']:<12} {entry['message'][:150]}")
    return 0 if not missing and not bench.duplicates and not dead else 1


if __name__ == "__main__":
    sys.exit(main())
