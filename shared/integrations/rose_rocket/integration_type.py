"""The ``rose_rocket`` integration type: a tenant-level integration (one Rose Rocket organisation serves every
customer of the 3PL), configured by tenant admins under ``/tenants/{t}/integrations``.

- *Authentication* (:meth:`RoseRocketType.check_credentials`): a real token request for the service account
  (client credentials + ``org_id`` + ``user_id``), then the organisation's order and customer boards (searches go
  through them). A refusal names the field Rose Rocket's answer points at; Rose Rocket not answering propagates
  (the frame's 422 "Could not check").
- *Finish* / *reconfigure* (:meth:`RoseRocketType.start`): the webhook URL's token and the rating credential (what
  the Rose Rocket widget sends to rate orders) are made once and handed over in the finishing answer
  (``shownOnce.webhookUrl``, ``shownOnce.ratingCredential``; only their hashes — and the token, sealed — are kept),
  and the URL is registered as a ``webhookDestination`` through the API
  (idempotent: kept, updated or created again). If Rose Rocket refuses the registration (a role without access to
  webhooks), the integration still goes live and the URL is for the admin to enter in Rose Rocket → Settings → API
  Settings → Webhooks; the poller on ``updatedAt`` keeps orders flowing either way.
- *Delete* (:meth:`RoseRocketType.stop`): the destination is deleted (one already gone is fine).
- *Actions*: export the WMS customers (CSV), import matches (CSV), list matched and unmatched customers, rotate the
  webhook URL, rotate the rating credential, push one consignment now (docs/rose-rocket.md "Actions").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, SecretStr

from ..core.errors import UpstreamAuthFailed, UpstreamError
from ..core.integration_access import seal_secret, sealed_secret
from ..core.integration_record import TENANT_SCOPE, Scope
from ..core.integration_types import SHOWN_ONCE, CredentialsRejected, IntegrationContext, IntegrationType
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow
from ..core.type_actions import ActionRequest, ActionResponse, TypeAction
from . import PLATFORM
from .clients import client_for, new_client
from .models import RoseRocketCredentials, RoseRocketFulfilment, RoseRocketOrderCreation
from .refs import new_rating_credential, new_token, token_hash, webhook_url
from .webhooks import ensure_destination, remove_destination

if TYPE_CHECKING:
    from ..core.live_check import Finding

CREDENTIALS_RESOLUTION = ("In Rose Rocket → Settings → API Settings → OAuth Applications, copy the client ID and "
                          "secret again (a rotated secret retires the old one at once), and check the organisation id "
                          "and the service account's user id.")
JSON, CSV = ActionResponse(content_type="application/json"), ActionResponse(content_type="text/csv")

ACTIONS: tuple[TypeAction, ...] = (
    TypeAction(key="export-customers", title="Export customers", method="GET", path="customers/export",
               response=CSV, requires_live=False,
               description="The tenant's WMS customers as a CSV (Customer Name, Customer UUID), the shape Rose "
                           "Rocket's customer import takes."),
    TypeAction(key="import-matches", title="Import customer matches", method="POST", path="customer-matches",
               request=ActionRequest(content_type="text/csv"), response=JSON, requires_live=False,
               description="A CSV with the columns Rose Rocket Customer (its CUST- number or id) and Customer UUID "
                           "(Customer Name optional; rows without a Rose Rocket customer are skipped). Every row is "
                           "checked first: unknown UUIDs, unknown Rose Rocket customers and duplicates are reported "
                           "by row and nothing is applied; otherwise the matches replace the stored ones for those "
                           "customers, are written to each Rose Rocket customer's externalId, and records waiting "
                           "for them go across."),
    TypeAction(key="list-matches", title="Matched and unmatched customers", method="GET", path="customer-matches",
               response=JSON, requires_live=False,
               description="The customers matched, and those unmatched on each side."),
    TypeAction(key="rotate-webhook-url", title="Rotate the webhook URL", method="POST", path="webhook-url",
               response=JSON,
               description="A new webhook URL (shown once), registered in Rose Rocket; the previous one keeps working "
                           "for 15 minutes."),
    TypeAction(key="rotate-rating-credential", title="Rotate the rating credential", method="POST",
               path="rating-credential", response=JSON,
               description="A new credential for the Rose Rocket rating widget (shown once); the previous one stops "
                           "working at once."),
    TypeAction(key="push-consignment", title="Send to Rose Rocket", method="POST",
               path="consignments/{consignmentId}/push",
               parameters={"type": "object", "required": ["consignmentId"],
                           "properties": {"consignmentId": {"type": "string", "description": "The WMS consignment "
                                                            "id (a UUID)"}}},
               response=JSON,
               description="Send the consignment's current state to its Rose Rocket order now (created if missing), "
                           "answering what changed."),
)


def rejected_field(exc: UpstreamError) -> str:
    """The credential Rose Rocket's refusal points at (its Auth0 answer names ``org_id`` or ``user_id``)."""
    text = str(exc).lower()
    if "user_id" in text:
        return "serviceAccountUserId"
    if "org_id" in text:
        return "orgId"
    return "clientSecret"


class RoseRocketType(IntegrationType):
    key: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Rose Rocket"
    scope: ClassVar[Scope] = TENANT_SCOPE
    credentials_model: ClassVar[type[BaseModel]] = RoseRocketCredentials
    order_settings_model: ClassVar[type[BaseModel]] = RoseRocketOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = RoseRocketFulfilment
    #: The sealed webhook token, and the rating credential's hash (gone with the integration: rating refused).
    state_secrets: ClassVar[tuple[str, ...]] = ("webhookToken", "ratingCredentialHash")
    actions: ClassVar[tuple[TypeAction, ...]] = ACTIONS

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        model = credentials if isinstance(credentials, RoseRocketCredentials) else \
            RoseRocketCredentials.model_validate(credentials.model_dump())
        client = new_client(model.client_id, SecretStr(model.client_secret), model.org_id,
                            model.service_account_user_id, rate=60, interactive=True)
        try:
            client.token(refresh=True)
            boards = {key: client.boards(key) for key in ("order", "customer")}
        except UpstreamAuthFailed as exc:
            raise CredentialsRejected(f"Rose Rocket refused the credentials: {exc}", field=rejected_field(exc),
                                      resolution=CREDENTIALS_RESOLUTION) from None
        except UpstreamError as exc:
            if exc.retryable:
                raise  # down or unreachable: the frame's 422 "could not check"
            raise CredentialsRejected(f"Rose Rocket could not check the credentials: {exc}", field="clientId",
                                      resolution=CREDENTIALS_RESOLUTION) from None
        missing = [key for key, found in boards.items() if not found]
        if missing:
            raise CredentialsRejected(
                f"The service account sees no {' or '.join(missing)} board in Rose Rocket",
                field="serviceAccountUserId",
                resolution="Give the service account a role that can see the organisation's orders and customers "
                           "(Rose Rocket → Settings → Roles and Permissions), then save this step again.")
        return {"ordersBoardId": boards["order"][0]["id"], "customersBoardId": boards["customer"][0]["id"],
                "credentialsCheckedAt": utc_iso(utcnow())}

    def check_live(self, credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
        """Read-only probes of the organisation against the connector's assumptions (:mod:`.live`)."""
        from .live import check_live

        return check_live(credentials, platform_state)

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        """The organisation: one live Rose Rocket integration per organisation per tenant."""
        return str(getattr(credentials, "org_id", "")) or None

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        integration = context.integration
        token = sealed_secret(integration, "webhookToken")
        facts: dict[str, Any] = {}
        shown: dict[str, str] = {}
        if not token:  # the first start: the URL is made now and handed over once
            token = new_token()
            facts.update({"webhookToken": seal_secret(integration, token), "webhookTokenHash": token_hash(token)})
        if not integration.platform_state.get("ratingCredentialHash"):  # likewise the widget's credential
            credential = new_rating_credential()
            facts["ratingCredentialHash"] = token_hash(credential)
            shown["ratingCredential"] = credential
        url = webhook_url(context.api_base_url, integration.integration_id, token)
        facts["apiBaseUrl"] = context.api_base_url.rstrip("/")
        client = client_for(integration, interactive=True)
        try:
            destination, done = ensure_destination(client, url, integration.platform_state.get("webhookDestinationId"))
            facts.update({"webhookDestinationId": destination, "webhookRegistered": True,
                          "webhookRegistration": f"{done} {utc_iso(utcnow())}"})
        except UpstreamError as exc:
            if exc.retryable:
                raise
            facts.update({"webhookRegistered": False, "webhookRegistration": "; ".join(messages_of_error(exc))})
        if "webhookTokenHash" in facts:
            shown["webhookUrl"] = url
        return {**facts, **({SHOWN_ONCE: shown} if shown else {})}

    def stop(self, context: IntegrationContext) -> None:
        """Delete our webhook destination in Rose Rocket; one already deleted there is fine."""
        remove_destination(client_for(context.integration, interactive=True),
                           context.integration.platform_state.get("webhookDestinationId"))


def messages_of_error(exc: UpstreamError) -> list[str]:
    return [str(e.get("message")) for e in getattr(exc, "errors", []) if e.get("message")] or [str(exc)]


INTEGRATION_TYPE = RoseRocketType()
