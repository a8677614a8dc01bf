"""WMS invoice statuses shown in Rose Rocket (R5), by the help page's table (docs/rose-rocket.md "Invoices").

The WMS notifies invoices (``INVOICE`` events: status, payment status, the consignments covered); the router hands
each to this integration, and :func:`apply_invoice` brings every Rose Rocket order linked to one of those consignments
to the table's row — reading the invoice's **newest** recorded state (never the event's own, which may be a late,
older one), comparing before writing, so duplicates and reorderings write once:

| WMS invoice | WMS payment | Rose Rocket invoice | Rose Rocket order |
|---|---|---|---|
| Draft (or Leeching, Awaiting Approval) | any | none (ours removed) | Delivered (if we had made it Invoiced) |
| Approved | Awaiting | ours, ``sent`` | Invoiced |
| Approved | Paid | ours, ``paid`` | Invoiced |
| Void | Void | ours, ``voided: true`` (status kept; ``created`` if new) | Invoiced |

Ours: an ``invoice`` record with ``externalId`` ``cartoncloud-invoice:{wmsInvoiceId}:{orderId}`` (upserted), its
line items copied from the order's sell quote, connected to the order. An invoice a dispatcher made in Rose Rocket is
never replaced or deleted: that, and a Rose Rocket invoice or order changed by hand after approval, is a divergence,
logged once on the order's record — the WMS is never written (it refuses edits to approved invoices anyway).
"""

from __future__ import annotations

from typing import Any

from ..core.context import core
from ..core.errors import UpstreamRejected
from ..core.events import WmsEvent
from ..core.exporter import ExportContext
from ..core.records import SyncLink, WmsRef
from .client import RoseRocketClient
from .clients import client_for
from .errors import MappingRefused
from .models import DELIVERED, INVOICED, Order, spelled_like
from .orders import read_order
from .refs import consignment_ref, order_of_link
from .settings import settings_of

MARK = "cartoncloud-invoice:"
APPROVED, VOID, PAID = "APPROVED", "VOID", "PAID"
MEMO = "invoice"


def wanted(status: str, payment: str) -> dict[str, Any] | None:
    """The Rose Rocket invoice the table asks for (None: no invoice)."""
    if status == VOID:
        return {"voided": True}
    if status == APPROVED:
        return {"status": "paid" if payment == PAID else "sent", "voided": False}
    return None


def newest_state(event: WmsEvent) -> tuple[str, str, list[str], str, str | None]:
    """(status, payment status, consignments, event time, number) of the invoice's newest recorded state."""
    recorded = core().links.find(WmsRef(tenant_id=event.tenant_id, entity_type="INVOICE",
                                        entity_id=event.entity_id).record)
    snapshot = recorded.snapshot if recorded is not None and recorded.snapshot.get("invoice") else None
    if snapshot is not None and str(snapshot.get("modifiedAt", "")) >= event.modified_at:
        invoice = snapshot["invoice"]
        return (str(snapshot["status"]), str(invoice["paymentStatus"]), list(invoice["consignmentIds"]),
                str(snapshot["modifiedAt"]), invoice.get("number"))
    assert event.invoice is not None
    return (str(event.status), event.invoice.payment_status, list(event.invoice.consignment_ids), event.modified_at,
            event.invoice.number)


def apply_invoice(ctx: ExportContext) -> dict[str, Any]:
    integration, event = ctx.integration, ctx.event
    key = ctx.wms_ref.key
    if not settings_of(integration).fulfilment.sync_invoice_status:
        ctx.log(key, "skipped", f"WMS invoice {event.entity_id}: invoice statuses are not synced by this integration")
        return {"skipped": "syncInvoiceStatus is off"}
    status, payment, consignments, at, number = newest_state(event)
    label = f"WMS invoice {number or event.entity_id} ({status}, payment {payment})"
    client = client_for(integration)
    outcomes: dict[str, str] = {}
    for consignment_id in consignments:
        link = core().links.find(consignment_ref(integration, consignment_id))
        order_id = order_of_link(link) if link is not None and link.bound else None
        if link is None or order_id is None:
            outcomes[consignment_id] = "no Rose Rocket order"
            continue
        outcomes[consignment_id] = _apply(ctx, client, link, order_id, event.entity_id, status, payment, at, number,
                                          label)
    shown = "; ".join(f"{c}: {o}" for c, o in outcomes.items()) or "it covers no consignment"
    ctx.log(key, "invoice-applied", f"{label}: {shown}")
    return {"orders": outcomes}


def _apply(ctx: ExportContext, client: RoseRocketClient, link: SyncLink, order_id: str, invoice_id: str,
           status: str, payment: str, at: str, number: str | None, label: str) -> str:
    links = core().links
    memo = dict(link.memo.get(MEMO) or {})
    if memo.get("invoiceId") not in (None, invoice_id) and str(memo.get("eventTime", "")) > at:
        return f"shows the newer WMS invoice {memo.get('number') or memo.get('invoiceId')}"
    order = read_order(client, order_id)
    if order is None:
        return "deleted in Rose Rocket: nothing shown"
    current = order.invoice or None
    if "invoice" in order.unread:  # Rose Rocket won't show an order's invoice: ours are found by their key
        current = _ours_by_key(client, order, [memo.get("invoiceId"), invoice_id])
        _note_unseen_invoices(ctx, link, order)
    ours = bool(current) and str((current or {}).get("externalId") or "").startswith(MARK)
    target = wanted(status, payment)
    done: list[str] = []
    diverged = _divergence(order, current, memo) if memo.get("wms", [None])[0] == APPROVED else None
    if diverged:
        _note_divergence(ctx, link, order, diverged)
    if target is None:
        changes: dict[str, Any] = {}
        if current and ours:
            changes["invoice"] = None
        elif current:
            _note_divergence(ctx, link, order, f"it has invoice {current.get('fullId')} made in Rose Rocket while "
                                               f"the {label} is not approved; left as it is")
        we_invoiced = ours or (not current and (memo.get("rr") or [None])[0] is not None)
        if order.is_status(INVOICED) and we_invoiced:
            changes["status"] = spelled_like(DELIVERED, order.status)
        if changes:
            client.update(order.id, "order", changes)
            done.append("order back to delivered" if "status" in changes else "invoice disconnected")
        if current and ours:
            client.delete(str(current["id"]))
            done.append(f"invoice {current.get('fullId')} removed")
        rr_state: list[Any] = [None, None]
    else:
        if current and not ours:
            _note_divergence(ctx, link, order, f"it has invoice {current.get('fullId')} made in Rose Rocket; the "
                                               f"{label} is not shown over it")
            return "kept its own Rose Rocket invoice (divergence logged)"
        invoice_id_rr, wrote = _ensure_invoice(client, order, current, target, invoice_id, number, at)
        done += wrote
        changes = {}
        if not current or str(current.get("id")) != invoice_id_rr:
            changes["invoice"] = {"id": invoice_id_rr}
        if not order.is_status(INVOICED):
            changes["status"] = spelled_like(INVOICED, order.status)
        if changes:
            client.update(order.id, "order", changes)
            done.append("order invoiced" if "status" in changes else "invoice connected")
        rr_state = [target.get("status") or (current or {}).get("status") or "created", target["voided"]]
    links.remember(link.ref, MEMO, {"invoiceId": invoice_id, "number": number, "wms": [status, payment],
                                    "eventTime": at, "rr": rr_state})
    outcome = ", ".join(done) or "already as the table says"
    if done:
        ctx.log(link.key, "invoice", f"{label} → Rose Rocket order {order.number}: {outcome}")
    return outcome


def _ensure_invoice(client: RoseRocketClient, order: Order, current: dict[str, Any] | None, target: dict[str, Any],
                    invoice_id: str, number: str | None, at: str) -> tuple[str, list[str]]:
    if current:
        changes = {k: v for k, v in target.items() if current.get(k) != v and not (k == "voided" and not v and
                                                                                  not current.get(k))}
        if changes:
            client.update(str(current["id"]), "invoice", changes)
            return str(current["id"]), [f"invoice {current.get('fullId')} " + ", ".join(f"{k} {v}" for k, v in
                                                                                       changes.items())]
        return str(current["id"]), []
    lines = [{key: line.get(key) for key in ("type", "description", "quantity", "rate", "currency")}
             for line in (order.sell_quote or {}).get("lineItems") or []]
    currency = next((line["currency"] for line in lines if line.get("currency")), None)
    values = {"externalId": f"{MARK}{invoice_id}:{order.id}", "status": target.get("status") or "created",
              "voided": target["voided"], "invoiceDate": at[:10],
              "notes": f"CartonCloud invoice {number or invoice_id}",
              **({"currency": currency} if currency else {}),
              **({"customer": {"id": order.customer.id}} if order.customer else {}),
              "lineItems": [{k: v for k, v in line.items() if v is not None} for line in lines]}
    try:
        record, created = client.upsert("invoice", values)
    except UpstreamRejected as exc:  # e.g. an organisation whose invoices have no voided field
        if "voided" in str(exc):
            raise MappingRefused(f"Rose Rocket refused the invoice's voided field: {exc}", field="invoice.voided",
                                 resolution="Add a Yes/No field named voided to the Invoice object (Rose Rocket → "
                                            "Object Builder), then retry from the sync log.") from None
        raise
    return str(record["id"]), [f"invoice {record.get('fullId')} {'created' if created else 'found'} "
                               f"({values['status']}{', voided' if target['voided'] else ''})"]


def _ours_by_key(client: RoseRocketClient, order: Order, wms_invoice_ids: list[Any]) -> dict[str, Any] | None:
    """Our invoice on the order, found by its ``externalId`` (when the order's ``invoice`` path is refused)."""
    for wms_invoice_id in dict.fromkeys(i for i in wms_invoice_ids if i):
        found = client.get_external("invoice", f"{MARK}{wms_invoice_id}:{order.id}")
        if found is not None:
            return found
    return None


def _note_unseen_invoices(ctx: ExportContext, link: SyncLink, order: Order) -> None:
    if core().links.remember_once(link.ref, "invoiceUnseen", "1"):
        ctx.log(link.key, "invoice-unseen", f"Rose Rocket doesn't show this integration the invoice of order "
                                            f"{order.number}: our own invoices are found by their key, but one a "
                                            "dispatcher made there can't be seen (and would not be noticed)",
                resolution="Nothing is needed for the invoices we make. To have dispatchers' invoices respected, "
                           "ask Rose Rocket to allow reading an order's invoice through the API.")


def _divergence(order: Order, current: dict[str, Any] | None, memo: dict[str, Any]) -> str | None:
    """How Rose Rocket differs from what we last showed of an approved WMS invoice (None: it doesn't)."""
    shown = memo.get("rr") or [None, None]
    found = []
    if not order.is_status(INVOICED):
        found.append(f"the order is {order.status}, not invoiced")
    if current is None and shown[0] is not None:
        found.append("its invoice was removed")
    elif current is not None and shown[0] is not None and current.get("status") != shown[0]:
        found.append(f"its invoice is {current.get('status')}, not {shown[0]}")
    return "; ".join(found) or None


def _note_divergence(ctx: ExportContext, link: SyncLink, order: Order, what: str) -> None:
    if core().links.remember_once(link.ref, "invoiceDivergence", what):
        ctx.log(link.key, "diverged", f"Rose Rocket order {order.number} diverges from the WMS invoice: {what}. The "
                                      "WMS is not changed (it refuses edits to approved invoices)",
                resolution="If Rose Rocket is right, change the invoice in CartonCloud (reopen it there); otherwise "
                           "undo the change in Rose Rocket.")


def approved_in_wms(link: SyncLink) -> str | None:
    """The approved WMS invoice a linked order is on (from the last invoice state we applied), or None."""
    memo = link.memo.get(MEMO) or {}
    wms = memo.get("wms") or [None, None]
    return str(memo.get("number") or memo.get("invoiceId")) if wms[0] == APPROVED else None

