"""WMS events: what changed on a WMS record, as the WMS event router hands it to each subscribing integration.

The WMS worker (``integrations.cartoncloud.status``) re-fetches a changed entity, decides once what changed, and
publishes one event; the router sends it to every live integration of that tenant and customer whose connector
subscribes to one of its :attr:`WmsEvent.kinds` (``OUTBOUND_ORDER.DISPATCHED``, ``CONSIGNMENT.CREATED``,
``INVOICE.STATUS_CHANGED`` …), as a ``{connector}.wms-event`` work item on that connector's own queue.
"""

from __future__ import annotations

from pydantic import Field

from .records import CamelModel, WmsRef

#: What a change can be, per entity (``{entityType}.{change}`` are the kinds connectors subscribe to).
CREATED = "CREATED"
PACKED = "PACKED"
DISPATCHED = "DISPATCHED"
REJECTED = "REJECTED"
STATUS_CHANGED = "STATUS_CHANGED"
TRACKING_CHANGED = "TRACKING_CHANGED"
#: An invoice now covers other consignments than before.
CONSIGNMENTS_CHANGED = "CONSIGNMENTS_CHANGED"


class TrackingInfo(CamelModel):
    number: str
    carrier: str | None = None
    url: str | None = None
    consignment_id: str | None = None


class InvoiceInfo(CamelModel):
    """An invoice's state as the WMS notified it (``entityType`` INVOICE; ``status`` is the invoice status)."""

    number: str | None = None
    payment_status: str
    consignment_ids: list[str] = Field(default_factory=list)


class WmsEvent(CamelModel):
    tenant_id: str
    entity_type: str
    entity_id: str
    #: CREATED, PACKED, DISPATCHED, REJECTED, STATUS_CHANGED, TRACKING_CHANGED, CONSIGNMENTS_CHANGED (several at
    #: once, e.g. a first sight of a packed order with tracking: PACKED + TRACKING_CHANGED).
    changes: list[str]
    status: str | None
    previous_status: str | None = None
    customer_reference: str | None = None
    customer_id: str | None = None
    warehouse_id: str | None = None
    tracking: list[TrackingInfo] = Field(default_factory=list)
    #: For an invoice: its payment status and the consignments it covers.
    invoice: InvoiceInfo | None = None
    #: The WMS's modified time of what was read (UTC ISO).
    modified_at: str
    #: The digest of the state this event describes: the same state seen twice is the same event.
    fingerprint: str = ""

    @property
    def ref(self) -> WmsRef:
        return WmsRef(tenant_id=self.tenant_id, entity_type=self.entity_type, entity_id=self.entity_id)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(f"{self.entity_type}.{change}" for change in self.changes)

    def describe(self) -> str:
        return f"WMS {', '.join(self.changes) or 'change'}"
