"""A WMS consignment → its Rose Rocket order: what the exporter does for a new consignment and the manual push
("Send to Rose Rocket") does for any, so both write the same order the same way.

- the customer must be matched (R1): otherwise :class:`~.errors.CustomerNotMatched`, and the record waits for the
  match (:mod:`.matches`);
- the service type is found by its code (``GET /objects/serviceType/{code}/external``) or created on the fly (an
  upsert by ``externalId`` = the code, so two workers creating it at once make one). Service types are no
  documented object (assumption ``service-type-object``): an organisation whose API has none (the look-up refused
  as an unknown object, or the order refusing the field) gets its orders without one, and the record's log says
  which service type wasn't sent — never a failed export;
- a consignment with no order yet is upserted by ``externalId`` = the consignment id (a retry, a duplicate event or
  a crash before our bind finds the order made before); one with an order is compared with it and only the parts
  that differ are written (``PUT``), so the same state sent twice writes once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from ..cartoncloud.models import Consignment
from ..core.context import on_reset
from ..core.errors import UpstreamRejected
from ..core.integration_record import Integration
from .client import RoseRocketClient
from .clients import client_for
from .errors import CustomerNotMatched
from .mapper import Shipment, order_values, shipment_of_consignment, shipment_of_order
from .matches import WMS_SIDE, Match, MatchStore
from .models import ORDER_PATHS, Order
from .reads import read, read_external, with_stop_addresses
from .settings import settings_of

#: (organisation, code) → service type id, per warm Lambda (service types are never deleted by us).
_service_types: dict[tuple[str, str], str] = {}
#: Organisations found without a service type object → when (monotonic): asked again after an hour, in case an
#: admin adds one in Object Builder.
_without_service_types: dict[str, float] = {}
WITHOUT_SERVICE_TYPES_FOR_SECONDS = 3600
_lock = threading.Lock()


@dataclass(frozen=True)
class Pushed:
    order: Order
    created: bool
    #: The parts written: pickup, delivery, deliveryInstructions, commodities, reference, serviceType, customer.
    changed: list[str]
    service_type_created: str | None = None
    #: The consignment's service type, when the organisation has no service types to name it with.
    service_type_not_sent: str | None = None

    def describe(self) -> str:
        what = "created" if self.created else (f"updated ({', '.join(self.changed)})" if self.changed
                                               else "already up to date")
        return f"Rose Rocket order {self.order.number} {what}{self.notes()}"

    def notes(self) -> str:
        """What a person should know about the write, as a clause (or "")."""
        if self.service_type_created:
            return f"; service type {self.service_type_created!r} created in Rose Rocket"
        if self.service_type_not_sent:
            return (f"; service type {self.service_type_not_sent!r} not sent: the Rose Rocket organisation has no "
                    "service types (add a Service Type object in Object Builder to have them sent)")
        return ""


def customer_match(integration: Integration, consignment: Consignment, record_key: str, *,
                   wait: bool = True) -> Match:
    """The Rose Rocket customer of the consignment's WMS customer, or :class:`CustomerNotMatched` (the record is
    noted as waiting for that customer's match, unless ``wait`` is False: a person is asking right now)."""
    customer_id = consignment.customer.id or ""
    store = MatchStore(integration.integration_id)
    match = store.for_wms(customer_id)
    if match is None:
        if wait:
            store.wait(WMS_SIDE, customer_id, record_key)
        name = consignment.customer.name or customer_id
        raise CustomerNotMatched(f"WMS customer {name} ({customer_id}) has no Rose Rocket customer matched yet, so "
                                 f"consignment {consignment.id} can't go to Rose Rocket", side=WMS_SIDE,
                                 customer_id=customer_id)
    return match


def without_service_types(client: RoseRocketClient) -> bool:
    """Whether the organisation was lately found to have no service type object."""
    with _lock:
        since = _without_service_types.get(client.org_id)
    return since is not None and time.monotonic() - since < WITHOUT_SERVICE_TYPES_FOR_SECONDS


def _note_without_service_types(client: RoseRocketClient) -> None:
    with _lock:
        _without_service_types[client.org_id] = time.monotonic()


def ensure_service_type(client: RoseRocketClient, code: str, *, fresh: bool = False) -> tuple[str | None, bool]:
    """The service type's id (None: the organisation has no service types), and whether it was created now
    (``fresh``: don't trust this Lambda's memory of it)."""
    if not fresh and without_service_types(client):
        return None, False
    key = (client.org_id, code)
    with _lock:
        known = None if fresh else _service_types.get(key)
    if known:
        return known, False
    try:
        found = client.get_external("serviceType", code)
    except UpstreamRejected as exc:
        if exc.status != 400:
            raise
        _note_without_service_types(client)  # "objectKey must be one of …": no such object in this organisation
        return None, False
    created = False
    if found is None:
        found, created = client.upsert("serviceType", {"externalId": code, "name": code})
    with _lock:
        _service_types[key] = str(found["id"])
        _without_service_types.pop(client.org_id, None)
    return str(found["id"]), created


def read_order(client: RoseRocketClient, order_id: str) -> Order | None:
    """The order with everything we map (what Rose Rocket won't show is in its ``unread``)."""
    found = with_stop_addresses(client, read(client, order_id, ORDER_PATHS))
    if found.record is None or found.record.get("objectKey") != "order":
        return None
    return Order.model_validate(found.record).seen_without(found.unread)


def push(integration: Integration, consignment: Consignment, match: Match, *, order_id: str | None) -> Pushed:
    """Bring the consignment's Rose Rocket order (``order_id``, or the one whose ``externalId`` is the consignment's
    id, or a new one) up to date with it."""
    assert consignment.id
    settings = settings_of(integration).order
    shipment = shipment_of_consignment(consignment, default_type=settings.default_commodity_type,
                                       default_service_type=settings.default_service_type)
    client = client_for(integration)
    existing = read_order(client, order_id) if order_id else None
    if existing is None and order_id is None:
        found = with_stop_addresses(client, read_external(client, "order", consignment.id, ORDER_PATHS))
        existing = Order.model_validate(found.record).seen_without(found.unread) if found.record else None
    default_type = settings.default_commodity_type
    try:
        return _write(client, consignment, match, shipment, existing, default_type=default_type, fresh=False)
    except UpstreamRejected:
        if not shipment.service_type:
            raise
    try:  # the service type this Lambda remembered may have been deleted in Rose Rocket: look it up once more
        return _write(client, consignment, match, shipment, existing, default_type=default_type, fresh=True)
    except UpstreamRejected as exc:
        if "servicetype" not in str(exc).casefold():
            raise
    # Rose Rocket refuses a service type on the order itself: the organisation's orders have none.
    _note_without_service_types(client)
    return _write(client, consignment, match, shipment, existing, default_type=default_type, fresh=False)


def _write(client: RoseRocketClient, consignment: Consignment, match: Match, shipment: Shipment,
           existing: Order | None, *, default_type: str, fresh: bool) -> Pushed:
    assert consignment.id
    service_type_id, made = ensure_service_type(client, shipment.service_type, fresh=fresh) \
        if shipment.service_type else (None, False)
    notes = {"service_type_created": shipment.service_type if made else None,
             "service_type_not_sent": shipment.service_type if shipment.service_type and not service_type_id
             else None}
    if existing is None:
        values = order_values(shipment, consignment_id=consignment.id, customer_id=match.rose_rocket_id,
                              service_type_id=service_type_id)
        record, created = client.upsert("order", values)
        return Pushed(Order.model_validate(record), created, [] if not created else ["everything"], **notes)
    changed = _changes(existing, shipment, match, service_type_id, default_type)
    if not changed:
        return Pushed(existing, False, [], **notes)
    record = client.update(existing.id, "order", order_values(shipment, consignment_id=consignment.id,
                                                              customer_id=match.rose_rocket_id,
                                                              service_type_id=service_type_id, existing=existing))
    return Pushed(Order.model_validate(record), False, changed, **notes)


def _changes(order: Order, shipment: Shipment, match: Match, service_type_id: str | None,
             default_type: str) -> list[str]:
    changed = shipment_of_order(order, default_type=default_type).changes(shipment)
    if service_type_id is None or "serviceType" in order.unread:
        # none to send, or Rose Rocket won't show the order's (we named it when we wrote the order): no change
        changed = [part for part in changed if part != "serviceType"]
    elif (order.service_type is None or order.service_type.id != service_type_id) and "serviceType" not in changed:
        changed.append("serviceType")
    if order.customer is None or order.customer.id != match.rose_rocket_id:
        changed.append("customer")
    return changed


@on_reset
def forget_service_types() -> None:
    with _lock:
        _service_types.clear()
        _without_service_types.clear()


def order_summary(pushed: Pushed) -> dict[str, Any]:
    return {"roseRocketOrderId": pushed.order.id, "roseRocketOrderNumber": pushed.order.number,
            "created": pushed.created, "changed": pushed.changed,
            **({"serviceTypeCreated": pushed.service_type_created} if pushed.service_type_created else {}),
            **({"serviceTypeNotSent": pushed.service_type_not_sent} if pushed.service_type_not_sent else {})}
