"""The WMS event router: one WMS event → one work item per live integration that subscribes to it.

``wms.event`` items (published by :mod:`.status` on StatusChangeQueue) land here. The router only routes: it lists
the live integrations of the event's tenant and customer (GSI ``byTenantCustomer``) — and, when a tenant-level
connector (one serving every customer, such as a TMS) subscribes to one of the event's kinds, the tenant's own
integrations too (one more query, made only then) — keeps those whose connector subscribes to one of the event's
kinds, and puts a ``{connector}.wms-event`` item on each connector's own queue —
whether or not a link to that WMS record exists yet (an exporter creates the counterpart when there is none).
Each write-back then runs in its connector's worker, with that connector's retries, budget and DLQ, so one
platform's outage or 429 storm delays no other integration's write-back.
"""

from __future__ import annotations

from typing import Any

from ..core.connectors import WMS_EVENT, Connector, connectors
from ..core.context import core
from ..core.events import WmsEvent
from ..core.integration_record import Integration, IntegrationStatus
from ..core.workitems import Attempt, WorkItem, enqueue


def subscribers(event: WmsEvent) -> list[tuple[Integration, Connector]]:
    """The live integrations of the event's customer — and the tenant's own — whose connector subscribes to one of
    its kinds."""
    known = connectors()
    candidates: list[Integration] = []
    if event.customer_id:
        candidates += core().integrations.list_for_customer(event.tenant_id, event.customer_id)
    if any(c.tenant_level and c.available and c.subscribes_to(event.kinds) for c in known.values()):
        candidates += core().integrations.list_tenant_level(event.tenant_id)
    found = []
    for integration in candidates:
        connector = known.get(integration.type)
        if (integration.status is IntegrationStatus.LIVE and connector is not None and connector.available
                and connector.subscribes_to(event.kinds)):
            found.append((integration, connector))
    return found


def route(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    event = WmsEvent.model_validate(item.payload)
    targets = subscribers(event)
    for integration, connector in targets:
        enqueue(connector.queue_url(), WorkItem(
            kind=connector.kind(WMS_EVENT), tenant_id=event.tenant_id, integration_id=integration.integration_id,
            customer_id=integration.customer_id or None,  # a tenant-level integration has none: its own share
            # The router's own key plus the integration: a redelivered event routes once per integration.
            idempotency_key=f"{item.idempotency_key}:{integration.integration_id}",
            record=event.ref.seen_by(integration.integration_id), payload=item.payload, source="wms-event"))
    what = f"{', '.join(event.changes) or 'Change'} of {event.entity_type} {event.entity_id}"
    if targets:
        names = ", ".join(f"{connector.title} {integration.name!r}" for integration, connector in targets)
        message = f"{what}: routed to {names}"
    else:
        message = f"{what}: no live integration of this customer subscribes to it; nothing to write back"
    core().sync_log.append(event.ref.key, "fan-out", message, attempt=attempt.number)
    return {"routed": [integration.integration_id for integration, _ in targets]}
