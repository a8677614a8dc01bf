"""Alerts through the API (issue 23, points 2 and 4; docs/alerts.md): the "Needs attention" overview of a tenant or
one customer, an integration's alerts and their history, acknowledge and snooze, and where a customer's own
integrations' alerts go.

The checker (:mod:`integrations.core.alerts.checker`) opens, updates and resolves alerts; people only read them,
acknowledge them ("someone is on it") and snooze them (no reminders until then). Each of those is one conditional
write on an open alert with its history entry, naming who did it (:class:`~integrations.core.alerts.store.AlertStore`).

The overview counts each integration's records needing attention on the sync table's sparse index ``byAttention``
(only links needing attention carry ``attentionScope``): one ``Select=COUNT`` query per integration shown, reading
only the records that need attention (keys, status), at most :data:`MAX_COUNTED` of them; plus one query of the
tenant's alerts. What an overview costs grows with what needs attention, never with how long integrations have run.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ..core import connectors
from ..core.alerts.conditions import count_attention
from ..core.alerts.model import TENANT_SUBJECT, Alert, AlertState
from ..core.alerts.store import AlertStore
from ..core.errors import UpstreamNotFound
from ..core.integration_record import Integration, IntegrationStatus
from ..core.timeutil import utc_iso, utcnow
from . import catalog
from .base import ServiceBase, as_object
from .errors import Conflict, Forbidden, InvalidRequest, NotFound
from .models import CONDITION_PATTERN, MAX_SNOOZE_HOURS, AlertContacts, SnoozeRequest, from_request
from .permissions import Operation, Principal

_CONDITION = re.compile(CONDITION_PATTERN)
#: Records needing attention counted per integration at most (the console says "1,000+" beyond).
MAX_COUNTED = 1000


def condition_titles() -> dict[str, str]:
    """Each condition's name as people read it (the console's filter, an alert's heading): the frame's, the
    tenant's and every installed connector's own."""
    from ..core.alerts.conditions import FRAME_CONDITIONS, TENANT_CONDITIONS

    declared = [*FRAME_CONDITIONS, *TENANT_CONDITIONS]
    for connector in connectors.connectors().values():
        declared += connector.alert_conditions
    return {condition.key: condition.title for condition in declared}


def alert_view(alert: Alert, now: str, titles: dict[str, str]) -> dict[str, Any]:
    """An alert as the console shows it: what happened, what to do, and whether it is snoozed now."""
    return {**alert.to_json(), "customerId": alert.customer_id or None, "snoozed": alert.snoozed(now),
            "conditionTitle": titles.get(alert.condition, alert.condition)}


def needing_attention(integration_id: str) -> int:
    """How many of the integration's records need attention now (dead-lettered ones included), up to
    :data:`MAX_COUNTED` (the alert checks' own count: core.alerts.conditions)."""
    return count_attention(integration_id)


def _newest_first(alerts: list[Alert]) -> list[Alert]:
    """Open before resolved; within each, the most recently changed first."""
    return sorted(alerts, key=lambda a: (a.state is AlertState.OPEN, a.updated_at), reverse=True)


class AlertViews(ServiceBase):
    @property
    def alert_store(self) -> AlertStore:
        return AlertStore(self.shared.settings.alerts_table)

    # --- reading -------------------------------------------------------------------------------------------------

    def alert_overview(self, principal: Principal, tenant_id: str, customer_id: str | None, *,
                       filters: dict[str, str], include_resolved: bool = False,
                       count_records: bool = True) -> dict[str, Any]:
        """"Needs attention": the alerts (open ones, or all with ``include_resolved``) and, per integration not
        deleted, how many of its records need attention now — the tenant's (``customer_id`` None: its admins only) or
        one customer's. ``filters``: ``customerId``, ``platform`` (a type key) and ``condition``, each optional.
        ``count_records`` False: no integration rows (the header's badge: one query of the tenant's alerts)."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        platform = filters.get("platform")
        if platform is not None and platform not in catalog.types():
            raise InvalidRequest(f"Unknown platform {platform!r}; one of: {', '.join(catalog.types())}",
                                 field="platform")
        wanted_customer = customer_id or filters.get("customerId")
        store = self.shared.integrations
        # the tenant's: its customers' integrations and its own (tenant-level) ones
        integrations = [i for i in (store.list_for_customer(tenant_id, customer_id) if customer_id is not None
                                    else store.list_for_tenant(tenant_id))
                        if i.status is not IntegrationStatus.DELETED]
        shown = [i for i in integrations
                 if (wanted_customer is None or i.customer_id == wanted_customer)
                 and (platform is None or i.type == platform)]
        by_id = {i.integration_id: i for i in integrations}
        now = utc_iso(utcnow())
        alerts = [a for a in self.alert_store.alerts(tenant_id)
                  if (include_resolved or a.state is AlertState.OPEN)
                  and self._alert_in_view(a, by_id, customer_id, wanted_customer, platform, filters.get("condition"))]
        open_by_subject: dict[str, int] = {}
        for alert in alerts:
            if alert.state is AlertState.OPEN:
                open_by_subject[alert.subject] = open_by_subject.get(alert.subject, 0) + 1
        rows = [self._integration_row(integration, needing_attention(integration.integration_id),
                                      open_by_subject.get(integration.integration_id, 0))
                for integration in sorted(shown, key=lambda i: (i.customer_name.casefold(), i.name.casefold()))
                if count_records]
        titles = condition_titles()
        return {
            "tenantId": tenant_id, "customerId": customer_id,
            "alerts": [alert_view(a, now, titles) for a in _newest_first(alerts)],
            "integrations": rows,
            # the header's badge: open alerts nobody snoozed
            "openAlerts": sum(1 for a in alerts if a.state is AlertState.OPEN and not a.snoozed(now)),
            "countedUpTo": MAX_COUNTED,
            "conditions": [{"key": key, "title": title} for key, title in sorted(titles.items())],
        }

    @staticmethod
    def _alert_in_view(alert: Alert, integrations: dict[str, Integration], customer_id: str | None,
                       wanted_customer: str | None, platform: str | None, condition: str | None) -> bool:
        if condition is not None and alert.condition != condition:
            return False
        if alert.subject == TENANT_SUBJECT:  # the tenant's WMS link: the tenant's admins, unfiltered, see it
            return customer_id is None and wanted_customer is None and platform is None
        integration = integrations.get(alert.subject)
        owner = integration.customer_id if integration is not None else (alert.customer_id or "")
        if customer_id is not None and owner != customer_id:
            return False
        if wanted_customer is not None and owner != wanted_customer:
            return False
        return platform is None or (integration is not None and integration.type == platform)

    @staticmethod
    def _integration_row(integration: Integration, attention: int, open_alerts: int) -> dict[str, Any]:
        integration_type = catalog.get(integration.type)
        return {
            "integrationId": integration.integration_id,
            "customerId": None if integration.is_tenant_level else integration.customer_id,
            "customerName": None if integration.is_tenant_level else integration.customer_name,
            "name": integration.name, "type": integration.type,
            "platform": integration_type.title if integration_type is not None else integration.type,
            "status": integration.status.value,
            "needsAttention": attention,
            "openAlerts": open_alerts,
        }

    def integration_alerts(self, principal: Principal, tenant_id: str, customer_id: str | None,
                           integration_id: str) -> dict[str, Any]:
        """The integration's alerts (open first) and their history, newest first."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        now = utc_iso(utcnow())
        store = self.alert_store
        alerts = [a for a in store.alerts(tenant_id) if a.subject == integration.integration_id]
        titles = condition_titles()
        return {"integrationId": integration.integration_id,
                "alerts": [alert_view(a, now, titles) for a in _newest_first(alerts)],
                "history": [entry.to_json() for entry in store.history(tenant_id, integration.integration_id)]}

    # --- acting --------------------------------------------------------------------------------------------------

    def acknowledge_alert(self, principal: Principal, tenant_id: str, customer_id: str | None,
                          integration_id: str | None, condition: str) -> dict[str, Any]:
        """Someone is on it: recorded with who. ``integration_id`` None: the tenant-wide alert (admins only)."""
        subject = self._acted_on(principal, tenant_id, customer_id, integration_id, condition)
        done = self.alert_store.acknowledge(tenant_id, subject, condition, by=principal.subject)
        return self._after_action(tenant_id, subject, condition, done)

    def snooze_alert(self, principal: Principal, tenant_id: str, customer_id: str | None,
                     integration_id: str | None, condition: str, body: Any) -> dict[str, Any]:
        """No reminder and no badge until then (the alert stays open, and resolves by itself as ever)."""
        subject = self._acted_on(principal, tenant_id, customer_id, integration_id, condition)
        request = from_request(SnoozeRequest, as_object(body))
        now = utcnow()
        if (request.hours is None) == (request.until is None):
            raise InvalidRequest("Send either hours (1 to 168) or until (a time within 7 days)",
                                 field="until" if request.until is not None else "hours",
                                 resolution='Send {"hours": 24} or {"until": "2026-12-08T09:00:00Z"}.')
        if request.until is not None:
            until = request.until
            if not now < until <= now + timedelta(hours=MAX_SNOOZE_HOURS):
                raise InvalidRequest("until must be a time in the next 7 days", field="until",
                                     resolution="Snooze for at most a week; resolve what causes it instead.")
        else:
            assert request.hours is not None
            until = now + timedelta(hours=request.hours)
        done = self.alert_store.snooze(tenant_id, subject, condition, until=utc_iso(until), by=principal.subject)
        return self._after_action(tenant_id, subject, condition, done)

    def _acted_on(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str | None,
                  condition: str) -> str:
        """The alert's subject, once the caller may act on it and the condition is one a path can name."""
        if integration_id is None:
            self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, None)
            subject = TENANT_SUBJECT
        else:
            self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
            subject = self._integration(tenant_id, customer_id, integration_id).integration_id
        if not _CONDITION.fullmatch(condition):
            raise InvalidRequest("condition must be a condition's name (letters, digits, _ . -)", field="condition")
        return subject

    def _after_action(self, tenant_id: str, subject: str, condition: str, done: bool) -> dict[str, Any]:
        alert = self.alert_store.get(tenant_id, subject, condition)
        if alert is None:
            whose = "tenant" if subject == TENANT_SUBJECT else "integration"
            raise NotFound(f"There is no {condition} alert for this {whose}", field="condition",
                           resolution="Use a condition of one of its alerts (GET …/alerts lists them).")
        if not done or alert.state is not AlertState.OPEN:
            raise Conflict(f"The {condition} alert is resolved: there is nothing to acknowledge or snooze",
                           field="condition", resolution="Nothing to do: it cleared by itself. If it comes back, "
                                                         "it opens again.")
        return alert_view(alert, utc_iso(utcnow()), condition_titles())

    # --- a customer's alert addresses ------------------------------------------------------------------------------

    def alert_contacts(self, principal: Principal, tenant_id: str, customer_id: str) -> dict[str, Any]:
        tenant = self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        channels = tenant.alerts.channels
        return {"customerId": customer_id, "emails": list(channels.customer_emails.get(customer_id, [])),
                "customersReceiveAlerts": channels.customers_receive_alerts}

    def save_alert_contacts(self, principal: Principal, tenant_id: str, customer_id: str, body: Any
                            ) -> dict[str, Any]:
        """Where the customer's own integrations' alerts go. A customer's own user may set them only while the
        tenant lets customers receive alerts; its admins may set them ahead of that."""
        tenant = self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        if not principal.is_admin and not tenant.alerts.channels.customers_receive_alerts:
            raise Forbidden("Your 3PL does not send alerts to its customers", field="customerId",
                            resolution="Ask your 3PL to let customers receive alerts about their own integrations.")
        request = from_request(AlertContacts, as_object(body))
        from .integrations import wms_client  # the WMS client is imported on first use (integrations.wms_client)

        try:
            wms_client(tenant).get_customer(customer_id)
        except UpstreamNotFound:
            raise NotFound(f"Customer {customer_id} does not exist in the tenant's WMS", field="customerId",
                           resolution="Use the id of one of the tenant's CartonCloud customers.") from None
        self.shared.tenants.update_alerts(tenant_id, {("channels", "customerEmails", customer_id): request.emails})
        return self.alert_contacts(principal, tenant_id, customer_id)
