"""The conditions the frame checks for every connector (a connector adds its own in its declaration).

Each is a :class:`AlertCondition`: a key, words for the console's filter, and a check ``(CheckContext) -> Finding |
None``. A check reads what the service already records — no check adds a request to a record's path:

- ``needs-attention``: links needing attention for longer than the threshold (sparse GSI ``byAttention``);
- ``dead-lettered``: records whose automatic retries ran out (the same index: ``deadLetteredAt``);
- ``waiting-for-budget``: work items waiting for a rate budget longer than the threshold (the wait markers' sparse
  GSI ``byWaitingIntegration`` in RateBudgetTable);
- ``credentials-refused``: a platform or the WMS refused the credentials (:mod:`.signals`), re-tested every
  ``platformCheckMinutes`` until they work;
- ``poll-stopped``: the safety-net poll has not run for N of its intervals (its cursor's ``polledAt``);
- ``assumption-refuted``: the last live check of the account found an assumption wrong (the configuration log);
- ``wms-silent`` (tenant-wide): no WMS change notification for N hours while the WMS poll sees orders change
  (:mod:`.wms_silence`).

docs/alerts.md says, per condition, its threshold and what the person receiving it should do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import aws
from ..records import LinkStatus
from ..settings import settings
from ..stores.dynamo import from_item
from ..timeutil import parse_iso, utc_iso
from .declaration import AlertCondition
from .model import AlertThresholds, Finding, Level

if TYPE_CHECKING:
    from ..connectors import Connector
    from ..integration_record import Integration
    from ..stores import Tenant

#: Records counted per condition at most (the alert says "1,000 or more" beyond: a count is not the point then).
MAX_COUNTED = 1000


@dataclass(frozen=True)
class CheckContext:
    tenant: Tenant
    thresholds: AlertThresholds
    now: datetime
    #: The integration checked (None for a tenant-wide condition) and its connector.
    integration: Integration | None = None
    connector: Connector | None = None

    @property
    def subject_id(self) -> str:
        return self.integration.integration_id if self.integration is not None else ""

    def cutoff(self, hours: float) -> str:
        return utc_iso(self.now - timedelta(hours=hours))

    @property
    def checked(self) -> Integration:
        """The integration an integration's condition checks (the checker always gives one; a condition declared
        tenant-wide by mistake fails here, in words, and its alert keeps its state: core.alerts.checker)."""
        if self.integration is None:
            raise TypeError("An integration's alert condition was checked without an integration (declared as a "
                            "tenant-wide condition?)")
        return self.integration


class CouldNotCheck(Exception):
    """The check could not tell (the platform was unreachable): the alert keeps its state until a check can."""


def plural(count: int, one: str, many: str | None = None) -> str:
    shown = f"{count:,}" + ("+" if count >= MAX_COUNTED else "")
    return f"{shown} {one if count == 1 else (many or one + 's')}"


# --- records needing attention, dead-lettered -------------------------------------------------------------------------


def count_attention(integration_id: str, *, before: str | None = None, dead_lettered: bool | None = None) -> int:
    """The integration's records needing attention now (up to :data:`MAX_COUNTED`): since before ``before``, and
    only those whose retries ran out (``dead_lettered`` True), only the others (False), or all (None). The sparse
    index holds only links needing attention, so the query reads nothing else."""
    kinds = {True: " AND attribute_exists(deadLetteredAt)", False: " AND attribute_not_exists(deadLetteredAt)",
             None: ""}
    return count({
        "TableName": settings().sync_table, "IndexName": "byAttention", "Select": "COUNT",
        "KeyConditionExpression": "attentionScope = :scope" + (" AND attentionSince < :before" if before else ""),
        "FilterExpression": "#status = :attention" + kinds[dead_lettered],
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":scope": {"S": integration_id},
                                      ":attention": {"S": LinkStatus.NEEDS_ATTENTION.value},
                                      **({":before": {"S": before}} if before else {})}})


def count(query: dict[str, Any]) -> int:
    """A ``Select=COUNT`` query's count over its pages, up to :data:`MAX_COUNTED`."""
    counted = 0
    while counted < MAX_COUNTED:
        response = aws.dynamodb().query(**query)
        counted += int(response.get("Count", 0))
        if "LastEvaluatedKey" not in response:
            break
        query = {**query, "ExclusiveStartKey": response["LastEvaluatedKey"]}
    return min(counted, MAX_COUNTED)


def needs_attention(context: CheckContext) -> Finding | None:
    hours = context.thresholds.attention_hours
    found = count_attention(context.subject_id, before=context.cutoff(hours), dead_lettered=False)
    if not found:
        return None
    return Finding(
        summary=f"{plural(found, 'record')} {'has' if found == 1 else 'have'} needed attention for over "
                f"{_hours(hours)}",
        what_to_do="Open the integration's sync log and filter by \"Needs attention\": each record says what went "
                   "wrong and what to change. Fix it, then press Retry on the record.",
        count=found)


def dead_lettered(context: CheckContext) -> Finding | None:
    found = count_attention(context.subject_id, dead_lettered=True)
    if not found:
        return None
    return Finding(
        summary=f"{plural(found, 'record')} failed every automatic retry and {'is' if found == 1 else 'are'} no "
                "longer retried",
        what_to_do="Open the integration's sync log and filter by \"Needs attention\": each record's last entry says "
                   "why it kept failing. Once the cause is fixed (or the other system is back), press Retry on each "
                   "record; your 3PL's operator was told too.",
        level=Level.CRITICAL, count=found)


# --- waiting for a rate budget ------------------------------------------------------------------------------------


def waiting_for_budget(context: CheckContext) -> Finding | None:
    hours = context.thresholds.waiting_hours
    waiting = count({
        "TableName": settings().rate_budget_table, "IndexName": "byWaitingIntegration", "Select": "COUNT",
        "KeyConditionExpression": "waitingIntegration = :integration AND waitingSince < :before",
        "FilterExpression": "expiresAt > :now",
        "ExpressionAttributeValues": {":integration": {"S": context.subject_id},
                                      ":before": {"S": context.cutoff(hours)},
                                      ":now": {"N": str(int(context.now.timestamp()))}}})
    if not waiting:
        return None
    return Finding(
        summary=f"{plural(waiting, 'record')} {'has' if waiting == 1 else 'have'} waited over {_hours(hours)} for "
                "their turn within a system's request limit",
        what_to_do="Nothing is lost: they go through in turn. If they should be faster, ask for a higher API limit "
                   "on the account the sync log names (or spread the work out); the records' logs show each one's "
                   "place in the line.",
        count=waiting)


# --- the safety-net poll ------------------------------------------------------------------------------------------


def poll_stopped(context: CheckContext) -> Finding | None:
    from ..context import core
    from ..poller import IntegrationPoller

    integration = context.checked
    poller = context.connector.load_poller() if context.connector is not None else None
    if not isinstance(poller, IntegrationPoller):
        return None
    every = poller.expected_interval(integration)
    if every is None:
        return None  # the connector paused its own polling on purpose (it says so in its own log)
    cursor = core().cursors.read(poller.cursor_key(integration)) or {}
    last = cursor.get("polledAt") or cursor.get("updatedAt")
    periods = integration.live_periods
    since = last or (utc_iso(periods[-1].start) if periods else None)
    if since is None:
        return None
    missed = context.thresholds.poll_missed_intervals
    if context.now - parse_iso(str(since)) <= every * missed:
        return None
    minutes = round(every.total_seconds() / 60)
    title = context.connector.title if context.connector is not None else integration.type
    return Finding(
        summary=(f"The safety-net check for missed {title} records has not run since "
                 f"{_moment(str(since))} (it runs every {minutes} min)" if last else
                 f"The safety-net check for missed {title} records has not run since the "
                 f"integration went live ({_moment(str(since))})"),
        what_to_do="Records the platform sends us still arrive; ones it fails to send are not being caught. Tell "
                   "your 3PL's operator: the scheduled check or its queue is failing (their alarms have the details).",
        count=missed)


# --- the live check -----------------------------------------------------------------------------------------------


def assumption_refuted(context: CheckContext) -> Finding | None:
    from ..integration_record import configuration_log_key

    response = aws.dynamodb().query(
        TableName=settings().sync_table, ScanIndexForward=False, Limit=50,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :log)",
        ExpressionAttributeValues={":pk": {"S": configuration_log_key(context.subject_id)}, ":log": {"S": "LOG#"}})
    for entry in map(from_item, response["Items"]):
        if entry.get("event") != "live-check" or not entry.get("details"):
            continue
        report = (json.loads(entry["details"]) if isinstance(entry["details"], str) else entry["details"]).get(
            "report") or {}
        refuted = [f for f in report.get("findings", []) if f.get("outcome") == "refuted"]
        if not refuted:
            return None
        keys = ", ".join(str(f.get("key")) for f in refuted[:5])
        return Finding(
            summary=f"The last account check ({_moment(str(entry.get('at')))}) found "
                    f"{plural(len(refuted), 'thing')} the connection relies on working differently: {keys}",
            what_to_do="Open the integration's Health and read what the check found and what it means. Run \"Check "
                       "connection\" again after changing the account's settings; if it stays, tell your 3PL's "
                       "operator (the connection may need an update for this account).",
            count=len(refuted))
    return None


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


def _moment(iso: str) -> str:
    try:
        return parse_iso(iso).strftime("%d %b %Y %H:%M UTC")
    except ValueError:
        return iso


_HERE = "integrations.core.alerts"
#: The conditions the frame checks for every integration, in the order the console lists them.
FRAME_CONDITIONS: tuple[AlertCondition, ...] = (
    # Re-tests the platform at its own pace (core.alerts.signals), so it runs at every check.
    AlertCondition("credentials-refused", "Credentials refused", f"{_HERE}.signals:credentials_refused"),
    AlertCondition("dead-lettered", "Gave up retrying", f"{_HERE}.conditions:dead_lettered"),
    AlertCondition("needs-attention", "Needs attention too long", f"{_HERE}.conditions:needs_attention"),
    AlertCondition("waiting-for-budget", "Waiting too long for a request limit",
                   f"{_HERE}.conditions:waiting_for_budget"),
    AlertCondition("poll-stopped", "Safety-net check stopped", f"{_HERE}.conditions:poll_stopped"),
    AlertCondition("assumption-refuted", "Account check found a difference",
                   f"{_HERE}.conditions:assumption_refuted"),
)
#: Tenant-wide conditions (subject TENANT).
TENANT_CONDITIONS: tuple[AlertCondition, ...] = (
    AlertCondition("credentials-refused", "Credentials refused", f"{_HERE}.signals:credentials_refused"),
    AlertCondition("wms-silent", "WMS notifications stopped", f"{_HERE}.wms_silence:wms_silent"),
)
