"""The tenant-wide condition ``wms-silent``: no change notification from the WMS for N hours while its orders change.

The WMS's notifications are our fast path; its poll (every 5 minutes per tenant) catches what they miss, so a
tenant whose notifications stopped loses nothing but speed — and nobody would notice. What the check reads:

- the last notification the door accepted: its sync-log entry carries ``notifiedTenant`` (sparse GSI
  ``byTenantNotification``), so the door writes nothing more for it;
- ``wms-changes-seen``: the newest change the WMS poll found (SyncTable, ``pk = ALERT-SIGNAL#{tenantId}#TENANT``,
  written by the poll when it finds changes).

The alert holds when the poll saw a change more than ``notificationSilenceHours`` after the last notification (or,
with none ever, after the poll first saw changes), for a tenant that set up its notification secret.
"""

from __future__ import annotations

from typing import Any

from .. import aws
from ..settings import settings
from ..stores.dynamo import from_item
from ..timeutil import parse_iso
from .conditions import CheckContext, _hours, _moment
from .model import TENANT_SUBJECT, Finding

CHANGES_SEEN = "wms-changes-seen"


def _key(tenant_id: str, note: str) -> dict[str, Any]:
    return {"pk": {"S": f"ALERT-SIGNAL#{tenant_id}#{TENANT_SUBJECT}"}, "sk": {"S": note}}


def notified(tenant_id: str) -> dict[str, str]:
    """What the door's "notification" log entry carries for the index the check reads."""
    return {"notifiedTenant": tenant_id}


def last_notification(tenant_id: str) -> str | None:
    response = aws.dynamodb().query(
        TableName=settings().sync_table, IndexName="byTenantNotification", Limit=1, ScanIndexForward=False,
        KeyConditionExpression="notifiedTenant = :tenant", ExpressionAttributeValues={":tenant": {"S": tenant_id}})
    items = [from_item(item) for item in response["Items"]]
    return str(items[0]["at"]) if items else None


def note_changes_seen(tenant_id: str, newest: str) -> None:
    """The WMS poll found orders changed up to ``newest`` (their modified time)."""
    aws.dynamodb().update_item(
        TableName=settings().sync_table, Key=_key(tenant_id, CHANGES_SEEN),
        UpdateExpression="SET lastAt = :newest, firstAt = if_not_exists(firstAt, :newest)",
        ExpressionAttributeValues={":newest": {"S": newest}})


def _read(tenant_id: str, note: str) -> dict[str, Any] | None:
    response = aws.dynamodb().get_item(TableName=settings().sync_table, Key=_key(tenant_id, note),
                                       ConsistentRead=True)
    return from_item(response["Item"]) if "Item" in response else None


def wms_silent(context: CheckContext) -> Finding | None:
    tenant = context.tenant
    if not tenant.notification_secret:
        return None  # notifications never set up: the poll is the only path, by the tenant's choice
    seen = _read(tenant.tenant_id, CHANGES_SEEN)
    if seen is None:
        return None
    last = last_notification(tenant.tenant_id)
    since = last or str(seen["firstAt"])
    hours = context.thresholds.notification_silence_hours
    if (parse_iso(str(seen["lastAt"])) - parse_iso(since)).total_seconds() <= hours * 3600:
        return None
    return Finding(
        summary=(f"No change notification has come from the WMS since {_moment(since)}, though orders changed "
                 f"after that (last {_moment(str(seen['lastAt']))})" if last else
                 f"No change notification has come from the WMS for over {_hours(hours)} while orders changed"),
        what_to_do="Nothing is lost: the 5-minute check catches every change, only more slowly. Ask your WMS "
                   "provider's support to check the change notifications set up for your account (the address and "
                   "secret in Settings → WMS notifications); generate a new secret there if it may have changed.")
