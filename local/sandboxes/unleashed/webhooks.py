"""Webhook subscriptions and signed deliveries.

Facts (UL-DOC "Webhooks" §2, platform-apis-followup.md Q4): at most **5 subscriptions per account**, managed with
the API's own auth; deliveries carry ``x-unleashed-timestamp`` (Unix seconds) and ``x-unleashed-signature`` =
Base64(HMAC-SHA256(the subscription's signing key, ``"{timestamp}.{raw body}"``)); the body is
``{subscriptionId, eventNotificationId, eventType, createdOn, data}`` with ``data`` a JSON *string* such as
``{"salesOrderGuid": "…"}``; events ``salesorder.created`` / ``salesorder.updated``.

GUESSES (docs/unleashed.md "Assumptions"; the ``subscription-api=absent`` dialect answers these paths as unknown
ones): the subscription API is ``GET|POST /webhooks/subscriptions`` and ``DELETE /webhooks/subscriptions/{id}`` in
camelCase (like the deliveries), the signing key is returned only by the create (``signatureKey``), a sixth
subscription is refused with 400; deliveries are sent once (Unleashed's retries are not modelled: the control API
can redeliver by placing or editing the order again); no event is sent for shipment changes (their existence is
UNCONFIRMED), nor for changes made through the API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from .model import MAX_SUBSCRIPTIONS, SUBSCRIPTION_LIMIT, WEBHOOK_EVENTS, Account, UnleashedError, new_guid
from .state import UnleashedState

SIGNATURE_HEADER = "x-unleashed-signature"
TIMESTAMP_HEADER = "x-unleashed-timestamp"


def sign(key: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(key.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def public(subscription: dict[str, Any]) -> dict[str, Any]:
    """A subscription as the list shows it: never its signing key."""
    return {k: v for k, v in subscription.items() if k != "signatureKey"}


class WebhookApi(UnleashedState):
    def _list_subscriptions(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        return self.answer(200, [public(s) for s in account.subscriptions.values()])

    def _create_subscription(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        try:
            body = request.json()
        except ValueError:
            raise UnleashedError(400, "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise UnleashedError(400, "The request body must be a subscription")
        url = body.get("notificationUrl")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise UnleashedError(400, "notificationUrl must be a public HTTPS address")
        events = body.get("eventTypes")
        if not isinstance(events, list) or not events or any(e not in WEBHOOK_EVENTS for e in events):
            raise UnleashedError(400, f"eventTypes must list events of: {', '.join(WEBHOOK_EVENTS)}")
        return self.answer(201, self.subscribe(account, url, events, description=str(body.get("description") or "")))

    def subscribe(self, account: Account, url: str, events: list[str], *, description: str = "") -> dict[str, Any]:
        with self.transaction():
            if len(account.subscriptions) >= MAX_SUBSCRIPTIONS:
                raise UnleashedError(400, SUBSCRIPTION_LIMIT)
            subscription = {"subscriptionId": new_guid(), "notificationUrl": url, "eventTypes": list(events),
                            "description": description, "isActive": True, "createdOn": self.now().isoformat(),
                            "signatureKey": secrets.token_urlsafe(32)}
            account.subscriptions[subscription["subscriptionId"]] = subscription
            return dict(subscription)

    def _delete_subscription(self, request: SandboxRequest, account: Account, subscription_id: str
                             ) -> SandboxResponse:
        if account.subscriptions.pop(subscription_id, None) is None:
            raise UnleashedError(404, f"Webhook subscription {subscription_id} was not found")
        return SandboxResponse.empty(204)

    # --- deliveries ---------------------------------------------------------------------------------------------

    def delivery(self, subscription: dict[str, Any], event_type: str, order_guid: str, *,
                 timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """The headers and body Unleashed sends one subscription for one order event (signed)."""
        payload = {"subscriptionId": subscription["subscriptionId"], "eventNotificationId": new_guid(),
                   "eventType": event_type, "createdOn": self.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                   "data": json.dumps({"salesOrderGuid": order_guid})}
        body = json.dumps(payload).encode("utf-8")
        sent_at = timestamp if timestamp is not None else int(time.time())
        headers = {"Content-Type": "application/json", "User-Agent": "Unleashed-Webhooks",
                   TIMESTAMP_HEADER: str(sent_at), SIGNATURE_HEADER: sign(subscription["signatureKey"], sent_at,
                                                                          body)}
        return headers, body

    def notify(self, account: Account, event_type: str, order_guid: str) -> int:
        """Deliver an order event to every active subscription of the account that takes it."""
        sent = 0
        with self.transaction():
            for subscription in list(account.subscriptions.values()):
                if subscription["isActive"] and event_type in subscription["eventTypes"]:
                    headers, body = self.delivery(subscription, event_type, order_guid)
                    self.queue_webhook(subscription["notificationUrl"], headers, body)
                    sent += 1
        return sent
