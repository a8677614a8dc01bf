"""Tracking back: a Starshipit order's tracking numbers, carrier and URL → the WMS order's consignment.

Three signals make a ``starshipit.tracking.changed`` item: the poll of shipped orders (:mod:`.poller`), a tracking
webhook (:mod:`.webhooks`) and a label printed through our API (:mod:`.labels`). The handler treats them alike:

1. the integration must be live, and the WMS order one this integration exported (its link is bound); other orders
   of the account (another channel's, another customer's integration's) are left alone;
2. the Starshipit order is read again (the signal is not the truth) — no tracking yet → nothing to do;
3. the same tracking as last written (``memo.trackingWritten``) → nothing to do, without a WMS call;
4. otherwise :class:`~.consignments.ConsignmentTracking` compares with the consignment and writes only what
   differs, and the link remembers what was written.

Failures are raised for the worker to record on the order's link (core.worker): a revoked key is
``NEEDS_ATTENTION`` with the item kept for a retry; an outage is retried with backoff.
"""

from __future__ import annotations

from typing import Any

from ..cartoncloud.clients import wms_client
from ..core.context import core
from ..core.exporter import settle_write_back
from ..core.integration_access import integration as load_integration
from ..core.integration_access import is_live
from ..core.records import Origin, RecordRef
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .clients import client_for
from .consignments import ConsignmentTracking
from .mapper import Tracking, tracking_of
from .refs import TRACKING_CHANGED, wms_order_ref
from .settings import settings_of

WRITTEN = "trackingWritten"


def _as_memo(tracking: Tracking, consignment_id: str) -> dict[str, Any]:
    return {"numbers": list(tracking.numbers), "carrier": tracking.carrier, "url": tracking.url,
            "consignmentId": consignment_id}


def handle_tracking_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """The ``starshipit.tracking.changed`` handler."""
    assert item.integration_id, "tracking items always name their integration"
    wms_order_id = str(item.payload["wmsOrderId"])
    ref = wms_order_ref(item.integration_id, item.tenant_id, wms_order_id)
    stores = core()

    def log(key: str, event: str, message: str, **fields: Any) -> None:
        stores.sync_log.append(key, event, message, attempt=attempt.number, **fields)

    integration = load_integration(item.integration_id, of_type=PLATFORM)
    if not is_live(integration):
        log(ref.key, "ignored", f"Starshipit tracking for outbound order {wms_order_id}: the integration is not live; "
                                "nothing written")
        return {"ignored": "integration not live"}
    assert integration is not None
    link = stores.links.find(ref)
    if link is None or link.origin is not Origin.WMS or not link.platform_record_key:
        log(ref.key, "not-ours", "This outbound order was not sent to Starshipit by this integration; Starshipit's "
                                 "tracking is not written to it")
        return {"notOurs": wms_order_id}
    fulfilment = settings_of(integration).fulfilment
    if not fulfilment.write_tracking:
        if stores.links.remember_once(link.ref, "trackingOff", True):
            log(link.key, "tracking", "Tracking write-back is off in the integration's fulfilment step: Starshipit's "
                                      "tracking is not written to the WMS")
        return {"writeTracking": False}
    order_id = RecordRef.parse(link.platform_record_key).record_id
    order = client_for(integration).get_order(order_id=order_id)
    if order is None:
        if stores.links.remember_once(link.ref, "starshipitOrderGone", order_id):
            number = link.memo.get("orderNumber") or order_id
            log(link.key, "gone", f"Starshipit order {number} no longer exists (deleted there); no tracking to write",
                resolution="If it should ship, create the shipment in Starshipit by hand.")
        return {"gone": order_id}
    tracking = tracking_of(order)
    if not tracking.numbers:
        return {"tracking": None, "status": order.status}
    written_before = link.memo.get(WRITTEN) or {}
    if written_before and _as_memo(tracking, str(written_before.get("consignmentId"))) == written_before:
        settle_write_back(link, TRACKING_CHANGED)
        log(link.key, "tracking", f"Tracking {', '.join(tracking.numbers)} is already on consignment "
                                  f"{written_before['consignmentId']}; nothing written")
        return {"unchanged": list(tracking.numbers)}
    wms = wms_client(stores.tenants.get(integration.tenant_id))
    writer = ConsignmentTracking(wms, create_missing=fulfilment.create_missing_consignment)
    written = writer.write(wms_order_id, tracking, ours_before=list(written_before.get("numbers") or []),
                           known_id=written_before.get("consignmentId") or link.memo.get("consignmentId"))
    if written is None:
        if stores.links.remember_once(link.ref, "noConsignment", list(tracking.numbers)):
            known_as = link.memo.get("reference") or order.order_number
            log(link.key, "tracking", f"Tracking {', '.join(tracking.numbers)} not written: outbound order "
                                      f"{known_as} has no consignment and creating one is off",
                resolution="Create the consignment in CartonCloud (or turn on creating missing consignments in the "
                           "integration's fulfilment step); the next tracking update writes it.")
        return {"noConsignment": True}
    stores.links.remember(link.ref, WRITTEN, _as_memo(tracking, written.consignment_id))
    settle_write_back(link, TRACKING_CHANGED)
    log(link.key, "tracking", f"Starshipit order {order.order_number} ({order.status}): "
                              f"{written.describe(tracking)}")
    return {"consignment": written.consignment_id, "changed": written.changed, "numbers": list(written.numbers)}

