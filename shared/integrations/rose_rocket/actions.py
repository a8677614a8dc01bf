"""The Rose Rocket type's actions, behind ``RoseRocketActionsFunction`` (openapi/rose-rocket.yaml): what a tenant
admin does with the integration besides its steps. Authenticated with the management API's bearer tokens and
authorised as reading or changing a tenant-level integration (admins only), before anything is read.

- customers: export (CSV), import matches (CSV), list — :mod:`.customers`;
- rotate the webhook URL: a new token, the destination in Rose Rocket updated, the previous URL accepted for
  :data:`~.refs.ROTATION_GRACE_SECONDS`; the new URL is in this answer only;
- rotate the rating credential: a new one (in this answer only), the previous one refused from now on;
- push a consignment ("Send to Rose Rocket"): its current state to its order now (created if missing), answering
  what changed — linked exactly as the exporter links (claim, then bind), so a push racing the exporter makes one
  order.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from ..cartoncloud.clients import wms_client
from ..core.context import core
from ..core.errors import TenantNotFound, UpstreamError, UpstreamNotFound
from ..core.integration_access import seal_secret, sealed_secret
from ..core.integration_record import Integration, IntegrationStatus
from ..core.records import LinkStatus, Origin, RecordRef
from ..core.timeutil import utc_iso, utcnow
from ..management.errors import Conflict, IntegrationDeleted, NotFound
from ..management.permissions import Operation, Principal, authorize_tenant_level
from . import PLATFORM
from .clients import client_for
from .errors import CustomerNotMatched
from .orders import customer_match, order_summary, push
from .refs import (
    ROTATION_GRACE_SECONDS,
    consignment_ref,
    new_rating_credential,
    new_token,
    order_of_link,
    order_ref,
    token_hash,
    webhook_url,
)
from .webhooks import ensure_destination

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def integration_for(principal: Principal, tenant_id: str, integration_id: str, *, changes: bool,
                    live: bool, credentials: bool = True) -> Integration:
    """The tenant's Rose Rocket integration, once ``principal`` may read (or change) it; 409 unless live (or at
    least authenticated) when the action needs it."""
    authorize_tenant_level(principal, Operation.WRITE_INTEGRATIONS if changes else Operation.READ_INTEGRATIONS,
                           tenant_id=tenant_id)
    try:
        core().tenants.get(tenant_id)
    except TenantNotFound:
        raise NotFound(f"Tenant {tenant_id} is not registered", field="tenantId") from None
    found = core().integrations.get(integration_id)
    if found is None or found.tenant_id != tenant_id or found.type != PLATFORM or not found.is_tenant_level:
        raise NotFound(f"No Rose Rocket integration {integration_id} for this tenant", field="integrationId")
    if found.status is IntegrationStatus.DELETED and (changes or live):
        raise IntegrationDeleted("The integration is deleted", field="integrationId")
    if live and found.status is not IntegrationStatus.LIVE:
        raise Conflict("The integration is not live yet", field="integrationId",
                       resolution="Finish the integration's steps first.")
    if credentials and not found.credentials:
        raise Conflict("The integration has no Rose Rocket credentials yet", field="integrationId",
                       resolution="Complete the integration's authentication step first.")
    return found


def rotate_webhook_url(integration: Integration, *, api_base_url: str, by: str) -> dict[str, Any]:
    token = new_token()
    url = webhook_url(api_base_url, integration.integration_id, token)
    state = dict(integration.platform_state)
    until = utcnow() + timedelta(seconds=ROTATION_GRACE_SECONDS)
    registered, note = True, ""
    try:
        destination, done = ensure_destination(client_for(integration, interactive=True), url,
                                               state.get("webhookDestinationId"))
        state["webhookDestinationId"] = destination
    except UpstreamError as exc:
        if exc.retryable:
            raise
        # Registration refused (a role without access to webhooks): the admin enters the URL by hand.
        registered, note, done = False, str(exc), "not registered"
    state.update({"webhookToken": seal_secret(integration, token), "webhookTokenHash": token_hash(token),
                  "previousWebhookTokenHash": state.get("webhookTokenHash"),
                  "previousWebhookTokenValidUntil": utc_iso(until), "webhookRegistered": registered,
                  "apiBaseUrl": api_base_url.rstrip("/"), "webhookRegistration": f"{done} {utc_iso(utcnow())}"})
    stores = core()
    stores.integrations.save(integration.model_copy(update={"platform_state": state, "updated_at": utcnow()}),
                             previous=integration)
    stores.sync_log.append(RecordRef(scope=integration.integration_id, platform="management",
                                     record_type="integration", record_id=integration.integration_id).key,
                           "integration.webhook-url.rotated", f"Webhook URL rotated by {by}; the previous one "
                           f"works until {utc_iso(until)}" + ("" if registered else f" (not registered: {note})"))
    return {"webhookUrl": url, "registered": registered, "previousUrlValidUntil": utc_iso(until),
            **({"registration": note} if note else {})}


def rotate_rating_credential(integration: Integration, *, by: str) -> dict[str, Any]:
    """A new rating credential; the previous one stops working now (a leaked credential reads prices and writes sell
    quotes: no grace — the widget is reconfigured in one place)."""
    credential = new_rating_credential()
    state = {**integration.platform_state, "ratingCredentialHash": token_hash(credential),
             "ratingCredentialRotatedAt": utc_iso(utcnow())}
    stores = core()
    stores.integrations.save(integration.model_copy(update={"platform_state": state, "updated_at": utcnow()}),
                             previous=integration)
    stores.sync_log.append(RecordRef(scope=integration.integration_id, platform="management",
                                     record_type="integration", record_id=integration.integration_id).key,
                           "integration.rating-credential.rotated",
                           f"Rating credential rotated by {by}; the previous one no longer works")
    return {"ratingCredential": credential, "rotatedAt": state["ratingCredentialRotatedAt"]}


def push_consignment(integration: Integration, consignment_id: str, *, by: str) -> dict[str, Any]:
    """Send the consignment's current state to its Rose Rocket order now (created if missing)."""
    wms = wms_client(core().tenants.get(integration.tenant_id))
    try:
        consignment = wms.get_consignment(consignment_id)
    except UpstreamNotFound:
        raise NotFound(f"Consignment {consignment_id} does not exist in the WMS", field="consignmentId") from None
    ref = consignment_ref(integration, consignment_id)
    links = core().links
    link = links.find(ref)
    order_id = order_of_link(link) if link is not None and link.bound else None
    try:
        match = customer_match(integration, consignment, ref.key, wait=False)
    except CustomerNotMatched as exc:
        raise Conflict(str(exc), field="consignmentId", resolution=exc.resolution) from None
    if order_id is not None and client_for(integration, interactive=True).get(order_id) is None:
        raise Conflict(f"Rose Rocket order {order_id}, linked to consignment {consignment_id}, was deleted in Rose "
                       "Rocket", field="consignmentId",
                       resolution="Deletions don't propagate: recreate the order in Rose Rocket by hand, or leave it.")
    pushed = push(integration, consignment, match, order_id=order_id)
    if order_id is None:
        _bind(integration, ref, pushed.order.id, pushed.order.number)
    key = (links.find(ref) or link)
    summary = order_summary(pushed)
    core().sync_log.append(key.key if key is not None else ref.key, "pushed",
                           f"Sent to Rose Rocket by {by}: {pushed.describe()}")
    return {"consignmentId": consignment_id, **summary}


def _bind(integration: Integration, ref: RecordRef, order_id: str, number: str) -> None:
    """Link the consignment to the order as the exporter would: claim, bind (another worker's bind stands)."""
    links = core().links
    token = uuid.uuid4().hex
    claim = links.claim(ref, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
                        origin=Origin.WMS, token=token, stale_before=utc_iso(utcnow() - timedelta(seconds=300)))
    if not claim.won:
        return
    try:
        links.bind(ref, token=token, pointer=order_ref(integration.integration_id, order_id),
                   platform_record_key=order_ref(integration.integration_id, order_id).key,
                   memo={"roseRocketOrderId": order_id, "roseRocketOrderNumber": number}, status=LinkStatus.SYNCED)
    except Exception:
        links.release(ref, token)
        raise


def webhook_url_of(integration: Integration) -> str | None:
    """The URL registered now (for the integration's own log and the local demo; never in an API answer)."""
    token = sealed_secret(integration, "webhookToken")
    base = integration.platform_state.get("apiBaseUrl")
    return webhook_url(str(base), integration.integration_id, token) if token and base else None
