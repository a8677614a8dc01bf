"""Find a record by the number people use (issue 24 point 2): a shop's #1003, Unleashed's SS-00000002, Rose Rocket's
ORD-123, the WMS order's reference — exact or by prefix, across one integration, a customer's integrations, or (an
admin) the whole tenant; filtered by status and platform; paged.

One query of SyncTable's sparse GSI ``byNumber`` (``numberTenant`` = the tenant, ``searchNumber`` begins with the
number typed: a link carries its record's number, the pointer at its counterpart the counterpart's — core/numbers.py)
and one ``BatchGetItem`` of the links found, per page. A record's write pays nothing for it: the numbers ride on the
claim's and the bind's writes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..core import aws
from ..core.integration_record import Integration, IntegrationStatus
from ..core.numbers import MAX_NUMBER, record_label, searchable
from ..core.records import LinkStatus
from ..core.stores import from_item
from ..core.stores.synclog import LINK_SK
from . import catalog
from .base import ServiceBase
from .errors import InvalidRequest
from .permissions import Operation, Principal

#: Records one page lists at most.
PAGE = 25


class RecordSearch(ServiceBase):
    def search_records(self, principal: Principal, tenant_id: str, customer_id: str | None, *, number: str,
                       filters: dict[str, str], after: str | None = None) -> dict[str, Any]:
        """Records whose number (theirs or their counterpart's) is ``number`` or starts with it, newest page first
        by number. ``customer_id`` None: the tenant's (admins); ``filters``: ``integrationId``, ``customerId``
        (tenant-wide), ``status``, ``platform`` (a type key)."""
        self._owner_authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        typed = searchable(number)
        if not typed or len(number) > MAX_NUMBER:
            raise InvalidRequest(f"number must be 1 to {MAX_NUMBER} characters", field="number")
        status = filters.get("status")
        if status is not None and status not in LinkStatus.__members__:
            raise InvalidRequest(f"status must be one of: {', '.join(LinkStatus.__members__)}", field="status")
        platform = filters.get("platform")
        if platform is not None and platform not in catalog.types():
            raise InvalidRequest(f"Unknown platform {platform!r}; one of: {', '.join(catalog.types())}",
                                 field="platform")
        store = self.shared.integrations
        integrations = {i.integration_id: i for i in (store.list_for_customer(tenant_id, customer_id)
                                                      if customer_id is not None else store.list_for_tenant(tenant_id))}
        wanted = {key: i for key, i in integrations.items()
                  if (filters.get("integrationId") in (None, key))
                  and (filters.get("customerId") in (None, i.customer_id))
                  and (platform in (None, i.type))}
        arguments: dict[str, Any] = {
            "TableName": self.shared.settings.sync_table, "IndexName": "byNumber", "Limit": PAGE,
            "KeyConditionExpression": "numberTenant = :tenant AND begins_with(searchNumber, :typed)",
            "ExpressionAttributeValues": {":tenant": {"S": tenant_id}, ":typed": {"S": typed}}}
        if after:
            arguments["ExclusiveStartKey"] = _page_key(after)
        response = aws.dynamodb().query(**arguments)
        keys = list(dict.fromkeys(str(item.get("linkKey") or item["pk"]) for item in map(from_item, response["Items"])))
        records = [_row(link, wanted[link["integrationId"]]) for link in self._links(keys)
                   if link.get("integrationId") in wanted and status in (None, link.get("status"))]
        last = response.get("LastEvaluatedKey")
        return {"tenantId": tenant_id, "customerId": customer_id, "number": number, "records": records,
                "next": base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None}

    def _links(self, keys: list[str]) -> list[dict[str, Any]]:
        if not keys:
            return []
        table = self.shared.settings.sync_table
        request: dict[str, Any] = {table: {"Keys": [{"pk": {"S": key}, "sk": {"S": LINK_SK}} for key in keys],
                                           "ConsistentRead": True}}
        found: list[dict[str, Any]] = []
        while request:
            response = aws.dynamodb().batch_get_item(RequestItems=request)
            found += [from_item(item) for item in response["Responses"].get(table, [])]
            request = response.get("UnprocessedKeys") or {}
        order = {key: index for index, key in enumerate(keys)}
        return sorted((link for link in found if "scope" in link), key=lambda link: order.get(link["pk"], 0))


def _page_key(after: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, dict) or not all(isinstance(v, dict) for v in key.values()):
        raise InvalidRequest("after is not a page this search gave", field="after",
                             resolution="Send the next value of the previous page as it was, or search again.")
    return key


def _row(link: dict[str, Any], integration: Integration) -> dict[str, Any]:
    connector = catalog.connector(integration.type)
    title = connector.title if connector is not None else integration.type
    return {
        "recordKey": link["pk"], "integrationId": integration.integration_id, "integrationName": integration.name,
        "customerId": integration.customer_id or None, "customerName": integration.customer_name or None,
        "platform": integration.type, "platformTitle": title, "status": link.get("status", ""),
        "platformNumber": link.get("platformNumber"), "wmsNumber": link.get("wmsNumber"),
        "label": record_label(platform_title=title, platform=link.get("platform", ""),
                              record_type=link.get("recordType", ""), record_id=link.get("recordId", ""),
                              platform_number=link.get("platformNumber"), wms_number=link.get("wmsNumber")),
        "integrationDeleted": integration.status is IntegrationStatus.DELETED,
        "lastError": link.get("lastError"), "updatedAt": link.get("updatedAt", ""),
    }
