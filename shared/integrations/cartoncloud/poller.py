"""The safety net for missed WMS notifications: poll each tenant's outbound orders and consignments by modified
time (core.poller's cursor template, one scope per tenant).

The schedule fans out one ``wms.poll`` item per tenant (so 1,000 tenants don't share one Lambda's time); each
poll runs both pollers for its tenant and queues a ``wms.entity.changed`` item per record found. Duplicates from the
overlap are absorbed by the status service's conditional write.

Consignments: CartonCloud's consignment search page documents the pointers ``/generatedFromTask/id``,
``/details/type`` and the reference, not the modified time; its search conditions are generic JSON-pointer
conditions, so we search ``/timestamps/modified/time`` as for orders (UNCONFIRMED). If the WMS refuses that
condition, the tenant's poll log says so once and consignment changes then rely on notifications alone (a
consignment generated from an order is still caught through its order's modified time).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ..core.alerts import signals, wms_silence
from ..core.context import core
from ..core.errors import UpstreamRejected
from ..core.poller import CursorPoller, Found, Truncated
from ..core.records import WmsRef
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import SearchTooLarge
from .clients import wms_client
from .models import Consignment, OutboundOrder
from .notifications import entity_changed

POLL = "wms.poll"


class _TenantPoller(CursorPoller[Tenant]):
    entity_type: ClassVar[str]
    #: The first poll of a tenant looks back this far.
    first_lookback: ClassVar[timedelta] = timedelta(hours=24)

    def queue_url(self) -> str:
        return core().settings.wms_queue_url

    def scopes(self) -> Iterable[tuple[str, str | None]]:
        return ((tenant_id, None) for tenant_id in core().tenants.ids())

    def poll_kind(self) -> str:
        return POLL

    def load(self, item: WorkItem) -> Tenant | None:
        tenant = core().tenants.get(item.tenant_id)
        return tenant if tenant.wms_credentials else None

    def cursor_key(self, scope: Tenant) -> str:
        return f"{scope.tenant_id}#{PLATFORM}#{self.name}"

    def first_since(self, scope: Tenant) -> datetime:
        return utcnow() - self.first_lookback

    def log_key(self, scope: Tenant) -> str | None:
        return WmsRef(tenant_id=scope.tenant_id, entity_type="poll", entity_id=self.name).key

    def work_item(self, scope: Tenant, record: Any, *, source: str) -> WorkItem:
        modified = record.timestamps.modified.time
        wms = WmsRef(tenant_id=scope.tenant_id, entity_type=self.entity_type, entity_id=record.id)
        return entity_changed(wms, idempotency_key=f"wms-poll:{scope.tenant_id}:{self.entity_type}:{record.id}:"
                                                   f"{utc_iso(modified)}",
                              event_time=modified.isoformat(), source=source)

    def _found(self, records: Iterator[OutboundOrder] | Iterator[Consignment]) -> Iterator[Found]:
        try:
            for record in records:
                if record.id and record.timestamps and record.timestamps.modified:
                    yield Found(record, record.timestamps.modified.time)
        except SearchTooLarge as exc:
            raise Truncated(str(exc)) from None


class OutboundOrderPoller(_TenantPoller):
    name = "outbound-orders"
    entity_type = "OUTBOUND_ORDER"

    def changed_since(self, scope: Tenant, since: datetime) -> Iterable[Found]:
        return self._found(wms_client(scope).outbound_orders_modified_since(since))


class ConsignmentPoller(_TenantPoller):
    name = "consignments"
    entity_type = "CONSIGNMENT"
    UNAVAILABLE = "consignmentSearchRefused"

    def changed_since(self, scope: Tenant, since: datetime) -> Iterable[Found]:
        return self._found(wms_client(scope).consignments_modified_since(since))


ORDERS = OutboundOrderPoller()
CONSIGNMENTS = ConsignmentPoller()


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    """Queue one ``wms.poll`` per tenant (it polls both orders and consignments)."""
    return ORDERS.schedule_polls(scheduled_at)


def poll_tenant(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    tenant = ORDERS.load(item)
    if tenant is None:
        return {"skipped": "no WMS credentials"}
    orders = ORDERS.poll(tenant, attempt)
    result = orders.to_json()
    # The alert checks (docs/alerts.md): the WMS accepted the API client, and whether orders still change while
    # its notifications may have stopped.
    signals.wms_credentials_work(tenant.tenant_id)
    if orders.found and orders.cursor:
        wms_silence.note_changes_seen(tenant.tenant_id, orders.cursor)
    try:
        result["consignments"] = CONSIGNMENTS.poll(tenant, attempt).to_json()
    except UpstreamRejected as exc:
        key = CONSIGNMENTS.log_key(tenant)
        assert key is not None
        stores = core()
        if stores.links.remember_once(WmsRef.parse(key).record, ConsignmentPoller.UNAVAILABLE, str(exc)):
            stores.sync_log.append(key, "poll-unavailable", f"The WMS refused a consignment search by modified time "
                                   f"({exc}); consignment changes now rely on notifications alone",
                                   error=str(exc), resolution="Ask CartonCloud to send consignment notifications "
                                   "(docs/wms-notifications.md); orders are still polled.", attempt=attempt.number)
        result["consignments"] = {"unavailable": str(exc)}
    return result
