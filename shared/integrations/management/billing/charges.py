"""ChargesTable: the charges a week's run already wrote for a tenant, and writing new ones at most once each
(conditional puts, batched in transactions)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from typing import Any, Final

from botocore.exceptions import ClientError

from ...core import aws
from ...core.context import core
from ...core.errors import RetryableError
from ...core.stores import is_condition_failure, to_item
from ...core.stores.integrations import LiveEntry
from ...core.timeutil import utc_iso, utcnow
from ...core.weeks import IsoWeek

#: DynamoDB's limit on actions per TransactWriteItems.
TRANSACTION_ITEMS: Final = 100
TRANSACTION_ATTEMPTS: Final = 6


class ChargesConflicting(RetryableError):
    """Concurrent runs kept cancelling each other's charge transactions; the work item is retried later (the
    charges already written stay, and conditional writes make the retry safe)."""


def tenant_week(tenant_id: str, week: IsoWeek) -> str:
    return f"{tenant_id}#{week}"


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
