"""Invoices as a tenant's finance user makes them (CartonCloud has no public invoice API, so these exist only behind
the control API): create a Draft over some consignments, approve it, record its payment, void it. Each change sends
a signed ``INVOICE`` notification carrying the invoice's state (docs/wms-notifications.md "Invoices").

- statuses as CartonCloud's UI names them (help: "View invoice"): ``DRAFT`` → ``APPROVED`` → (paid) or ``VOID``;
  payment ``AWAITING`` → ``PAID``, ``VOID`` when the invoice is voided;
- a consignment is on at most one invoice that isn't void;
- GUESS: a consignment on an approved (not void) invoice can't be changed through the API any more (``PUT`` →
  422), as CartonCloud locks approved and paid invoices;
- the notification's ``eventTime`` carries milliseconds, so an approval and a payment in the same second are still
  ordered.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from .notifications import Notifications
from .state import Tenant

DRAFT, APPROVED, VOID = "DRAFT", "APPROVED", "VOID"
AWAITING, PAID = "AWAITING", "PAID"
LOCKED = "The consignment is on an approved invoice and can no longer be changed."


class Invoices(Notifications):
    """A tenant's invoices (Python API; the control API calls it)."""

    def create_invoice(self, tenant_id: str, consignment_ids: list[str], *, invoice_id: str | None = None,
                       number: str | None = None) -> dict[str, Any]:
        with self.transaction():
            tenant = self.tenant(tenant_id)
            if not isinstance(consignment_ids, list) or not consignment_ids:
                raise ControlError("consignmentIds must list at least one consignment")
            customers = set()
            for consignment_id in consignment_ids:
                consignment = tenant.consignments.get(str(consignment_id))
                if consignment is None:
                    raise ControlError(f"unknown consignment {consignment_id}", 404)
                customers.add(consignment["customer"]["id"])
                held = invoice_of(tenant, str(consignment_id))
                if held is not None:
                    raise ControlError(f"consignment {consignment_id} is already on invoice {held['number']}", 409)
            if len(customers) > 1:
                raise ControlError("an invoice is for one customer: these consignments are of several")
            number = number or f"INV-{len(tenant.invoices) + 1:05d}"
            invoice = {"id": invoice_id or str(uuid.uuid4()), "number": number, "status": DRAFT,
                       "paymentStatus": AWAITING, "customerId": customers.pop(),
                       "consignmentIds": [str(c) for c in consignment_ids], "history": []}
            if invoice["id"] in tenant.invoices:
                raise ControlError(f"invoice {invoice['id']} exists", 409)
            tenant.invoices[invoice["id"]] = invoice
            self._invoice_changed(tenant, invoice, "CREATED")
            return _shown(invoice)

    def approve_invoice(self, tenant_id: str, invoice_id: str) -> dict[str, Any]:
        return self._move(tenant_id, invoice_id, "APPROVED", lambda i: i["status"] == DRAFT,
                          {"status": APPROVED}, "only a draft can be approved")

    def pay_invoice(self, tenant_id: str, invoice_id: str) -> dict[str, Any]:
        return self._move(tenant_id, invoice_id, "PAID",
                          lambda i: i["status"] == APPROVED and i["paymentStatus"] == AWAITING,
                          {"paymentStatus": PAID}, "only an approved invoice awaiting payment can be paid")

    def void_invoice(self, tenant_id: str, invoice_id: str) -> dict[str, Any]:
        return self._move(tenant_id, invoice_id, "VOIDED", lambda i: i["status"] != VOID,
                          {"status": VOID, "paymentStatus": VOID}, "the invoice is already void")

    def invoices(self, tenant_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return [_shown(invoice) for invoice in self.tenant(tenant_id).invoices.values()]

    def _move(self, tenant_id: str, invoice_id: str, event: str, allowed: Any, changes: dict[str, str],
              refusal: str) -> dict[str, Any]:
        with self.transaction():
            tenant = self.tenant(tenant_id)
            invoice = tenant.invoices.get(invoice_id)
            if invoice is None:
                raise ControlError(f"unknown invoice {invoice_id}", 404)
            if not allowed(invoice):
                raise ControlError(f"{refusal} (invoice {invoice['number']} is {invoice['status']}, payment "
                                   f"{invoice['paymentStatus']})", 409)
            invoice.update(changes)
            self._invoice_changed(tenant, invoice, event)
            return _shown(invoice)

    def _invoice_changed(self, tenant: Tenant, invoice: dict[str, Any], event: str) -> None:
        moment = self._now().isoformat(timespec="milliseconds")
        invoice["history"].append({"event": event, "at": moment})
        if not tenant.notification_url:
            return
        body = json.dumps({
            "id": str(uuid.uuid4()), "tenantId": tenant.id, "entityType": "INVOICE", "entityId": invoice["id"],
            "eventTime": moment, "event": event,
            "invoice": {"number": invoice["number"], "status": invoice["status"],
                        "paymentStatus": invoice["paymentStatus"], "customerId": invoice["customerId"],
                        "consignmentIds": list(invoice["consignmentIds"])},
        }, separators=(",", ":")).encode("utf-8")
        self._queue_signed(tenant, tenant.notification_url, body)


    # --- the control API (routes in .sandbox) ---------------------------------------------------------------------

    def _control_list_invoices(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        return SandboxResponse.json(200, self.invoices(tenant_id))

    def _control_create_invoice(self, request: SandboxRequest, tenant_id: str) -> SandboxResponse:
        """``{consignmentIds, id?, number?}``: a Draft invoice, awaiting payment."""
        body = control_body(request)
        return SandboxResponse.json(201, self.create_invoice(tenant_id, body.get("consignmentIds") or [],
                                                             invoice_id=pick(body, "id"), number=pick(body, "number")))

    def _control_invoice_action(self, request: SandboxRequest, tenant_id: str, invoice_id: str,
                                action: str) -> SandboxResponse:
        move = {"approve": self.approve_invoice, "pay": self.pay_invoice, "void": self.void_invoice}[action]
        return SandboxResponse.json(200, move(tenant_id, invoice_id))


def invoice_of(tenant: Tenant, consignment_id: str) -> dict[str, Any] | None:
    """The invoice (not void) a consignment is on."""
    return next((i for i in tenant.invoices.values()
                 if i["status"] != VOID and consignment_id in i["consignmentIds"]), None)


def consignment_locked(tenant: Tenant, consignment_id: str) -> bool:
    """A consignment on an approved invoice (paid or not) can't be changed."""
    held = invoice_of(tenant, consignment_id)
    return held is not None and held["status"] == APPROVED


def _shown(invoice: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(invoice)
