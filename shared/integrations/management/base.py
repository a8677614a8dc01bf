"""What every part of the management service shares: authorise first, then load (a refused request reads nothing
of another tenant's), the configuration history, and helpers for request bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..core.context import Core, core
from ..core.crypto import Credentials
from ..core.errors import TenantNotFound
from ..core.integration_record import Integration, configuration_log_key
from ..core.integration_types import STEPS, IntegrationContext, IntegrationType
from ..core.stores import Tenant
from ..core.stores.integrations import AccountTaken, IntegrationChanged, IntegrationNameTaken
from ..core.timeutil import utcnow
from ..core.weeks import InvalidWeek, IsoWeek
from . import catalog
from .errors import Conflict, InvalidRequest, NotAvailableYet, NotFound
from .permissions import Operation, Principal, authorize, authorize_tenant_level

#: CartonCloud's regions (CC-DOC "Environments"); the deployment's own default (WMS_BASE_URL) is allowed too.
WMS_REGIONS = ("https://api.cartoncloud.com", "https://api.na.cartoncloud.com")
STEP_NAMES = ", ".join(STEPS)


def parse_week(label: str) -> IsoWeek:
    try:
        return IsoWeek.parse(label)
    except InvalidWeek as exc:
        raise InvalidRequest(str(exc), field="week", resolution="Name an ISO week like 2026-W07.") from None


def as_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object", field="body")
    return body


class ServiceBase:
    """Loading and authorising, shared by every part of the service. ``clock`` is injectable so tests can place
    live periods in chosen weeks."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock

    @property
    def shared(self) -> Core:
        return core()

    # --- authorisation and loading ------------------------------------------------------------------------------

    def _tenant(self, tenant_id: str) -> Tenant:
        try:
            return self.shared.tenants.get(tenant_id)
        except TenantNotFound:
            raise NotFound(f"Tenant {tenant_id} is not registered", field="tenantId",
                           resolution="A tenant administrator registers the tenant by saving its settings "
                                      "(PUT /tenants/{tenantId}/settings with the WMS API credentials).") from None

    def _authorized(self, principal: Principal, operation: Operation, tenant_id: str,
                    customer_id: str | None = None) -> Tenant:
        """The tenant, once ``principal`` may do ``operation``: another tenant is refused before anything is read."""
        if principal.tenant_id != tenant_id:
            authorize(principal, operation, tenant_id=tenant_id, customer_id=customer_id)
        tenant = self._tenant(tenant_id)
        authorize(principal, operation, tenant_id=tenant_id, customer_id=customer_id,
                  self_managed_customer_ids=tenant.self_managed_customer_ids)
        return tenant

    def permit(self, principal: Principal, operation: Operation, tenant_id: str, customer_id: str | None = None,
               *, integrations: bool = False) -> None:
        """Refuse now what ``operation`` would refuse (403), so a door asks before it reads a query or a body: a
        caller without permission learns nothing from how its input is validated. ``integrations``: the operation is
        on integrations, ``customer_id`` None meaning the tenant's own (tenant-level)."""
        if operation is Operation.WRITE_SETTINGS:  # the first save registers the tenant: nothing to read yet
            authorize(principal, operation, tenant_id=tenant_id)
        elif integrations:
            self._owner_authorized(principal, operation, tenant_id, customer_id)
        else:
            self._authorized(principal, operation, tenant_id, customer_id)

    def _owner_authorized(self, principal: Principal, operation: Operation, tenant_id: str,
                          customer_id: str | None) -> Tenant:
        """As :meth:`_authorized` for a customer's integrations; ``customer_id`` None means the tenant's own
        (tenant-level) integrations, which only the tenant's admins may read or change."""
        if customer_id is not None:
            return self._authorized(principal, operation, tenant_id, customer_id)
        authorize_tenant_level(principal, operation, tenant_id=tenant_id)
        return self._tenant(tenant_id)

    def _integration(self, tenant_id: str, customer_id: str | None, integration_id: str) -> Integration:
        """The integration, if it is this customer's (``customer_id`` None: the tenant's own, tenant-level)."""
        found = self.shared.integrations.get(integration_id)
        if customer_id is None:
            if found is None or found.tenant_id != tenant_id or not found.is_tenant_level:
                raise NotFound(f"Integration {integration_id} is not a tenant-level integration of this tenant",
                               field="integrationId")
            return found
        if found is None or found.tenant_id != tenant_id or found.is_tenant_level or found.customer_id != customer_id:
            raise NotFound(f"Integration {integration_id} does not exist for this customer", field="integrationId")
        return found

    @staticmethod
    def _type(key: str) -> IntegrationType:
        found = catalog.get(key)
        if found is None:
            raise NotAvailableYet(f"Integration type {key!r} is not installed in this deployment", field="type",
                                  resolution="Contact support: the platform's connector is missing.")
        return found

    def _context(self, tenant: Tenant, integration: Integration, api_base_url: str) -> IntegrationContext:
        credentials = (self.shared.vault.open(integration.credentials, tenant_id=tenant.tenant_id,
                                              integration_id=integration.integration_id)
                       if integration.credentials else Credentials({}))
        return IntegrationContext(tenant=tenant, integration=integration, credentials=credentials,
                                  api_base_url=api_base_url)

    def _save(self, integration: Integration, previous: Integration) -> Integration:
        try:
            return self.shared.integrations.save(integration, previous=previous)
        except IntegrationNameTaken as exc:
            raise Conflict(str(exc), field="name", resolution=exc.resolution) from None
        except IntegrationChanged as exc:
            raise Conflict(str(exc), field="version", resolution=exc.resolution) from None
        except AccountTaken as exc:
            raise self._account_conflict(integration, exc.owner) from None

    def _account_conflict(self, integration: Integration, owner_id: str) -> Conflict:
        """409 naming the live integration that already reaches this platform account for the customer."""
        owner = self.shared.integrations.get(owner_id)
        named = f"{owner.name!r} ({owner_id})" if owner is not None else owner_id
        who = "This tenant" if integration.is_tenant_level else "This customer"
        return Conflict(f"{who} already has a live {integration.type} integration for this account: {named}",
                        field="authentication", resolution="Use the live integration (reconfigure it if needed), or "
                        "delete it before connecting the same account again.")

    def _audit(self, integration: Integration, principal: Principal, event: str, message: str) -> None:
        self.shared.sync_log.append(configuration_log_key(integration.integration_id), event, message,
                                    details={"by": principal.subject, "role": principal.role.value})
