"""WMS status changes → platforms on the local stack: notification → Starshipit order, notification → WooCommerce
order completed, each against a bare queue hop plus the platform call, in one run (issue 25, point 2).

The local stack (four processes, everything over real HTTP on 127.0.0.1) is started by this process, as tests/e2e
does, schedules off. Made through the management API: one Starshipit integration (the demo customer, the demo
account: 2 requests/s, createShipmentAt PACKED) and ``--stores`` WooCommerce stores of a second customer (so the
router sends each event to one connector only). Then:

1. **Setup, not measured**: ``--records`` WMS orders of the demo customer made straight in the WMS sandbox, and
   ``--records`` WooCommerce orders imported through the service into WMS orders. The WMS's 30 creates/min would
   make that 2 × records / 30 minutes, so the sandbox's limit is lifted (``POST /_control/create-limit``) and so is
   the service's own budget for it (``WMS_CREATES_PER_WINDOW``, for this stack only): neither is on a measured path
   (a status change creates no WMS order).
2. **Starshipit**: the demo customer's orders moved to PACKED, one every ``--starshipit-every`` s (2 s: below the
   account's 2 requests/s, each order costing a look-up and a create). Latency = the WMS's notification leaving the
   sandbox (its ``sentAt``) → the "created" entry of the order's Starshipit link (written once Starshipit answered
   the create).
3. **WooCommerce**: the imported orders moved to DISPATCHED with a tracking number, one every
   ``--woocommerce-every`` s across the stores. Latency = notification sent → the "write-back" entry of the shop
   order's link (written once the order is completed and its tracking and note added). A write-back takes 7 turns
   of its store's budget (3 requests/s: 0.4 s apart), waited out in the worker, so a write-back holds a worker for
   ~2–4 s, and the local stack runs 4 instances of WooCommerceWorkerFunction (10 deployed), which the store's own
   webhook re-reads share: at one every 1 s they fell behind and the latency was the backlog's (README). 3 s over 5
   stores keeps the workers and each store below what they take.
4. **Baseline**, same run, same count: one ``SendMessage`` and one ``ReceiveMessage`` on a queue of the stack's
   moto, then the platform call against the same sandbox — a Starshipit ``POST /api/orders`` (its own account, so
   its own rate limit) and a WooCommerce ``PUT …/orders/{id}`` to ``completed`` (its own store), one every 0.2 s.

Where the time goes comes from each record's sync log: notification sent → door ("notification" entry) → status
change (the WMS worker's "status change" entry) → fan-out (the router's entry) → created / write-back; the medians
of each hop are printed. Nothing is patched: every time is a sandbox's record or a sync-log entry.

    .venv/bin/python bench/wms_to_platform.py                # 200 records per platform (21 min on 2 cores)
    .venv/bin/python bench/wms_to_platform.py --records 50   # a quicker look
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]
os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING", "POWERTOOLS_SERVICE_NAME": "bench",
                   "LOCAL_LOG_LEVEL": "WARNING"})

import boto3  # noqa: E402
import requests  # noqa: E402

from local import demo  # noqa: E402
from local.stack import LocalStack, StackConfig  # noqa: E402

SKU = "SKU-1"
#: The sync-log events marking each hop, in path order (the WMS order's own log, then the platform link's).
HOPS = ("notification", "status-change", "fan-out")
FINAL = {"starshipit": "created", "woocommerce": "write-back"}
ADDRESS = {"contactName": "Jane Citizen", "address1": "1 Example St", "city": "Perth", "postcode": "6000"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def describe(name: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{name:<48} n=    0"
    values = [v * 1000 for v in seconds]
    return (f"{name:<48} n={len(values):>4}  p50 {percentile(values, .5):8.1f} ms  "
            f"p99 {percentile(values, .99):8.1f} ms  max {max(values):8.1f} ms")


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass
class Bench:
    stack: LocalStack
    http: requests.Session = field(default_factory=requests.Session)
    admin: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    starshipit_integration: str = ""
    #: store slug -> (integration id, consumer key, consumer secret)
    stores: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def wms(self) -> str:
        return self.stack.sandboxes["cartoncloud"].url

    @property
    def woo(self) -> str:
        return self.stack.sandboxes["woocommerce"].url

    @property
    def ssi(self) -> str:
        return self.stack.sandboxes["starshipit"].url

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, url, timeout=60, **kwargs)
        assert answer.status_code < 300, f"{method} {url} → {answer.status_code}: {answer.text[:300]}"
        return answer.json() if answer.content else None

    def wms_control(self, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, f"{self.wms}/_control/{path}", json=body)

    def integration(self, customer_id: str, kind: str, name: str, steps: list[tuple[str, dict[str, Any]]]) -> str:
        """An integration made live as its admin would, through the management API."""
        base = f"{self.stack.api_url}/tenants/{demo.TENANT_ID}/customers/{customer_id}/integrations"
        headers = {"Authorization": f"Bearer {self.admin}"}
        created = self.call("POST", base, json={"type": kind, "name": name}, headers=headers)
        item = f"{base}/{created['integrationId']}"
        for step, body in steps:
            self.call("PUT", f"{item}/steps/{step}", json=body, headers=headers)
        self.call("POST", f"{item}/finish", headers=headers)
        return str(created["integrationId"])

    def add_store(self, customer_id: str) -> str:
        slug = f"bench-{uuid.uuid4().hex[:6]}"
        key, secret = f"ck_{uuid.uuid4().hex}", f"cs_{uuid.uuid4().hex}"
        self.call("POST", f"{self.woo}/_control/stores", json={"slug": slug, "consumerKey": key,
                                                                "consumerSecret": secret})
        integration = self.integration(customer_id, "woocommerce", slug, [
            ("authentication", {"storeUrl": f"{self.woo}/{slug}", "consumerKey": key, "consumerSecret": secret}),
            ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
            ("fulfilment", {"completeFulfilment": True, "sendTracking": True})])
        self.stores[slug] = (integration, key, secret)
        return slug

    def wms_token(self, client: str = demo.CLIENT_ID, secret: str = demo.CLIENT_SECRET) -> str:
        basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
        return str(self.call("POST", f"{self.wms}/uaa/oauth/token", data={"grant_type": "client_credentials"},
                             headers={"Authorization": f"Basic {basic}", "Accept-Version": "1"})["access_token"])

    def sync_log(self, key: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"{self.stack.api_url}/_local/sync-log", params={"key": key})["entries"])

    def wms_log(self, order_id: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"{self.stack.api_url}/_local/sync-log/{demo.TENANT_ID}/OUTBOUND_ORDER/"
                                     f"{order_id}")["entries"])

    def wait_idle(self, timeout: float = 300) -> None:
        """Until no work queue holds a message, visible, in flight or delayed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(q["visible"] + q["inFlight"] + q["delayed"] == 0 for q in self.stack.queue_depths()
                   if not q["name"].endswith("DeadLetterQueue")):
                return
            time.sleep(1)
        raise TimeoutError("the stack's queues did not drain")

    def dead_lettered(self) -> int:
        return sum(q["visible"] for q in self.stack.queue_depths() if q["name"].endswith("DeadLetterQueue"))


def wait_until(probe: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            if not found:
                print(f"  (gave up waiting for {what})", file=sys.__stdout__, flush=True)
            return found
        time.sleep(2)


def at_pace(count: int, every: float, act: Any) -> None:
    """``act(n)`` for n in range(count), one every ``every`` s from now (never bunched after a slow call)."""
    started = time.monotonic()
    for n in range(count):
        time.sleep(max(0.0, started + n * every - time.monotonic()))
        act(n)


def setup(bench: Bench, args: argparse.Namespace, say: Any) -> tuple[list[str], dict[str, tuple[str, int]]]:
    """The WMS orders to pack (Starshipit) and to dispatch (WooCommerce: WMS order id -> its store and order id)."""
    bench.admin = bench.call("GET", f"{bench.stack.api_url}/_local/demo")["management"]["adminToken"]
    bench.facts = bench.call("GET", f"{bench.stack.api_url}/_local/demo")
    bench.wms_control("POST", "create-limit", {"perMinute": None})
    shop_customer = bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/customers",
                                      {"name": "Bench Shop Customer", "code": "BENCHSHOP",
                                       "warehouseIds": [demo.WAREHOUSE_ID]})["id"]
    bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/products",
                      {"customerId": shop_customer, "code": SKU, "name": "Steam Pot"})
    for customer in (demo.CUSTOMER_ID, shop_customer):
        bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/stock",
                          {"customerId": customer, "code": SKU, "quantity": 10**9})
    ssi = bench.facts["starshipit"]
    bench.starshipit_integration = bench.integration(demo.CUSTOMER_ID, "starshipit", "Bench Starshipit", [
        ("authentication", {"apiKey": ssi["apiKey"], "subscriptionKey": ssi["subscriptionKey"],
                            "webhookSecret": ssi["webhookSecret"]}),
        ("orderCreation", {"createShipmentAt": "PACKED"}),
        ("fulfilment", {"writeTracking": True})])
    slugs = [bench.add_store(shop_customer) for _ in range(args.stores)]

    token = bench.wms_token()

    def make_wms_order(n: int) -> str:
        body = {"type": "OUTBOUND", "references": {"customer": f"SSI-BENCH-{n}"}, "customer": {"id": demo.CUSTOMER_ID},
                "warehouse": {"id": demo.WAREHOUSE_ID}, "details": {"deliver": {"address": ADDRESS}},
                "items": [{"details": {"product": {"references": {"code": SKU}}}, "measures": {"quantity": 1}}]}
        return str(bench.call("POST", f"{bench.wms}/tenants/{demo.TENANT_ID}/outbound-orders", json=body,
                              headers={"Authorization": f"Bearer {token}", "Accept-Version": "1"})["id"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        to_pack = list(pool.map(make_wms_order, range(args.records)))
    placed: dict[str, tuple[str, int]] = {}  # the store's order number -> (slug, WooCommerce order id)

    def place(n: int) -> None:
        slug, number = slugs[n % len(slugs)], f"WOO-BENCH-{n}"
        order = bench.call("POST", f"{bench.woo}/_control/stores/{slug}/orders",
                           json={"lineItems": [{"sku": SKU, "quantity": 1, "price": "19.95"}], "number": number})
        placed[number] = (slug, order["id"])

    at_pace(args.records, 0.2, place)  # 5/s: the stores' budgets (3/s each) and the doors keep up

    def imported() -> dict[str, str] | None:
        orders = bench.wms_control("GET", f"tenants/{demo.TENANT_ID}/outbound-orders")
        ids = {str(o["references"].get("customer")): o["id"] for o in orders}
        return ids if all(number in ids for number in placed) else None

    ids = wait_until(imported, 600, "the WooCommerce orders in the WMS") or {}
    to_dispatch = {ids[number]: where for number, where in placed.items() if number in ids}
    bench.wait_idle()
    say(f"setup: {len(to_pack)} WMS orders to pack, {len(to_dispatch)} imported WooCommerce orders to dispatch "
        f"over {args.stores} stores")
    return to_pack, to_dispatch


def sent_at(bench: Bench, since: float) -> dict[str, float]:
    """WMS order id -> when the WMS's first OUTBOUND_ORDER notification about it after ``since`` left the sandbox."""
    sent: dict[str, float] = {}
    for delivery in bench.wms_control("GET", "notifications"):
        body = delivery["body"]
        if (isinstance(body, dict) and body.get("entityType") == "OUTBOUND_ORDER" and delivery["sentAt"] is not None
                and delivery["sentAt"] >= since):
            sent.setdefault(str(body["entityId"]), delivery["sentAt"])
    return sent


def hops(bench: Bench, order_id: str, link_key: str, final: str, since: float, sent: float) -> list[float] | None:
    """The times of the record's path from the notification sent: each of HOPS, then ``final``; None if missing."""
    times = [sent]
    wms_entries = [e for e in bench.wms_log(order_id) if epoch(e["at"]) >= since - 1]
    for event in HOPS:
        found = [epoch(e["at"]) for e in wms_entries if e["event"] == event]
        if not found:
            return None
        times.append(min(found))
    done = [epoch(e["at"]) for e in bench.sync_log(link_key) if e["event"] == final and epoch(e["at"]) >= since - 1]
    if not done:
        return None
    times.append(min(done))
    return times


def measure(bench: Bench, platform: str, moves: list[tuple[str, str]], every: float,
            done: Any, link_key: Any, say: Any) -> list[list[float]]:
    """Move each (order id, status) at the pace, wait for ``done()``, then read each record's path."""
    since = time.time()

    def move(n: int) -> None:
        order_id, status = moves[n]
        tracking = {"trackingNumber": f"TRK-{n}", "carrier": "AusPost"} if status == "DISPATCHED" else {}
        bench.wms_control("POST", f"tenants/{demo.TENANT_ID}/outbound-orders/{order_id}/status",
                          {"status": status, **tracking})

    at_pace(len(moves), every, move)
    wait_until(done, 300, f"every {platform} record")
    bench.wait_idle()
    sent = sent_at(bench, since)
    paths = []
    for order_id, _ in moves:
        if order_id in sent:
            path = hops(bench, order_id, link_key(order_id), FINAL[platform], since, sent[order_id])
            if path is not None:
                paths.append(path)
    say(f"{platform}: {len(paths)} of {len(moves)} records timed, one every {every:g} s "
        f"({time.time() - since:.0f} s)")
    return paths


def baseline(bench: Bench, count: int, every: float) -> dict[str, list[float]]:
    """A bare queue hop on the stack's moto, then the platform call to the same sandbox: per record, both platforms."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=f"bench-bare-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    account = f"bare-{uuid.uuid4().hex[:6]}"
    api_key, subscription = uuid.uuid4().hex, uuid.uuid4().hex
    bench.call("POST", f"{bench.ssi}/_control/accounts", json={"id": account, "apiKey": api_key,
                                                                "subscriptionKey": subscription,
                                                                "rateLimitPerSecond": 20, "tier": "production"})
    ssi_headers = {"StarShipIT-Api-Key": api_key, "Ocp-Apim-Subscription-Key": subscription}
    slug, key, secret = f"bare-{uuid.uuid4().hex[:6]}", f"ck_{uuid.uuid4().hex}", f"cs_{uuid.uuid4().hex}"
    bench.call("POST", f"{bench.woo}/_control/stores", json={"slug": slug, "consumerKey": key,
                                                              "consumerSecret": secret})
    woo_orders = [bench.call("POST", f"{bench.woo}/_control/stores/{slug}/orders",
                             json={"lineItems": [{"sku": SKU, "quantity": 1, "price": "19.95"}],
                                   "number": f"BARE-{n}"})["id"] for n in range(count)]
    session = requests.Session()
    times: dict[str, list[float]] = {"queue": [], "starshipit": [], "woocommerce": []}

    def hop() -> float:
        started = time.perf_counter()
        sqs.send_message(QueueUrl=queue, MessageBody='{"bare": true}')
        [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1)["Messages"]
        elapsed = time.perf_counter() - started
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # untimed: not on the path
        return elapsed

    def starshipit(n: int) -> None:
        queued = hop()
        body = {"order": {"order_number": f"BARE-{n}", "reference": f"BARE-{n}",
                          "destination": {"name": "Jane Citizen", "street": "1 Example St", "suburb": "Perth",
                                          "city": "Perth", "post_code": "6000", "country": "AU"},
                          "items": [{"sku": SKU, "description": "Steam Pot", "quantity": 1}]}}
        started = time.perf_counter()
        answer = session.post(f"{bench.ssi}/api/orders", json=body, headers=ssi_headers, timeout=30)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200 and answer.json().get("success") is not False, answer.text[:300]
        times["queue"].append(queued)
        times["starshipit"].append(queued + elapsed)

    def woocommerce(n: int) -> None:
        queued = hop()
        started = time.perf_counter()
        answer = session.put(f"{bench.woo}/{slug}/wp-json/wc/v3/orders/{woo_orders[n]}", auth=(key, secret),
                             json={"status": "completed"}, timeout=30)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:300]
        times["queue"].append(queued)
        times["woocommerce"].append(queued + elapsed)

    at_pace(count, every, starshipit)
    at_pace(count, every, woocommerce)
    sqs.delete_queue(QueueUrl=queue)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200, help="WMS status changes per platform")
    parser.add_argument("--starshipit-every", type=float, default=2.0, help="seconds between PACKED moves")
    parser.add_argument("--woocommerce-every", type=float, default=3.0, help="seconds between DISPATCHED moves")
    parser.add_argument("--stores", type=int, default=5, help="WooCommerce stores the dispatched orders come from")
    parser.add_argument("--explain", action="store_true", help="print the sync log of each platform's slowest record")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the consumers' and functions' logs (this process) are not the report
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    log = Path(tempfile.mkstemp(prefix="bench-wms-to-platform-", suffix=".log")[1])
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC · bench/wms_to_platform.py "
          f"{' '.join(argv if argv is not None else sys.argv[1:])} · {os.cpu_count()} cores · the stack's logs: {log}",
          flush=True)
    # The setup's imports are not measured: the service's own WMS create budget is lifted with the sandbox's limit.
    os.environ["WMS_CREATES_PER_WINDOW"] = "1000000"
    with contextlib.redirect_stdout(io.StringIO()):  # the functions in this process log and flush metrics to stdout
        stack = LocalStack(StackConfig(free_ports=True, run_schedules=False, log_file=log)).start()
        try:
            return run(Bench(stack), args)
        finally:
            stack.stop()


def run(bench: Bench, args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        print(line, file=sys.__stdout__, flush=True)

    began = time.monotonic()
    to_pack, to_dispatch = setup(bench, args, say)

    def all_exported() -> bool:
        numbers = {o["order_number"] for o in bench.call("GET", f"{bench.facts['starshipit']['control']}/orders")}
        return all(f"SSI-BENCH-{n}" in numbers for n in range(len(to_pack)))

    packed = measure(bench, "starshipit", [(order_id, "PACKED") for order_id in to_pack], args.starshipit_every,
                     all_exported, lambda order_id: f"{bench.starshipit_integration}#wms#OUTBOUND_ORDER#{order_id}",
                     say)

    def all_completed() -> bool:
        return all(o["status"] == "completed" for slug in bench.stores
                   for o in bench.call("GET", f"{bench.woo}/_control/stores/{slug}/orders"))

    from integrations.woocommerce.refs import order_ref

    def shop_order_key(order_id: str) -> str:
        slug, woo_id = to_dispatch[order_id]
        return order_ref(bench.stores[slug][0], woo_id).key

    dispatched = measure(bench, "woocommerce", [(order_id, "DISPATCHED") for order_id in to_dispatch],
                         args.woocommerce_every, all_completed, shop_order_key, say)
    bare = baseline(bench, args.records, 0.2)
    dead = bench.dead_lettered()

    say("")
    for platform, paths, what in (("starshipit", packed, "PACKED → Starshipit order created"),
                                  ("woocommerce", dispatched, "DISPATCHED → WooCommerce order completed")):
        total = [path[-1] - path[0] for path in paths]
        say(f"{what} ({len(paths)} records)")
        say("  " + describe("notification sent → done (the service)", total))
        say("  " + describe("bare send + receive + platform call (baseline)", bare[platform]))
        if total and bare[platform]:
            say(f"  ratio p50 {percentile(total, .5) / percentile(bare[platform], .5):.0f}×, "
                f"p99 {percentile(total, .99) / percentile(bare[platform], .99):.0f}×")
        names = ["door", "status change", "fan-out", FINAL[platform]]
        medians = [statistics.median(path[k + 1] - path[k] for path in paths) * 1000 for k in range(4)] if paths \
            else []
        say("  median hops: notification → " + " → ".join(f"{name} {ms:.0f} ms" for name, ms in zip(names, medians,
                                                                                                  strict=False)))
        if args.explain and paths:
            slowest = max(paths, key=lambda path: path[-1] - path[0])
            say(f"  slowest: {[round((t - slowest[0]) * 1000) for t in slowest]} ms from its notification")
    say("  " + describe("bare send + receive alone", bare["queue"]))
    # The machine is shared: the load average says whether something else ran alongside.
    say(f"dead-lettered {dead}; {(time.monotonic() - began) / 60:.1f} min from the stack up; load average "
        f"{os.getloadavg()[1]:.2f} over the last 5 min, {os.cpu_count()} cores")
    return 0 if dead == 0 and len(packed) == len(to_pack) and len(dispatched) == len(to_dispatch) else 1


if __name__ == "__main__":
    sys.exit(main())
