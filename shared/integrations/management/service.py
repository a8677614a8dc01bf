"""The management frame behind the product's configuration screens (help pages 001 and 003).

Configure in steps — (1) name, (2) authentication, (3) order creation, (4) fulfilment — then finish, which starts
the type's triggers and makes the integration live (and billable). Any step can be reconfigured later (credentials
left out keep the stored ones); delete stops the triggers now and the billing from the next week, and keeps the
sync history readable. The frame knows no platform: each :class:`IntegrationType` supplies its step models, its
credentials check and its triggers; the frame validates shapes, checks warehouse fields against the WMS, enforces
the step order and the per-customer name, and writes every change conditionally.

Every operation authorises first (:mod:`.permissions`), validates second and writes last, so a refused or invalid
request changes nothing.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, SecretStr

from ..cartoncloud.client import UPSTREAM as WMS_UPSTREAM
from ..cartoncloud.client import CartonCloudClient
from ..cartoncloud.services import wms_client
from ..core import aws, retry
from ..core.context import Core, core
from ..core.crypto import Credentials
from ..core.errors import (
    IntegrationError,
    TenantNotFound,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamNotFound,
)
from ..core.http import HttpPolicy, UpstreamSession
from ..core.integration_store import IntegrationChanged, IntegrationNameTaken
from ..core.integration_types import (
    STEPS,
    WMS_WAREHOUSE_MARKER,
    Integration,
    IntegrationContext,
    IntegrationStatus,
    IntegrationType,
    LivePeriod,
    SettingsRejected,
)
from ..core.stores import RecordRef, Tenant, from_item
from ..core.timeutil import utcnow
from ..core.weeks import InvalidWeek, IsoWeek
from . import billing, catalog
from .errors import Conflict, IntegrationDeleted, InvalidRequest, NotAvailableYet, NotFound, StepOutOfOrder
from .models import (
    BillingRunRequest,
    CreateIntegration,
    CustomerList,
    CustomerView,
    IntegrationList,
    IntegrationView,
    NameStep,
    TenantSettingsUpdate,
    TenantSettingsView,
)
from .permissions import Operation, Principal, authorize

#: CartonCloud's regions (CC-DOC "Environments"); the deployment's own default (WMS_BASE_URL) is allowed too.
WMS_REGIONS = ("https://api.cartoncloud.com", "https://api.na.cartoncloud.com")
#: Interactive checks against the WMS fail fast rather than sleep through the workers' retry policy.
WMS_CHECK_POLICY = HttpPolicy(connect_timeout=3.05, read_timeout=10.0, max_attempts=2, max_delay=1.0,
                              max_inline_wait=2.0)
STEP_NAMES = ", ".join(STEPS)


def configuration_log_key(integration_id: str) -> str:
    """The sync-log record holding an integration's configuration history (who changed what, when)."""
    return RecordRef(integration_id, "management", "integration", integration_id).key


def marked_values(schema: Mapping[str, Any], data: Any, *, root: Mapping[str, Any] | None = None, path: str = ""
                  ) -> Iterator[tuple[str, str]]:
    """``(field path, value)`` for every value whose JSON Schema carries :data:`WMS_WAREHOUSE_MARKER`, following
    ``$ref``, ``anyOf``/``oneOf``/``allOf``, object properties, maps and arrays (so nested mappings are found)."""
    root = root or schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        schema = target
    if schema.get(WMS_WAREHOUSE_MARKER) and isinstance(data, str):
        yield path, data
        return
    for keyword in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(keyword, []):
            yield from marked_values(option, data, root=root, path=path)
    if isinstance(data, dict):
        properties = schema.get("properties", {})
        for key, value in data.items():
            sub = properties.get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                yield from marked_values(sub, value, root=root, path=f"{path}.{key}" if path else key)
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(data):
            yield from marked_values(schema["items"], value, root=root, path=f"{path}[{index}]")


def _week(label: str) -> IsoWeek:
    try:
        return IsoWeek.parse(label)
    except InvalidWeek as exc:
        raise InvalidRequest(str(exc), field="week", resolution="Name an ISO week like 2026-W07.") from None


def _as_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object", field="body")
    return body


class ManagementService:
    """Stateless: one per warm Lambda. ``clock`` is injectable so tests can place live periods in chosen weeks."""

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

    def _integration(self, tenant_id: str, customer_id: str, integration_id: str) -> Integration:
        found = self.shared.integrations.get(integration_id)
        if found is None or found.tenant_id != tenant_id or found.customer_id != customer_id:
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

    def _audit(self, integration: Integration, principal: Principal, event: str, message: str) -> None:
        self.shared.sync_log.append(configuration_log_key(integration.integration_id), event, message,
                                    details={"by": principal.subject, "role": principal.role.value})

    # --- integration types --------------------------------------------------------------------------------------

    def integration_types(self, principal: Principal) -> dict[str, Any]:
        authorize(principal, Operation.READ_TYPES)
        return {"types": [integration_type.describe() for integration_type in catalog.types().values()]}

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

    def list_integrations(self, principal: Principal, tenant_id: str, customer_id: str, *,
                          include_deleted: bool = False) -> IntegrationList:
        self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        found = [i for i in self.shared.integrations.list_for_customer(tenant_id, customer_id)
                 if include_deleted or i.status is not IntegrationStatus.DELETED]
        return IntegrationList(integrations=[IntegrationView.of(i) for i in
                                             sorted(found, key=lambda i: (i.created_at, i.integration_id))])

    def get_integration(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str
                        ) -> IntegrationView:
        self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        return IntegrationView.of(self._integration(tenant_id, customer_id, integration_id))

    def create_integration(self, principal: Principal, tenant_id: str, customer_id: str, body: Any
                           ) -> IntegrationView:
        """Step 1: the type and the name. The customer must exist in the tenant's WMS."""
        tenant = self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        request = CreateIntegration.model_validate(_as_object(body))
        known = catalog.types()
        if request.type not in known:
            raise InvalidRequest(f"Unknown integration type {request.type!r}; one of: {', '.join(known)}",
                                 field="type")
        try:
            customer = wms_client(tenant).get_customer(customer_id)
        except UpstreamNotFound:
            raise NotFound(f"Customer {customer_id} does not exist in the tenant's WMS", field="customerId",
                           resolution="Use the id of one of the tenant's CartonCloud customers.") from None
        now = self.clock()
        integration = Integration(
            integration_id=str(uuid.uuid4()), tenant_id=tenant_id, customer_id=customer_id, type=request.type,
            name=request.name, status=IntegrationStatus.DRAFT, completed_step=0, created_at=now, updated_at=now,
            customer_name=customer.name,
        )
        try:
            self.shared.integrations.create(integration)
        except IntegrationNameTaken as exc:
            raise Conflict(f"Customer {customer.name} already has an integration named {request.name!r}",
                           field="name", resolution=exc.resolution) from None
        self._audit(integration, principal, "integration.created", f"Created {request.type} integration "
                                                                    f"{request.name!r}")
        return IntegrationView.of(integration)

    def configure_step(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str,
                       step: str, body: Any, *, api_base_url: str) -> IntegrationView:
        """Complete or redo one step. A live integration's triggers are restarted with the new settings."""
        tenant = self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
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
        fields = _as_object(body)
        now = self.clock()
        changes: dict[str, Any] = {"updated_at": now, "completed_step": max(integration.completed_step, index)}
        if step == "name":
            changes["name"] = NameStep.model_validate(fields).name
        elif step == "authentication":
            changes.update(self._authenticate(tenant, integration, integration_type, fields))
        else:
            model = integration_type.order_settings_model if step == "orderCreation" \
                else integration_type.fulfilment_settings_model
            settings = model.model_validate(fields)
            self._check_warehouses(tenant, customer_id, settings)
            integration_type.check_settings(self._context(tenant, integration, api_base_url), step, settings)
            key = "order_settings" if step == "orderCreation" else "fulfilment_settings"
            changes[key] = settings.model_dump(by_alias=True, mode="json")
        updated = integration.model_copy(update=changes)
        if updated.status is IntegrationStatus.LIVE and step != "name":
            facts = integration_type.start(self._context(tenant, updated, api_base_url))
            updated = updated.model_copy(update={"platform_state": {**updated.platform_state, **facts}})
        saved = self._save(updated, integration)
        self._audit(saved, principal, f"integration.step.{step}", f"Step {step!r} saved"
                    + (" and triggers restarted" if saved.status is IntegrationStatus.LIVE and step != "name" else ""))
        return IntegrationView.of(saved)

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
        credentials = model.model_validate({**stored, **fields})
        try:
            facts = integration_type.check_credentials(tenant, credentials)
        except UpstreamError as exc:
            if exc.retryable:
                raise
            raise InvalidRequest(f"The credentials could not be used: {exc}", field="authentication",
                                 resolution=exc.resolution) from None
        values = {name: str(value) for name, value in credentials.model_dump(by_alias=True, mode="json").items()
                  if value is not None}
        sealed = self.shared.vault.seal(values, tenant_id=tenant.tenant_id, integration_id=integration.integration_id)
        return {"credentials": sealed, "platform_state": {**integration.platform_state, **facts}}

    def _check_warehouses(self, tenant: Tenant, customer_id: str, settings: BaseModel) -> None:
        """Every warehouse field must name a warehouse the customer may use in the WMS (one WMS call)."""
        schema = type(settings).model_json_schema(by_alias=True)
        wanted = list(dict.fromkeys(marked_values(schema, settings.model_dump(by_alias=True, mode="json"))))
        if not wanted:
            return
        usable = {warehouse.id: warehouse.name for warehouse in wms_client(tenant).list_warehouses(
            customer_id=customer_id)}
        for field, warehouse_id in wanted:
            if warehouse_id not in usable:
                names = ", ".join(f"{name} ({wid})" for wid, name in usable.items()) or "none"
                raise SettingsRejected(f"Warehouse {warehouse_id} is not one this customer can use",
                                       field=field, resolution=f"Choose one of the customer's warehouses: {names}.")

    def finish(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str, *,
               api_base_url: str) -> IntegrationView:
        """Start the triggers and make the integration live (a new live period: billable from this week)."""
        tenant = self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        if integration.status is IntegrationStatus.DELETED:
            raise IntegrationDeleted("The integration is deleted", field="integrationId")
        if integration.status is IntegrationStatus.LIVE:
            return IntegrationView.of(integration)
        if integration.completed_step < len(STEPS) - 1:
            missing = STEPS[integration.completed_step + 1]
            raise StepOutOfOrder(f"Complete step {missing!r} before finishing", field="step")
        integration_type = self._type(integration.type)
        facts = integration_type.start(self._context(tenant, integration, api_base_url))
        now = self.clock()
        live = integration.model_copy(update={
            "status": IntegrationStatus.LIVE,
            "live_periods": [*integration.live_periods, LivePeriod(start=now)],
            "platform_state": {**integration.platform_state, **facts},
            "updated_at": now,
        })
        saved = self._save(live, integration)
        self._audit(saved, principal, "integration.live", "Finished: triggers started, integration live")
        return IntegrationView.of(saved)

    def delete(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str, *,
               api_base_url: str) -> IntegrationView:
        """Stop the triggers now, close the live period (billing stops from next week), forget the credentials.

        The item and its sync history stay (status DELETED). If the platform can't be reached to remove its
        triggers, the integration is deleted anyway and ``stopWarning`` says what to remove by hand; webhooks
        that still arrive for it are refused by its door.
        """
        tenant = self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
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
            "deleted_at": now,
            "updated_at": now,
        })
        saved = self._save(deleted, integration)
        self._audit(saved, principal, "integration.deleted", "Deleted: triggers stopped, billing ends this week"
                    + (f" ({warning})" if warning else ""))
        return IntegrationView.of(saved, stop_warning=warning)

    def sync_records(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str, *,
                     limit: int = 50) -> dict[str, Any]:
        """The integration's synced records, newest first (GSI ``byScope``); kept after deletion."""
        self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        response = aws.dynamodb().query(
            TableName=self.shared.settings.sync_table, IndexName="byScope",
            KeyConditionExpression="#scope = :scope", ExpressionAttributeNames={"#scope": "scope"},
            ExpressionAttributeValues={":scope": {"S": integration.integration_id}},
            ScanIndexForward=False, Limit=max(1, min(limit, 200)),
        )
        records = []
        for raw in response["Items"]:
            item = from_item(raw)
            records.append({
                "recordKey": item["pk"], "platform": item.get("platform", ""), "recordType": item.get("recordType", ""),
                "recordId": item.get("recordId", ""), "status": item.get("status", ""),
                "lastError": item.get("lastError") or None, "resolution": item.get("resolution") or None,
                "updatedAt": item.get("updatedAt", ""),
            })
        return {"integrationId": integration.integration_id, "records": records,
                "configurationLogKey": configuration_log_key(integration.integration_id)}

    def sync_entries(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str, *,
                     record: str | None = None) -> dict[str, Any]:
        """One record's link and log, oldest first (default: the integration's configuration history)."""
        self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        key = record or configuration_log_key(integration.integration_id)
        if not key.startswith(f"{integration.integration_id}#"):
            raise InvalidRequest("The record key does not belong to this integration", field="record")
        link, entries = self.shared.sync_log.history(key)
        fields = ("event", "message", "error", "resolution", "attempt", "at")
        return {
            "integrationId": integration.integration_id,
            "recordKey": key,
            "status": (link or {}).get("status"),
            "entries": [{name: entry.get(name) for name in fields if entry.get(name) not in (None, "")}
                        for entry in entries],
        }

    def retry_record(self, principal: Principal, tenant_id: str, customer_id: str, integration_id: str,
                     body: Any) -> dict[str, Any]:
        """Queue again the work a record failed with, after a person fixed the cause (core.retry).

        Only a record of this integration can be retried, and only one that keeps a failed work item
        (``NEEDS_ATTENTION``); the item runs with a fresh idempotency key, so it re-checks everything.
        """
        self._authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        request = _as_object(body)
        key = request.get("record")
        if not isinstance(key, str) or not key:
            raise InvalidRequest("record is required: the recordKey of the record to retry", field="record")
        if not key.startswith(f"{integration.integration_id}#"):
            raise InvalidRequest("The record key does not belong to this integration", field="record")
        catalog.load()  # the platforms register the queues their work goes back to
        try:
            item = retry.retry_from_sync_log(key)
        except retry.NothingToRetry as exc:
            raise Conflict(str(exc), field="record", resolution=exc.resolution) from None
        return {"recordKey": key, "retry": item.idempotency_key, "queued": True}

    # --- billing ------------------------------------------------------------------------------------------------

    def statement(self, principal: Principal, tenant_id: str, week_label: str) -> billing.Statement:
        self._authorized(principal, Operation.READ_STATEMENT, tenant_id)
        return billing.statement(tenant_id, _week(week_label))

    def request_billing_run(self, principal: Principal, tenant_id: str, body: Any) -> dict[str, Any]:
        """Queue this tenant's billing for an ended week (a re-run charges only what is missing)."""
        self._authorized(principal, Operation.RUN_BILLING, tenant_id)
        request = BillingRunRequest.model_validate(_as_object(body))
        week = _week(request.week)
        run_id = billing.new_run_id()
        try:
            queued = billing.schedule_run(week, run_id=run_id, tenant_ids=[tenant_id], now=self.clock())
        except billing.WeekNotEnded as exc:
            raise InvalidRequest(str(exc), field="week", resolution=exc.resolution) from None
        return {"tenantId": tenant_id, "week": str(week), "runId": run_id, "queued": queued}

    # --- tenant settings ----------------------------------------------------------------------------------------

    def new_notification_secret(self, principal: Principal, tenant_id: str, api_base_url: str) -> dict[str, Any]:
        """Generate the secret that signs the WMS's change notifications to us, store it sealed, show it once.

        CartonCloud's webhooks are set up by its integration staff (docs/wms-notifications.md), so the 3PL must be
        able to hand them the secret: it is returned in this response only. Calling again replaces it (rotation):
        notifications signed with the old one are refused from then on.
        """
        tenant = self._authorized(principal, Operation.WRITE_SETTINGS, tenant_id)
        secret = secrets.token_urlsafe(32)
        sealed = self.shared.vault.seal({"secret": secret}, tenant_id=tenant.tenant_id)
        self.shared.tenants.update(tenant.tenant_id, {"notificationSecret": sealed})
        return {
            "notificationSecret": secret,
            "notificationUrl": f"{api_base_url}/wms/{tenant.tenant_id}/notifications",
            "signature": "X-Notification-Signature: v1=<hex HMAC-SHA256 of '{timestamp}.{raw body}'>, "
                         "X-Notification-Timestamp: <unix seconds>",
        }

    def tenant_settings(self, principal: Principal, tenant_id: str) -> TenantSettingsView:
        return TenantSettingsView.of(self._authorized(principal, Operation.READ_SETTINGS, tenant_id))

    def update_tenant_settings(self, principal: Principal, tenant_id: str, body: Any) -> TenantSettingsView:
        """Save the tenant's settings; the first save registers the tenant (WMS API credentials required).

        New WMS credentials, or a new region, are checked with a token call; self-managing customers must be
        customers of the tenant in the WMS.
        """
        authorize(principal, Operation.WRITE_SETTINGS, tenant_id=tenant_id)
        request = TenantSettingsUpdate.model_validate(_as_object(body))
        try:
            existing: Tenant | None = self.shared.tenants.get(tenant_id)
        except TenantNotFound:
            existing = None
        if request.wms_credentials is None and (existing is None or not existing.wms_credentials):
            raise InvalidRequest("The WMS API credentials are required to register the tenant",
                                 field="wmsCredentials",
                                 resolution="Send wmsCredentials.clientId and clientSecret from CartonCloud: More > "
                                            "Self-Managed Integrations.")
        base_url = (request.wms_base_url or (existing.wms_base_url if existing else "")
                    or self.shared.settings.wms_base_url).rstrip("/")
        allowed = {*WMS_REGIONS, self.shared.settings.wms_base_url.rstrip("/")}
        if (request.wms_base_url is not None or existing is None) and base_url not in allowed:
            raise InvalidRequest(f"{base_url} is not a CartonCloud region", field="wmsBaseUrl",
                                 resolution=f"Use one of: {', '.join(sorted(allowed))}.")
        checked = request.wms_credentials is not None or (existing is not None and base_url != existing.wms_base_url)
        if checked or request.self_managed_customer_ids:
            client = self._wms_client(tenant_id, base_url, request, existing)
            if checked:
                try:
                    client.check_credentials()
                except (UpstreamAuthFailed, UpstreamNotFound) as exc:
                    field = "wmsCredentials.clientSecret" if isinstance(exc, UpstreamAuthFailed) else "wmsBaseUrl"
                    raise InvalidRequest(f"CartonCloud refused the API client: {exc}", field=field,
                                         resolution="Copy the client id and secret again from CartonCloud: More > "
                                                    "Self-Managed Integrations, and check the region.") from None
            if request.self_managed_customer_ids:
                customers = {customer.id for customer in client.list_customers()}
                for index, customer_id in enumerate(request.self_managed_customer_ids):
                    if customer_id not in customers:
                        raise InvalidRequest(f"{customer_id} is not a customer of this tenant in CartonCloud",
                                             field=f"selfManagedCustomerIds[{index}]")
        values: dict[str, Any] = {"wmsBaseUrl": base_url}
        if request.name is not None:
            values["name"] = request.name
        if request.weekly_price_cents is not None:
            values["weeklyPriceCents"] = request.weekly_price_cents
        if request.self_managed_customer_ids is not None:
            values["selfManagedCustomerIds"] = request.self_managed_customer_ids
        if request.wms_credentials is not None:
            values["wmsCredentials"] = self.shared.vault.seal(
                {"clientId": request.wms_credentials.client_id,
                 "clientSecret": request.wms_credentials.client_secret}, tenant_id=tenant_id)
        if existing is None:
            values.setdefault("name", "")
            values.setdefault("weeklyPriceCents", Tenant.model_fields["weekly_price_cents"].default)
            values.setdefault("selfManagedCustomerIds", [])
        self.shared.tenants.update(tenant_id, values)
        return TenantSettingsView.of(self.shared.tenants.get(tenant_id))

    def _wms_client(self, tenant_id: str, base_url: str, request: TenantSettingsUpdate, existing: Tenant | None
                    ) -> CartonCloudClient:
        """A client with the credentials being saved (or the stored ones), not the cached per-tenant client."""
        if request.wms_credentials is not None:
            client_id = request.wms_credentials.client_id
            secret = SecretStr(request.wms_credentials.client_secret)
        else:
            assert existing is not None and existing.wms_credentials is not None
            opened = self.shared.vault.open(existing.wms_credentials, tenant_id=tenant_id)
            client_id, secret = opened.reveal("clientId"), opened["clientSecret"]
        return CartonCloudClient(base_url=base_url, tenant_id=tenant_id, client_id=client_id, client_secret=secret,
                                 session=UpstreamSession(WMS_UPSTREAM, policy=WMS_CHECK_POLICY))

