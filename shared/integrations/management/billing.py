"""Weekly billing: every integration live at any moment of an ISO week is charged the tenant's weekly price once.

Product decision 2: weeks are ISO weeks in UTC; deleting stops charges from the next week; the price is per tenant
(default $10.00) in integer cents; a week is charged at most once per integration however often the run repeats.

How (docs/billing.md):

1. The schedule (Monday 00:05 UTC) or a request for a past week calls :func:`schedule_run`, which queues one
   ``billing.tenant`` work item per tenant on the BillingQueue (the tenants table is one item per 3PL).
2. The worker (:func:`bill_tenant`) reads the tenant's price, the charges already written for the week (one query),
   then the live-period index — ``OPEN#`` items started before the week ended and ``WEEK#{week}#`` items of
   periods that closed — which is exactly the set live in that week (never the sync data, never a scan).
3. Each charge is a conditional put on ChargesTable (``tenantWeek``, ``integrationId``) with
   ``attribute_not_exists``, up to 100 to a ``TransactWriteItems``: a repeated or concurrent run finds the charge
   there and writes nothing.
4. A tenant with more live integrations than one work item may handle (:data:`ENTRIES_PER_ITEM`) continues in a
   follow-up item carrying the index position, so no invocation runs out of time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import time
import uuid
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from ..core import aws
from ..core.context import core
from ..core.errors import PermanentError, RetryableError
from ..core.stores import from_item, is_condition_failure, to_item
from ..core.stores.integrations import LiveEntry
from ..core.timeutil import utc_iso, utcnow
from ..core.weeks import IsoWeek
from ..core.workitems import Attempt, WorkItem, enqueue, enqueue_many
from .models import ResponseModel

BILL_TENANT: Final = "billing.tenant"
#: Index entries one work item handles before handing the rest to a continuation (≤ 500 charges: a few queries and
#: five transactions, well under a second in-region; far inside the worker's 60 s even with a batch of 5 items).
ENTRIES_PER_ITEM: Final = 500
#: DynamoDB's limit on actions per TransactWriteItems.
TRANSACTION_ITEMS: Final = 100
TRANSACTION_ATTEMPTS: Final = 6


class ChargesConflicting(RetryableError):
    """Concurrent runs kept cancelling each other's charge transactions; the work item is retried later (the
    charges already written stay, and conditional writes make the retry safe)."""


class WeekNotEnded(PermanentError):
    """A run was asked for a week that is not over yet (charges are final once written)."""

    resolution = "Ask for a week that has ended; the current week is billed on the Monday after it."


def tenant_week(tenant_id: str, week: IsoWeek) -> str:
    return f"{tenant_id}#{week}"


def run_item(tenant_id: str, week: IsoWeek, run_id: str, *, phase: str = "open", after: str | None = None
             ) -> WorkItem:
    """The work item billing one tenant for one week (from ``phase``/``after`` on, for a continuation)."""
    position = f":{phase}:{after}" if after or phase != "open" else ""
    return WorkItem(kind=BILL_TENANT, tenant_id=tenant_id, source="billing",
                    idempotency_key=f"billing:{tenant_id}:{week}:{run_id}{position}",
                    payload={"week": str(week), "runId": run_id, "phase": phase, "after": after})


def schedule_run(week: IsoWeek, *, run_id: str, tenant_ids: list[str] | None = None,
                 now: datetime | None = None) -> int:
    """Queue the week's billing: one item per tenant (all tenants unless given). Returns how many were queued."""
    if week.end > (now or utcnow()):
        raise WeekNotEnded(f"Week {week} ends at {utc_iso(week.end)}; it can't be billed before then")
    shared = core()
    ids = tenant_ids if tenant_ids is not None else list(shared.tenants.ids())
    return enqueue_many(shared.settings.billing_queue_url, [run_item(t, week, run_id) for t in ids])


def new_run_id(prefix: str = "requested") -> str:
    return f"{prefix}:{uuid.uuid4()}"


# --- the worker ---------------------------------------------------------------------------------------------------


def bill_tenant(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """Charge every integration of one tenant live in the item's week (from the item's index position on)."""
    shared = core()
    week = IsoWeek.parse(str(item.payload["week"]))
    run_id = str(item.payload.get("runId", ""))
    # Read fresh, never a warm Lambda's copy: a charge is final once written, so it must be at the price in force
    # when the week ended even if that changed a moment before this run (docs/billing.md "Which price").
    price = shared.tenants.get(item.tenant_id, fresh=True).price_at(week.end)
    existing = charged_integrations(item.tenant_id, week)
    phase, after = str(item.payload.get("phase", "open")), item.payload.get("after")
    counts = {"charged": 0, "alreadyCharged": 0}
    budget = ENTRIES_PER_ITEM
    while budget > 0:
        store = shared.integrations
        page = (store.open_in_week if phase == "open" else store.closed_in_week)(
            item.tenant_id, week, after=after, limit=budget)
        budget -= len(page.entries)
        due: dict[str, LiveEntry] = {}
        for entry in page.entries:
            if not week.touched_by(entry.start, entry.end):
                continue
            if entry.integration_id in existing:
                counts["alreadyCharged"] += 1
                continue
            due.setdefault(entry.integration_id, entry)
        written, found = charge(list(due.values()), week, amount_cents=price, run_id=run_id)
        counts["charged"] += written
        counts["alreadyCharged"] += found
        existing.update(due)
        if page.last_key is not None:
            after = page.last_key
        elif phase == "open":
            phase, after = "closed", None
        else:
            return {"week": str(week), **counts, "continued": False}
    # Out of budget with index left to read: hand the rest to a follow-up item.
    enqueue(shared.settings.billing_queue_url, run_item(item.tenant_id, week, run_id, phase=phase, after=after))
    return {"week": str(week), **counts, "continued": True}


def charged_integrations(tenant_id: str, week: IsoWeek) -> set[str]:
    """Integration ids already charged for the week (one query of keys: makes a repeated run nearly free)."""
    found: set[str] = set()
    paginator = aws.dynamodb().get_paginator("query")
    for page in paginator.paginate(
        TableName=core().settings.charges_table,
        KeyConditionExpression="tenantWeek = :tw",
        ExpressionAttributeValues={":tw": {"S": tenant_week(tenant_id, week)}},
        ProjectionExpression="integrationId",
    ):
        found.update(item["integrationId"]["S"] for item in page["Items"])
    return found


def charge_item(entry: LiveEntry, week: IsoWeek, *, amount_cents: int, run_id: str) -> dict[str, Any]:
    return to_item({
        "tenantWeek": tenant_week(entry.tenant_id, week),
        "integrationId": entry.integration_id,
        "tenantId": entry.tenant_id,
        "week": str(week),
        "customerId": entry.customer_id or None,  # none: a tenant-level integration (docs/billing.md)
        "customerName": entry.customer_name or None,
        "integrationName": entry.name,
        "type": entry.type,
        "amountCents": amount_cents,
        "periodStart": utc_iso(entry.start),
        "periodEnd": utc_iso(entry.end) if entry.end else None,
        "chargedAt": utc_iso(utcnow()),
        "runId": run_id,
    })


def charge(entries: list[LiveEntry], week: IsoWeek, *, amount_cents: int, run_id: str) -> tuple[int, int]:
    """Write a charge for each entry unless one exists for that integration and week.

    Up to :data:`TRANSACTION_ITEMS` conditional puts go in one ``TransactWriteItems`` (one request instead of one
    per charge, at twice the write units). A charge that exists cancels its transaction with
    ``ConditionalCheckFailed``: it is counted as already charged and the rest are written again without it; a
    conflict with a concurrent run's transaction retries the rest. Returns ``(written, already charged)``.
    """
    written = already = 0
    for start in range(0, len(entries), TRANSACTION_ITEMS):
        batch = [charge_item(e, week, amount_cents=amount_cents, run_id=run_id)
                 for e in entries[start:start + TRANSACTION_ITEMS]]
        done, existing = _transact_charges(batch)
        written, already = written + done, already + existing
    return written, already


def _transact_charges(items: list[dict[str, Any]]) -> tuple[int, int]:
    table = core().settings.charges_table
    pending, already = items, 0
    for attempt in range(TRANSACTION_ATTEMPTS):
        if not pending:
            break
        # The same request resent by boto3 after a lost answer is then not refused as "already charged"; any other
        # request (another run, our own next attempt) differs in content or attempt, so in token.
        request = json.dumps([attempt, pending], sort_keys=True, separators=(",", ":"))
        try:
            aws.dynamodb().transact_write_items(
                TransactItems=[{"Put": {"TableName": table, "Item": item,
                                        "ConditionExpression": "attribute_not_exists(integrationId)"}}
                               for item in pending],
                ClientRequestToken=hashlib.sha256(request.encode()).hexdigest()[:36],
            )
            return len(pending), already
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            if len(reasons) != len(pending):  # can't tell which one failed: decide each on its own
                return _put_each(pending, already)
            exists = [r.get("Code") == "ConditionalCheckFailed" for r in reasons]
            already += sum(exists)
            pending = [item for item, found in zip(pending, exists, strict=True) if not found]
            if not any(exists):  # only conflicts with a concurrent transaction: give it a moment
                time.sleep(0.05 * (attempt + 1) * (1 + random.random()))
    if pending:
        raise ChargesConflicting(f"{len(pending)} charges conflicted {TRANSACTION_ATTEMPTS} times in a row")
    return 0, already


def _put_each(items: list[dict[str, Any]], already: int) -> tuple[int, int]:
    written = 0
    for item in items:
        try:
            aws.dynamodb().put_item(TableName=core().settings.charges_table, Item=item,
                                    ConditionExpression="attribute_not_exists(integrationId)")
            written += 1
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            already += 1
    return written, already


# --- statements ---------------------------------------------------------------------------------------------------


class StatementLine(ResponseModel):
    integration_id: str
    name: str
    type: str
    amount_cents: int
    period_start: str
    period_end: str | None = None


#: How a statement names the group of tenant-level integrations (which belong to no customer): docs/billing.md.
TENANT_LEVEL_NAME = "Tenant-level"


class CustomerStatement(ResponseModel):
    #: None for the group of tenant-level integrations (named :data:`TENANT_LEVEL_NAME`, listed first).
    customer_id: str | None
    customer_name: str
    integrations: list[StatementLine]
    integration_count: int
    total_cents: int


class Statement(ResponseModel):
    tenant_id: str
    week: str
    week_start: datetime
    week_end: datetime
    customers: list[CustomerStatement]
    integration_count: int
    total_cents: int


def statement(tenant_id: str, week: IsoWeek) -> Statement:
    """The week's charges for one tenant, by customer then integration, with totals (one query)."""
    by_customer: dict[str, CustomerStatement] = {}
    paginator = aws.dynamodb().get_paginator("query")
    for page in paginator.paginate(
        TableName=core().settings.charges_table,
        KeyConditionExpression="tenantWeek = :tw",
        ExpressionAttributeValues={":tw": {"S": tenant_week(tenant_id, week)}},
    ):
        for raw in page["Items"]:
            item = from_item(raw)
            customer_id = item.get("customerId") or None
            customer = by_customer.setdefault(customer_id or "", CustomerStatement(
                customer_id=customer_id,
                customer_name=item.get("customerName", "") if customer_id else TENANT_LEVEL_NAME,
                integrations=[], integration_count=0, total_cents=0))
            customer.integrations.append(StatementLine(
                integration_id=item["integrationId"], name=item.get("integrationName", ""), type=item.get("type", ""),
                amount_cents=int(item["amountCents"]), period_start=item.get("periodStart", ""),
                period_end=item.get("periodEnd")))
            customer.integration_count += 1
            customer.total_cents += int(item["amountCents"])
    # The tenant's own (tenant-level) integrations first, then its customers by name.
    customers = sorted(by_customer.values(),
                       key=lambda c: (c.customer_id is not None, c.customer_name.casefold(), c.customer_id or ""))
    for customer in customers:
        customer.integrations.sort(key=lambda line: (line.name.casefold(), line.integration_id))
    return Statement(tenant_id=tenant_id, week=str(week), week_start=week.start, week_end=week.end,
                     customers=customers, integration_count=sum(c.integration_count for c in customers),
                     total_cents=sum(c.total_cents for c in customers))


CSV_COLUMNS = ("week", "line", "customer_id", "customer_name", "integration_id", "integration_name", "type",
               "period_start", "period_end", "amount_cents", "amount")


def _cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a name can't be allowed to."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def statement_csv(found: Statement) -> str:
    """One row per charge, then a ``customer_total`` row per customer and one ``tenant_total`` row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for customer in found.customers:
        for line in customer.integrations:
            writer.writerow([found.week, "charge", customer.customer_id or "", _cell(customer.customer_name),
                             line.integration_id, _cell(line.name), line.type, line.period_start,
                             line.period_end or "", line.amount_cents, _money(line.amount_cents)])
        writer.writerow([found.week, "customer_total", customer.customer_id or "", _cell(customer.customer_name), "",
                         "", "", "", "", customer.total_cents, _money(customer.total_cents)])
    writer.writerow([found.week, "tenant_total", "", "", "", "", "", "", "", found.total_cents,
                     _money(found.total_cents)])
    return out.getvalue()
