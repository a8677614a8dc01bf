"""The live check of an integration's account (core.live_check), on demand and when it is finished.

``POST …/integrations/{id}/check`` is permitted like a reconfigure (the tenant's admins, and the customer's own
users where the tenant lets that customer self-manage). It never writes to the platform account, never blocks
anything (a check that can't run is a report saying so), and is kept on the integration's configuration log: one
entry with the whole report, and one per assumption refuted or not checked, each with what to do.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..core import live_check
from ..core.integration_record import Integration, IntegrationStatus, configuration_log_key
from ..core.stores import Tenant
from . import catalog
from .base import ServiceBase
from .errors import Conflict, IntegrationDeleted, NotAvailableYet
from .permissions import Operation, Principal


class ConnectionChecks(ServiceBase):
    def check_connection(self, principal: Principal, tenant_id: str, customer_id: str | None,
                         integration_id: str) -> dict[str, Any]:
        tenant = self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        if integration.status is IntegrationStatus.DELETED:
            raise IntegrationDeleted("The integration is deleted", field="integrationId")
        if not integration.credentials:
            raise Conflict("There is no account to check yet", field="authentication",
                           resolution="Save the authentication step first, then check the connection.")
        return self._live_check(tenant, integration, by=principal.subject).to_json()

    def _live_check(self, tenant: Tenant, integration: Integration, *, by: str) -> live_check.Report:
        connector = catalog.connector(integration.type)
        if connector is None:
            raise NotAvailableYet(f"Integration type {integration.type!r} is not installed in this deployment",
                                  field="type", resolution="Contact support: the platform's connector is missing.")
        report = live_check.run(connector, self._credentials(tenant, integration), integration.platform_state)
        self._keep(integration, report, by=by)
        return report

    def _credentials(self, tenant: Tenant, integration: Integration) -> BaseModel:
        """The integration's credentials as its type's step-2 model (sealed at rest; opened for the probes only)."""
        model = self._type(integration.type).credentials_model
        known = {info.alias or name for name, info in model.model_fields.items()}
        opened = self._context(tenant, integration, api_base_url="").credentials
        return model.model_validate({name: opened.reveal(name) for name in opened if name in known})

    def _keep(self, integration: Integration, report: live_check.Report, *, by: str) -> None:
        log, key = self.shared.sync_log, configuration_log_key(integration.integration_id)
        log.append(key, "live-check", report.summary, details={"by": by, "report": report.to_json()})
        for finding in report.findings:
            if finding.outcome in (live_check.Outcome.REFUTED, live_check.Outcome.COULD_NOT_CHECK):
                said = "refuted" if finding.outcome is live_check.Outcome.REFUTED else "could not be checked"
                log.append(key, "live-check", f"{finding.key} {said}: {finding.seen}",
                           error=finding.seen, resolution=finding.means or None)
