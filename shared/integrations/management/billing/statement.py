"""A tenant's statement for one week: its charges by customer then integration, with totals (one query)."""

from __future__ import annotations

from datetime import datetime

from ...core import aws
from ...core.context import core
from ...core.stores import from_item
from ...core.weeks import IsoWeek
from ..models import ResponseModel
from .charges import tenant_week


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
