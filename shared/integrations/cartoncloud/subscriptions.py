"""Integrations subscribe to WMS status changes here.

A platform registers one subscriber for its sync links (``@subscribe("woocommerce")``). The status-change worker
finds every link bound to the changed WMS record and calls the subscriber of that link's platform. Subscribers
must be idempotent on their own (the same change can be delivered again after a partial failure): compare with
what the platform already shows before writing, as the WooCommerce tracking write-back does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.context import core
from ..core.worker import Attempt
from ..core.workitems import WorkItem
from .notifications import entity_ref
from .status import StatusChange

#: ``(change, link) -> a sentence for the link's sync log``
Subscriber = Callable[[StatusChange, dict[str, Any]], str]

_subscribers: dict[str, Subscriber] = {}


def subscribe(platform: str) -> Callable[[Subscriber], Subscriber]:
    def register(subscriber: Subscriber) -> Subscriber:
        _subscribers[platform] = subscriber
        return subscriber

    return register


def subscribers() -> dict[str, Subscriber]:
    return dict(_subscribers)


def handle_status_change(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    shared = core()
    change = StatusChange.model_validate(item.payload)
    links = shared.sync_log.links_to_wms_record(change.wms_record_key)
    wms_key = entity_ref(change.tenant_id, change.entity_type, change.entity_id).key
    if not links:
        shared.sync_log.append(wms_key, "fan-out", f"{', '.join(change.changes) or 'Change'} of {change.entity_type}"
                               f" {change.entity_id}: no integration record is linked to it; nothing to write back")
        return {"delivered": 0}
    delivered = 0
    for link in links:
        subscriber = _subscribers.get(link.get("platform", ""))
        if subscriber is None:
            shared.sync_log.append(link["pk"], "fan-out", f"No write-back is defined for {link.get('platform')};"
                                   f" WMS change {', '.join(change.changes)} noted only")
            continue
        message = subscriber(change, link)
        shared.sync_log.append(link["pk"], "write-back", message, attempt=attempt.number)
        delivered += 1
    return {"delivered": delivered}
