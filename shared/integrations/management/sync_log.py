"""An integration's sync log through the API: its records (newest first), one record's story, retry after a fix,
and backfill — a customer's integrations, or (``customer_id`` None) the tenant's own tenant-level ones."""

from __future__ import annotations

from typing import Any

from ..core import aws, backfill, sync_log_retry
from ..core.integration_record import IntegrationStatus, configuration_log_key
from ..core.numbers import record_label
from ..core.stores import from_item
from . import catalog
from .base import ServiceBase, as_object
from .errors import Conflict, InvalidRequest, NotFound
from .models import BackfillRequest, RetryRequest, from_request
from .permissions import Operation, Principal


class SyncLogViews(ServiceBase):
    def sync_records(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str, *,
                     limit: int = 50) -> dict[str, Any]:
        """The integration's synced records, newest first (GSI ``byScope``); kept after deletion."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        response = aws.dynamodb().query(
            TableName=self.shared.settings.sync_table, IndexName="byScope",
            KeyConditionExpression="#scope = :scope", ExpressionAttributeNames={"#scope": "scope"},
            ExpressionAttributeValues={":scope": {"S": integration.integration_id}},
            ScanIndexForward=False, Limit=max(1, min(limit, 200)),
        )
        records = []
        connector = catalog.connector(integration.type)
        title = connector.title if connector is not None else integration.type
        for raw in response["Items"]:
            item = from_item(raw)
            records.append({
                "recordKey": item["pk"], "platform": item.get("platform", ""), "recordType": item.get("recordType", ""),
                "recordId": item.get("recordId", ""),
                # the numbers people use (issue 24), and the record named by them; the ids above stay
                "platformNumber": item.get("platformNumber"), "wmsNumber": item.get("wmsNumber"),
                "label": record_label(platform_title=title, platform=item.get("platform", ""),
                                      record_type=item.get("recordType", ""), record_id=item.get("recordId", ""),
                                      platform_number=item.get("platformNumber"), wms_number=item.get("wmsNumber")),
                "status": item.get("status", ""),
                "lastError": item.get("lastError") or None, "resolution": item.get("resolution") or None,
                "updatedAt": item.get("updatedAt", ""),
            })
        return {"integrationId": integration.integration_id, "records": records,
                "configurationLogKey": configuration_log_key(integration.integration_id)}

    def sync_entries(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str, *,
                     record: str | None = None) -> dict[str, Any]:
        """One record's link and log, oldest first (default: the integration's configuration history)."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        key = record or configuration_log_key(integration.integration_id)
        if not key.startswith(f"{integration.integration_id}#"):
            raise InvalidRequest("The record key does not belong to this integration", field="record")
        link, entries = self.shared.sync_log.history(key)
        fields = ("event", "message", "error", "resolution", "attempt", "at")
        return {
            "integrationId": integration.integration_id,
            "recordKey": key,
            "status": link.status.value if link is not None else None,
            "entries": [{name: value for name, value in entry.to_json().items() if name in fields}
                        for entry in entries],
        }

    def retry_record(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str,
                     body: Any) -> dict[str, Any]:
        """Queue again the work a record failed with, after a person fixed the cause (core.sync_log_retry).

        Only a record of this integration can be retried, and only one that keeps a failed work item
        (``NEEDS_ATTENTION``); the item runs with a fresh idempotency key, so it re-checks everything.
        """
        self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        key = from_request(RetryRequest, as_object(body)).record
        if not key.startswith(f"{integration.integration_id}#"):
            raise InvalidRequest("The record key does not belong to this integration", field="record")
        try:
            item = sync_log_retry.retry_from_sync_log(key)
        except sync_log_retry.NothingToRetry as exc:
            raise Conflict(str(exc), field="record", resolution=exc.resolution) from None
        return {"recordKey": key, "retry": item.idempotency_key, "queued": True}

    # --- backfill -------------------------------------------------------------------------------------------------

    def start_backfill(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str,
                       body: Any) -> dict[str, Any]:
        """Sync the platform's records of a past window again (core.backfill); idempotent with live sync."""
        self._owner_authorized(principal, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        request = from_request(BackfillRequest, as_object(body))
        connector = catalog.connector(integration.type)
        if connector is None or not connector.reads_from_platform:
            raise InvalidRequest(f"{integration.type} integrations don't read from their platform: there is "
                                 "nothing to backfill", field="integrationId")
        if integration.status is not IntegrationStatus.LIVE:
            raise Conflict(f"The integration is {integration.status.value}: only a live integration backfills",
                           field="integrationId", resolution="Finish the integration first.")
        try:
            started = backfill.start(connector, integration, request.from_, request.to,
                                     requested_by=principal.subject)
        except backfill.BackfillRefused as exc:
            raise InvalidRequest(str(exc), field=exc.field, resolution=exc.resolution) from None
        return started.to_json()

    def get_backfill(self, principal: Principal, tenant_id: str, customer_id: str | None, integration_id: str,
                     backfill_id: str) -> dict[str, Any]:
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        integration = self._integration(tenant_id, customer_id, integration_id)
        found = backfill.get(integration.integration_id, integration.type, backfill_id)
        if found is None:
            raise NotFound(f"Backfill {backfill_id} does not exist for this integration", field="backfillId")
        return found.to_json()
