"""Integrations in steps (help pages 001 and 003): types, customers with their live count, create, configure a
step, finish, delete.

Configure in steps — (1) name, (2) authentication, (3) order creation, (4) fulfilment — then finish, which starts
the type's triggers and makes the integration live (and billable). Any step can be reconfigured later (credentials
left out keep the stored ones); delete stops the triggers now and the billing from the next week, and keeps the
sync history readable. The frame knows no platform: each :class:`IntegrationType` supplies its step models, its
credentials check and its triggers; the frame validates shapes, checks warehouse fields against the WMS, enforces
the step order and the per-customer name, and writes every change conditionally.

A tenant-level type (``IntegrationType.scope == "tenant"``: a platform serving every customer, such as a TMS) goes
through the same steps under ``/tenants/{t}/integrations``: the methods below take ``customer_id`` None for those,
which only the tenant's admins may reach, and keep its name and account unique per tenant."""

from __future__ import annotations

import uuid
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..core.alerts import signals
from ..core.errors import (
    IntegrationError,
    UpstreamError,
    UpstreamNotFound,
)
from ..core.integration_record import CUSTOMER_SCOPE, TENANT_SCOPE, Integration, IntegrationStatus, LivePeriod
from ..core.integration_types import SHOWN_ONCE, STEPS, IntegrationType, SettingsRejected
from ..core.step_models import warehouse_values
from ..core.stores import Tenant
from ..core.stores.integrations import IntegrationNameTaken
from . import catalog
from .base import STEP_NAMES, as_object
from .connection_checks import ConnectionChecks
from .errors import (
    CheckFailed,
    Conflict,
    IntegrationDeleted,
    InvalidRequest,
    NotAvailableYet,
    NotFound,
    StepOutOfOrder,
    WrongScope,
)
from .health import IntegrationDetailView
from .models import (
    CreateIntegration,
    CustomerList,
    CustomerView,
    IntegrationList,
    IntegrationView,
    NameStep,
    from_request,
)
from .permissions import Operation, Principal, authorize

if TYPE_CHECKING:
    from ..cartoncloud.client import CartonCloudClient


def wms_client(tenant: Tenant) -> CartonCloudClient:
    """The tenant's WMS client. The WMS client and its models are imported on first use: only listing customers,
    naming a new integration's customer and checking warehouses call the WMS, not every management request."""
    from ..cartoncloud.clients import wms_client as tenant_wms_client

    return tenant_wms_client(tenant)


class IntegrationSteps(ConnectionChecks):
    # --- integration types --------------------------------------------------------------------------------------

    def integration_types(self, principal: Principal) -> dict[str, Any]:
        """Every type with its steps' fields, and whether it can go live in this deployment yet."""
        authorize(principal, Operation.READ_TYPES)
        described = []
        for key, integration_type in catalog.types().items():
            connector = catalog.connector(key)
            available = connector is not None and connector.available
            described.append({**integration_type.describe(), "available": available,
                              **({} if available else {"availability": "Not available yet: it can be configured as a "
                                                       "draft, but not finished (nothing would sync)."})})
        return {"types": described}

    # --- customers ----------------------------------------------------------------------------------------------

    def customers(self, principal: Principal, tenant_id: str) -> CustomerList:
        """The tenant's WMS customers with their live-integration count and green dot (one WMS call, one query)."""
        tenant = self._authorized(principal, Operation.READ_CUSTOMERS, tenant_id)
        counts = self.shared.integrations.live_counts(tenant_id)
        allowed = set(tenant.self_managed_customer_ids)
        views = [
            CustomerView(customer_id=customer.id, name=customer.name, live_integrations=counts.get(customer.id, 0),
                         has_live_integrations=counts.get(customer.id, 0) > 0, self_managed=customer.id in allowed)
            for customer in wms_client(tenant).list_customers()
            if principal.is_admin or customer.id == principal.customer_id
        ]
        return CustomerList(customers=sorted(views, key=lambda view: view.name.casefold()))

    # --- integrations -------------------------------------------------------------------------------------------

    def list_integrations(self, principal: Principal, tenant_id: str, customer_id: str | None, *,
                          include_deleted: bool = False) -> IntegrationList:
        """A customer's integrations, or (``customer_id`` None) the tenant's own tenant-level ones."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        store = self.shared.integrations
        listed = store.list_tenant_level(tenant_id) if customer_id is None \
            else store.list_for_customer(tenant_id, customer_id)
        found = [i for i in listed if include_deleted or i.status is not IntegrationStatus.DELETED]
        return IntegrationList(integrations=[IntegrationView.of(i) for i in
                                             sorted(found, key=lambda i: (i.created_at, i.integration_id))])

    def get_integration(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str
                        ) -> IntegrationDetailView:
        """The integration with its health and weekly price (the console's integration view, .health)."""
        tenant = self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        return IntegrationDetailView.detail(self._integration(tenant_id, customer_id, integration_id), tenant)

    def create_integration(self, principal: Principal, tenant_id: str, customer_id: str | None, body: Any
                           ) -> IntegrationView:
        """Step 1: the type and the name. The customer must exist in the tenant's WMS; ``customer_id`` None creates
        a tenant-level integration (its type must be tenant-level, and a customer's type can't be one)."""
        tenant = self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        request = from_request(CreateIntegration, as_object(body))
        known = catalog.types()
        if request.type not in known:
            raise InvalidRequest(f"Unknown integration type {request.type!r}; one of: {', '.join(known)}",
                                 field="type")
        wanted = CUSTOMER_SCOPE if customer_id is not None else TENANT_SCOPE
        if known[request.type].scope != wanted:
            raise self._wrong_scope(tenant_id, request.type, wanted)
        customer_name = ""
        if customer_id is not None:
            try:
                customer_name = wms_client(tenant).get_customer(customer_id).name
            except UpstreamNotFound:
                raise NotFound(f"Customer {customer_id} does not exist in the tenant's WMS", field="customerId",
                               resolution="Use the id of one of the tenant's CartonCloud customers.") from None
        now = self.clock()
        integration = Integration(
            integration_id=str(uuid.uuid4()), tenant_id=tenant_id, customer_id=customer_id or "", scope=wanted,
            type=request.type, name=request.name, status=IntegrationStatus.DRAFT, completed_step=0, created_at=now,
            updated_at=now, customer_name=customer_name,
        )
        try:
            self.shared.integrations.create(integration)
        except IntegrationNameTaken as exc:
            owner = f"Customer {customer_name}" if customer_id is not None else "The tenant"
            raise Conflict(f"{owner} already has an integration named {request.name!r}",
                           field="name", resolution=exc.resolution) from None
        self._audit(integration, principal, "integration.created", f"Created {request.type} integration "
                                                                    f"{request.name!r}")
        return IntegrationView.of(integration)

    @staticmethod
    def _wrong_scope(tenant_id: str, type_key: str, wanted: str) -> WrongScope:
        if wanted == TENANT_SCOPE:
            return WrongScope(f"{type_key} integrations belong to one customer, not to the tenant", field="type",
                              resolution=f"Create it under the customer: POST /tenants/{tenant_id}/customers/"
                                         "{customerId}/integrations.")
        return WrongScope(f"{type_key} integrations belong to the tenant (they serve every customer), not to one "
                          "customer", field="type",
                          resolution=f"A tenant admin creates it with POST /tenants/{tenant_id}/integrations.")

    def configure_step(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str,
                       step: str, body: Any, *, api_base_url: str) -> IntegrationView:
        """Complete or redo one step. A live integration's triggers are restarted with the new settings."""
        tenant = self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        if step not in STEPS:
            raise InvalidRequest(f"Unknown step {step!r}; one of: {STEP_NAMES}", field="step")
        integration = self._integration(tenant_id, customer_id, integration_id)
        if integration.status is IntegrationStatus.DELETED:
            raise IntegrationDeleted("The integration is deleted", field="integrationId")
        index = STEPS.index(step)
        if index > integration.completed_step + 1:
            missing = STEPS[integration.completed_step + 1]
            raise StepOutOfOrder(f"Step {step!r} comes after {missing!r}, which is not complete", field="step")
        integration_type = self._type(integration.type)
        fields = as_object(body)
        now = self.clock()
        changes: dict[str, Any] = {"updated_at": now, "completed_step": max(integration.completed_step, index)}
        if step == "name":
            changes["name"] = from_request(NameStep, fields).name
        elif step == "authentication":
            changes.update(self._authenticate(tenant, integration, integration_type, fields))
        else:
            model = integration_type.order_settings_model if step == "orderCreation" \
                else integration_type.fulfilment_settings_model
            settings = from_request(model, fields)
            self._check_warehouses(tenant, customer_id, settings)
            integration_type.check_settings(self._context(tenant, integration, api_base_url), step, settings)
            key = "order_settings" if step == "orderCreation" else "fulfilment_settings"
            changes[key] = settings.model_dump(by_alias=True, mode="json")
        updated = integration.model_copy(update=changes)
        shown: dict[str, Any] = {}
        if updated.status is IntegrationStatus.LIVE and step != "name":
            facts = dict(integration_type.start(self._context(tenant, updated, api_base_url)))
            shown = facts.pop(SHOWN_ONCE, None) or {}
            updated = updated.model_copy(update={"platform_state": {**updated.platform_state, **facts}})
        saved = self._save(updated, integration)
        if step == "authentication":
            # Checked working just now: a refusal of the credentials they replace is over (its alert resolves at the
            # next check); if these are refused too, the next worker to call says so again.
            signals.clear(tenant.tenant_id, integration.integration_id, signals.CREDENTIALS_REFUSED)
        self._audit(saved, principal, f"integration.step.{step}", f"Step {step!r} saved"
                    + (" and triggers restarted" if saved.status is IntegrationStatus.LIVE and step != "name" else ""))
        return IntegrationView.of(saved, shown_once=shown)

    def _authenticate(self, tenant: Tenant, integration: Integration, integration_type: IntegrationType,
                      fields: dict[str, Any]) -> dict[str, Any]:
        """Merge the fields sent over the stored credentials, check them with a real platform call, seal them."""
        model = integration_type.credentials_model
        known = {field.alias or name for name, field in model.model_fields.items()}
        stored: dict[str, str] = {}
        if integration.credentials:
            opened = self.shared.vault.open(integration.credentials, tenant_id=tenant.tenant_id,
                                            integration_id=integration.integration_id)
            stored = {name: opened.reveal(name) for name in opened if name in known}
        credentials = from_request(model, {**stored, **fields})
        try:
            facts = integration_type.check_credentials(tenant, credentials)
        except UpstreamError as exc:
            # A setup step is interactive: never "retried automatically". Say what to check and change nothing.
            if exc.retryable:
                raise CheckFailed(f"The credentials could not be checked: {exc}", field="authentication") from None
            raise InvalidRequest(f"The credentials could not be used: {exc}", field="authentication",
                                 resolution=exc.resolution) from None
        account = integration_type.account_identity(credentials, facts)
        owner = self.shared.integrations.account_owner(integration.model_copy(update={"account": account}))
        if owner is not None:
            raise self._account_conflict(integration, owner)
        values = {name: str(value) for name, value in credentials.model_dump(by_alias=True, mode="json").items()
                  if value is not None}
        sealed = self.shared.vault.seal(values, tenant_id=tenant.tenant_id, integration_id=integration.integration_id)
        return {"credentials": sealed, "platform_state": {**integration.platform_state, **facts}, "account": account}

    def _check_warehouses(self, tenant: Tenant, customer_id: str | None, settings: BaseModel) -> None:
        """Every warehouse field must name a warehouse the customer may use in the WMS — any of the tenant's for a
        tenant-level integration (one WMS call)."""
        wanted = list(dict.fromkeys(warehouse_values(settings)))
        if not wanted:
            return
        usable = {warehouse.id: warehouse.name for warehouse in wms_client(tenant).list_warehouses(
            customer_id=customer_id)}
        whose = "the tenant's" if customer_id is None else "the customer's"
        for field, warehouse_id in wanted:
            if warehouse_id not in usable:
                names = ", ".join(f"{name} ({wid})" for wid, name in usable.items()) or "none"
                what = "a warehouse of the tenant" if customer_id is None else "one this customer can use"
                raise SettingsRejected(f"Warehouse {warehouse_id} is not {what}",
                                       field=field, resolution=f"Choose one of {whose} warehouses: {names}.")

    def finish(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str, *,
               api_base_url: str) -> IntegrationView:
        """Start the triggers and make the integration live (a new live period: billable from this week). What the
        type's ``start`` hands over once (``shownOnce``) is in this answer only."""
        tenant = self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        if integration.status is IntegrationStatus.DELETED:
            raise IntegrationDeleted("The integration is deleted", field="integrationId")
        if integration.status is IntegrationStatus.LIVE:
            return IntegrationView.of(integration)
        if integration.completed_step < len(STEPS) - 1:
            missing = STEPS[integration.completed_step + 1]
            raise StepOutOfOrder(f"Complete step {missing!r} before finishing", field="step")
        integration_type = self._type(integration.type)
        connector = catalog.connector(integration.type)
        if connector is None or not connector.available:
            raise NotAvailableYet(f"{integration_type.title} sync is not available yet, so the integration can't go "
                                  "live",
                                  field="status", resolution="Keep it as a draft; it can be finished once the "
                                  "platform's connector is available (GET /integration-types says so).")
        owner = self.shared.integrations.account_owner(integration)
        if owner is not None:
            raise self._account_conflict(integration, owner)
        facts = dict(integration_type.start(self._context(tenant, integration, api_base_url)))
        shown = facts.pop(SHOWN_ONCE, None) or {}
        now = self.clock()
        live = integration.model_copy(update={
            "status": IntegrationStatus.LIVE,
            "live_periods": [*integration.live_periods, LivePeriod(start=now)],
            "platform_state": {**integration.platform_state, **facts},
            "updated_at": now,
        })
        try:
            saved = self._save(live, integration)
        except Conflict:
            # Lost a race (the account went live elsewhere, or a concurrent change): take back what start set up.
            with suppress(IntegrationError):
                integration_type.stop(self._context(tenant, live, api_base_url))
            raise
        self._audit(saved, principal, "integration.live", "Finished: triggers started, integration live"
                    + (f" ({', '.join(sorted(shown))} handed over once)" if shown else ""))
        # What the account itself says about what the connector assumes: shown with the answer, kept on the
        # configuration log. Never blocking: the credentials work, and a refuted assumption degrades, never breaks.
        checked = self._live_check(tenant, saved, by=principal.subject)
        return IntegrationView.of(saved, shown_once=shown, live_check=checked.to_json())

    def delete(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str, *,
               api_base_url: str) -> IntegrationView:
        """Stop the triggers now, close the live period (billing stops from next week), forget the credentials.

        The item and its sync history stay (status DELETED). If the platform can't be reached to remove its
        triggers, the integration is deleted anyway and ``stopWarning`` says what to remove by hand; webhooks
        that still arrive for it are refused by its door.
        """
        tenant = self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        if integration.status is IntegrationStatus.DELETED:
            raise IntegrationDeleted("The integration is already deleted", field="integrationId")
        warning = None
        if integration.credentials:
            try:
                self._type(integration.type).stop(self._context(tenant, integration, api_base_url))
            except IntegrationError as exc:
                warning = f"The platform's triggers could not be removed: {exc}. {exc.resolution}"
        now = self.clock()
        deleted = integration.model_copy(update={
            "status": IntegrationStatus.DELETED,
            "live_periods": [period if period.end is not None else LivePeriod(start=period.start, end=now)
                             for period in integration.live_periods],
            "credentials": None,
            # Secrets of the integration's own (a webhook signing secret) go with it; the rest of the history stays.
            "platform_state": {name: value for name, value in integration.platform_state.items()
                               if name not in self._type(integration.type).state_secrets},
            "deleted_at": now,
            "updated_at": now,
        })
        saved = self._save(deleted, integration)
        self._audit(saved, principal, "integration.deleted", "Deleted: triggers stopped, billing ends this week"
                    + (f" ({warning})" if warning else ""))
        return IntegrationView.of(saved, stop_warning=warning)
