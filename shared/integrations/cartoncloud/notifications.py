"""The WMS change-notification trigger: verify, validate, record, enqueue (contract: docs/wms-notifications.md).

Outbound orders and consignments are re-fetched by the worker (a notification is a signal). Invoices have no public
API, so an ``INVOICE`` notification carries the invoice's state itself (``invoice``: status, payment status, the
consignments it covers) and the worker takes it as the truth, ordered by ``eventTime``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from ..core.alerts.wms_silence import notified
from ..core.context import core
from ..core.errors import SignatureInvalid, TenantNotFound
from ..core.records import CamelModel, WmsRef
from ..core.signing import verify_timestamped
from ..core.timeutil import in_service_range, parse_iso
from ..core.workitems import WorkItem, enqueue

TIMESTAMP_HEADER = "x-notification-timestamp"
SIGNATURE_HEADER = "x-notification-signature"
MAX_BODY_BYTES = 64 * 1024

EntityType = Literal["OUTBOUND_ORDER", "CONSIGNMENT", "INVOICE"]
INVOICE = "INVOICE"
#: CartonCloud's invoice statuses (help: "View invoice"): Draft and Leeching (still collecting charges) and Awaiting
#: Approval come before Approved; Void ends an invoice.
InvoiceStatus = Literal["DRAFT", "LEECHING", "AWAITING_APPROVAL", "APPROVED", "VOID"]
PaymentStatus = Literal["AWAITING", "PAID", "VOID"]
#: An invoice covers at most this many consignments in one notification (64 KiB bodies: ~1,500 ids fit).
MAX_INVOICE_CONSIGNMENTS = 1000
ENTITY_CHANGED = "wms.entity.changed"
#: CartonCloud's ids are UUIDs (tenants, orders, consignments): anything else is refused before it is queued.
WMS_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: ISO 8601 with a zone (``Z`` or ``±hh:mm``); numbers and zone-less times are refused, never guessed.
ISO_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$"


def _an_instant(value: str) -> str:
    """The pattern lets month 13 and hour 25 through: a time must also be a real instant in the service's range
    (else a signed notification got as far as queueing and failed there: a 500)."""
    in_service_range(parse_iso(value))
    return value


WmsId = Annotated[str, StringConstraints(pattern=WMS_ID_PATTERN)]
IsoTime = Annotated[str, StringConstraints(pattern=ISO_TIME_PATTERN), AfterValidator(_an_instant)]


class InvoiceState(CamelModel):
    """What an ``INVOICE`` notification says of the invoice (no API can be asked)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    number: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[ -~]*$")
    status: InvoiceStatus
    payment_status: PaymentStatus
    customer_id: WmsId | None = None
    consignment_ids: list[WmsId] = Field(max_length=MAX_INVOICE_CONSIGNMENTS)


class WmsNotification(CamelModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
    tenant_id: WmsId
    entity_type: EntityType
    entity_id: WmsId
    event_time: IsoTime
    event: str | None = Field(default=None, max_length=64, pattern=r"^[ -~]*$")
    #: Required for (and only for) ``entityType: INVOICE``.
    invoice: InvoiceState | None = Field(default=None, validate_default=True)

    @field_validator("invoice", mode="after")
    @classmethod
    def _invoice_only_for_invoices(cls, value: InvoiceState | None, info: ValidationInfo) -> InvoiceState | None:
        entity_type = info.data.get("entity_type")
        if entity_type == INVOICE and value is None:
            raise ValueError("is required when entityType is INVOICE (invoices can't be re-fetched)")
        if entity_type is not None and entity_type != INVOICE and value is not None:
            raise ValueError("is only for entityType INVOICE")
        return value

    @property
    def happened_at(self) -> datetime:
        return parse_iso(self.event_time)


class TenantMismatch(ValueError):
    """The body names another tenant than the URL."""


def verify(tenant_id: str, headers: Mapping[str, str], raw_body: bytes) -> None:
    """Check the tenant's signature over the raw body. Raises :class:`SignatureInvalid` (401)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        _verify_with(_secret(tenant_id, fresh=False), lowered, raw_body)
    except SignatureInvalid:
        # The tenant may have rotated its secret since this Lambda cached it: look once more, uncached.
        _verify_with(_secret(tenant_id, fresh=True), lowered, raw_body)


def _secret(tenant_id: str, *, fresh: bool) -> str | None:
    stores = core()
    try:
        tenant = stores.tenants.get(tenant_id, fresh=fresh)
    except TenantNotFound:
        # Same answer as a bad signature: an unsigned caller learns nothing about which tenants exist.
        raise SignatureInvalid(f"Unknown tenant {tenant_id}") from None
    if not tenant.notification_secret:
        return None
    return stores.vault.open(tenant.notification_secret, tenant_id=tenant_id).reveal("secret")


def _verify_with(secret: str | None, lowered: Mapping[str, str], raw_body: bytes) -> None:
    verify_timestamped(
        secret=secret,
        timestamp=lowered.get(TIMESTAMP_HEADER),
        signature_header=lowered.get(SIGNATURE_HEADER),
        body=raw_body,
    )


def entity_changed(wms: WmsRef, *, idempotency_key: str, event_time: str, source: str,
                   invoice: InvoiceState | None = None) -> WorkItem:
    """The re-fetch work item for one WMS entity (notifications and the poller make the same one); an invoice's
    carries its state, as notified."""
    payload: dict[str, Any] = {"entityType": wms.entity_type, "entityId": wms.entity_id, "eventTime": event_time}
    if invoice is not None:
        payload["invoice"] = invoice.model_dump(by_alias=True, mode="json")
    return WorkItem(kind=ENTITY_CHANGED, tenant_id=wms.tenant_id, idempotency_key=idempotency_key,
                    record=wms.record, source=source, payload=payload)


def accept(tenant_id: str, notification: WmsNotification, *, received_at: datetime) -> WorkItem:
    """Record a verified notification in the entity's sync log and queue the re-fetch."""
    if notification.tenant_id != tenant_id:
        raise TenantMismatch("tenantId does not match the tenant in the URL")
    stores = core()
    wms = WmsRef(tenant_id=tenant_id, entity_type=notification.entity_type, entity_id=notification.entity_id)
    item = entity_changed(wms, idempotency_key=f"wms-notification:{tenant_id}:{notification.id}",
                          event_time=notification.happened_at.isoformat(), source="notification",
                          invoice=notification.invoice)
    item = item.model_copy(update={"enqueued_at": received_at})
    state = notification.invoice
    stores.sync_log.append(
        wms.key,
        "notification",
        f"WMS notified a change to {notification.entity_type} {notification.entity_id}"
        f" at {notification.happened_at.isoformat()} (notification {notification.id})"
        + (f": {state.status}, payment {state.payment_status}, {len(state.consignment_ids)} consignment(s)"
           if state is not None else ""),
        index_as=notified(tenant_id),
    )
    enqueue(stores.settings.wms_queue_url, item)
    return item
