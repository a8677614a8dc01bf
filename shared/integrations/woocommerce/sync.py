"""A WooCommerce order → one WMS outbound order, however many times and in whatever order we hear about it.

``woocommerce.order.changed`` items (from webhooks and the poller) land here. Each one:

1. re-fetches the order from the store (a delivery is only a signal: payloads are built late and arrive out of
   order, woocommerce#15699), and stops if the integration is not live or the order is gone;
2. if it is not Processing: waits (nothing is written but a log line), or — if it already reached the WMS and was
   cancelled/refunded in the shop since — records that divergence once;
3. maps it (:mod:`.mapper`); a line without a SKU or an unusable address is refused here, before the WMS is
   called, naming the field; a local-pickup order is skipped with its reason;
4. **claims** the sync link with one conditional write (:meth:`SyncLog.claim`): of any number of concurrent
   workers exactly one goes on; the others find the link bound (and compare) or claimed (and retry shortly);
5. checks the SKUs exist as products of the customer in the WMS (one search), then creates the outbound order —
   CartonCloud's 422 DUPLICATE on the customer reference binds to the existing order, which makes a crash between
   the WMS call and our write harmless;
6. **binds** the link to the WMS order (``wmsRecordKey``, so WMS status changes find it) and logs what happened.

An order already in the WMS is never changed by a later WooCommerce edit (product limitation); the edit is
compared with what the WMS order was made from and the divergence is recorded in the order's sync log, once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from ..cartoncloud.client import CartonCloudClient
from ..cartoncloud.models import OutboundOrder
from ..cartoncloud.services import wms_client
from ..cartoncloud.status import wms_record_key
from ..core.context import core
from ..core.errors import PermanentError, RetryableError, UpstreamRejected
from ..core.integration_types import Integration
from ..core.stores import LinkStatus, RecordRef
from ..core.timeutil import utc_iso, utcnow
from ..core.worker import Attempt
from ..core.workitems import WorkItem
from .errors import OrderNotFound, UnknownProducts, WmsOrderRejected
from .mapper import Mapped, Skipped, content_fingerprint, describe_divergence, map_order, order_snapshot
from .models import SYNC_STATUS, WITHDRAWN_STATUSES, WooOrder
from .services import integrations, is_live, order_ref, settings_of, store_client

#: A claim older than this belongs to a worker that died mid-create (the worker's timeout is 60 s).
CLAIM_TTL = timedelta(seconds=120)
#: Products searched per WMS request (one request for any ordinary order).
PRODUCT_SEARCH_PAGE = 100


def handle_order_changed(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    assert item.integration_id, "order items always name their integration"
    order_id = int(item.payload["orderId"])
    ref = order_ref(item.integration_id, order_id)
    shared = core()
    integration = integrations().get(item.integration_id)
    if integration is None or not is_live(integration):
        status = integration.status if integration else "deleted"
        shared.sync_log.append(ref.key, "ignored", f"Integration is {status}: order #{order_id} not synced",
                               attempt=attempt.number)
        return {"ignored": f"integration {status}"}
    try:
        order = store_client(integration).get_order(order_id)
    except OrderNotFound:
        shared.sync_log.append(ref.key, "gone", f"Order {order_id} no longer exists in WooCommerce; nothing to do"
                               " (deleting a shop order never deletes the WMS order)", attempt=attempt.number)
        return {"gone": True}
    try:
        return OrderSync(integration, order, ref, item, attempt).run()
    except PermanentError as exc:
        # Written with the link's identity so the order shows in its integration's list; the worker then logs
        # the error and keeps the item for a retry from the sync log.
        shared.sync_log.mark(ref, LinkStatus.NEEDS_ATTENTION, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id, error=str(exc), resolution=exc.resolution,
                             work_item=item.to_message())
        raise


class OrderSync:
    def __init__(self, integration: Integration, order: WooOrder, ref: RecordRef, item: WorkItem,
                 attempt: Attempt) -> None:
        self.integration = integration
        self.order = order
        self.ref = ref
        self.item = item
        self.attempt = attempt
        self.log = core().sync_log
        self.snapshot = order_snapshot(order)

    def run(self) -> dict[str, Any]:
        if self.order.status != SYNC_STATUS:
            return self._not_processing()
        settings = settings_of(self.integration)
        outcome = map_order(self.order, customer_id=self.integration.customer_id,
                            warehouse_id=settings.order.warehouse_id)
        if isinstance(outcome, Skipped):
            return self._skip(outcome)
        token = uuid.uuid4().hex
        claim = self.log.claim(self.ref, token=token, tenant_id=self.integration.tenant_id,
                               integration_id=self.integration.integration_id,
                               stale_before=utc_iso(utcnow() - CLAIM_TTL))
        if not claim.won:
            current = claim.current or {}
            if current.get("wmsRecordKey"):
                return self._already_in_wms(current)
            raise RetryableError("Another worker is creating this order in the WMS right now; checking again "
                                 "shortly", retry_after=30)
        try:
            return self._create(outcome, token)
        except Exception:
            self.log.release(self.ref.key, token)
            raise

    # --- not (or no longer) Processing -------------------------------------------------------------------------

    def _not_processing(self) -> dict[str, Any]:
        link = self.log.link(self.ref.key)
        if link and link.get("wmsRecordKey"):
            return self._already_in_wms(link)
        self.log.append(self.ref.key, "waiting",
                        f"Order #{self.order.reference} is {self.order.status}: it goes to the WMS when it reaches "
                        f"{SYNC_STATUS}", attempt=self.attempt.number)
        return {"waiting": self.order.status}

    def _skip(self, skipped: Skipped) -> dict[str, Any]:
        link = self.log.link(self.ref.key)
        if link and link.get("wmsRecordKey"):
            return self._already_in_wms(link)
        self.log.mark(self.ref, LinkStatus.SKIPPED, tenant_id=self.integration.tenant_id,
                      integration_id=self.integration.integration_id, error=skipped.reason,
                      resolution=skipped.resolution)
        self.log.append(self.ref.key, "skipped", skipped.reason, resolution=skipped.resolution,
                        attempt=self.attempt.number)
        return {"skipped": skipped.reason}

    # --- already in the WMS -----------------------------------------------------------------------------------------

    def _already_in_wms(self, link: dict[str, Any]) -> dict[str, Any]:
        wms_id = str(link.get("wmsOrderId") or str(link["wmsRecordKey"]).rsplit("#", 1)[-1])
        if link.get("wmsStatus") == "REJECTED" and link.get("status") == LinkStatus.NEEDS_ATTENTION:
            return self._recheck_rejected(link, wms_id)
        if self.order.status in WITHDRAWN_STATUSES:
            if self.log.set_once(self.ref.key, "divergedStatus", self.order.status):
                self.log.append(
                    self.ref.key, "diverged",
                    f"Order #{self.order.reference} was {self.order.status} in WooCommerce after it reached the WMS "
                    f"as outbound order {wms_id}; the WMS order is unchanged",
                    resolution="If it should not ship, cancel or hold the order in CartonCloud.",
                    attempt=self.attempt.number)
                return {"diverged": self.order.status, "wmsOrderId": wms_id}
            return {"alreadyInWms": wms_id}
        new_fingerprint = content_fingerprint(self.snapshot)
        if new_fingerprint != link.get("fingerprint") and \
                self.log.set_once(self.ref.key, "divergedFingerprint", new_fingerprint):
            what = describe_divergence(link.get("snapshot") or {}, self.snapshot)
            self.log.append(
                self.ref.key, "diverged",
                f"Order #{self.order.reference} changed in WooCommerce after it reached the WMS ({what}); "
                f"outbound order {wms_id} is not changed (WooCommerce edits are not applied after creation)",
                resolution="If the change matters, make it in CartonCloud by hand.",
                attempt=self.attempt.number)
            return {"diverged": what, "wmsOrderId": wms_id}
        return {"alreadyInWms": wms_id}

    def _recheck_rejected(self, link: dict[str, Any], wms_id: str) -> dict[str, Any]:
        """A retry of an order the WMS created REJECTED: has a person fixed it in CartonCloud since?"""
        wms_order = self._wms().get_outbound_order(wms_id)
        if wms_order.status == "REJECTED":
            errors = _unresolved(wms_order)
            raise WmsOrderRejected(f"CartonCloud outbound order {wms_id} is still REJECTED: {errors}",
                                   resolution=REJECTED_RESOLUTION)
        self.log.set_status(self.ref.key, LinkStatus.SYNCED)
        self.log.set_once(self.ref.key, "wmsStatus", str(wms_order.status))
        self.log.append(self.ref.key, "resolved", f"CartonCloud outbound order {wms_id} is no longer REJECTED "
                        f"(now {wms_order.status})", attempt=self.attempt.number)
        return {"resolved": wms_id}

    # --- creating it ------------------------------------------------------------------------------------------------

    def _wms(self) -> CartonCloudClient:
        return wms_client(core().tenants.get(self.integration.tenant_id))

    def _create(self, mapped: Mapped, token: str) -> dict[str, Any]:
        wms = self._wms()
        skus = sorted({item.details.product.references.code for item in mapped.order.items
                       if item.details.product.references and item.details.product.references.code})
        missing = missing_products(wms, self.integration.customer_id, skus)
        if missing:
            raise UnknownProducts(missing, customer=self.integration.customer_id)
        try:
            created = wms.create_outbound_order(mapped.order)
        except UpstreamRejected as exc:
            raise PermanentError(
                f"CartonCloud refused order #{self.order.reference}: {exc}",
                resolution="Correct what CartonCloud names (in WooCommerce, or the integration's warehouse "
                           "setting), then retry from the sync log.") from None
        wms_order = created.order
        assert wms_order.id, "CartonCloud answers every created order with its id"
        key = wms_record_key(self.integration.tenant_id, "OUTBOUND_ORDER", wms_order.id)
        modified = self.snapshot.get("modifiedAt") or utc_iso(utcnow())
        extra = {"wmsOrderId": wms_order.id, "wmsStatus": str(wms_order.status or ""),
                 "customerReference": self.order.reference}
        fingerprint = content_fingerprint(self.snapshot)
        if created.with_issues or wms_order.status == "REJECTED":
            errors = _unresolved(wms_order)
            message = f"CartonCloud created outbound order {wms_order.id} as REJECTED: {errors}"
            self.log.bind(self.ref.key, token=token, wms_record_key=key, fingerprint=fingerprint,
                          snapshot=self.snapshot, source_modified_at=modified, status=LinkStatus.NEEDS_ATTENTION,
                          error=message, resolution=REJECTED_RESOLUTION,
                          extra={**extra, "lastWorkItem": self.item.to_message()})
            self.log.append(self.ref.key, "error", message, error=message, resolution=REJECTED_RESOLUTION,
                            attempt=self.attempt.number)
            return {"wmsOrderId": wms_order.id, "rejected": True}
        bound = self.log.bind(self.ref.key, token=token, wms_record_key=key, fingerprint=fingerprint,
                              snapshot=self.snapshot, source_modified_at=modified, extra=extra)
        how = "Bound to the existing CartonCloud outbound order" if created.already_existed \
            else "Created CartonCloud outbound order"
        lines = ", ".join(f"{line['sku']} ×{line['quantity']}" for line in self.snapshot["lines"])
        message = (f"{how} {wms_order.id} (customer reference {self.order.reference}; {lines})"
                   + (f"; note: {'; '.join(mapped.warnings)}" if mapped.warnings else ""))
        if not bound:
            message += " — another worker had bound the order meanwhile; its binding stands"
        self.log.append(self.ref.key, "created" if not created.already_existed else "bound", message,
                        attempt=self.attempt.number)
        return {"wmsOrderId": wms_order.id, "alreadyExisted": created.already_existed}


REJECTED_RESOLUTION = (
    "The order exists in CartonCloud as REJECTED. Fix what it names there (add the product or the stock, then "
    "resubmit the order in CartonCloud), then retry from the sync log to re-check it."
)


def _unresolved(order: OutboundOrder) -> str:
    errors = [e.message for e in (order.details.errors or []) if not e.is_resolved] if order.details else []
    return "; ".join(errors) or "no reason given"


def missing_products(wms: CartonCloudClient, customer_id: str, codes: list[str]) -> list[str]:
    """The product codes the WMS has no warehouse product for, for this customer (one search per 100 codes).

    CartonCloud would otherwise create the order REJECTED ("Product not found"), which a retry can't undo.
    """
    products = wms.find_warehouse_products(customer_id, codes, chunk=PRODUCT_SEARCH_PAGE)
    found = {p.references.code for p in products if p.references and p.references.code}
    return [code for code in codes if code not in found]
