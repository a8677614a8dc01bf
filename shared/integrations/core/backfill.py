"""Backfill: sync a platform's records from a past date window, for every connector that reads from its platform.

The product pages say "no backfill"; we offer it. ``POST …/integrations/{id}/backfill {from, to}`` starts one:

- the window is checked (``from`` before ``to``, not in the future, at most :data:`MAX_WINDOW` long — a clear 400
  naming the field otherwise) and a :class:`Backfill` record is written (SyncTable, beside the integration's other
  records, with its own sync log);
- one ``{connector}.backfill`` item per page runs on the connector's queue: it reads one page of the window with the
  connector poller's :meth:`~integrations.core.poller.CursorPoller.window`, queues one work item per record with
  the poller's own :meth:`~integrations.core.poller.CursorPoller.work_item` — the same key as the webhook's and the
  poll's item for the same version, so a record live sync already handled is not handled again, and a record
  already linked is never created twice — counts what it did, and queues the next page;
- ``GET …/backfills/{backfillId}`` reads the progress.

Counting is guarded by the page number (one conditional write per page), so a redelivered page item counts once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from botocore.exceptions import ClientError

from . import aws
from .connectors import BACKFILL, Connector, for_kind
from .context import core
from .errors import ConfigurationError, PermanentError
from .integration_record import Integration
from .records import CamelModel, RecordRef
from .stores.dynamo import from_item, is_condition_failure, to_item
from .timeutil import in_service_range, utc_iso, utcnow
from .workitems import Attempt, WorkItem, enqueue, enqueue_many

#: The longest window one backfill covers (a quarter): longer ones are split by the person asking.
MAX_WINDOW: Final = timedelta(days=92)
BACKFILL_SK: Final = "BACKFILL"


class BackfillRefused(PermanentError):
    """The window asked for can't be backfilled; ``field`` names what to change."""

    def __init__(self, message: str, *, field: str, resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field


class BackfillStatus(StrEnum):
    RUNNING = "RUNNING"
    DONE = "DONE"


class Backfill(CamelModel):
    backfill_id: str
    integration_id: str
    tenant_id: str
    platform: str
    start: datetime
    end: datetime
    status: BackfillStatus = BackfillStatus.RUNNING
    #: Pages read, records found and queued, and records read but not synced (e.g. not in a status that syncs).
    pages: int = 0
    queued: int = 0
    passed_over: int = 0
    requested_by: str | None = None
    started_at: datetime
    finished_at: datetime | None = None

    @property
    def ref(self) -> RecordRef:
        return backfill_ref(self.integration_id, self.platform, self.backfill_id)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)


def backfill_ref(integration_id: str, platform: str, backfill_id: str) -> RecordRef:
    return RecordRef(scope=integration_id, platform=platform, record_type="backfill", record_id=backfill_id)


def check_window(start: datetime, end: datetime, *, now: datetime | None = None) -> None:
    moment = now or utcnow()
    for name, value in (("from", start), ("to", end)):
        try:
            in_service_range(value)
        except ValueError as exc:
            raise BackfillRefused(f"{name} {exc}", field=name, resolution="Give a window of real dates, e.g. "
                                  "{\"from\": \"2026-11-01T00:00:00Z\", \"to\": \"2026-11-08T00:00:00Z\"}.") from None
    if end <= start:
        raise BackfillRefused("to must be after from", field="to", resolution="Give a window whose end is after its "
                              "start, e.g. {\"from\": \"2026-11-01T00:00:00Z\", \"to\": \"2026-11-08T00:00:00Z\"}.")
    if start > moment:
        raise BackfillRefused("from is in the future", field="from", resolution="Backfill covers the past: give a "
                              "start before now.")
    if end - start > MAX_WINDOW:
        raise BackfillRefused(f"The window is {(end - start).days} days; a backfill covers at most "
                              f"{MAX_WINDOW.days}", field="to", resolution="Split the window into several backfills "
                              f"of at most {MAX_WINDOW.days} days each.")


def start(connector: Connector, integration: Integration, start_at: datetime, end_at: datetime, *,
          requested_by: str | None = None) -> Backfill:
    """Check the window, record the backfill and queue its first page."""
    if connector.load_poller() is None:
        raise ConfigurationError(f"{connector.title} integrations don't read from their platform: there is nothing "
                                 "to backfill")
    check_window(start_at, end_at)
    now = utcnow()
    backfill = Backfill(backfill_id=uuid.uuid4().hex[:16], integration_id=integration.integration_id,
                        tenant_id=integration.tenant_id, platform=connector.key, start=start_at,
                        end=min(end_at, now), requested_by=requested_by, started_at=now)
    # Everything that could refuse is done before the first write: a refused request leaves no RUNNING backfill.
    started = (f"Backfill of {utc_iso(backfill.start)} to {utc_iso(backfill.end)} started"
               + (f" by {requested_by}" if requested_by else ""))
    first_page = page_item(connector, backfill, page=1, token=None)
    item = _item(backfill)
    stores = core()
    aws.dynamodb().put_item(TableName=stores.settings.sync_table, Item=item,
                            ConditionExpression="attribute_not_exists(pk)")
    stores.sync_log.append(backfill.ref.key, "backfill-started", started)
    enqueue(connector.queue_url(), first_page)
    return backfill


def get(integration_id: str, platform: str, backfill_id: str) -> Backfill | None:
    stores = core()
    response = aws.dynamodb().get_item(
        TableName=stores.settings.sync_table, ConsistentRead=True,
        Key={"pk": {"S": backfill_ref(integration_id, platform, backfill_id).key}, "sk": {"S": BACKFILL_SK}})
    return Backfill.model_validate(from_item(response["Item"])) if "Item" in response else None


def page_item(connector: Connector, backfill: Backfill, *, page: int, token: str | None) -> WorkItem:
    return WorkItem(kind=connector.kind(BACKFILL), tenant_id=backfill.tenant_id,
                    integration_id=backfill.integration_id,
                    idempotency_key=f"backfill:{backfill.backfill_id}:page:{page}", record=backfill.ref,
                    payload={"backfillId": backfill.backfill_id, "page": page, "token": token}, source="backfill")


def handle_backfill_page(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """One page of a backfill (the ``{connector}.backfill`` handler every reading connector's worker has)."""
    connector = for_kind(item.kind)
    assert connector is not None and item.integration_id
    poller = connector.load_poller()
    assert poller is not None
    backfill = get(item.integration_id, connector.key, str(item.payload["backfillId"]))
    if backfill is None or backfill.status is not BackfillStatus.RUNNING:
        return {"skipped": "no running backfill"}
    page_number = int(item.payload["page"])
    log = core().sync_log
    scope = poller.load(item)
    if scope is None:
        _finish(backfill)
        log.append(backfill.ref.key, "backfill-stopped", "The integration is no longer live: backfill stopped",
                   attempt=attempt.number)
        return {"stopped": True}
    page = poller.window(scope, backfill.start, backfill.end, item.payload.get("token"))
    queued = [poller.work_item(scope, found.record, source="backfill") for found in page.found]
    enqueue_many(poller.queue_url(), queued)
    counted = _count(backfill, page_number, queued=len(queued), passed_over=page.passed_over)
    if page.next_token is not None:
        enqueue(poller.queue_url(), page_item(connector, backfill, page=page_number + 1, token=page.next_token))
    else:
        _finish(backfill)
    if page.next_token is None and counted:
        done = get(backfill.integration_id, backfill.platform, backfill.backfill_id) or backfill
        log.append(backfill.ref.key, "backfill-done",
                   f"Backfill done: {done.pages} page(s) read, {done.queued} record(s) queued for sync"
                   + (f", {done.passed_over} not in a status that syncs" if done.passed_over else ""),
                   attempt=attempt.number)
    return {"page": page_number, "queued": len(queued), "more": page.next_token is not None}


def _item(backfill: Backfill) -> dict[str, Any]:
    return to_item({**backfill.model_dump(by_alias=True, mode="json"), "pk": backfill.ref.key, "sk": BACKFILL_SK,
                    "scope": backfill.integration_id, "updatedAt": utc_iso(utcnow())})


def _count(backfill: Backfill, page: int, *, queued: int, passed_over: int) -> bool:
    """Add one page's counts, once: the page number must follow the last one counted."""
    try:
        aws.dynamodb().update_item(
            TableName=core().settings.sync_table,
            Key={"pk": {"S": backfill.ref.key}, "sk": {"S": BACKFILL_SK}},
            UpdateExpression="SET pages = :page, updatedAt = :now ADD queued :queued, passedOver :passed",
            ConditionExpression="pages = :previous",
            ExpressionAttributeValues=to_item({":page": page, ":previous": page - 1, ":queued": queued,
                                               ":passed": passed_over, ":now": utc_iso(utcnow())}),
        )
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def _finish(backfill: Backfill) -> None:
    aws.dynamodb().update_item(
        TableName=core().settings.sync_table,
        Key={"pk": {"S": backfill.ref.key}, "sk": {"S": BACKFILL_SK}},
        UpdateExpression="SET #status = :done, finishedAt = :now",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues=to_item({":done": BackfillStatus.DONE.value, ":now": utc_iso(utcnow())}),
    )
