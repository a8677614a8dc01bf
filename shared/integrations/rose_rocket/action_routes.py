"""The Rose Rocket integration's actions (``IntegrationType.actions``; openapi/rose-rocket.yaml) under a tenant-level
integration's URL ``/tenants/{tenantId}/integrations/{integrationId}/…``, served by functions/rose_rocket_actions:

- ``GET customers/export`` — the WMS customers as CSV (a download);
- ``POST customer-matches`` (``text/csv``) — import matches, all or nothing, bad rows named (422);
- ``GET customer-matches`` — matched and unmatched customers on both sides;
- ``POST webhook-url`` — rotate the webhook URL (the new one shown once);
- ``POST rating-credential`` — rotate the rating widget's credential (the new one shown once);
- ``POST consignments/{consignmentId}/push`` — send a consignment to its Rose Rocket order now.

Authenticated exactly as the management API is (bearer tokens, ``integrations.management.permissions``;
tenant-level integrations are the tenant admins'), authorised before anything is read; the work is in
:mod:`.actions` and :mod:`.customers`. Every refusal is a problem naming the field
(``integrations.management.http.problem_for``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from ..core.doors import raw_body
from ..management.errors import InvalidRequest
from ..management.http import BodyTooLarge, Routes, public_base_url, require_media
from . import actions, customers

logger = Logger(child=True)
JSON = "application/json"
#: A match file of 10,000 rows is well under this.
MAX_CSV_BYTES = 1024 * 1024
BASE = "/tenants/<tenant_id>/integrations/<integration_id>"
UUID = re.compile(actions.UUID_PATTERN)


def ok(payload: Any, *, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=200, content_type=JSON, body=json.dumps(payload), headers=headers)


class ActionRoutes(Routes):
    """The Rose Rocket type's actions on one resolver."""

    routes = (
        ("GET", f"{BASE}/customers/export", "export_customers"),
        ("GET", f"{BASE}/customer-matches", "list_matches"),
        ("POST", f"{BASE}/customer-matches", "import_matches"),
        ("POST", f"{BASE}/webhook-url", "rotate_webhook_url"),
        ("POST", f"{BASE}/rating-credential", "rotate_rating_credential"),
        ("POST", f"{BASE}/consignments/<consignment_id>/push", "push_consignment"),
    )

    def export_customers(self, tenant_id: str, integration_id: str) -> Response[Any]:
        integration = actions.integration_for(self.principal(), tenant_id, integration_id, changes=False, live=False,
                                              credentials=False)
        disposition = f'attachment; filename="wms-customers-{tenant_id}.csv"'
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=customers.export_csv(integration),
                        headers={"Content-Disposition": disposition})

    def list_matches(self, tenant_id: str, integration_id: str) -> Response[Any]:
        integration = actions.integration_for(self.principal(), tenant_id, integration_id, changes=False, live=False)
        return ok(customers.list_matches(integration))

    def import_matches(self, tenant_id: str, integration_id: str) -> Response[Any]:
        caller = self.principal()
        integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=False)
        event = self.event
        require_media(event, "text/csv")
        raw = raw_body(event.body, bool(event.is_base64_encoded))
        if len(raw) > MAX_CSV_BYTES:
            raise BodyTooLarge(f"The file may be at most {MAX_CSV_BYTES} bytes", field="body")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest("The file is not UTF-8", field="body",
                                 resolution="Save the CSV as UTF-8 and upload it again.") from None
        report = customers.import_matches(integration, text, by=caller.subject)
        logger.info("Rose Rocket customer matches imported", extra={"integration_id": integration_id,
                                                                    "by": caller.subject, **report})
        return ok(report)

    def rotate_webhook_url(self, tenant_id: str, integration_id: str) -> Response[Any]:
        caller = self.principal()
        integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
        rotated = actions.rotate_webhook_url(integration, api_base_url=public_base_url(), by=caller.subject)
        logger.info("Rose Rocket webhook URL rotated", extra={"integration_id": integration_id, "by": caller.subject})
        return ok(rotated, headers={"Cache-Control": "no-store"})

    def rotate_rating_credential(self, tenant_id: str, integration_id: str) -> Response[Any]:
        caller = self.principal()
        integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
        rotated = actions.rotate_rating_credential(integration, by=caller.subject)
        logger.info("Rose Rocket rating credential rotated", extra={"integration_id": integration_id,
                                                                    "by": caller.subject})
        return ok(rotated, headers={"Cache-Control": "no-store"})

    def push_consignment(self, tenant_id: str, integration_id: str, consignment_id: str) -> Response[Any]:
        caller = self.principal()
        integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
        if not UUID.fullmatch(consignment_id):
            raise InvalidRequest("consignmentId must be a WMS consignment id (a UUID)", field="consignmentId")
        pushed = actions.push_consignment(integration, consignment_id, by=caller.subject)
        logger.info("Consignment pushed to Rose Rocket", extra={"integration_id": integration_id, "by": caller.subject,
                                                                "consignment_id": consignment_id})
        return ok(pushed)
