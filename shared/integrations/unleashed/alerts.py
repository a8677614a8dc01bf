"""Unleashed's own alert conditions (core.alerts): the monthly call budget filling, and its webhook subscription.

- ``monthly-budget``: this month's counted calls against the integration's ``apiCallsPerMonth``; a warning at the
  tenant's warning share (80 %), critical at its critical share (95 %: polling has stopped by then). One read of
  the month's count (RateBudgetTable), no call to Unleashed.
- ``webhook-gone``: what the hourly subscription check of the poll found (kept on the integration's webhooks
  record): our subscription removed or inactive. No call of its own.
"""

from __future__ import annotations

from ..core import aws
from ..core.alerts.conditions import CheckContext
from ..core.alerts.model import Finding, Level
from ..core.context import core
from ..core.stores import from_item
from ..core.stores.synclog import LINK_SK
from . import usage
from .clients import unleashed_client
from .refs import integration_ref
from .settings import settings_of
from .webhooks import FREE_SLOT


def monthly_budget(context: CheckContext) -> Finding | None:
    integration = context.checked
    budget = settings_of(integration).order.api_calls_per_month
    used = usage.used(unleashed_client(integration).account)
    percent = int(100 * used / budget) if budget else 0
    thresholds = context.thresholds
    if percent < thresholds.budget_warning_percent:
        return None
    critical = percent >= thresholds.budget_critical_percent
    return Finding(
        summary=f"{percent} % of this month's Unleashed API calls are used ({used:,} of {budget:,})"
                + ("; the safety-net check has stopped to keep the rest for orders" if critical else ""),
        what_to_do="Raise apiCallsPerMonth in the integration's order creation step if the Unleashed plan allows more "
                   "(Unleashed: Settings → Billing), or expect syncing to stop at 100 % until the 1st of next month "
                   "(UTC). Other apps on the same Unleashed account use the same allowance.",
        level=Level.CRITICAL if critical else Level.WARNING, count=percent)


def webhook_gone(context: CheckContext) -> Finding | None:
    integration = context.checked
    # The poll keeps its finding in the memo of the integration's webhooks record, which has no link identity of
    # its own (core.links.LinkStore.remember_once): read the item as stored.
    response = aws.dynamodb().get_item(
        TableName=core().settings.sync_table, ConsistentRead=True,
        Key={"pk": {"S": integration_ref(integration.integration_id, "webhooks").key}, "sk": {"S": LINK_SK}})
    note = from_item(response.get("Item") or {}).get("memo", {}).get("health")
    if not isinstance(note, str) or note == "ok" or note.startswith(FREE_SLOT):
        return None
    return Finding(summary=note.split(";")[0], what_to_do="Save any step of the integration to subscribe again; "
                   "until then orders arrive through the 5-minute check.")
