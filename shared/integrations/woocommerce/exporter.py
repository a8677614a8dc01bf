"""WMS status changes → the WooCommerce order: tracking rows, then Completed with an order note.

The status-change worker calls :func:`write_back` for every WooCommerce order bound to the changed WMS order. Every
step compares with what the store already shows before writing, so the same change delivered twice (after a partial
failure, a replay) writes nothing twice:

- **tracking** (PACKED, DISPATCHED, TRACKING_CHANGED; if "send tracking" is on): list the order's Shipment
  Tracking rows, add one row per WMS tracking number that is missing, and remove rows we added earlier for numbers
  the WMS no longer has (a corrected number). Extension absent (404 ``rest_no_route``) → a sync-log note, no
  tracking call, completion still happens;
- **completion** (DISPATCHED; if "complete fulfilment" is on): add an order note (unless ours is there), then set
  the status to ``completed`` (unless it is). Tracking goes first so WooCommerce's "order completed" email, which
  the extension fills with the tracking rows, has them.

An order cancelled or refunded in the shop is left alone (and the divergence noted). A failure a person must fix
(revoked key…) is written to the WooCommerce order's sync log with a retry item; a transient one fails the
status-change item, which is retried with backoff (the steps above make the repeat harmless).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from ..cartoncloud.outbound_import import WmsOrderRejected
from ..core.context import core
from ..core.errors import UpstreamError
from ..core.events import TrackingInfo, WmsEvent
from ..core.exporter import ExportContext, Exporter
from ..core.integration_record import Integration
from ..core.records import SyncLink
from ..core.timeutil import parse_iso
from . import PLATFORM
from .client import WooCommerceClient, store_client
from .errors import RouteNotFound
from .models import WITHDRAWN_STATUSES
from .settings import settings_of

TRACKING_CHANGES = frozenset({"PACKED", "DISPATCHED", "TRACKING_CHANGED"})
NOTE_MARKER = "CartonCloud outbound order"


class OrderExporter(Exporter):
    platform: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "WooCommerce"

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        return WriteBack(ctx.integration, ctx.event, link).run()


EXPORTER = OrderExporter()


class WriteBack:
    def __init__(self, integration: Integration, change: WmsEvent, link: SyncLink) -> None:
        self.integration = integration
        self.change = change
        self.link = link
        self.ref = link.ref
        self.order_id = link.record_id
        self.settings = settings_of(integration).fulfilment
        self.links = core().links

    def run(self) -> str:
        changes = set(self.change.changes)
        said: list[str] = []
        if "REJECTED" in changes:
            if self.link.memo.get("wmsStatus") == "REJECTED":
                return f"{self.change.describe()}: the WMS made the order REJECTED when it was created (see above)"
            raise WmsOrderRejected(f"CartonCloud outbound order {self.change.entity_id} was REJECTED",
                                   resolution="See why in CartonCloud, fix it there and resubmit the order; the "
                                              "shop order is updated when it moves on.")
        send_tracking = self.settings.send_tracking and bool(self.change.tracking) and bool(changes & TRACKING_CHANGES)
        complete = self.settings.complete_fulfilment and "DISPATCHED" in changes
        if not send_tracking and not complete:
            return f"WMS {', '.join(self.change.changes) or 'change'}: " + ("; ".join(said) or self._nothing(changes))
        client = store_client(self.integration)
        order = client.get_order(self.order_id)
        if order.status in WITHDRAWN_STATUSES:
            if self.links.remember_once(self.ref, "divergedStatus", order.status):
                said.append(f"the order is {order.status} in WooCommerce, so it was not completed and no tracking was"
                            " sent; check the shipment in CartonCloud")
            return f"WMS {', '.join(self.change.changes)}: " + ("; ".join(said) or f"order is {order.status}")
        if send_tracking:
            said.append(self._tracking(client))
        if complete:
            said.append(self._complete(client, order.status))
        return f"WMS {', '.join(self.change.changes)}: " + "; ".join(said)

    def _nothing(self, changes: set[str]) -> str:
        if "DISPATCHED" in changes and not self.settings.complete_fulfilment:
            return "nothing written back (complete fulfilment is off)"
        if changes & TRACKING_CHANGES and not self.settings.send_tracking:
            return "nothing written back (send tracking is off)"
        return "nothing to write back"

    # --- tracking -----------------------------------------------------------------------------------------------

    def _tracking(self, client: WooCommerceClient) -> str:
        wanted = {t.number: t for t in self.change.tracking}
        absent = (f"tracking {', '.join(wanted)} not sent: the Shipment Tracking extension is not active on the "
                  "store")
        if not self.integration.platform_state.get("trackingNamespace") and not self._extension_now(client):
            return absent  # no tracking call at all: the store has no such routes
        try:
            existing = client.shipment_trackings(self.order_id)
        except RouteNotFound:
            return absent
        have = {row.tracking_number for row in existing}
        shipped = self._shipped_on()
        added = []
        for number, tracking in wanted.items():
            if number not in have:
                self._add(client, tracking, shipped)
                added.append(number)
        sent_before = set(self.link.memo.get("trackingSent") or [])
        removed = []
        for row in existing:
            if row.tracking_number in sent_before and row.tracking_number not in wanted:
                client.delete_shipment_tracking(self.order_id, row.tracking_id)
                removed.append(row.tracking_number)
        if sorted(wanted) != sorted(sent_before):
            self.links.remember_once(self.ref, "trackingSent", sorted(wanted))
        parts = []
        if added:
            parts.append(f"tracking {', '.join(added)} added")
        already = [number for number in wanted if number not in added]
        if already:
            parts.append(f"tracking {', '.join(already)} already on the order")
        if removed:
            parts.append(f"tracking {', '.join(removed)} removed (no longer in the WMS)")
        return "; ".join(parts)

    @staticmethod
    def _extension_now(client: WooCommerceClient) -> bool:
        """The extension was absent when the integration was configured: has it been activated since?"""
        try:
            return client.index().tracking_namespace is not None
        except UpstreamError:
            return False

    def _add(self, client: WooCommerceClient, tracking: TrackingInfo, shipped: date) -> None:
        client.add_shipment_tracking(self.order_id, number=tracking.number, carrier=tracking.carrier,
                                     link=tracking.url, shipped=shipped)

    def _shipped_on(self) -> date:
        """The WMS's change time as a UTC date (CartonCloud reports local times with an offset)."""
        return parse_iso(self.change.modified_at).date()

    # --- completion -----------------------------------------------------------------------------------------------

    def _complete(self, client: WooCommerceClient, status: str) -> str:
        if status == "completed":
            return "already Completed in WooCommerce"
        marker = f"{NOTE_MARKER} {self.change.entity_id}"
        if not any(marker in note.note for note in client.order_notes(self.order_id)):
            numbers = ", ".join(t.number for t in self.change.tracking)
            client.add_order_note(
                self.order_id,
                f"Dispatched from the warehouse ({marker}" + (f", reference {self.change.customer_reference}"
                                                              if self.change.customer_reference else "")
                + ")." + (f" Tracking: {numbers}." if numbers else ""))
        client.update_order(self.order_id, {"status": "completed"})
        return "marked Completed in WooCommerce with an order note"
