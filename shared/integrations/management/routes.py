"""The management API's routes (docs/management-api.md, openapi/management.yaml), served by
functions/management_api: configure integrations in steps, reconfigure, delete — a customer's, or the tenant's own
tenant-level ones (``/tenants/{t}/integrations``, admins only); customers with their live count; tenant settings;
weekly statements and billing runs.

Each route authenticates the bearer token (``AUTH_ISSUER``, ``AUTH_AUDIENCE`` and ``AUTH_JWKS_URL`` (RS256), or
``AUTH_HS256_KEY`` locally, read when the function builds its routes: Lambda init), reads JSON strictly
(:mod:`.http`) and calls :class:`.service.ManagementService`; every failure becomes a problem in
:func:`.http.problem_for`. An operation on integrations is one method registered on both the customer's path and the
tenant-level one (:attr:`ManagementRoutes.routes`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from ..core.alerts.model import TENANT_SUBJECT
from .billing import statement_csv
from .errors import InvalidRequest
from .http import Routes, public_base_url, query_value, read_json
from .models import IntegrationView
from .permissions import AuthSettings, Operation, Principal
from .service import ManagementService

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = Logger(child=True)
#: Bodies are small JSON documents; anything larger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024
#: Records one sync-log page lists.
MAX_SYNC_RECORDS = 200
JSON = "application/json"
#: A query value naming a customer, a type or a condition.
IDENTIFIER = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def api_base_url() -> str:
    return public_base_url()


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(payload), headers=headers)


def view(integration: IntegrationView, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    """An integration; an answer handing over values once (``shownOnce``) is never cached."""
    extra = {**(headers or {}), **({"Cache-Control": "no-store"} if integration.shown_once else {})}
    return ok(integration.to_json(), status, extra or None)


def integration_path(tenant_id: str, customer_id: str | None, integration_id: str) -> str:
    owner = f"/tenants/{tenant_id}" + (f"/customers/{customer_id}" if customer_id is not None else "")
    return f"{owner}/integrations/{integration_id}"


# A customer's integrations under /tenants/{t}/customers/{c}/integrations, and the tenant's own (tenant-level) ones
# under /tenants/{t}/integrations: one handler per operation serves both paths, the customer None for the latter
# (admins only).
CUSTOMER = "/tenants/<tenant_id>/customers/<customer_id>/integrations"
TENANT = "/tenants/<tenant_id>/integrations"


class ManagementRoutes(Routes):
    """The management API on one resolver, with its service (the function keeps it, where tests set its clock)."""

    routes = (
        ("GET", "/integration-types", "integration_types"),
        ("GET", "/tenants/<tenant_id>/settings", "get_settings"),
        ("PUT", "/tenants/<tenant_id>/settings", "put_settings"),
        ("POST", "/tenants/<tenant_id>/notification-secret", "new_notification_secret"),
        ("GET", "/tenants/<tenant_id>/customers", "customers"),
        ("GET", "/tenants/<tenant_id>/customers/<customer_id>/warehouses", "customer_warehouses"),
        ("GET", CUSTOMER, "list_integrations"),
        ("GET", TENANT, "list_integrations"),
        ("POST", CUSTOMER, "create_integration"),
        ("POST", TENANT, "create_integration"),
        ("GET", f"{CUSTOMER}/<integration_id>", "get_integration"),
        ("GET", f"{TENANT}/<integration_id>", "get_integration"),
        ("PUT", f"{CUSTOMER}/<integration_id>/steps/<step>", "configure_step"),
        ("PUT", f"{TENANT}/<integration_id>/steps/<step>", "configure_step"),
        ("POST", f"{CUSTOMER}/<integration_id>/finish", "finish"),
        ("POST", f"{TENANT}/<integration_id>/finish", "finish"),
        ("POST", f"{CUSTOMER}/<integration_id>/check", "check_connection"),
        ("POST", f"{TENANT}/<integration_id>/check", "check_connection"),
        ("DELETE", f"{CUSTOMER}/<integration_id>", "delete_integration"),
        ("DELETE", f"{TENANT}/<integration_id>", "delete_integration"),
        ("GET", f"{CUSTOMER}/<integration_id>/sync-log", "sync_records"),
        ("GET", f"{TENANT}/<integration_id>/sync-log", "sync_records"),
        ("GET", f"{CUSTOMER}/<integration_id>/sync-log/entries", "sync_entries"),
        ("GET", f"{TENANT}/<integration_id>/sync-log/entries", "sync_entries"),
        ("POST", f"{CUSTOMER}/<integration_id>/sync-log/retry", "retry_record"),
        ("POST", f"{TENANT}/<integration_id>/sync-log/retry", "retry_record"),
        ("POST", f"{CUSTOMER}/<integration_id>/backfill", "start_backfill"),
        ("POST", f"{TENANT}/<integration_id>/backfill", "start_backfill"),
        ("GET", f"{CUSTOMER}/<integration_id>/backfills/<backfill_id>", "get_backfill"),
        ("GET", f"{TENANT}/<integration_id>/backfills/<backfill_id>", "get_backfill"),
        # alerts (docs/alerts.md): the overview, an integration's alerts and history, acknowledge and snooze
        # a record by the number people use (docs/management-api.md "Finding a record")
        ("GET", "/tenants/<tenant_id>/records", "search_records"),
        ("GET", "/tenants/<tenant_id>/customers/<customer_id>/records", "search_records"),
        ("GET", "/tenants/<tenant_id>/alerts", "alert_overview"),
        ("GET", "/tenants/<tenant_id>/customers/<customer_id>/alerts", "alert_overview"),
        ("GET", f"{CUSTOMER}/<integration_id>/alerts", "integration_alerts"),
        ("GET", f"{TENANT}/<integration_id>/alerts", "integration_alerts"),
        ("POST", f"{CUSTOMER}/<integration_id>/alerts/<condition>/acknowledge", "acknowledge_alert"),
        ("POST", f"{TENANT}/<integration_id>/alerts/<condition>/acknowledge", "acknowledge_alert"),
        ("POST", f"/tenants/<tenant_id>/alerts/{TENANT_SUBJECT}/<condition>/acknowledge", "acknowledge_alert"),
        ("POST", f"{CUSTOMER}/<integration_id>/alerts/<condition>/snooze", "snooze_alert"),
        ("POST", f"{TENANT}/<integration_id>/alerts/<condition>/snooze", "snooze_alert"),
        ("POST", f"/tenants/<tenant_id>/alerts/{TENANT_SUBJECT}/<condition>/snooze", "snooze_alert"),
        ("GET", "/tenants/<tenant_id>/customers/<customer_id>/alert-contacts", "alert_contacts"),
        ("PUT", "/tenants/<tenant_id>/customers/<customer_id>/alert-contacts", "save_alert_contacts"),
        ("POST", "/tenants/<tenant_id>/settings/alert-webhook-secret", "new_alert_webhook_secret"),
        ("GET", "/tenants/<tenant_id>/statements/<week>", "get_statement"),
        ("POST", "/tenants/<tenant_id>/billing-runs", "request_billing_run"),
    )

    def __init__(self, app: APIGatewayHttpResolver, service: ManagementService, auth: AuthSettings | None = None
                 ) -> None:
        self.service = service
        super().__init__(app, auth)

    def body(self) -> Any:
        return read_json(self.event, max_bytes=MAX_BODY_BYTES)

    def query(self, name: str, default: str, *, choices: tuple[str, ...] | None = None, digits: bool = False) -> str:
        return query_value(self.event, name, default, choices=choices, digits=digits)

    def integration_types(self) -> Response[Any]:
        return ok(self.service.integration_types(self.principal()))

    def get_settings(self, tenant_id: str) -> Response[Any]:
        return ok(self.service.tenant_settings(self.principal(), tenant_id).to_json())

    def put_settings(self, tenant_id: str) -> Response[Any]:
        caller = self.principal()
        self.service.permit(caller, Operation.WRITE_SETTINGS, tenant_id)
        return ok(self.service.update_tenant_settings(caller, tenant_id, self.body()).to_json())

    def new_notification_secret(self, tenant_id: str) -> Response[Any]:
        return ok(self.service.new_notification_secret(self.principal(), tenant_id, api_base_url()), status=201,
                  headers={"Cache-Control": "no-store"})

    def customers(self, tenant_id: str) -> Response[Any]:
        return ok(self.service.customers(self.principal(), tenant_id).to_json())

    def customer_warehouses(self, tenant_id: str, customer_id: str) -> Response[Any]:
        return ok(self.service.customer_warehouses(self.principal(), tenant_id, customer_id))

    def permitted(self, operation: Operation, tenant_id: str, customer_id: str | None) -> Principal:
        """The caller, once allowed ``operation`` on these integrations: asked before the query or the body is read."""
        caller = self.principal()
        self.service.permit(caller, operation, tenant_id, customer_id, integrations=True)
        return caller

    def list_integrations(self, tenant_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        include_deleted = self.query("includeDeleted", "false", choices=("true", "false")) == "true"
        listed = self.service.list_integrations(caller, tenant_id, customer_id, include_deleted=include_deleted)
        return ok(listed.to_json())

    def create_integration(self, tenant_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        created = self.service.create_integration(caller, tenant_id, customer_id, self.body())
        logger.info("Integration created", extra={"integration_id": created.integration_id, "by": caller.subject})
        return view(created, 201, {"Location": integration_path(tenant_id, customer_id, created.integration_id)})

    def get_integration(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        return view(self.service.get_integration(self.principal(), tenant_id, customer_id, integration_id))

    def configure_step(self, tenant_id: str, integration_id: str, step: str, customer_id: str | None = None
                       ) -> Response[Any]:
        caller = self.permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        saved = self.service.configure_step(caller, tenant_id, customer_id, integration_id, step, self.body(),
                                            api_base_url=api_base_url())
        logger.info("Integration step saved", extra={"integration_id": integration_id, "step": step,
                                                     "by": caller.subject})
        return view(saved)

    def finish(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.principal()
        live = self.service.finish(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
        logger.info("Integration live", extra={"integration_id": integration_id, "by": caller.subject})
        return view(live)

    def check_connection(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        return ok(self.service.check_connection(self.principal(), tenant_id, customer_id, integration_id))

    def delete_integration(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.principal()
        deleted = self.service.delete(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
        logger.info("Integration deleted", extra={"integration_id": integration_id, "by": caller.subject,
                                                  "stop_warning": deleted.stop_warning})
        return view(deleted)

    def sync_records(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        limit = int(self.query("limit", "50", digits=True))
        if not 1 <= limit <= MAX_SYNC_RECORDS:
            raise InvalidRequest(f"limit must be between 1 and {MAX_SYNC_RECORDS}", field="limit")
        return ok(self.service.sync_records(caller, tenant_id, customer_id, integration_id, limit=limit))

    def sync_entries(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.principal()
        record = self.event.get_query_string_value("record")
        return ok(self.service.sync_entries(caller, tenant_id, customer_id, integration_id, record=record))

    def retry_record(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        return ok(self.service.retry_record(caller, tenant_id, customer_id, integration_id, self.body()), status=202)

    def start_backfill(self, tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        started = self.service.start_backfill(caller, tenant_id, customer_id, integration_id, self.body())
        location = f"{integration_path(tenant_id, customer_id, integration_id)}/backfills/{started['backfillId']}"
        logger.info("Backfill started", extra={"integration_id": integration_id, "by": caller.subject,
                                               "backfill_id": started["backfillId"]})
        return ok(started, 202, {"Location": location})

    def get_backfill(self, tenant_id: str, integration_id: str, backfill_id: str, customer_id: str | None = None
                     ) -> Response[Any]:
        return ok(self.service.get_backfill(self.principal(), tenant_id, customer_id, integration_id, backfill_id))

    # --- alerts -------------------------------------------------------------------------------------------------

    def alert_overview(self, tenant_id: str, customer_id: str | None = None) -> Response[Any]:
        """The tenant's "Needs attention" (admins), or one customer's (``customer_id``: that customer's users too)."""
        caller = self.permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        state = self.query("state", "open", choices=("open", "all"))
        records = self.query("records", "count", choices=("count", "skip"))
        filters = {name: self.identifier(name) for name in ("customerId", "platform", "condition")}
        found = {name: value for name, value in filters.items() if value is not None}
        return ok(self.service.alert_overview(caller, tenant_id, customer_id, filters=found,
                                              include_resolved=state == "all", count_records=records == "count"))

    def search_records(self, tenant_id: str, customer_id: str | None = None) -> Response[Any]:
        """Records by number: the tenant's (admins), or one customer's (that customer's users too)."""
        caller = self.permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        number = self.event.get_query_string_value("number")
        if not number:
            raise InvalidRequest("number is required: the order or shipment number to find", field="number")
        filters = {name: self.identifier(name) for name in ("integrationId", "customerId", "status", "platform")}
        after = self.event.get_query_string_value("after")
        return ok(self.service.search_records(caller, tenant_id, customer_id, number=number,
                                              filters={k: v for k, v in filters.items() if v is not None},
                                              after=after))

    def identifier(self, name: str) -> str | None:
        """An optional query value naming something (a customer, a type, a condition): 1–64 letters, digits and
        ``_ . -`` (ids are UUIDs, types and conditions names), else 400 naming it."""
        value = self.event.get_query_string_value(name)
        if value is not None and not IDENTIFIER.fullmatch(value):
            raise InvalidRequest(f"{name} must be 1 to 64 letters, digits, '_', '.' or '-'", field=name)
        return value

    def integration_alerts(self, tenant_id: str, integration_id: str, customer_id: str | None = None
                           ) -> Response[Any]:
        return ok(self.service.integration_alerts(self.principal(), tenant_id, customer_id, integration_id))

    def acknowledge_alert(self, tenant_id: str, condition: str, integration_id: str | None = None,
                          customer_id: str | None = None) -> Response[Any]:
        """An integration's alert, or (no integration in the path) the tenant-wide one."""
        caller = self.principal()
        acknowledged = self.service.acknowledge_alert(caller, tenant_id, customer_id, integration_id, condition)
        logger.info("Alert acknowledged", extra={"subject": acknowledged["subject"], "condition": condition,
                                                 "by": caller.subject})
        return ok(acknowledged)

    def snooze_alert(self, tenant_id: str, condition: str, integration_id: str | None = None,
                     customer_id: str | None = None) -> Response[Any]:
        caller = self.permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)  # no customer: admins only
        snoozed = self.service.snooze_alert(caller, tenant_id, customer_id, integration_id, condition, self.body())
        logger.info("Alert snoozed", extra={"subject": snoozed["subject"], "condition": condition,
                                            "until": snoozed["snoozedUntil"], "by": caller.subject})
        return ok(snoozed)

    def alert_contacts(self, tenant_id: str, customer_id: str) -> Response[Any]:
        return ok(self.service.alert_contacts(self.principal(), tenant_id, customer_id))

    def save_alert_contacts(self, tenant_id: str, customer_id: str) -> Response[Any]:
        caller = self.principal()
        self.service.permit(caller, Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
        return ok(self.service.save_alert_contacts(caller, tenant_id, customer_id, self.body()))

    def new_alert_webhook_secret(self, tenant_id: str) -> Response[Any]:
        return ok(self.service.new_alert_webhook_secret(self.principal(), tenant_id), status=201,
                  headers={"Cache-Control": "no-store"})

    def get_statement(self, tenant_id: str, week: str) -> Response[Any]:
        found = self.service.statement(self.principal(), tenant_id, week)
        event = self.event
        wants_csv = (self.query("format", "json", choices=("json", "csv")) == "csv"
                     or "text/csv" in (event.headers.get("accept") or ""))
        if wants_csv:
            disposition = f'attachment; filename="statement-{tenant_id}-{week}.csv"'
            return Response(status_code=200, content_type="text/csv; charset=utf-8", body=statement_csv(found),
                            headers={"Content-Disposition": disposition})
        return ok(found.to_json())

    def request_billing_run(self, tenant_id: str) -> Response[Any]:
        caller = self.principal()
        self.service.permit(caller, Operation.RUN_BILLING, tenant_id)
        run = self.service.request_billing_run(caller, tenant_id, self.body())
        logger.info("Billing run requested", extra={**run, "by": caller.subject})
        return ok(run, 202)
