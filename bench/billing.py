"""Weekly billing at scale on in-process moto: 100,000 integrations across 1,000 tenants, against a bare baseline.

What runs is the deployed path: the BillingScheduleFunction handler fans out one work item per tenant onto the
BillingQueue (tables and queues built from template.yaml), and the BillingWorkerFunction handler consumes it in
batches of 5, as the SQS event source would. Every AWS request is counted by operation
(``integrations.core.aws.add_request_listener``).

The seeded live-period index holds, per tenant, 90 integrations live since before the week, 10 deleted during it,
and as noise 10 closed before it and 5 started after it — the run must charge exactly the 100 live in the week.

The baseline does the same amount of bare work in the same process: per tenant one plain query of its index
partition and the batch writes (25 items each) of 100 rows — no conditions, no idempotency, no queue.
A second run of the same week shows what a repeat costs (it must charge nothing).

    .venv/bin/python bench/billing.py                    # the full 1,000 × 100 (a few minutes on 2 cores)
    .venv/bin/python bench/billing.py --tenants 50       # a quick look
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import os
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-2", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Integrations",
    "POWERTOOLS_SERVICE_NAME": "bench", "POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING",
})
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
from integrations.core import aws, context  # noqa: E402
from integrations.core.stores import to_item  # noqa: E402
from integrations.core.stores.integrations import open_key, week_key  # noqa: E402
from integrations.core.timeutil import utc_iso  # noqa: E402
from integrations.core.weeks import IsoWeek  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.dynamodb.responses import DynamoHandler  # noqa: E402

from local import moto_at_scale  # noqa: E402
from local.functions import load_instance  # noqa: E402
from local.lambda_runtime import QueuePump, invoke, scheduler_input  # noqa: E402
from local.resources import create_stack  # noqa: E402

WEEK = IsoWeek(2026, 10)
LIVE_THROUGH, DELETED_DURING, CLOSED_BEFORE, STARTED_AFTER = 90, 10, 10, 5


class Requests:
    """AWS requests by (service, operation) while active."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def __call__(self, service: str, operation: str) -> None:
        self.counts[(service, operation)] += 1

    def __enter__(self) -> Requests:
        aws.add_request_listener(self)
        return self

    def __exit__(self, *_: object) -> None:
        aws.remove_request_listener(self)

    def total(self, service: str = "dynamodb") -> int:
        return sum(n for (s, _), n in self.counts.items() if s == service)

    def detail(self, service: str = "dynamodb") -> str:
        return ", ".join(f"{op} {n:,}" for (s, op), n in sorted(self.counts.items()) if s == service)


def give_moto_partitioned_queries() -> None:
    """moto answers every Query by sorting the whole table (``Table.all_items``), so a query costs O(table) where
    DynamoDB costs O(partition). Both runs below get the same per-partition lookup for base-table queries, so the
    times reflect the requests made, not moto's table size. Results are unchanged (same items, same order)."""
    original = Table.query
    signature = inspect.signature(original)

    def query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        if bound.arguments.get("index_name") or hash_key is None:
            return original(self, *args, **kwargs)
        everything = self.items
        self.items = {hash_key: everything[hash_key]} if hash_key in everything else {}
        try:
            return original(self, *args, **kwargs)
        finally:
            self.items = everything

    Table.query = query


def give_moto_plain_json_answers() -> None:
    """moto renders each Query/Scan answer through its generic shape serializer (~85 % of a 100-item query's time);
    DynamoDB's JSON protocol answer is the result dict itself, so the bench writes it with ``json.dumps``."""
    original = DynamoHandler.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if self._get_action() in ("Query", "Scan") and isinstance(result, dict):
            body = json.dumps({key: value for key, value in result.items() if value is not None})
            return 200, {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}, body
        return original(self, action_result)

    DynamoHandler.serialized = serialized


def batch_write(table: str, items: list[dict]) -> None:
    client = aws.dynamodb()
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def seed(stack, tenants: int, per_tenant: int) -> list[str]:
    """Tenants and their live-period index, written with batch writes as a migration would."""
    tenant_ids = [str(uuid.uuid4()) for _ in range(tenants)]
    batch_write(stack.tables["TenantsTable"], [to_item({"tenantId": t, "name": f"3PL {n}", "wmsBaseUrl": "x",
                                                       "weeklyPriceCents": 1000, "selfManagedCustomerIds": []})
                                              for n, t in enumerate(tenant_ids)])
    scale = per_tenant / (LIVE_THROUGH + DELETED_DURING)
    live, deleted = round(LIVE_THROUGH * scale), round(DELETED_DURING * scale)
    before, after = round(CLOSED_BEFORE * scale), round(STARTED_AFTER * scale)
    since, during = WEEK.start - timedelta(days=40), WEEK.start + timedelta(days=2)
    gone = WEEK.start - timedelta(days=9)
    for tenant in tenant_ids:
        items = []

        def entry(key: str, integration: str, start, end=None, week=None, tenant: str = tenant) -> dict:
            return to_item({"tenantId": tenant, "periodKey": key, "integrationId": integration,
                            "customerId": f"c-{integration[:2]}", "customerName": "Customer", "name": "Shop",
                            "type": "woocommerce", "start": utc_iso(start), "end": utc_iso(end) if end else None,
                            "week": week})

        for _ in range(live):
            integration = str(uuid.uuid4())
            items.append(entry(open_key(since, integration), integration, since))
        for _ in range(deleted):
            integration = str(uuid.uuid4())
            for week in (WEEK.previous(), WEEK):
                items.append(entry(week_key(week, integration), integration, since, during, str(week)))
        for _ in range(before):
            integration = str(uuid.uuid4())
            items.append(entry(week_key(WEEK.previous().previous(), integration), integration, since, gone))
        for _ in range(after):
            integration = str(uuid.uuid4())
            items.append(entry(open_key(WEEK.end + timedelta(days=1), integration), integration,
                               WEEK.end + timedelta(days=1)))
        batch_write(stack.tables["LivePeriodsTable"], items)
    return tenant_ids


def run_billing(stack, worker, spec) -> tuple[float, Requests, int]:
    schedule = stack.functions["BillingScheduleFunction"]
    event = scheduler_input(schedule.schedules[0], scheduled_at=WEEK.end + timedelta(minutes=5))
    event["runId"] = f"bench:{uuid.uuid4()}"  # a distinct run each time (not absorbed as a Scheduler retry)
    event["week"] = str(WEEK)
    scheduler = load_instance(schedule)
    sqs = boto3.client("sqs")
    pump = QueuePump(sqs, stack.queues["BillingQueue"], stack.queue_arns["BillingQueue"], worker, spec,
                     batch_size=spec.queues[0].batch_size)
    with Requests() as counted, contextlib.redirect_stdout(io.StringIO()):  # the handlers' EMF/log lines
        started = time.perf_counter()
        invoke(scheduler, event, schedule)
        items = pump.drain(max_rounds=1_000_000).received
        elapsed = time.perf_counter() - started
    return elapsed, counted, items


def run_baseline(stack, tenant_ids: list[str], per_tenant: int) -> tuple[float, Requests]:
    """The same reads and writes with nothing around them: one query and ``per_tenant/25`` batch writes a tenant."""
    client = aws.dynamodb()
    table = "BaselineCharges"
    client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "tenantWeek", "KeyType": "HASH"},
                                   {"AttributeName": "integrationId", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "tenantWeek", "AttributeType": "S"},
                                              {"AttributeName": "integrationId", "AttributeType": "S"}])
    with Requests() as counted:
        started = time.perf_counter()
        for tenant in tenant_ids:
            rows = client.query(TableName=stack.tables["LivePeriodsTable"], Limit=per_tenant,
                                KeyConditionExpression="tenantId = :t",
                                ExpressionAttributeValues={":t": {"S": tenant}})["Items"]
            batch_write(table, [to_item({"tenantWeek": f"{tenant}#{WEEK}", "integrationId": row["integrationId"]["S"],
                                         "amountCents": 1000}) for row in rows])
        elapsed = time.perf_counter() - started
    return elapsed, counted


def count_charges(stack, tenant_ids: list[str]) -> int:
    """Charges written for the week (one COUNT query per tenant's week partition; not part of any figure)."""
    client = aws.dynamodb()
    return sum(client.query(TableName=stack.tables["ChargesTable"], Select="COUNT",
                            KeyConditionExpression="tenantWeek = :tw",
                            ExpressionAttributeValues={":tw": {"S": f"{tenant}#{WEEK}"}})["Count"]
               for tenant in tenant_ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Weekly billing at scale against a bare baseline (moto).")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--per-tenant", type=int, default=100, help="integrations live in the week per tenant")
    args = parser.parse_args(argv)
    expected = args.tenants * args.per_tenant
    give_moto_partitioned_queries()
    give_moto_plain_json_answers()
    moto_at_scale.install()  # transactions back up the items they name, as the local stack's moto does
    with mock_aws():
        stack = create_stack()
        os.environ.update(stack.environment)
        context.reset()
        spec = stack.functions["BillingWorkerFunction"]
        worker = load_instance(spec)

        started = time.perf_counter()
        tenant_ids = seed(stack, args.tenants, args.per_tenant)
        seeded = time.perf_counter() - started
        print(f"seeded {args.tenants:,} tenants, {expected:,} integrations live in {WEEK} (+ noise) "
              f"in {seeded:.1f}s")

        billed_s, billed, items = run_billing(stack, worker, spec)
        charges = count_charges(stack, tenant_ids)
        assert charges == expected, f"charged {charges:,}, expected {expected:,}"
        again_s, again, _ = run_billing(stack, worker, spec)
        assert count_charges(stack, tenant_ids) == expected, "a repeated run charged again"
        base_s, base = run_baseline(stack, tenant_ids, args.per_tenant)

        rows = [
            ("billing run", billed_s, billed.total(), billed.total("sqs"), billed.detail()),
            ("repeat run (charges nothing)", again_s, again.total(), again.total("sqs"), again.detail()),
            ("bare baseline", base_s, base.total(), 0, base.detail()),
        ]
        print(f"\n{charges:,} charges written by {items:,} work items ({args.tenants:,} tenants; "
              f"continuations when a tenant has > 500 entries)\n")
        print(f"{'':32}{'seconds':>9}{'DynamoDB requests':>19}{'SQS sends':>11}")
        for name, seconds, dynamodb, sqs, _ in rows:
            print(f"{name:32}{seconds:9.1f}{dynamodb:19,}{sqs:11,}")
        print(f"\nratio billing / baseline: time {billed_s / base_s:.1f}×, DynamoDB requests "
              f"{billed.total() / base.total():.1f}×; per charge {billed.total() / charges:.2f} requests "
              f"(baseline {base.total() / charges:.2f})")
        print(f"repeat / billing: time {again_s / billed_s:.2f}×, DynamoDB requests "
              f"{again.total() / billed.total():.2f}×\n")
        for name, _, _, _, detail in rows:
            print(f"  {name}: {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
