"""The safety net: Rose Rocket sends only "Order Status Changed" (an edit of a Delivered order sends nothing), may
send one twice, and gives up on a delivery after 3 retries (v2, per a digest; v1 never retried). Every 5 minutes, per
live integration, the frame's :class:`~integrations.core.poller.IntegrationPoller` runs these hooks:

- **changed since**: the Delivered orders of the organisation's orders board whose ``updatedAt`` is at or after the
  cursor minus the overlap, oldest first (Rose Rocket's search has a ``limit`` and no cursor: the client walks it by
  ``updatedAt``); the cursor moves to the newest ``updatedAt`` seen. Rose Rocket's pages spell the status
  "delivered" and "Delivered" and the wire value is unknown, so the board is searched once per spelling (an exact
  match finds one of them only) and the orders found are checked normalised;
- **work item**: keyed by the order's ``updatedAt`` and ``version`` (a webhook's by its event id: the worker compares
  before writing, so both make one consignment);
- **after poll**: our webhook destination is put back if someone deleted it in Rose Rocket;
- **window** (backfill): the Delivered orders *created* in the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ..core.context import core
from ..core.errors import UpstreamError
from ..core.integration_access import sealed_secret
from ..core.integration_record import Integration
from ..core.poller import Found, IntegrationPoller, Page, PollResult, Truncated
from ..core.timeutil import parse_iso, utc_iso
from ..core.workitems import Attempt, WorkItem
from . import PLATFORM
from .client import RoseRocketClient, TooManyMatches
from .clients import client_for
from .models import DELIVERED, spellings, status_key
from .refs import integration_ref, order_item, webhook_url
from .settings import board_of
from .webhooks import ensure_destination

#: One filter per spelling of Delivered (an ``eq`` each: the search's other operators are less sure than ``eq``).
DELIVERED_SPELLINGS = [{"path": "status", "operator": "eq", "value": spelling} for spelling in spellings(DELIVERED)]


def delivered_orders(client: RoseRocketClient, board: str, filters: list[dict[str, Any]], *, order_by: str,
                     after: str) -> Iterator[dict[str, Any]]:
    """Every Delivered order matching ``filters``, whichever way the organisation spells Delivered, each once."""
    seen: set[str] = set()
    for spelled in DELIVERED_SPELLINGS:
        for record in client.search(board, filters=[spelled, *filters], order_by=order_by, after=after):
            if record.get("id") not in seen and status_key(record.get("status")) == DELIVERED:
                seen.add(str(record.get("id")))
                yield record


def rr_time(moment: datetime, *, round_up: bool = False) -> str:
    """A UTC instant as Rose Rocket writes them (milliseconds, ``Z``): compared as text by its search. Its times are
    whole milliseconds, so an exclusive end is rounded up (a record of that millisecond may be before it)."""
    if round_up and moment.microsecond % 1000:
        moment += timedelta(microseconds=1000 - moment.microsecond % 1000)
    return utc_iso(moment)[:23] + "Z"


class OrderPoller(IntegrationPoller):
    platform: ClassVar[str] = PLATFORM
    name: ClassVar[str] = "orders"

    def changed_since(self, scope: Integration, since: datetime) -> Iterator[Found]:
        client = client_for(scope)
        try:
            for record in delivered_orders(client, board_of(scope, "order"), [], order_by="updatedAt",
                                           after=rr_time(since)):
                yield Found(record, parse_iso(record["updatedAt"]) if record.get("updatedAt") else None)
        except TooManyMatches as exc:
            raise Truncated(str(exc)) from None

    def work_item(self, scope: Integration, record: Any, *, source: str) -> WorkItem:
        version = f"{record.get('updatedAt') or '-'}:{record.get('version') or 0}"
        return order_item(scope, str(record["id"]), version=version, source=source)

    def window(self, scope: Integration, start: datetime, end: datetime, token: str | None) -> Page:
        client = client_for(scope)
        created_before = {"path": "createdAt", "operator": "lt", "value": rr_time(end, round_up=True)}
        try:
            found = [Found(record, parse_iso(record["updatedAt"]) if record.get("updatedAt") else None)
                     for record in delivered_orders(client, board_of(scope, "order"), [created_before],
                                                    order_by="createdAt", after=rr_time(start))]
        except TooManyMatches as exc:
            raise Truncated(f"{exc}: split the backfill into shorter windows") from None
        return Page(found, None)

    def after_poll(self, scope: Integration, result: PollResult, attempt: Attempt) -> None:
        result.notes["healed"] = heal(scope)


def heal(integration: Integration) -> str | None:
    """Register our webhook destination again if it was deleted in Rose Rocket (never a failure of the poll)."""
    state = integration.platform_state
    token = sealed_secret(integration, "webhookToken")
    base = state.get("apiBaseUrl")
    if not token or not isinstance(base, str) or not state.get("webhookRegistered"):
        return None
    try:
        destination, done = ensure_destination(client_for(integration), webhook_url(base, integration.integration_id,
                                                                                    token),
                                               state.get("webhookDestinationId"))
    except UpstreamError as exc:
        return f"not checked: {exc}"
    if done != "kept":
        core().sync_log.append(integration_ref(integration.integration_id, "webhooks").key, "webhook-healed",
                               f"Our webhook destination was missing in Rose Rocket: {done} again ({destination})")
        if destination != state.get("webhookDestinationId"):
            stores = core()
            current = stores.integrations.get(integration.integration_id)
            if current is not None:
                state_now = {**current.platform_state, "webhookDestinationId": destination}
                stores.integrations.save(current.model_copy(update={"platform_state": state_now}), previous=current)
    return done


POLLER = OrderPoller()


def schedule_polls(scheduled_at: datetime | None = None) -> int:
    return POLLER.schedule_polls(scheduled_at)
