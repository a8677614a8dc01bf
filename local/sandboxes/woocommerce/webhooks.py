"""Webhooks: the ``wc/v3`` webhook CRUD, deliveries as WooCommerce sends them (headers, signature, ping, no retry,
disabled after failures), holding and releasing deliveries, and the shop-side view of webhooks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from ..base import ControlError, Delivery, SandboxResponse
from ..common import paginate
from .model import (
    USER_AGENT,
    WEBHOOK_STATUSES,
    WEBHOOK_TOPICS,
    Call,
    Store,
    WcError,
    int_param,
    invalid_param,
    php_json,
    rest_response,
)
from .state import WooCommerceState


class WebhooksApi(WooCommerceState):
    """``/wc/v3/webhooks`` and the deliveries of every store's webhooks."""

    def _webhook(self, store: Store, webhook_id: str | int) -> dict[str, Any]:
        hook = store.webhooks.get(int(webhook_id))
        if hook is None:
            raise WcError(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
        return hook

    def webhook_json(self, store: Store, hook: dict[str, Any]) -> dict[str, Any]:
        """What the REST API shows (``secret`` is write-only; ``failure_count`` is not shown either)."""
        resource, event = hook["topic"].split(".", 1)
        shown = {key: hook[key] for key in ("id", "name", "status", "topic")}
        shown.update({
            "resource": resource, "event": event, "hooks": self._hooks(hook["topic"]),
            "delivery_url": hook["delivery_url"], "date_created": hook["date_created"],
            "date_created_gmt": hook["date_created_gmt"], "date_modified": hook["date_modified"],
            "date_modified_gmt": hook["date_modified_gmt"],
            "_links": {"self": [{"href": f"{store.home}/wp-json/wc/v3/webhooks/{hook['id']}"}],
                       "collection": [{"href": f"{store.home}/wp-json/wc/v3/webhooks"}]},
        })
        return shown

    @staticmethod
    def _hooks(topic: str) -> list[str]:
        return {"order.created": ["woocommerce_new_order"],
                "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
                "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
                "order.restored": ["untrashed_post", "woocommerce_untrash_order"]}.get(topic, [])

    def _list_webhooks(self, call: Call) -> SandboxResponse:
        per_page = int_param(call.params, "per_page", 10, 1, 100)
        page = int_param(call.params, "page", 1, 1, None)
        status = str(call.params.get("status", "all"))
        hooks = [h for h in call.store.webhooks.values() if status == "all" or h["status"] == status]
        hooks.sort(key=lambda h: h["id"], reverse=True)
        chunk, pages = paginate(hooks, page, per_page)
        return rest_response(200, [self.webhook_json(call.store, h) for h in chunk],
                             {"X-WP-Total": str(len(hooks)), "X-WP-TotalPages": str(pages)})

    def _create_webhook(self, call: Call) -> SandboxResponse:
        hook = self._new_webhook(call.store, call.params)
        return rest_response(201, self.webhook_json(call.store, hook),
                             {"Location": f"/wp-json/wc/v3/webhooks/{hook['id']}"})

    def _new_webhook(self, store: Store, params: dict[str, Any]) -> dict[str, Any]:
        topic = str(params.get("topic") or "").lower()
        if topic not in WEBHOOK_TOPICS and not topic.startswith(("action.woocommerce_", "action.wc_")):
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                          "Webhook topic is required and must be valid.")
        url = str(params.get("delivery_url") or "")
        if not url.startswith(("http://", "https://")):
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                          "Webhook delivery URL must be a valid URL starting with http:// or https://.")
        status = str(params.get("status") or "active")
        if status not in WEBHOOK_STATUSES:
            raise invalid_param("status", f"status is not one of {', '.join(WEBHOOK_STATUSES)}.")
        local, gmt = self._dates(store, self._now())
        secret = params.get("secret")
        hook = {
            "id": self._next_webhook, "name": str(params.get("name") or f"Webhook created on {local}"),
            "status": status, "topic": topic, "delivery_url": url,
            # GUESS: WooCommerce defaults an absent secret to a hash of the creating user; any opaque value will do.
            "secret": str(secret) if secret else hashlib.md5(f"{store.slug}|{self._next_webhook}".encode(),
                                                             usedforsecurity=False).hexdigest(),
            "failure_count": 0, "pings": [], "date_created": local, "date_created_gmt": gmt, "date_modified": local,
            "date_modified_gmt": gmt,
        }
        self._next_webhook += 1
        store.webhooks[hook["id"]] = hook
        if status == "active":
            self._ping(store, hook)
        return hook

    def _get_webhook(self, call: Call, webhook_id: str) -> SandboxResponse:
        return rest_response(200, self.webhook_json(call.store, self._webhook(call.store, webhook_id)))

    def _update_webhook(self, call: Call, webhook_id: str) -> SandboxResponse:
        hook = self._change_webhook(call.store, self._webhook(call.store, webhook_id), call.params)
        return rest_response(200, self.webhook_json(call.store, hook))

    def _change_webhook(self, store: Store, hook: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if "status" in params:
            status = str(params["status"])
            if status not in WEBHOOK_STATUSES:
                raise invalid_param("status", f"status is not one of {', '.join(WEBHOOK_STATUSES)}.")
        if "topic" in params and str(params["topic"]) not in WEBHOOK_TOPICS:
            raise WcError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                          "Webhook topic is required and must be valid.")
        for name in ("name", "topic", "delivery_url", "secret"):
            if params.get(name):
                hook[name] = str(params[name])
        activated = False
        if "status" in params and params["status"] != hook["status"]:
            activated = params["status"] == "active"
            hook["status"] = str(params["status"])
            if activated:
                hook["failure_count"] = 0  # GUESS: re-activating starts the failure count afresh
        hook["date_modified"], hook["date_modified_gmt"] = self._dates(store, self._now())
        if activated:
            self._ping(store, hook)
        return hook

    def _delete_webhook(self, call: Call, webhook_id: str) -> SandboxResponse:
        hook = self._webhook(call.store, webhook_id)
        if str(call.params.get("force", "false")).lower() not in ("1", "true"):
            raise WcError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
        shown = self.webhook_json(call.store, hook)
        del call.store.webhooks[hook["id"]]
        return rest_response(200, shown)

    def _batch_webhooks(self, call: Call) -> SandboxResponse:
        result: dict[str, list[Any]] = {}
        for params in call.params.get("create") or []:
            result.setdefault("create", []).append(self.webhook_json(call.store, self._new_webhook(call.store,
                                                                                                   params)))
        for params in call.params.get("update") or []:
            hook = self._webhook(call.store, params.get("id", 0))
            result.setdefault("update", []).append(self.webhook_json(call.store,
                                                                     self._change_webhook(call.store, hook, params)))
        for webhook_id in call.params.get("delete") or []:
            hook = self._webhook(call.store, webhook_id)
            result.setdefault("delete", []).append(self.webhook_json(call.store, hook))
            del call.store.webhooks[hook["id"]]
        return rest_response(200, result or [])

    # --- deliveries ---------------------------------------------------------------------------------------------------

    def _ping(self, store: Store, hook: dict[str, Any]) -> None:
        body = f"webhook_id={hook['id']}".encode()
        delivery = self.queue_webhook(hook["delivery_url"], {"Content-Type": "application/x-www-form-urlencoded",
                                                             "User-Agent": USER_AGENT}, body)
        hook["pings"].append(delivery)

    def _fire(self, store: Store, topic: str, order_id: int) -> None:
        """Deliver ``topic`` for an order to every active webhook of the store that takes it."""
        topics = [topic] + (["order.updated"] if topic == "order.created" and self.updated_after_created else [])
        for each in topics:
            for hook in list(store.webhooks.values()):
                if hook["status"] != "active" or hook["topic"] != each:
                    continue
                if store.hold:
                    pending = (hook["id"], each, order_id)
                    if pending not in store.held:  # Action Scheduler keeps one pending action per webhook + arg
                        store.held.append(pending)
                    continue
                self._deliver(store, hook, each, order_id)

    def _deliver(self, store: Store, hook: dict[str, Any], topic: str, order_id: int) -> Delivery:
        order = store.orders.get(order_id)
        payload: Any = {"id": order_id} if order is None or topic == "order.deleted" else \
            self.order_json(store, order)
        body = php_json(payload)
        resource, event = topic.split(".", 1)
        signature = base64.b64encode(hmac.new(hook["secret"].encode("utf-8"), body, hashlib.sha256).digest())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": store.home.rstrip("/") + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature.decode("ascii"),
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": secrets.token_hex(16),
        }
        delivery = self.queue_webhook(hook["delivery_url"], headers, body)
        self._delivery_meta[id(delivery)] = (store.slug, hook["id"])
        return delivery

    def _send_now(self, delivery: Delivery) -> None:
        super()._send_now(delivery)
        with self.transaction():
            meta = self._delivery_meta.pop(id(delivery), None)
            if meta is None:
                return
            store = self.stores.get(meta[0])
            hook = store.webhooks.get(meta[1]) if store else None
            if hook is None:
                return
            # WC_Webhook::log_delivery: 200–302 is a success; anything else (a timeout too) is a failure. No retry.
            if delivery.status is not None and 200 <= delivery.status < 303:
                hook["failure_count"] = 0
            elif hook["failure_count"] > (store.max_failures if store else 5):
                hook["status"] = "disabled"
            else:
                hook["failure_count"] += 1

    def release_deliveries(self, slug: str, *, order: str = "fifo") -> int:
        """Send the held deliveries (payloads built now, as late as WooCommerce builds them)."""
        with self.transaction():
            store = self.store(slug)
            held, store.held = list(store.held), []
            store.hold = False
            if order == "reverse":
                held.reverse()
            elif order == "random":
                self.random.shuffle(held)
            sent = 0
            for webhook_id, topic, order_id in held:
                hook = store.webhooks.get(webhook_id)
                if hook is not None and hook["status"] == "active":
                    self._deliver(store, hook, topic, order_id)
                    sent += 1
            return sent

    def hold_deliveries(self, slug: str) -> None:
        """Queue deliveries instead of sending them (WP-Cron not running), until :meth:`release_deliveries`."""
        with self.transaction():
            self.store(slug).hold = True

    # --- the shop's view of webhooks (Python API) ---------------------------------------------------------------------

    def webhooks(self, slug: str) -> list[dict[str, Any]]:
        """Every webhook with what the REST API hides (``failure_count``, ping results), for tests."""
        with self.transaction():
            store = self.store(slug)
            return [{**self.webhook_json(store, hook), "failure_count": hook["failure_count"],
                     "pings": [ping.status for ping in hook["pings"]]} for hook in store.webhooks.values()]

    def set_webhook_status(self, slug: str, webhook_id: int, status: str) -> dict[str, Any]:
        """An admin pauses, disables or re-activates a webhook (activating pings it)."""
        with self.transaction():
            store = self.store(slug)
            hook = store.webhooks.get(int(webhook_id))
            if hook is None:
                raise ControlError(f"unknown webhook {webhook_id}", 404)
            try:
                self._change_webhook(store, hook, {"status": status})
            except WcError as exc:
                raise ControlError(exc.message) from None
            return self.webhook_json(store, hook)

    def delete_webhook(self, slug: str, webhook_id: int) -> None:
        with self.transaction():
            store = self.store(slug)
            if store.webhooks.pop(int(webhook_id), None) is None:
                raise ControlError(f"unknown webhook {webhook_id}", 404)
