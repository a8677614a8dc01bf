"""The Shipment Tracking extension (``wc-shipment-tracking/v3``): an order's trackings and the providers list."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from ..base import SandboxResponse
from .model import PROVIDERS, TRACKING_NAMESPACE, Call, Store, WcError, invalid_param, rest_response
from .state import WooCommerceState


class TrackingApi(WooCommerceState):
    """``/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`` and ``/shipment-trackings/providers``."""

    def _tracking_json(self, store: Store, order_id: int, row: dict[str, Any]) -> dict[str, Any]:
        provider = row["tracking_provider"] or row["custom_tracking_provider"]
        link = row["custom_tracking_link"] or self._provider_link(row["tracking_provider"])
        base = f"{store.home}/wp-json/{TRACKING_NAMESPACE}/orders/{order_id}/shipment-trackings"
        return {
            "tracking_id": row["tracking_id"],
            "tracking_provider": provider,
            "tracking_link": link.replace("%1$s", row["tracking_number"]) if link else "",
            "tracking_number": row["tracking_number"],
            "date_shipped": row["date_shipped"],
            "_links": {"self": [{"href": f"{base}/{row['tracking_id']}"}], "collection": [{"href": base}],
                       "up": [{"href": f"{store.home}/wp-json/wc/v3/orders/{order_id}"}]},
        }

    @staticmethod
    def _provider_link(name: str) -> str:
        for providers in PROVIDERS.values():
            if name in providers:
                return providers[name]
        return ""

    def _tracking_order(self, call: Call, order_id: str) -> dict[str, Any]:
        # GUESS: the extension answers an unknown order like WooCommerce does.
        return self._order(call.store, order_id, "woocommerce_rest_order_invalid_id")

    def _list_trackings(self, call: Call, order_id: str) -> SandboxResponse:
        order = self._tracking_order(call, order_id)
        rows = call.store.trackings.get(order["id"], [])
        return rest_response(200, [self._tracking_json(call.store, order["id"], row) for row in rows])

    def _create_tracking(self, call: Call, order_id: str) -> SandboxResponse:
        order = self._tracking_order(call, order_id)
        params = call.params
        number = str(params.get("tracking_number") or "").strip()
        if not number:
            raise WcError(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number",
                          params=["tracking_number"])
        provider = str(params.get("tracking_provider") or "")
        custom = str(params.get("custom_tracking_provider") or "")
        if provider and not self._provider_link(provider):
            # GUESS: an unknown provider name is kept as a custom provider without a link.
            provider, custom = "", custom or provider
        shipped = str(params.get("date_shipped") or self._now().astimezone(call.store.zone).date().isoformat())
        try:
            datetime.strptime(shipped, "%Y-%m-%d")
        except ValueError:
            raise invalid_param("date_shipped", "date_shipped must be a date (YYYY-MM-DD).") from None
        row = {
            "tracking_id": hashlib.md5(f"{number}{provider}{custom}{self._now().isoformat()}".encode(),
                                       usedforsecurity=False).hexdigest(),
            "tracking_number": number, "tracking_provider": provider, "custom_tracking_provider": custom,
            "custom_tracking_link": str(params.get("custom_tracking_link") or ""), "date_shipped": shipped,
        }
        call.store.trackings.setdefault(order["id"], []).append(row)
        shown = self._tracking_json(call.store, order["id"], row)
        return rest_response(201, shown, {"Location": shown["_links"]["self"][0]["href"]})

    def _find_tracking(self, call: Call, order_id: str, tracking_id: str) -> tuple[int, dict[str, Any]]:
        order = self._tracking_order(call, order_id)
        for row in call.store.trackings.get(order["id"], []):
            if row["tracking_id"] == tracking_id:
                return order["id"], row
        raise WcError(404, "woocommerce_rest_shipment_tracking_invalid_id", "Invalid tracking ID.")  # GUESS

    def _get_tracking(self, call: Call, order_id: str, tracking_id: str) -> SandboxResponse:
        found_order, row = self._find_tracking(call, order_id, tracking_id)
        return rest_response(200, self._tracking_json(call.store, found_order, row))

    def _delete_tracking(self, call: Call, order_id: str, tracking_id: str) -> SandboxResponse:
        found_order, row = self._find_tracking(call, order_id, tracking_id)
        call.store.trackings[found_order].remove(row)
        return rest_response(200, self._tracking_json(call.store, found_order, row))  # GUESS: the deleted item

    def _providers(self, call: Call) -> SandboxResponse:
        return rest_response(200, PROVIDERS)

    def trackings(self, slug: str, order_id: int) -> list[dict[str, Any]]:
        with self.transaction():
            store = self.store(slug)
            return [self._tracking_json(store, int(order_id), row) for row in store.trackings.get(int(order_id), [])]
