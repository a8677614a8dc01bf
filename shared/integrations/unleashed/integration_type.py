"""The ``unleashed`` integration type: what the management API asks for and does at each step (help page 001).

- *Authentication* (:meth:`UnleashedType.check_credentials`): one signed read of one sales order (a wrong pair → 403
  → a 400 naming ``apiKey``), then the organisation (``GET /Companies``: its name and time zone, kept as facts).
  Unleashed down or unreachable is the frame's ``422`` "could not check" (a setup step is never "retried
  automatically"); any other refusal is a 400 naming ``apiId``;
- *Order creation*: warehouse fields are marked ``x-wms-warehouse``, so the frame checks the customer may use them;
- *Finish* / *reconfigure* (:meth:`UnleashedType.start`): our webhook subscription (idempotent); when the account's 5
  are taken, or the subscription API answers otherwise than we expect (its shape is our guess), the integration
  goes live on polling alone and its notices and configuration log say why and what to do;
- *Delete* (:meth:`UnleashedType.stop`): our subscription is removed (tolerating one already gone, or no API);
- *Live check* (:meth:`UnleashedType.check_live`, :mod:`.live_check`): read-only probes of every assumption.

One live integration per Unleashed account per customer: the account is the API ID (one per account, never
changed), given to the frame as a digest (:meth:`UnleashedType.account_identity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, SecretStr

from ..core.context import core
from ..core.errors import UpstreamAuthFailed, UpstreamError, UpstreamNotFound, UpstreamRejected
from ..core.http import INTERACTIVE
from ..core.integration_access import credential, seal_secret
from ..core.integration_record import Integration
from ..core.integration_types import CredentialsRejected, IntegrationContext, IntegrationType, Notice
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow
from . import PLATFORM, usage
from .client import UnleashedClient
from .dates import organisation_zone
from .errors import API_ACCESS
from .refs import delivery_url, integration_ref, usage_ref
from .settings import UnleashedCredentials, UnleashedFulfilment, UnleashedOrderCreation, signing_key
from .webhooks import FREE_A_SLOT, ensure_subscription, remove_subscriptions

if TYPE_CHECKING:
    from ..core.live_check import Finding

logger = Logger(child=True)


def interactive_client(api_id: str, api_key: str) -> UnleashedClient:
    """A client for calls made while a person waits: fewer, shorter tries (core.http.INTERACTIVE)."""
    return UnleashedClient(api_id=api_id, api_key=SecretStr(api_key), policy=INTERACTIVE)


def discover(credentials: UnleashedCredentials) -> dict[str, Any]:
    client = interactive_client(credentials.api_id, credentials.api_key)
    with usage.counted(client.account):
        try:
            client.check()
        except UpstreamAuthFailed as exc:
            raise CredentialsRejected(
                f"Unleashed refused the API ID and key ({exc.status})", field="apiKey",
                resolution=f"Copy the API ID and API Key again from {API_ACCESS} (only the account owner sees "
                           "them): both must be from the same Unleashed account.") from None
        except UpstreamError as exc:
            if exc.retryable:
                raise  # down or unreachable: the frame's 422, saying what to check
            raise CredentialsRejected(
                f"The credentials could not be checked with Unleashed: {exc}", field="apiId",
                resolution="Unleashed did not answer as expected. Check https://status.unleashedsoftware.com, then "
                           "save this step again (a setup step is not retried automatically).") from None
        try:
            company = client.company()
        except (UpstreamNotFound, UpstreamRejected):
            company = None  # the time zone then defaults to UTC (said in the facts)
        except UpstreamError as exc:
            if exc.retryable:
                raise
            raise CredentialsRejected(
                f"Unleashed accepted the key but could not answer for the organisation: {exc}", field="apiId",
                resolution="Save this step again in a few minutes (it is not retried automatically).") from None
    zone_name = company.TimeZone if company is not None else None
    _, recognised = organisation_zone(zone_name)
    return {
        "account": client.account,
        "companyName": company.CompanyName if company is not None else None,
        "timeZone": zone_name,
        "timeZoneRecognised": recognised,
        "credentialsCheckedAt": utc_iso(utcnow()),
    }


class UnleashedType(IntegrationType):
    key: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Unleashed"
    credentials_model: ClassVar[type[BaseModel]] = UnleashedCredentials
    order_settings_model: ClassVar[type[BaseModel]] = UnleashedOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = UnleashedFulfilment
    state_secrets: ClassVar[tuple[str, ...]] = ("webhookSigningKey",)

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        """The Unleashed account: its API ID, as a digest (the ID is half of the account's credentials)."""
        api_id = getattr(credentials, "api_id", None)
        return f"unleashed:{usage.account_of(api_id)}" if api_id else None

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        model = credentials if isinstance(credentials, UnleashedCredentials) else \
            UnleashedCredentials.model_validate(credentials.model_dump())
        return discover(model)

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        integration = context.integration
        state = integration.platform_state
        client = interactive_client(credential(context.credentials, "apiId"), credential(context.credentials,
                                                                                          "apiKey"))
        url = delivery_url(context.api_base_url, integration.integration_id)
        with usage.counted(client.account):
            registration = ensure_subscription(client, url=url, known_id=state.get("webhookSubscriptionId"),
                                               known_key=signing_key(integration),
                                               integration_id=integration.integration_id)
        stores = core()
        facts: dict[str, Any] = {
            "deliveryUrl": url,
            "webhooks": registration.status,
            "webhookSubscriptionId": registration.subscription_id,
            "webhookNote": registration.note,
            "webhookReason": registration.reason,
            "webhookResolution": registration.resolution,
            "usageRecord": usage_ref(integration.integration_id).key,
            "startedAt": utc_iso(utcnow()),
        }
        if registration.signing_key is None:
            facts["webhookSigningKey"] = None
        elif registration.signing_key != signing_key(integration):
            facts["webhookSigningKey"] = seal_secret(integration, registration.signing_key)
        webhooks_log = integration_ref(integration.integration_id, "webhooks").key
        if registration.note:
            from ..core.integration_record import configuration_log_key

            for key in (configuration_log_key(integration.integration_id), webhooks_log):
                stores.sync_log.append(key, "webhooks-unavailable", registration.note,
                                       resolution=registration.resolution or FREE_A_SLOT)
        else:
            stores.sync_log.append(webhooks_log, "webhooks", "Subscribed to salesorder.created and salesorder.updated "
                                   f"at {url} (subscription {registration.subscription_id})")
        stores.integrations.forget(integration.integration_id)
        return facts

    def notices(self, integration: Integration) -> list[Notice]:
        note = integration.platform_state.get("webhookNote")
        if not note:
            return []
        state = integration.platform_state
        return [Notice(message=note,  # it says the integration runs on polling alone, and why
                       resolution=state.get("webhookResolution") or FREE_A_SLOT)]

    def stop(self, context: IntegrationContext) -> None:
        integration = context.integration
        url = integration.platform_state.get("deliveryUrl") or delivery_url(context.api_base_url,
                                                                            integration.integration_id)
        client = interactive_client(credential(context.credentials, "apiId"), credential(context.credentials,
                                                                                          "apiKey"))
        # A revoked key can't clean up: leftover deliveries get 410 from our door from now on.
        with usage.counted(client.account), suppress(UpstreamAuthFailed, UpstreamNotFound):
            remove_subscriptions(client, url=url)
        core().integrations.forget(integration.integration_id)

    def check_live(self, credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
        from .live_check import probe

        model = credentials if isinstance(credentials, UnleashedCredentials) else \
            UnleashedCredentials.model_validate(credentials.model_dump())
        client = interactive_client(model.api_id, model.api_key)
        findings: list[Finding] = []
        refused: UpstreamAuthFailed | None = None
        try:
            with usage.counted(client.account):  # a configuration-time call: counted, never refused
                try:
                    findings = probe(client, platform_state)
                except UpstreamAuthFailed as exc:
                    refused = exc  # said for the whole check by core.live_check, once the calls are counted
        except (BotoCoreError, ClientError):
            # Adding the calls to the month's count needs our AWS account, which the command line run by an operator
            # may not reach: what the account answered still stands.
            logger.warning("The live check's Unleashed calls could not be added to the month's count",
                           extra={"account": client.account})
        if refused is not None:
            raise refused
        return findings


INTEGRATION_TYPE = UnleashedType()
