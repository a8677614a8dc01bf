"""What a warehouse user does: move an outbound order (pack, dispatch), change a consignment's tracking, enter a
consignment (Transport → Consignments → New) or edit one; each move bumps ``version``/``timestamps.modified`` and
sends a change notification.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..base import ControlError
from .model import OUTBOUND_ORDER_STATUSES
from .notifications import Notifications
from .search import resolve_pointer
from .state import Tenant


class WarehouseMoves(Notifications):
    """Order status moves and consignment tracking changes (Python API; the control API calls them)."""

    def set_outbound_order_status(
        self,
        tenant_id: str,
        order_id: str,
        status: str,
        *,
        tracking_number: str | None = None,
        carrier: str | None = None,
        tracking_url: str | None = None,
    ) -> dict[str, Any]:
        """Move an order as a warehouse user would, then notify.

        Bumps ``version`` and ``timestamps.modified`` (plus ``packed``/``dispatched``); on PACKED or DISPATCHED
        creates or updates the consignment generated from the order when tracking is given (or one exists).
        """
        if status not in OUTBOUND_ORDER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(OUTBOUND_ORDER_STATUSES)}")
        with self.transaction():
            tenant = self.tenant(tenant_id)
            order = tenant.outbound_orders.get(order_id)
            if order is None:
                raise ControlError(f"unknown outbound order {order_id}", 404)
            stamp = self.timestamp()
            if order["status"] == "REJECTED" and status != "REJECTED":
                for entry in order["details"].get("errors", []):
                    entry["isResolved"] = True
            order["status"] = status
            order["version"] += 1
            timestamps = order["timestamps"]
            timestamps["modified"] = {"time": stamp}
            if status in ("PACKED", "DISPATCHED"):
                timestamps.setdefault("packed", {"time": stamp})
                if status == "PACKED":
                    timestamps["packed"] = {"time": stamp}
                else:
                    timestamps["dispatched"] = {"time": stamp}
                self._sync_consignment(tenant, order, status, tracking_number, carrier, tracking_url, stamp)
            self._notify(tenant, "OUTBOUND_ORDER", order_id, stamp, "STATUS_CHANGED")
            return copy.deepcopy(order)

    def set_consignment_tracking(
        self,
        tenant_id: str,
        consignment_id: str,
        tracking_number: str,
        *,
        carrier: str | None = None,
        tracking_url: str | None = None,
    ) -> dict[str, Any]:
        """Change a consignment's tracking (its sale order is untouched, as in CartonCloud), then notify."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            consignment = tenant.consignments.get(consignment_id)
            if consignment is None:
                raise ControlError(f"unknown consignment {consignment_id}", 404)
            stamp = self.timestamp()
            apply_tracking(consignment, tracking_number, carrier, tracking_url)
            consignment["version"] += 1
            consignment["timestamps"]["modified"] = {"time": stamp}
            self._notify(tenant, "CONSIGNMENT", consignment_id, stamp, "TRACKING_CHANGED")
            return copy.deepcopy(consignment)

    def enter_consignment(self, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A consignment entered by a WMS user (validated and stored as the API's create), then notified."""
        from .model import ApiError

        with self.transaction():
            tenant = self.tenant(tenant_id)
            try:
                consignment = self.store_consignment(tenant, body)  # ConsignmentsApi, mixed into the sandbox
            except ApiError as exc:
                raise ControlError(f"consignment refused: {exc.entries}") from None
            self._notify(tenant, "CONSIGNMENT", consignment["id"], consignment["timestamps"]["modified"]["time"],
                         "CREATED")
            return copy.deepcopy(consignment)

    def edit_consignment(self, tenant_id: str, consignment_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """A WMS user edits a consignment: ``status``, ``references``, ``properties`` and ``details`` are merged one
        level deep, ``items`` replaced; then notified."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            consignment = tenant.consignments.get(consignment_id)
            if consignment is None:
                raise ControlError(f"unknown consignment {consignment_id}", 404)
            for key in ("references", "properties", "details"):
                if isinstance(changes.get(key), dict):
                    merged = dict(consignment.get(key) or {})
                    for name, value in changes[key].items():
                        if isinstance(value, dict) and isinstance(merged.get(name), dict):
                            merged[name] = {**merged[name], **value}
                        else:
                            merged[name] = value
                    consignment[key] = merged
            if "items" in changes:
                consignment["items"] = copy.deepcopy(changes["items"])
            if "status" in changes:
                consignment["status"] = changes["status"]
            stamp = self.timestamp()
            consignment["version"] += 1
            consignment["timestamps"]["modified"] = {"time": stamp}
            self._notify(tenant, "CONSIGNMENT", consignment_id, stamp, "UPDATED")
            return copy.deepcopy(consignment)

    def _sync_consignment(self, tenant: Tenant, order: dict[str, Any], status: str, tracking_number: str | None,
                          carrier: str | None, tracking_url: str | None, stamp: str) -> None:
        generated = [c for c in tenant.consignments.values()
                     if resolve_pointer(c, "/generatedFromTask/id") == order["id"] and c["status"] != "CANCELLED"]
        # GUESS: how a warehouse-fulfilment consignment moves with its sale order.
        moved = "AWAITING_PICKUP" if status == "PACKED" else (
            "WITH_ON_FORWARDER" if carrier else "IN_TRANSIT_WAREHOUSE_DELIVERY")
        if not generated:
            if not tracking_number:
                return
            consignment = {
                "id": str(uuid.uuid4()),
                "type": "CONSIGNMENT",
                "status": moved,
                "references": {"customer": order["references"].get("customer"), "numericId": tenant.numeric_id()},
                "customer": copy.deepcopy(order["customer"]),
                "details": {
                    "type": "DELIVERY",
                    "deliver": {"address": copy.deepcopy(resolve_pointer(order, "/details/deliver/address"))},
                },
                "items": [{"details": {"product": copy.deepcopy(line["details"]["product"])},
                           "measures": {"quantity": line["measures"]["quantity"]}} for line in order["items"]],
                "generatedFromTask": {"id": order["id"]},
                "version": 1,
                "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
            }
            if "warehouse" in order:
                consignment["warehouse"] = copy.deepcopy(order["warehouse"])
            apply_tracking(consignment, tracking_number, carrier, tracking_url)
            tenant.consignments[consignment["id"]] = consignment
            return
        for consignment in generated:
            consignment["status"] = moved
            if tracking_number:
                apply_tracking(consignment, tracking_number, carrier, tracking_url)
            consignment["version"] += 1
            consignment["timestamps"]["modified"] = {"time": stamp}


def apply_tracking(consignment: dict[str, Any], number: str, carrier: str | None, url: str | None) -> None:
    consignment.setdefault("references", {})["tracking"] = number
    tracking = consignment.setdefault("details", {}).setdefault("tracking", {})
    if carrier is not None:
        tracking["companyName"] = carrier
    if url is not None:
        tracking["url"] = url
