"""The alert check: every 5 minutes, one work item per tenant on AlertsQueue (docs/alerts.md).

For each live integration of the tenant, every condition that applies (the frame's and its connector's) is checked;
a finding opens or updates the ``(integration, condition)`` alert, no finding resolves it. Alerts of integrations no
longer live resolve too. Then every notice that became due is claimed and delivered (:mod:`.channels`) — once, however
many checks run at the same time: the transitions and the claims are conditional writes (:mod:`.store`).

A check that fails (an unexpected error in one condition) never hides the others: it is logged, counted, and its
alert keeps its state; the item fails only if nothing could be checked at all, so the queue's retries and DLQ apply.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from ..connectors import Connector, get
from ..context import core
from ..errors import UpstreamAuthFailed, UpstreamError
from ..integration_record import Integration, IntegrationStatus
from ..stores import Tenant
from ..timeutil import parse_iso, utc_iso, utcnow
from ..workitems import Attempt, WorkItem, enqueue_many
from .conditions import FRAME_CONDITIONS, TENANT_CONDITIONS, CheckContext, CouldNotCheck
from .declaration import AlertCondition
from .model import TENANT_SUBJECT, Alert, AlertState, Finding
from .notices import Notice, NoticeKind
from .signals import report_refused_credentials
from .store import AlertStore, Subject

logger = Logger(child=True)
#: Powertools keeps one set of metrics per process: the worker's handler flushes these with its own.
metrics = Metrics()

CHECK_TENANT = "alerts.check"


def store() -> AlertStore:
    return AlertStore(core().settings.alerts_table)


def schedule_checks(scheduled_at: datetime | None = None) -> int:
    """One check per tenant; the key holds the scheduled time, so a retried schedule run checks once (a check run by
    hand a few seconds later is a check of its own)."""
    moment = (scheduled_at or utcnow()).strftime("%Y-%m-%dT%H:%M:%S")
    stores = core()
    items = [WorkItem(kind=CHECK_TENANT, tenant_id=tenant_id, idempotency_key=f"{CHECK_TENANT}:{tenant_id}:{moment}",
                      source="alerts") for tenant_id in stores.tenants.ids()]
    return enqueue_many(stores.settings.alerts_queue_url, items)


def check_tenant(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    return TenantCheck(core().tenants.get(item.tenant_id, fresh=True)).run().to_json()


@dataclass
class CheckResult:
    opened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    could_not_check: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"opened": self.opened, "updated": self.updated, "resolved": self.resolved,
                "couldNotCheck": self.could_not_check, "notices": self.notices}


class TenantCheck:
    def __init__(self, tenant: Tenant, *, now: datetime | None = None) -> None:
        self.tenant = tenant
        self.now = now or utcnow()
        self.thresholds = tenant.alerts.thresholds
        self.store = store()
        self.result = CheckResult()

    def run(self) -> CheckResult:
        current = {alert.key: alert for alert in self.store.alerts(self.tenant.tenant_id)}
        checked = self.store.last_checked(self.tenant.tenant_id)
        live: set[str] = set()
        for integration in self._live_integrations():
            live.add(integration.integration_id)
            connector = get(integration.type)
            context = CheckContext(tenant=self.tenant, thresholds=self.thresholds, now=self.now,
                                   integration=integration, connector=connector)
            subject = Subject(integration.integration_id, customer_id=integration.customer_id or None,
                              integration_name=integration.name,
                              platform=connector.title if connector else integration.type)
            for condition in self._conditions(connector):
                self._check(condition, context, subject, current, checked.get(integration.integration_id, {}))
        tenant_context = CheckContext(tenant=self.tenant, thresholds=self.thresholds, now=self.now)
        for condition in TENANT_CONDITIONS:
            self._check(condition, tenant_context, Subject(TENANT_SUBJECT, platform="WMS"), current, {})
        for alert in current.values():
            if alert.state is AlertState.OPEN and alert.subject != TENANT_SUBJECT and alert.subject not in live:
                self._resolve(alert.subject, alert.condition, "The integration is no longer live")
        self._deliver()
        self._count()
        return self.result

    def _count(self) -> None:
        """One metric per condition: its open alerts of this tenant now (the dashboard sums them over tenants)."""
        now = {alert.key: alert for alert in self.store.open_alerts(self.tenant.tenant_id)}
        keys = {c.key for c in FRAME_CONDITIONS + TENANT_CONDITIONS} | {alert.condition for alert in now.values()}
        for key in sorted(keys):
            metrics.add_metric(name=f"OpenAlerts.{key}", unit=MetricUnit.Count,
                               value=sum(1 for alert in now.values() if alert.condition == key))
        metrics.add_metric(name="AlertsOpened", unit=MetricUnit.Count, value=len(self.result.opened))
        metrics.add_metric(name="AlertsResolved", unit=MetricUnit.Count, value=len(self.result.resolved))

    def _live_integrations(self) -> Iterable[Integration]:
        return [found for found in core().integrations.list_for_tenant(self.tenant.tenant_id)
                if found.status is IntegrationStatus.LIVE]

    @staticmethod
    def _conditions(connector: Connector | None) -> tuple[AlertCondition, ...]:
        return FRAME_CONDITIONS + (connector.alert_conditions if connector is not None else ())

    def _check(self, condition: AlertCondition, context: CheckContext, subject: Subject,
               current: dict[str, Alert], last_checked: dict[str, str]) -> None:
        if condition.calls_platform and not self._due(last_checked.get(condition.key)):
            return  # not due: the alert keeps its state until the platform is asked again
        name = f"{subject.subject}/{condition.key}"
        try:
            if condition.calls_platform:
                self.store.mark_checked(self.tenant.tenant_id, subject.subject, condition.key)
            finding = condition.load()(context)
        except CouldNotCheck as exc:
            self.result.could_not_check.append(f"{name}: {exc}")
            return
        except UpstreamAuthFailed as exc:  # the platform refused the credentials: that is an alert of its own
            if context.integration is not None:
                platform = context.connector is not None and exc.upstream == context.connector.title
                report_refused_credentials(tenant_id=self.tenant.tenant_id, exc=exc,
                                           integration_id=context.integration.integration_id if platform else None)
            self.result.could_not_check.append(f"{name}: {exc}")
            return
        except UpstreamError as exc:  # unreachable or refusing now: the alert keeps its state until a check can tell
            self.result.could_not_check.append(f"{name}: {exc}")
            return
        except Exception:  # one condition's fault never hides the others'; the operator's logs have the trace
            logger.exception("An alert condition could not be checked", extra={"condition": condition.key,
                                                                                "subject": subject.subject})
            self.result.could_not_check.append(f"{name}: unexpected error (in the operator's logs)")
            return
        existing = current.get(f"ALERT#{subject.subject}#{condition.key}")
        if finding is None:
            if existing is not None and existing.state is AlertState.OPEN:
                self._resolve(subject.subject, condition.key, "The condition cleared")
            return
        self._raise(subject, condition.key, finding, existing)

    def _due(self, last: str | None) -> bool:
        every = timedelta(minutes=self.thresholds.platform_check_minutes)
        return last is None or self.now - parse_iso(last) >= every

    def _raise(self, subject: Subject, condition: str, finding: Finding, existing: Alert | None) -> None:
        change = self.store.raise_alert(self.tenant.tenant_id, subject, condition, finding, existing)
        if change == "opened":
            self.result.opened.append(f"{subject.subject}/{condition}")
        elif change == "updated":
            self.result.updated.append(f"{subject.subject}/{condition}")

    def _resolve(self, subject: str, condition: str, why: str) -> None:
        if self.store.resolve(self.tenant.tenant_id, subject, condition, why):
            self.result.resolved.append(f"{subject}/{condition}")

    # --- notices ------------------------------------------------------------------------------------------------

    def _deliver(self) -> None:
        """Claim every due notice (this check's and any earlier one's that failed to go out) and deliver them."""
        from .channels import deliver

        token = secrets.token_hex(8)
        claimed: list[tuple[Alert, Notice]] = []
        now = utc_iso(self.now)
        for alert in self.store.alerts(self.tenant.tenant_id):
            if not alert.notice_due or not self.store.claim_notice(alert, token):
                continue
            kind = NoticeKind(alert.notice_due)
            if kind is not NoticeKind.RESOLVED and alert.snoozed(now):
                self.store.notice_delivered(alert, token, f"Not sent: snoozed until {alert.snoozed_until}")
                continue
            claimed.append((alert, Notice(alert, kind)))
        if not claimed:
            return
        reached = {alert.key: tuple(alert.notice_reached) for alert, _ in claimed if alert.notice_reached}
        for delivery in deliver(self.tenant, [notice for _, notice in claimed], metrics=metrics, reached=reached):
            alert = delivery.notice.alert
            if delivery.delivered:
                self.store.notice_delivered(alert, token, delivery.message)
                self.result.notices.append(f"{alert.subject}/{alert.condition}: {delivery.notice.kind.value}")
            else:
                self.store.notice_failed(alert, token, delivery.message, reached=delivery.reached)
