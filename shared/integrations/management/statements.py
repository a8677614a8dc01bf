"""Weekly statements and billing runs on request (docs/billing.md)."""

from __future__ import annotations

from typing import Any

from . import billing
from .base import ServiceBase, as_object, parse_week
from .errors import InvalidRequest
from .models import (
    BillingRunRequest,
    from_request,
)
from .permissions import Operation, Principal


class Statements(ServiceBase):
    # --- billing ------------------------------------------------------------------------------------------------

    def statement(self, principal: Principal, tenant_id: str, week_label: str) -> billing.Statement:
        self._authorized(principal, Operation.READ_STATEMENT, tenant_id)
        return billing.statement(tenant_id, parse_week(week_label))

    def request_billing_run(self, principal: Principal, tenant_id: str, body: Any) -> dict[str, Any]:
        """Queue this tenant's billing for an ended week (a re-run charges only what is missing)."""
        self._authorized(principal, Operation.RUN_BILLING, tenant_id)
        request = from_request(BillingRunRequest, as_object(body))
        week = parse_week(request.week)
        run_id = billing.new_run_id()
        try:
            queued = billing.schedule_run(week, run_id=run_id, tenant_ids=[tenant_id], now=self.clock())
        except billing.WeekNotEnded as exc:
            raise InvalidRequest(str(exc), field="week", resolution=exc.resolution) from None
        return {"tenantId": tenant_id, "week": str(week), "runId": run_id, "queued": queued}
