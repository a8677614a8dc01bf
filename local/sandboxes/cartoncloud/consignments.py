"""Consignments: create, get, replace (``If-Match`` optimistic locking), search, and the quote against the tenant's
rate card.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from .invoices import LOCKED, consignment_locked
from .model import (
    CONCURRENT_CHANGE,
    CONSIGNMENT_STATUSES,
    NO_MATCHING_RATE,
    ApiError,
    Problems,
    address_problems,
    as_object,
    embed,
    json_object,
    normalise_numbers,
    with_extras,
)
from .rating import rate_charges, rate_matches
from .search import CONSIGNMENT_SEARCH, resolve_pointer, search_page
from .state import CartonCloudState, Tenant


class ConsignmentsApi(CartonCloudState):
    """``/tenants/{tenantId}/consignments`` and ``/consignments/quote``."""

    def _consignment_problems(self, tenant: Tenant, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        warehouse = self._resolve_warehouse(tenant, body.get("warehouse"), customer, problems, required=False)
        address_problems(problems, resolve_pointer(body, "/details/deliver/address"), "/details/deliver/address")
        status = body.get("status")
        if status is not None and status not in CONSIGNMENT_STATUSES:
            problems.add("/status", f"Status must be one of {', '.join(CONSIGNMENT_STATUSES)}.")
        items = body.get("items", [])
        if not isinstance(items, list):
            problems.add("/items", "Items must be a list.")
        # GUESS (docs/wms-client.md): a consignment may be created generated from a sale order of the tenant, as
        # CartonCloud generates one itself; the order must exist (search it with /generatedFromTask/id).
        task = body.get("generatedFromTask")
        if task is not None and (not isinstance(task, dict) or task.get("id") not in tenant.outbound_orders):
            problems.add("/generatedFromTask/id", "Outbound Order not found.")
        problems.raise_if_any()
        assert customer is not None
        return customer, warehouse

    def _create_consignment(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return SandboxResponse.json(201, self.store_consignment(tenant, json_object(request)))

    def store_consignment(self, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
        """Validate and store a new consignment (the API's create; a WMS user entering one uses it too)."""
        customer, warehouse = self._consignment_problems(tenant, body)
        stamp = self.timestamp()
        consignment: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": "CONSIGNMENT",
            "status": body.get("status") or "AWAITING_PICKUP",
            "references": {**as_object(copy.deepcopy(body.get("references"))), "numericId": tenant.numeric_id()},
            "customer": embed(customer),
        }
        if warehouse is not None:
            consignment["warehouse"] = embed(warehouse)
        consignment["details"] = {"type": "DELIVERY", **as_object(copy.deepcopy(body.get("details")))}
        consignment["items"] = normalise_numbers(copy.deepcopy(body.get("items") or []))
        if body.get("generatedFromTask"):
            consignment["generatedFromTask"] = {"id": body["generatedFromTask"]["id"]}
        consignment["version"] = 1
        consignment["timestamps"] = {"created": {"time": stamp}, "modified": {"time": stamp}}
        with_extras(consignment, body)
        tenant.consignments[consignment["id"]] = consignment
        return consignment

    def _get_consignment(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        consignment = self._consignment(tenant, entity_id)
        if "return=no-items" in (request.header("Prefer") or ""):
            consignment = {key: value for key, value in consignment.items() if key != "items"}
        return SandboxResponse.json(200, consignment)

    def _consignment(self, tenant: Tenant, consignment_id: str) -> dict[str, Any]:
        consignment = tenant.consignments.get(consignment_id)
        if consignment is None:
            raise ApiError(404, [{"message": "Consignment not found."}])
        return consignment

    def _update_consignment(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        """PUT replaces the consignment; ``If-Match`` must name the current version (optimistic locking)."""
        current = self._consignment(tenant, entity_id)
        if_match = (request.header("If-Match") or "").strip().removeprefix("W/").strip('"')
        if not if_match:
            raise ApiError(412, [{"message": "The If-Match header with the consignment's version is required."}])
        if if_match != str(current["version"]):
            raise ApiError(409, [{"message": CONCURRENT_CHANGE}])
        if consignment_locked(tenant, entity_id):
            raise ApiError(422, [{"field": "/", "message": LOCKED}])
        body = json_object(request)
        customer, warehouse = self._consignment_problems(tenant, body)
        updated: dict[str, Any] = {
            "id": current["id"],
            "type": "CONSIGNMENT",
            "status": body.get("status") or current["status"],
            "references": {**as_object(copy.deepcopy(body.get("references"))),
                           "numericId": current["references"]["numericId"]},
            "customer": embed(customer),
        }
        if warehouse is not None:
            updated["warehouse"] = embed(warehouse)
        if "generatedFromTask" in current:
            updated["generatedFromTask"] = current["generatedFromTask"]
        updated["version"] = current["version"] + 1
        updated["timestamps"] = {**current["timestamps"], "modified": {"time": self.timestamp()}}
        with_extras(updated, body)
        tenant.consignments[entity_id] = updated
        return SandboxResponse.json(200, updated)

    def _search_consignments(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return search_page(request, list(tenant.consignments.values()), CONSIGNMENT_SEARCH)

    def _quote(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        """Rate a would-be consignment against the tenant's rate card (first matching rate wins)."""
        body = json_object(request)
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        task_date = body.get("taskDate")
        if not isinstance(task_date, str) or not task_date:
            problems.add("/taskDate", "Task date cannot be empty.")
        else:
            try:
                datetime.strptime(task_date, "%Y-%m-%d")
            except ValueError:
                problems.add("/taskDate", "Task date must be a date (YYYY-MM-DD).")
        problems.raise_if_any()
        assert customer is not None
        card = tenant.rate_card
        rate = next((r for r in (card or {}).get("rates", []) if rate_matches(r, body, customer)), None)
        if card is None or rate is None:
            raise ApiError(422, [{"message": NO_MATCHING_RATE}])
        currency = card.get("currency") or tenant.currency
        charges = rate_charges(rate, body, currency)
        return SandboxResponse.json(200, {"rateCard": {"name": card["name"]}, "rate": {"name": rate["name"]},
                                          "charges": charges})
