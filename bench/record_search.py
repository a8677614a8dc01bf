"""Finding a record by its number (issue 24 point 2) with many records in SyncTable, beside a plain key lookup.

In one process on in-process moto, SyncTable and IntegrationsTable are created from template.yaml (the sparse GSI
``byNumber`` included) and filled with ``--records`` links (default 100,000) of one tenant spread over 10
integrations, each with its number as a link keeps it (``platformNumber``, ``numberTenant``, ``searchNumber``).
Then, in the same run, ``--samples`` times each:

- **key lookup**: ``GetItem`` of a random link by its key (the baseline: the cheapest read there is);
- **search**: what ``GET /tenants/{t}/records?number=…`` does — one ``Query`` of ``byNumber`` by prefix and one
  ``BatchGetItem`` of the links found (the management service's own ``search_records``), for an exact number and for
  a 3-digit prefix.

It prints p50/p99 in ms and their ratio to the key lookup, and the items each search read. moto is not DynamoDB: its
GSI query walks every item of the table (so its time grows with the table), where DynamoDB reads only the index
items the key condition selects — the items read per search is the figure that carries over; the times say what
the local stack and the tests pay. (The issue asks for 1,000,000 records: on moto a search then takes about 40 s,
since it grows with the table; the figure DynamoDB's cost follows — items read — does not change with it.)

    .venv/bin/python bench/record_search.py [--records 100000] [--samples 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from local.resources import create_stack

REGION = "ap-southeast-2"
INTEGRATIONS = 10


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def timed(call: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        stack = create_stack(parameters={"PublicApiBaseUrl": "https://integrations.test"})
        os.environ.update(stack.environment)
        from integrations.core import context
        from integrations.core.integration_record import Integration, IntegrationStatus
        from integrations.core.stores import Tenant
        from integrations.management.permissions import Principal, Role
        from integrations.management.service import ManagementService

        context.reset()
        tenant = str(uuid.uuid4())
        context.core().tenants.put(Tenant(tenant_id=tenant, name="Bench 3PL", wms_base_url="https://wms.test"))
        now = datetime.now(UTC)
        integrations = []
        for n in range(INTEGRATIONS):
            integration = Integration(integration_id=str(uuid.uuid4()), tenant_id=tenant, customer_id=f"customer-{n}",
                                      type="woocommerce", name=f"Shop {n}", status=IntegrationStatus.LIVE,
                                      created_at=now, updated_at=now, customer_name=f"Customer {n}")
            context.core().integrations.create(integration)
            integrations.append(integration.integration_id)
        table = stack.environment["SYNC_TABLE"]
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
        started = time.perf_counter()
        for n in range(args.records):  # straight into moto's table: filling is not what is measured
            integration = integrations[n % INTEGRATIONS]
            number = str(100_000 + n)
            backend.put_item(table, {
                "pk": {"S": f"{integration}#woocommerce#order#{n}"}, "sk": {"S": "LINK"}, "tenantId": {"S": tenant},
                "integrationId": {"S": integration}, "scope": {"S": integration}, "platform": {"S": "woocommerce"},
                "recordType": {"S": "order"}, "recordId": {"S": str(n)}, "status": {"S": "SYNCED"},
                "updatedAt": {"S": "2026-12-07T00:00:00Z"}, "platformNumber": {"S": f"#{number}"},
                "numberTenant": {"S": tenant}, "searchNumber": {"S": number}})
        print(f"{args.records:,} links written in {time.perf_counter() - started:.0f} s", flush=True)

        db = boto3.client("dynamodb", region_name=REGION)
        service = ManagementService()
        admin = Principal(subject="bench", tenant_id=tenant, role=Role.ADMIN)
        rand = random.Random(24)

        def key_lookup() -> None:
            n = rand.randrange(args.records)
            db.get_item(TableName=table, Key={"pk": {"S": f"{integrations[n % INTEGRATIONS]}#woocommerce#order#{n}"},
                                              "sk": {"S": "LINK"}})

        found: dict[str, list[int]] = {"exact": [], "prefix": []}

        def search(kind: str, digits: int) -> Callable[[], None]:
            def run() -> None:
                number = str(100_000 + rand.randrange(args.records))[:digits]
                answer = service.search_records(admin, tenant, None, number=number, filters={})
                found[kind].append(len(answer["records"]))
            return run

        baseline = timed(key_lookup, args.samples)
        exact = timed(search("exact", 7), args.samples)
        prefix = timed(search("prefix", 3), args.samples)
        base50, base99 = percentiles(baseline)
        print(f"key lookup (GetItem)          p50 {base50:8.2f} ms   p99 {base99:8.2f} ms")
        for name, times, kind in (("search, exact number", exact, "exact"),
                                  ("search, 3-digit prefix", prefix, "prefix")):
            p50, p99 = percentiles(times)
            print(f"{name:<29} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   ({p50 / base50:.0f}× / {p99 / base99:.0f}×; "
                  f"{statistics.mean(found[kind]):.0f} records a page: 1 Query + 1 BatchGetItem)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
