"""Work items: what a trigger, a schedule or the WMS event router hands to a worker through SQS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from . import aws
from .records import CamelModel, RecordRef
from .timeutil import utcnow
from .waiting import Ticket


@dataclass(frozen=True)
class Attempt:
    """What a handler knows about the delivery it is working on (which attempt: failed ones before, plus this)."""

    number: int
    message_id: str


class WorkItem(CamelModel):
    #: What to do, ``{connector}.{what}`` (e.g. ``shop.order.changed``) or ``wms.…``; workers dispatch on it.
    kind: str
    tenant_id: str
    integration_id: str | None = None
    #: The integration's customer, where the producer knows it: whose share of a tenant's budgets this work uses.
    customer_id: str | None = None
    #: Same key = same work: Powertools idempotency hashes only this (see core.worker).
    idempotency_key: str
    #: The record this item concerns: its link records the outcome, its sync log says what happened.
    record: RecordRef | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    #: Who produced it: notification, webhook, poller, backfill, wms-event, retry, replay.
    source: str
    enqueued_at: datetime = Field(default_factory=utcnow)
    #: Failed attempts before this message (a deferred item carries them; SQS counts this message's receives).
    attempts: int = 0
    #: Its place in a rate budget's line while it waits for its turn (core.waiting).
    ticket: Ticket | None = None

    @property
    def fair_group(self) -> str:
        """Whose work this is, for fair delivery (SQS ``MessageGroupId``) and a budget's turns: the customer (every
        store of one customer is one share), else the integration (a tenant-level one), else the tenant (the WMS's
        own work)."""
        if self.customer_id:
            return f"{self.tenant_id}#customer#{self.customer_id}"
        return f"{self.tenant_id}#integration#{self.integration_id or '-'}"

    @property
    def sync_key(self) -> str | None:
        return self.record.key if self.record is not None else None

    @property
    def connector(self) -> str:
        """The connector (or ``wms``) whose queue takes this kind of item: the kind's first part."""
        return self.kind.split(".", 1)[0]

    def to_message(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True)


def enqueue(queue_url: str, item: WorkItem, *, delay_seconds: int = 0) -> str:
    """Send one work item; returns the SQS message id."""
    response = aws.sqs().send_message(QueueUrl=queue_url, MessageBody=item.to_message(), DelaySeconds=delay_seconds,
                                      MessageGroupId=item.fair_group)
    return response["MessageId"]


def enqueue_many(queue_url: str, items: list[WorkItem]) -> int:
    """Send items in batches of ten (one request each); raises if SQS refuses any entry."""
    sent = 0
    for start in range(0, len(items), 10):
        batch = items[start : start + 10]
        response = aws.sqs().send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "MessageBody": item.to_message(), "MessageGroupId": item.fair_group}
                     for i, item in enumerate(batch)],
        )
        if response.get("Failed"):
            failed = response["Failed"][0]
            raise RuntimeError(f"SQS refused {len(response['Failed'])} work items: {failed.get('Message')}")
        sent += len(batch)
    return sent
