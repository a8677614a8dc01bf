"""Signals: what a worker saw that a check can't read from a record — a platform or the WMS refusing our credentials.

A worker that gets :class:`~integrations.core.errors.UpstreamAuthFailed` reports it here: one write in SyncTable
(``pk = ALERT-SIGNAL#{tenantId}#{subject}``, ``sk = {condition}``; no ``scope``, so no record list shows it), only
on that failure, so a record's path pays nothing. The ``credentials-refused`` check turns it into an alert:

- a platform's refusal (subject: the integration) is re-tested every ``platformCheckMinutes`` with the call a
  person's save makes; when the credentials work again the signal is deleted and the alert resolves;
- the WMS's refusal of the tenant's API client (subject TENANT) is over when the tenant's WMS poll next succeeds
  (:func:`wms_credentials_work`, called by it) or a person saves the API client again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .. import aws
from ..errors import UpstreamAuthFailed, UpstreamError
from ..settings import settings
from ..stores.dynamo import from_item, is_condition_failure, to_item
from ..timeutil import parse_iso, utc_iso, utcnow
from .conditions import CheckContext
from .model import TENANT_SUBJECT, Finding, Level

if TYPE_CHECKING:
    from ..integration_record import Integration
    from ..stores import Tenant

CREDENTIALS_REFUSED = "credentials-refused"


def _key(tenant_id: str, subject: str, condition: str) -> dict[str, Any]:
    return {"pk": {"S": f"ALERT-SIGNAL#{tenant_id}#{subject}"}, "sk": {"S": condition}}


def report_refused_credentials(*, tenant_id: str, integration_id: str | None, exc: UpstreamAuthFailed) -> None:
    """Record that ``exc.upstream`` refused the credentials: the integration's (``integration_id``), or the
    tenant's WMS API client (None)."""
    now = utc_iso(utcnow())
    aws.dynamodb().update_item(
        TableName=settings().sync_table, Key=_key(tenant_id, integration_id or TENANT_SUBJECT, CREDENTIALS_REFUSED),
        UpdateExpression="SET upstream = :upstream, message = :message, lastAt = :now,"
                         " firstAt = if_not_exists(firstAt, :now)",
        ExpressionAttributeValues=to_item({":upstream": exc.upstream, ":message": str(exc)[:500], ":now": now}))


def wms_credentials_work(tenant_id: str) -> None:
    """The WMS accepted the tenant's API client (its poll ran): a refusal reported earlier is over. One delete per
    poll, whether or not there was one (no read first: the same one request either way)."""
    aws.dynamodb().delete_item(TableName=settings().sync_table,
                               Key=_key(tenant_id, TENANT_SUBJECT, CREDENTIALS_REFUSED))


def read(tenant_id: str, subject: str, condition: str) -> dict[str, Any] | None:
    response = aws.dynamodb().get_item(TableName=settings().sync_table, Key=_key(tenant_id, subject, condition),
                                       ConsistentRead=True)
    return from_item(response["Item"]) if "Item" in response else None


def clear(tenant_id: str, subject: str, condition: str, *, seen_at: str | None = None) -> bool:
    """Delete the signal (unless a worker reported it again after ``seen_at``: then it stands)."""
    arguments: dict[str, Any] = {"TableName": settings().sync_table, "Key": _key(tenant_id, subject, condition)}
    if seen_at is not None:
        arguments.update(ConditionExpression="lastAt = :seen", ExpressionAttributeValues={":seen": {"S": seen_at}})
    try:
        aws.dynamodb().delete_item(**arguments)
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def credentials_refused(context: CheckContext) -> Finding | None:
    tenant_id = context.tenant.tenant_id
    subject = context.subject_id or TENANT_SUBJECT
    signal = read(tenant_id, subject, CREDENTIALS_REFUSED)
    if signal is None:
        return None
    upstream = str(signal.get("upstream") or "The platform")
    wms = context.integration is None
    finding = Finding(
        summary=f"{upstream} refused the {'WMS API client' if wms else 'saved credentials'} ({_since(signal)})",
        what_to_do=("Check the WMS API client in Settings (in the WMS: More > Self-Managed Integrations) and save it "
                    "again; records that failed meanwhile can then be retried from each sync log."
                    if wms else
                    f"Open the integration's Authentication step and save working {upstream} credentials (a key may "
                    "have been revoked or lost a permission); then retry the records that need attention."),
        level=Level.CRITICAL)
    if wms:
        return finding
    retested = signal.get("retestedAt")
    every = timedelta(minutes=context.thresholds.platform_check_minutes)
    if retested and context.now - parse_iso(str(retested)) < every:
        return finding
    aws.dynamodb().update_item(TableName=settings().sync_table, Key=_key(tenant_id, subject, CREDENTIALS_REFUSED),
                               UpdateExpression="SET retestedAt = :at", ConditionExpression="attribute_exists(pk)",
                               ExpressionAttributeValues={":at": {"S": utc_iso(context.now)}})
    if credentials_work(context.tenant, context.checked) and clear(
            tenant_id, subject, CREDENTIALS_REFUSED, seen_at=str(signal["lastAt"])):
        return None
    return finding


def credentials_work(tenant: Tenant, integration: Integration) -> bool:
    """Re-test the integration's saved credentials with the call a person's save makes (its type's check). An
    unreachable platform proves nothing either way: the credentials are taken as still refused until a test passes."""
    from ..connectors import get
    from ..integration_access import open_credentials
    from ..integration_types import CredentialsRejected

    connector = get(integration.type)
    if connector is None:
        return False
    kind = connector.load_integration_type()
    model = kind.credentials_model
    opened = open_credentials(integration)
    known = {info.alias or name for name, info in model.model_fields.items()}
    try:
        credentials = model.model_validate({name: opened.reveal(name) for name in opened if name in known})
        kind.check_credentials(tenant, credentials)
    except (CredentialsRejected, UpstreamAuthFailed, UpstreamError, ValueError):
        return False
    return True


def _since(signal: dict[str, Any]) -> str:
    first = signal.get("firstAt")
    try:
        return "since " + parse_iso(str(first)).strftime("%d %b %H:%M UTC") if first else "just now"
    except ValueError:
        return "recently"
