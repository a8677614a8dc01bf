"""What the console shows about one integration beyond its configuration (issue 15, point 3): when its platform last
reached us, when a record last synced, how many records need attention, when the safety-net poll last ran, and the
weekly price it is billed at.

Read-only and bounded, so the view costs the same however long an integration has run: one query of its newest
records (GSI ``byScope``, keys and status only), one short query of the newest entries of each of the few most
recent records (webhook entries are written on the record a webhook names), and one cursor read for a connector
that polls. The figures are over that window, and the answer says how large it was.
"""

from __future__ import annotations

from typing import Any

from ..core import aws
from ..core.context import core
from ..core.integration_record import Integration
from ..core.poller import IntegrationPoller
from ..core.stores import Tenant, from_item
from . import catalog
from .models import IntegrationView

#: Newest records read for "needs attention" and "last synced".
RECENT_RECORDS = 100
#: Of those, the newest whose logs are searched for the last webhook received …
WEBHOOK_PROBE_RECORDS = 10
#: … reading this many of each one's newest entries.
ENTRIES_PER_RECORD = 20
#: Records of the integration itself (its webhooks, polls, API usage), not synced business records.
INTEGRATION_RECORD = "integration"


class IntegrationDetailView(IntegrationView):
    """``GET …/integrations/{id}``: the integration, with its health and the price it is billed at."""

    health: dict[str, Any]
    #: The tenant's weekly price per integration (what finishing this integration costs a week).
    weekly_price_cents: int
    #: Which platform account it is connected to, as people name it (issue 24): None until credentials are checked.
    connected_account: dict[str, str] | None = None

    @classmethod
    def detail(cls, integration: Integration, tenant: Tenant) -> IntegrationDetailView:
        return cls(**IntegrationView.of(integration).model_dump(), health=health_of(integration),
                   weekly_price_cents=tenant.weekly_price_cents, connected_account=connected_account(integration))


#: Where what checking the credentials recorded (``platform_state``) names the account: its address, its name.
_ADDRESS_FACTS = ("home", "storeUrl")
_NAME_FACTS = ("companyName", "storeName", "organisationName", "accountName")


def connected_account(integration: Integration) -> dict[str, str] | None:
    """``{"address"?, "name"?}``: the store's URL, the company's name — non-secret facts the credentials check
    recorded, or the account the integration is known by when that is an address. Digests and ids are never shown:
    None when nothing names the account in people's terms."""
    state = integration.platform_state
    address = next((value for value in (*(state.get(key) for key in _ADDRESS_FACTS), integration.account)
                    if isinstance(value, str) and value.startswith(("https://", "http://"))), None)
    name = next((value for value in (state.get(key) for key in _NAME_FACTS) if isinstance(value, str) and value),
                None)
    account = {key: value for key, value in (("address", address), ("name", name)) if value}
    return account or None


def health_of(integration: Integration) -> dict[str, Any]:
    connector = catalog.connector(integration.type)
    records = _recent_records(integration.integration_id)
    synced = [r for r in records if r["recordType"] != INTEGRATION_RECORD and r["status"] == "SYNCED"]
    receives_webhooks = connector is not None and bool(connector.doors)
    poller = connector.load_poller() if connector is not None else None
    return {
        "receivesWebhooks": receives_webhooks,
        "lastWebhookAt": _last_webhook(records) if receives_webhooks else None,
        "lastSyncedAt": synced[0]["updatedAt"] if synced else None,
        "needsAttention": sum(1 for r in records if r["status"] == "NEEDS_ATTENTION"),
        "recordsChecked": len(records),
        "readsFromPlatform": poller is not None,
        "poll": _poll(poller, integration) if isinstance(poller, IntegrationPoller) else None,
    }


def _recent_records(integration_id: str) -> list[dict[str, Any]]:
    response = aws.dynamodb().query(
        TableName=core().settings.sync_table, IndexName="byScope",
        KeyConditionExpression="#scope = :scope", ExpressionAttributeValues={":scope": {"S": integration_id}},
        ProjectionExpression="pk, recordType, #status, updatedAt",
        ExpressionAttributeNames={"#scope": "scope", "#status": "status"},
        ScanIndexForward=False, Limit=RECENT_RECORDS,
    )
    return [{"key": item["pk"], "recordType": item.get("recordType", ""), "status": item.get("status", ""),
             "updatedAt": item.get("updatedAt", "")} for item in map(from_item, response["Items"])]


def _last_webhook(records: list[dict[str, Any]]) -> str | None:
    """The newest ``webhook`` entry in the logs of the most recently updated records (a webhook queues a re-fetch
    of its record, which updates the record's link, so a recent delivery is on a recent record)."""
    newest: str | None = None
    probed = [r for r in records if r["recordType"] != INTEGRATION_RECORD][:WEBHOOK_PROBE_RECORDS]
    for record in probed:
        response = aws.dynamodb().query(
            TableName=core().settings.sync_table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :log)",
            ExpressionAttributeValues={":pk": {"S": record["key"]}, ":log": {"S": "LOG#"}},
            ProjectionExpression="#event, #at", ExpressionAttributeNames={"#event": "event", "#at": "at"},
            ScanIndexForward=False, Limit=ENTRIES_PER_RECORD,
        )
        at = next((e["at"] for e in map(from_item, response["Items"]) if e.get("event") == "webhook"), None)
        if at is not None and (newest is None or at > newest):
            newest = at
    return newest


def _poll(poller: IntegrationPoller, integration: Integration) -> dict[str, Any]:
    cursor = core().cursors.read(poller.cursor_key(integration)) or {}
    return {"lastRunAt": cursor.get("polledAt"), "newestChangeAt": cursor.get("position")}
