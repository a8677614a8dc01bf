"""The change notifications the sandbox sends, signed per ``docs/wms-notifications.md`` (CartonCloud's own webhook
format is not public): queueing, signing, dropping and redelivering them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from ..base import ControlError
from .state import CartonCloudState, Tenant


class Notifications(CartonCloudState):
    """Signed change notifications to each tenant's ``notification_url``."""

    def drop_notifications(self, count: int) -> None:
        """Lose the next ``count`` change notifications (so the poller has something to catch)."""
        self.drop_webhooks(count)

    def redeliver_notification(self, notification_id: str | None = None) -> dict[str, Any]:
        """Send a notification again with the same ``id`` (freshly signed): the last one when no id is given."""
        with self.transaction():
            for delivery in reversed(self.deliveries):
                body: dict[str, Any] = delivery.json()
                if notification_id is None or body.get("id") == notification_id:
                    tenant = self.tenant(body["tenantId"])
                    self._queue_signed(tenant, delivery.url, delivery.body)
                    return body
        raise ControlError(f"no notification {notification_id}", 404)

    def _notify(self, tenant: Tenant, entity_type: str, entity_id: str, event_time: str, event: str) -> None:
        """Queue a change notification per docs/wms-notifications.md (sent when the transaction ends)."""
        if not tenant.notification_url:
            return
        body = json.dumps({
            "id": str(uuid.uuid4()),
            "tenantId": tenant.id,
            "entityType": entity_type,
            "entityId": entity_id,
            "eventTime": event_time,
            "event": event,
        }, separators=(",", ":")).encode("utf-8")
        self._queue_signed(tenant, tenant.notification_url, body)

    def _queue_signed(self, tenant: Tenant, url: str, body: bytes) -> None:
        timestamp = str(int(self._now().timestamp()))
        headers = {"Content-Type": "application/json", "User-Agent": "CartonCloud-Sandbox/1",
                   "X-Notification-Timestamp": timestamp}
        if tenant.notification_secret:
            digest = hmac.new(tenant.notification_secret.encode("utf-8"), f"{timestamp}.".encode() + body,
                              hashlib.sha256).hexdigest()
            headers["X-Notification-Signature"] = f"v1={digest}"
        self.queue_webhook(url, headers, body)
