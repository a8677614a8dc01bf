"""AlertsTable: the one alert of each ``(subject, condition)`` of a tenant, its history, and when checks last ran.

pk ``tenantId``; sk:

- ``ALERT#{subject}#{condition}``: the alert now (:class:`~.model.Alert`). Every transition is one conditional
  write, in one transaction with its history entry: opening needs ``state`` absent or ``RESOLVED``, so concurrent
  checks and retried ones open it once; resolving needs ``OPEN``. A transition sets ``noticeDue``; whoever claims
  the notice (``noticeClaim``, conditional) delivers it and clears it, so it is sent once.
- ``HISTORY#{subject}#{at}#{random}``: what happened to the subject's alerts (opened, updated, resolved,
  acknowledged, snoozed, notified), kept 400 days like the sync log.
- ``CHECKED#{subject}``: when each condition that calls a platform was last checked (they run at most
  every so often: a platform's rate budget is for syncing).

One query of the partition reads every alert of a tenant (a few per integration at most): no index needed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from .. import aws
from ..stores.dynamo import cancelled_by_condition, from_item, is_condition_failure, to_item
from ..timeutil import parse_iso, utc_iso, utcnow
from .model import Alert, AlertState, Finding, Level, alert_key

#: How long an alert's history is kept (the sync log's 400 days: a year plus a quarter).
HISTORY_RETENTION_SECONDS = 400 * 24 * 3600
#: A notice claimed this long ago and still due was claimed by a check that died: another may claim it.
NOTICE_CLAIM_SECONDS = 300
_NAMES = {"#state": "state", "#level": "level", "#count": "count"}
_LEVELS = {Level.WARNING: 1, Level.CRITICAL: 2}


@dataclass(frozen=True)
class Subject:
    """What an alert is about, as the mail and the overview name it."""

    subject: str
    customer_id: str | None = None
    integration_name: str = ""
    platform: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    subject: str
    condition: str
    event: str
    message: str
    at: str
    by: str | None = None
    level: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "condition": self.condition, "event": self.event, "message": self.message,
                "at": self.at, "by": self.by, "level": self.level}


class AlertStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    # --- reads --------------------------------------------------------------------------------------------------

    def alerts(self, tenant_id: str) -> list[Alert]:
        """Every alert of the tenant, open or resolved (one per subject and condition)."""
        return [Alert.model_validate(item) for item in self._query(tenant_id, "ALERT#")]

    def open_alerts(self, tenant_id: str) -> list[Alert]:
        return [alert for alert in self.alerts(tenant_id) if alert.state is AlertState.OPEN]

    def get(self, tenant_id: str, subject: str, condition: str) -> Alert | None:
        response = aws.dynamodb().get_item(TableName=self.table_name, ConsistentRead=True,
                                           Key=self._key(tenant_id, alert_key(subject, condition)))
        return Alert.model_validate(from_item(response["Item"])) if "Item" in response else None

    def history(self, tenant_id: str, subject: str, *, limit: int = 100) -> list[HistoryEntry]:
        """The subject's alert history, newest first."""
        items = self._query(tenant_id, f"HISTORY#{subject}#", newest_first=True, limit=limit)
        return [HistoryEntry(subject=item["subject"], condition=item["condition"], event=item["event"],
                             message=item["message"], at=item["at"], by=item.get("by"), level=item.get("level"))
                for item in items]

    def last_checked(self, tenant_id: str) -> dict[str, dict[str, str]]:
        """subject → condition → when it was last checked (conditions that call a platform)."""
        return {item["sk"].removeprefix("CHECKED#"): dict(item.get("conditions") or {})
                for item in self._query(tenant_id, "CHECKED#")}

    def _query(self, tenant_id: str, prefix: str, *, newest_first: bool = False,
               limit: int | None = None) -> Iterator[dict[str, Any]]:
        arguments: dict[str, Any] = {
            "TableName": self.table_name, "ConsistentRead": True, "ScanIndexForward": not newest_first,
            "KeyConditionExpression": "tenantId = :tenant AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":tenant": {"S": tenant_id}, ":prefix": {"S": prefix}}}
        if limit is not None:
            arguments["Limit"] = limit
        read = 0
        while True:
            response = aws.dynamodb().query(**arguments)
            for item in response["Items"]:
                yield from_item(item)
                read += 1
            if "LastEvaluatedKey" not in response or (limit is not None and read >= limit):
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- transitions --------------------------------------------------------------------------------------------

    def raise_alert(self, tenant_id: str, subject: Subject, condition: str, finding: Finding,
                    current: Alert | None) -> str | None:
        """Open the alert, or update the open one with the finding. Returns ``"opened"`` or ``"updated"`` when a
        person should hear of it (a new alert; a warning become critical), None for a silent refresh."""
        now = utc_iso(utcnow())
        if current is None or current.state is AlertState.RESOLVED:
            values = {":open": AlertState.OPEN.value, ":resolved": AlertState.RESOLVED.value, ":now": now,
                      ":level": finding.level.value, ":summary": finding.summary, ":todo": finding.what_to_do,
                      ":count": finding.count, ":customer": subject.customer_id or "",
                      ":name": subject.integration_name, ":platform": subject.platform,
                      ":subject": subject.subject, ":condition": condition,
                      ":zero": 0, ":one": 1, ":opened": "opened"}
            update = {"Update": {
                "TableName": self.table_name, "Key": self._key(tenant_id, alert_key(subject.subject, condition)),
                "UpdateExpression": (
                    "SET #state = :open, openedAt = :now, updatedAt = :now, #level = :level, summary = :summary,"
                    " whatToDo = :todo, #count = :count, customerId = :customer, integrationName = :name,"
                    " platform = :platform, subject = :subject, #condition = :condition,"
                    " occurrence = if_not_exists(occurrence, :zero) + :one, noticeDue = :opened"
                    " REMOVE resolvedAt, acknowledgedBy, acknowledgedAt, snoozedUntil, snoozedBy, noticeClaim,"
                    " noticeClaimedAt, noticeReached"),
                "ConditionExpression": "attribute_not_exists(#state) OR #state = :resolved",
                "ExpressionAttributeNames": {**_NAMES, "#condition": "condition"},
                "ExpressionAttributeValues": to_item(values)}}
            if self._transact(update, self._history_put(tenant_id, subject.subject, condition, "opened",
                                                         finding.summary, level=finding.level.value)):
                return "opened"
            current = self.get(tenant_id, subject.subject, condition)  # another check opened it just now
            if current is None or current.state is not AlertState.OPEN:
                return None
        escalated = _LEVELS[finding.level] > _LEVELS[current.level]
        values = {":now": now, ":level": finding.level.value, ":summary": finding.summary, ":todo": finding.what_to_do,
                  ":count": finding.count, ":open": AlertState.OPEN.value, ":was": current.level.value,
                  ":updated": "updated"}
        update = {"Update": {
            "TableName": self.table_name, "Key": self._key(tenant_id, current.key),
            "UpdateExpression": ("SET updatedAt = :now, #level = :level, summary = :summary, whatToDo = :todo,"
                                 " #count = :count" + (", noticeDue = :updated REMOVE noticeReached" if escalated
                                                       else "")),
            "ConditionExpression": "#state = :open" + (" AND #level = :was" if escalated else ""),
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": to_item(values)}}
        if escalated:
            won = self._transact(update, self._history_put(tenant_id, subject.subject, condition, "updated",
                                                            finding.summary, level=finding.level.value))
            return "updated" if won else None
        if (finding.summary, finding.what_to_do, finding.count, finding.level) != (
                current.summary, current.what_to_do, current.count, current.level):
            self._update_quietly(update)
        return None

    def resolve(self, tenant_id: str, subject: str, condition: str, why: str) -> bool:
        """Resolve the open alert (the condition cleared); False when it was not open (another check resolved it)."""
        now = utc_iso(utcnow())
        update = {"Update": {
            "TableName": self.table_name, "Key": self._key(tenant_id, alert_key(subject, condition)),
            "UpdateExpression": "SET #state = :resolved, resolvedAt = :now, updatedAt = :now, noticeDue = :notice,"
                                " resolution = :why REMOVE noticeClaim, noticeClaimedAt, noticeReached",
            "ConditionExpression": "#state = :open",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": to_item({":resolved": AlertState.RESOLVED.value, ":now": now,
                                                  ":notice": "resolved", ":why": why,
                                                  ":open": AlertState.OPEN.value})}}
        return self._transact(update, self._history_put(tenant_id, subject, condition, "resolved", why))

    def acknowledge(self, tenant_id: str, subject: str, condition: str, *, by: str) -> bool:
        now = utc_iso(utcnow())
        return self._person_action(tenant_id, subject, condition, "SET acknowledgedBy = :by, acknowledgedAt = :now",
                                   {":by": by, ":now": now}, "acknowledged", f"Acknowledged by {by}", by)

    def snooze(self, tenant_id: str, subject: str, condition: str, *, until: str, by: str) -> bool:
        return self._person_action(tenant_id, subject, condition, "SET snoozedUntil = :until, snoozedBy = :by",
                                   {":until": until, ":by": by}, "snoozed", f"Snoozed by {by} until {until}", by)

    def _person_action(self, tenant_id: str, subject: str, condition: str, expression: str,
                       values: Mapping[str, Any], event: str, message: str, by: str) -> bool:
        update = {"Update": {
            "TableName": self.table_name, "Key": self._key(tenant_id, alert_key(subject, condition)),
            "UpdateExpression": expression, "ConditionExpression": "#state = :open",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": to_item({**values, ":open": AlertState.OPEN.value})}}
        return self._transact(update, self._history_put(tenant_id, subject, condition, event, message, by=by))

    # --- notices ------------------------------------------------------------------------------------------------

    def claim_notice(self, alert: Alert, token: str) -> bool:
        """Take the alert's due notice for delivery; False when another check holds it or it was delivered."""
        assert alert.notice_due
        now = utcnow()
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name, Key=self._key(alert.tenant_id, alert.key),
                UpdateExpression="SET noticeClaim = :token, noticeClaimedAt = :now",
                ConditionExpression=("noticeDue = :due"
                                     " AND (attribute_not_exists(noticeClaim) OR noticeClaimedAt < :stale)"),
                ExpressionAttributeValues=to_item({
                    ":token": token, ":now": utc_iso(now), ":due": alert.notice_due,
                    ":stale": utc_iso(now - timedelta(seconds=NOTICE_CLAIM_SECONDS))}))
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def notice_delivered(self, alert: Alert, token: str, message: str) -> None:
        """The claimed notice went out (``message`` says where): cleared, and kept in the history."""
        assert alert.notice_due
        update = {"Update": {
            "TableName": self.table_name, "Key": self._key(alert.tenant_id, alert.key),
            "UpdateExpression": "REMOVE noticeDue, noticeClaim, noticeClaimedAt, noticeReached",
            "ConditionExpression": "noticeClaim = :token AND noticeDue = :due",
            "ExpressionAttributeValues": to_item({":token": token, ":due": alert.notice_due})}}
        self._transact(update, self._history_put(alert.tenant_id, alert.subject, alert.condition, "notified",
                                                  message))

    def notice_failed(self, alert: Alert, token: str, message: str, *, reached: tuple[str, ...] = ()) -> None:
        """Delivery failed: the notice stays due (the next check tries again, only on the channels not ``reached``
        yet); the failure is in the history."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name, Key=self._key(alert.tenant_id, alert.key),
                UpdateExpression="SET noticeReached = :reached REMOVE noticeClaim, noticeClaimedAt",
                ConditionExpression="noticeClaim = :token",
                ExpressionAttributeValues=to_item({":token": token,
                                                   ":reached": sorted({*alert.notice_reached, *reached})}))
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
        aws.dynamodb().put_item(**self._history_put(alert.tenant_id, alert.subject, alert.condition,
                                                    "delivery-failed", message)["Put"])

    # --- checks that call a platform ----------------------------------------------------------------------------

    def mark_checked(self, tenant_id: str, subject: str, condition: str) -> None:
        now = utc_iso(utcnow())
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name, Key=self._key(tenant_id, f"CHECKED#{subject}"),
                UpdateExpression="SET conditions.#c = :now", ConditionExpression="attribute_exists(conditions)",
                ExpressionAttributeNames={"#c": condition}, ExpressionAttributeValues={":now": {"S": now}})
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            aws.dynamodb().update_item(
                TableName=self.table_name, Key=self._key(tenant_id, f"CHECKED#{subject}"),
                UpdateExpression="SET conditions = if_not_exists(conditions, :none)",
                ExpressionAttributeValues={":none": {"M": {}}})
            self.mark_checked(tenant_id, subject, condition)

    # --- plumbing -----------------------------------------------------------------------------------------------

    @staticmethod
    def _key(tenant_id: str, sk: str) -> dict[str, Any]:
        return {"tenantId": {"S": tenant_id}, "sk": {"S": sk}}

    def _history_put(self, tenant_id: str, subject: str, condition: str, event: str, message: str, *,
                     by: str | None = None, level: str | None = None) -> dict[str, Any]:
        now = utcnow()
        at = utc_iso(now)
        return {"Put": {"TableName": self.table_name, "Item": to_item({
            "tenantId": tenant_id, "sk": f"HISTORY#{subject}#{at}#{secrets.token_hex(4)}", "subject": subject,
            "condition": condition, "event": event, "message": message, "at": at, "by": by, "level": level,
            "expiresAt": int(now.timestamp()) + HISTORY_RETENTION_SECONDS})}}

    def _transact(self, update: dict[str, Any], history: dict[str, Any]) -> bool:
        """The transition and its history entry, together; False when the transition's condition failed."""
        try:
            aws.dynamodb().transact_write_items(TransactItems=[update, history])  # type: ignore[list-item]
        except ClientError as exc:
            if any(cancelled_by_condition(exc)):
                return False
            raise
        return True

    def _update_quietly(self, update: dict[str, Any]) -> None:
        try:
            aws.dynamodb().update_item(**update["Update"])
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise


def overdue(since: str | None, hours: float) -> bool:
    return since is not None and (utcnow() - parse_iso(since)).total_seconds() > hours * 3600
