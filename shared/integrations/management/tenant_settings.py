"""Tenant settings: WMS credentials (checked with a token call), price, self-managing customers, and the WMS
notification secret (shown once)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..core.alerts import signals
from ..core.alerts.model import AlertThresholds
from ..core.errors import (
    TenantNotFound,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamNotFound,
)
from ..core.http import INTERACTIVE, UpstreamSession
from ..core.stores import Tenant
from .base import WMS_REGIONS, ServiceBase, as_object
from .errors import CheckFailed, InvalidRequest
from .models import (
    TenantSettingsUpdate,
    TenantSettingsView,
    from_request,
)
from .permissions import Operation, Principal, authorize

if TYPE_CHECKING:
    from ..cartoncloud.client import CartonCloudClient


class TenantSettings(ServiceBase):
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
        request = from_request(TenantSettingsUpdate, as_object(body))
        try:  # fresh: what is checked and kept below is what the table holds now, not a warm Lambda's copy
            existing: Tenant | None = self.shared.tenants.get(tenant_id, fresh=True)
        except TenantNotFound:
            existing = None
        alert_values = self._alert_setting_values(request, existing)
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
                except UpstreamError as exc:  # interactive: say what to check, never "retried automatically"
                    raise CheckFailed(f"CartonCloud could not be reached to check the API client: {exc}",
                                      field="wmsBaseUrl") from None
            if request.self_managed_customer_ids:
                customers = {customer.id for customer in client.list_customers()}
                for index, customer_id in enumerate(request.self_managed_customer_ids):
                    if customer_id not in customers:
                        raise InvalidRequest(f"{customer_id} is not a customer of this tenant in CartonCloud",
                                             field=f"selfManagedCustomerIds[{index}]")
        values: dict[str, Any] = {"wmsBaseUrl": base_url}
        if request.name is not None:
            values["name"] = request.name
        if request.self_managed_customer_ids is not None:
            values["selfManagedCustomerIds"] = request.self_managed_customer_ids
        if request.wms_credentials is not None:
            values["wmsCredentials"] = self.shared.vault.seal(
                {"clientId": request.wms_credentials.client_id,
                 "clientSecret": request.wms_credentials.client_secret}, tenant_id=tenant_id)
        price = request.weekly_price_cents
        if existing is None:
            values.setdefault("name", "")
            default = Tenant.model_fields["weekly_price_cents"].default
            values["weeklyPriceCents"] = price if price is not None else default
            values.setdefault("selfManagedCustomerIds", [])
        self.shared.tenants.update(tenant_id, values)
        self.shared.tenants.update_alerts(tenant_id, alert_values)
        if request.wms_credentials is not None:  # checked working just now: a refusal of the old ones is over
            signals.wms_credentials_work(tenant_id)
        if existing is not None and price is not None and price != existing.weekly_price_cents:
            # Kept with its moment, so each week is charged the price in force when it ended (docs/billing.md).
            self.shared.tenants.change_price(tenant_id, price, at=self.clock(), previous=existing.weekly_price_cents)
        return TenantSettingsView.of(self.shared.tenants.get(tenant_id, fresh=True))

    @staticmethod
    def _alert_setting_values(request: TenantSettingsUpdate, existing: Tenant | None) -> dict[tuple[str, ...], Any]:
        """The alert settings sent, as paths under the tenant's ``alerts`` (what is not sent is left alone); the
        thresholds as they will be, checked together: a critical budget share must be above the warning one."""
        sent = request.alerts
        if sent is None:
            return {}
        values: dict[tuple[str, ...], Any] = {}
        if sent.thresholds is not None:
            stored = existing.alerts.thresholds if existing is not None else AlertThresholds()
            changed = sent.thresholds.model_dump(exclude_none=True)
            thresholds = stored.model_copy(update=changed)
            if thresholds.budget_critical_percent <= thresholds.budget_warning_percent:
                field = ("budgetCriticalPercent" if "budget_critical_percent" in changed else "budgetWarningPercent")
                raise InvalidRequest(
                    f"The critical share of a budget ({thresholds.budget_critical_percent} %) must be above the "
                    f"warning one ({thresholds.budget_warning_percent} %)", field=f"alerts.thresholds.{field}",
                    resolution="Set budgetCriticalPercent above budgetWarningPercent (the defaults are 95 and 80).")
            values["thresholds",] = thresholds.model_dump(by_alias=True, mode="json")
        channels = sent.channels
        if channels is not None:
            if channels.emails is not None:
                values["channels", "emails"] = channels.emails
            if channels.webhook_url is not None:
                values["channels", "webhookUrl"] = channels.webhook_url
            if channels.customers_receive_alerts is not None:
                values["channels", "customersReceiveAlerts"] = channels.customers_receive_alerts
        return values

    def new_alert_webhook_secret(self, principal: Principal, tenant_id: str) -> dict[str, Any]:
        """Generate the secret the tenant's alert webhook is signed with, store it sealed, show it once.

        The receiving end (a chat tool's relay, the 3PL's own endpoint) checks each delivery with it, so the 3PL
        must be able to copy it: it is in this answer only, and settings say only ``webhookSecretSet``. Calling again
        replaces it: deliveries from then on are signed with the new one."""
        from ..core.alerts import webhook  # the channel that signs with it (imported on first use)

        tenant = self._authorized(principal, Operation.WRITE_SETTINGS, tenant_id)
        secret = webhook.new_webhook_secret()
        sealed = webhook.seal_webhook_secret(tenant.tenant_id, secret)
        self.shared.tenants.update_alerts(tenant.tenant_id, {("channels", "webhookSecret"): sealed})
        return {"webhookSecret": secret,
                "signing": f"{webhook.SIGNATURE_HEADER}: v1=<hex HMAC-SHA256 of '{{timestamp}}.{{raw body}}'>, "
                           f"{webhook.TIMESTAMP_HEADER}: <unix seconds>"}

    def _wms_client(self, tenant_id: str, base_url: str, request: TenantSettingsUpdate, existing: Tenant | None
                    ) -> CartonCloudClient:
        """A client with the credentials being saved (or the stored ones), not the cached per-tenant client."""
        # Imported on first use: only saving WMS credentials calls the WMS, not every management request.
        from ..cartoncloud.client import UPSTREAM as WMS_UPSTREAM
        from ..cartoncloud.client import CartonCloudClient

        if request.wms_credentials is not None:
            client_id = request.wms_credentials.client_id
            secret = SecretStr(request.wms_credentials.client_secret)
        else:
            assert existing is not None and existing.wms_credentials is not None
            opened = self.shared.vault.open(existing.wms_credentials, tenant_id=tenant_id)
            client_id, secret = opened.reveal("clientId"), opened["clientSecret"]
        return CartonCloudClient(base_url=base_url, tenant_id=tenant_id, client_id=client_id, client_secret=secret,
                                 session=UpstreamSession(WMS_UPSTREAM, policy=INTERACTIVE))
