"""Labels through our API: ``POST /tenants/{t}/customers/{c}/integrations/{i}/labels {"wmsOrderId"}``.

The product page: "when CartonCloud prints the label, the tracking number is returned alongside the label". Who may:
a tenant admin, or the customer's own user when the tenant lets that customer self-manage — the management API's
rule for changing an integration (``integrations.management.permissions``, checked before anything is read).

1. The WMS order must be in Starshipit already (its export link is bound); otherwise 409 saying when it will be.
2. The Starshipit order is read: still Unshipped → ``POST /api/orders/shipment`` makes the shipment and its label;
   already Printed or Shipped → the same call with ``reprint: true`` returns the label made before, never a second
   shipment. Two requests racing to print: Starshipit refuses the second ("already printed"), which then reprints.
   The call names the order's own carrier, service code and packages as just read (whether Starshipit needs them is
   unconfirmed: assumption ``print-label-carrier``), so it prints the same either way.
3. The tracking numbers the label came with go to the WMS exactly as the poller's would: the same
   ``starshipit.tracking.changed`` item on StarshipitQueue (so a slow or failing WMS never delays the label).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ..core.context import core
from ..core.errors import PermanentError, TenantNotFound, UpstreamError
from ..core.integration_record import Integration, IntegrationStatus
from ..core.records import Origin, RecordRef
from ..core.workitems import enqueue
from ..management.errors import Conflict, IntegrationDeleted, NotFound
from ..management.permissions import Operation, Principal, authorize
from . import PLATFORM
from .client import StarshipitClient
from .clients import client_for
from .connector import CONNECTOR
from .errors import StarshipitRejected
from .models import UNSHIPPED, Order, ShipmentResult
from .refs import digest, tracking_item, wms_order_ref
from .settings import settings_of

PDF = "application/pdf"


class LabelRequest(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)

    wms_order_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class LabelRefused(PermanentError):
    """Starshipit would not print the label (no courier set up for the order, an address the courier refuses…)."""

    http_status = 422
    http_title = "Starshipit refused to print the label"
    http_field = "wmsOrderId"

    def __init__(self, message: str, *, errors: list[dict[str, Any]]) -> None:
        super().__init__(message, resolution="Fix what Starshipit names (in Starshipit, or the order in CartonCloud), "
                                             "then ask for the label again.")
        self.errors = errors


@dataclass(frozen=True)
class Label:
    wms_order_id: str
    starshipit_order_id: int
    order_number: str
    carrier: str | None
    tracking_numbers: list[str]
    reprint: bool
    labels: list[tuple[str, str]] = field(default_factory=list)  # (type, base64 data)

    def to_json(self) -> dict[str, Any]:
        return {"wmsOrderId": self.wms_order_id, "starshipitOrderId": self.starshipit_order_id,
                "orderNumber": self.order_number, "carrier": self.carrier, "trackingNumbers": self.tracking_numbers,
                "reprint": self.reprint,
                "labels": [{"type": kind, "contentType": PDF if kind.upper() == "PDF" else "application/octet-stream",
                            "data": data} for kind, data in self.labels]}

    def pdf(self) -> bytes | None:
        """The label as one PDF document, when Starshipit made exactly one."""
        pdfs = [data for kind, data in self.labels if kind.upper() == "PDF"]
        return base64.b64decode(pdfs[0]) if len(pdfs) == 1 else None


def authorized(principal: Principal, tenant_id: str, customer_id: str) -> None:
    """As the management API authorises changing an integration: another tenant is refused before anything is read."""
    stores = core()
    if principal.tenant_id != tenant_id:
        authorize(principal, Operation.WRITE_INTEGRATIONS, tenant_id=tenant_id, customer_id=customer_id)
    try:
        tenant = stores.tenants.get(tenant_id)
    except TenantNotFound:
        raise NotFound(f"Tenant {tenant_id} is not registered", field="tenantId") from None
    authorize(principal, Operation.WRITE_INTEGRATIONS, tenant_id=tenant_id, customer_id=customer_id,
              self_managed_customer_ids=tenant.self_managed_customer_ids)


def live_integration(tenant_id: str, customer_id: str, integration_id: str) -> Integration:
    found = core().integrations.get(integration_id)
    if found is None or found.tenant_id != tenant_id or found.customer_id != customer_id or found.type != PLATFORM:
        raise NotFound(f"No Starshipit integration {integration_id} for this customer", field="integrationId")
    if found.status is IntegrationStatus.DELETED:
        raise IntegrationDeleted("The integration is deleted", field="integrationId")
    if found.status is not IntegrationStatus.LIVE:
        raise Conflict("The integration is not live yet", field="integrationId",
                       resolution="Finish the integration's steps first; orders reach Starshipit once it is live.")
    return found


def print_label(principal: Principal, tenant_id: str, customer_id: str, integration_id: str,
                request: LabelRequest) -> Label:
    integration = live_integration(tenant_id, customer_id, integration_id)
    wms_order_id = request.wms_order_id
    ref = wms_order_ref(integration_id, tenant_id, wms_order_id)
    stores = core()
    link = stores.links.find(ref)
    if link is None or link.origin is not Origin.WMS or not link.platform_record_key:
        trigger = settings_of(integration).order.create_shipment_at
        raise Conflict(f"Outbound order {wms_order_id} is not in Starshipit yet", field="wmsOrderId",
                       resolution=f"It is sent to Starshipit when it reaches {trigger} in CartonCloud (its sync log "
                                  "says why if it was not); ask for the label after that.")
    order_id = RecordRef.parse(link.platform_record_key).record_id
    client = client_for(integration, interactive=True)
    order = client.get_order(order_id=order_id)
    if order is None:
        raise Conflict(f"Starshipit order {order_id} (outbound order {wms_order_id}) no longer exists in Starshipit",
                       field="wmsOrderId", resolution="It was deleted in Starshipit; create the shipment there.")
    reprint = (order.status or UNSHIPPED) != UNSHIPPED
    try:
        shipment = _print(client, order, reprint=reprint)
    except StarshipitRejected as exc:
        again = None if reprint else client.get_order(order_id=order_id)
        if again is None or (again.status or UNSHIPPED) == UNSHIPPED:
            raise LabelRefused(f"Starshipit did not print the label of order {order.order_number}: "
                               f"{exc.text or exc}", errors=exc.errors) from None
        reprint = True  # printed a moment ago by another request: the label it made, not a second shipment
        shipment = _print(client, order, reprint=True)
    if not shipment.labels:
        raise UpstreamError(f"Starshipit printed order {order.order_id} but sent no label", upstream="Starshipit",
                            status=200, resolution="Ask for the label again (a reprint returns it).")
    label = _label(wms_order_id, order.order_id, order.order_number, order.carrier_name, shipment, reprint)
    if label.tracking_numbers:
        enqueue(CONNECTOR.queue_url(), tracking_item(
            integration, wms_order_id, source="label", order_id=order.order_id, numbers=label.tracking_numbers,
            version=f"label:{digest(sorted(label.tracking_numbers))}"))
    stores.sync_log.append(link.key, "label", f"Label {'reprinted' if reprint else 'printed'} through the API by "
                           f"{principal.subject}: Starshipit order {order.order_number}, tracking "
                           f"{', '.join(label.tracking_numbers) or 'none yet'}")
    return label


def _print(client: StarshipitClient, order: Order, *, reprint: bool) -> ShipmentResult:
    """Print (or reprint) ``order`` naming its own carrier, service code and packages."""
    return client.print_label(order.order_id, reprint=reprint, carrier=order.carrier,
                              carrier_service_code=order.carrier_service_code, packages=order.packages)


def _label(wms_order_id: str, order_id: int, order_number: str, carrier: str | None, shipment: ShipmentResult,
           reprint: bool) -> Label:
    types = shipment.label_types + ["PDF"] * (len(shipment.labels) - len(shipment.label_types))
    return Label(wms_order_id=wms_order_id, starshipit_order_id=order_id, order_number=order_number,
                 carrier=shipment.carrier_name or carrier, tracking_numbers=list(shipment.tracking_numbers),
                 reprint=reprint, labels=list(zip(types, shipment.labels, strict=False)))
