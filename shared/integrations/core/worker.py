"""The worker every SQS-triggered function runs: batches, idempotency, backoff, one failure path, DLQ.

A connector's worker is built from its declaration (:meth:`Worker.for_connector`); the WMS and billing workers
name their handlers. For each record:

1. the body is parsed as a :class:`WorkItem`;
2. the handler for its ``kind`` runs inside Powertools ``idempotent_function`` keyed on ``idempotencyKey``, so a
   redelivered or duplicated item returns the stored result instead of running again;
3. a spent rate budget (``RateBudgetExhausted``) is **waiting, not failing**: the item is deferred to its turn in
   the budget's fair line (core.waiting) — no attempt counted, no retry logged, never dead-lettered;
4. a ``PermanentError`` is recorded on the item's record: the link becomes ``NEEDS_ATTENTION`` with the error, its
   resolution and the attempt, keeps the work item for a retry from the sync log, and the log says so once per
   distinct error; the item is consumed (retrying can't help until a person acts);
5. anything else is reported as a batch item failure, with the message's visibility set to an exponential backoff
   (or the upstream's ``Retry-After``); after ``maxReceiveCount`` receives SQS moves it to the DLQ, and the last
   attempt's log entry says so and how to replay it.

Handlers never write failure outcomes themselves: they raise a named error (core.errors) and this is the one path.
The invocation's deadline (core.deadline) stops an item from starting with too little time left.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from . import aws, deadline
from .connectors import for_kind
from .context import core, on_reset
from .errors import PermanentError, RateBudgetExhausted, RetryableError, UpstreamAuthFailed
from .failures import Failure, describe, gave_up, in_words
from .records import LinkStatus, Origin, RecordRef
from .settings import settings
from .timeutil import utcnow
from .waiting import WaitMarkers, delay_for, ticket_for, turn
from .workitems import Attempt, WorkItem

if TYPE_CHECKING:
    from .connectors import Connector

logger = Logger(child=True)

#: SQS caps a message's visibility timeout at 12 hours.
MAX_VISIBILITY_SECONDS = 12 * 3600
#: Kept back from the invocation's remaining time for writing outcomes after the last call.
DEADLINE_MARGIN_SECONDS = 5.0
#: An item doesn't start with less time than this left: it goes back to the queue for a fresh invocation.
MIN_SECONDS_PER_ITEM = 10.0


def retry_delay(attempt: int, retry_after: float | None = None, *, rand: Callable[[], float] = random.random) -> int:
    """Seconds before attempt ``attempt + 1``: 30 s doubling per attempt (cap 15 min) with ±20 % jitter,
    or the upstream's ``Retry-After`` when it asked for longer. ``RETRY_DELAY_SECONDS`` (the local stack's
    ``--fast-retry``) makes every retry come back after that many seconds instead, whatever the backoff."""
    fixed = settings().retry_delay_seconds
    if fixed is not None:
        return fixed
    backoff = min(900.0, 30.0 * 2 ** (attempt - 1)) * (0.8 + 0.4 * rand())
    delay = max(backoff, retry_after or 0.0)
    return int(min(MAX_VISIBILITY_SECONDS, delay))


Handler = Callable[[WorkItem, Attempt], dict[str, Any] | None]


_queue_urls: dict[str, str] = {}


def _queue_url(queue_arn: str) -> str:
    if queue_arn not in _queue_urls:
        _queue_urls[queue_arn] = aws.sqs().get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
    return _queue_urls[queue_arn]


on_reset(_queue_urls.clear)


class Worker:
    def __init__(self, name: str, handlers: dict[str, Handler] | Callable[[], dict[str, Handler]], *,
                 metrics: Metrics | None = None) -> None:
        self.name = name
        self._handlers = handlers
        self.metrics = metrics
        self._run: Callable[..., dict[str, Any] | None] | None = None
        self._idempotency_config: IdempotencyConfig | None = None
        self._attempt = Attempt(1, "")

    @classmethod
    def for_connector(cls, connector: Connector, *, metrics: Metrics | None = None) -> Worker:
        """The worker of a connector's queue, taking every kind its declaration names (loaded on first use)."""
        return cls(connector.queue, connector.handler_table, metrics=metrics)

    @property
    def handlers(self) -> dict[str, Handler]:
        if callable(self._handlers):
            self._handlers = self._handlers()
        return self._handlers

    # Built on first use (not import) so the persistence layer's boto3 client honours the current environment.
    def _runner(self) -> Callable[..., dict[str, Any] | None]:
        if self._run is None:
            config = settings()
            self._idempotency_config = IdempotencyConfig(
                event_key_jmespath="idempotencyKey",
                expires_after_seconds=config.idempotency_expiry_seconds,
                raise_on_no_idempotency_key=True,
            )
            persistence = DynamoDBPersistenceLayer(table_name=config.idempotency_table, boto3_client=aws.dynamodb())

            @idempotent_function(  # type: ignore[untyped-decorator]
                data_keyword_argument="item",
                persistence_store=persistence,
                config=self._idempotency_config,
                key_prefix=self.name,
            )
            def run(item: dict[str, Any]) -> dict[str, Any] | None:
                work = WorkItem.model_validate(item)
                handler = self.handlers.get(work.kind)
                if handler is None:
                    raise PermanentError(f"{self.name} has no handler for work items of kind {work.kind!r}")
                return handler(work, self._attempt) or {}

            self._run = run
        return self._run

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        run = self._runner()
        assert self._idempotency_config is not None
        self._idempotency_config.register_lambda_context(context)
        processor = BatchProcessor(event_type=EventType.SQS)
        budget = context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN_SECONDS
        with deadline.until(budget):
            response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
                event=event,
                record_handler=lambda record: self._process(record, run),
                processor=processor,
                context=context,
            )
        return response

    def _process(self, record: SQSRecord, run: Callable[..., dict[str, Any] | None]) -> dict[str, Any] | None:
        receives = int(record.attributes.approximate_receive_count or "1")
        try:
            item = WorkItem.model_validate_json(record.body)
        except ValidationError:
            # Our own producers wrote this; keep it for a person in the DLQ rather than dropping it.
            logger.exception("Unreadable work item", extra={"message_id": record.message_id})
            raise
        # Failed attempts carried by a deferred item, plus this message's receives (every one but this a failure).
        attempt = item.attempts + receives
        self._attempt = Attempt(attempt, record.message_id)
        log_context = {"kind": item.kind, "tenant_id": item.tenant_id, "integration_id": item.integration_id,
                       "sync_key": item.sync_key, "attempt": attempt}
        left = deadline.remaining()
        if left is not None and left < MIN_SECONDS_PER_ITEM:
            logger.info("Too little time left for this item; back to the queue", extra=log_context)
            self._delay(record, 1)
            raise deadline.OutOfTime("The invocation ran out of time before this item started")
        try:
            with turn(self._fair_group(item), item.ticket):  # a budget that takes turns knows whose turn it is
                result = run(item=item.model_dump(by_alias=True, mode="json"))
        except RateBudgetExhausted as exc:
            self._defer(record, item, exc, attempt)
            return {"deferred": True}
        except IdempotencyAlreadyInProgressError:
            # A copy of this item is running right now; look again once it has finished.
            logger.info("Same work item already in progress; retrying later", extra=log_context)
            self._delay(record, 10 + int(20 * random.random()))
            raise
        except PermanentError as exc:
            if isinstance(exc, UpstreamAuthFailed) and self._credentials_saved_since(item):
                # This Lambda held the integration's old credentials (read up to a minute ago) and a person has
                # saved new ones since: try again with those at once, rather than record a refusal already fixed.
                logger.info("Credentials were saved anew since they were read; retrying with them", extra=log_context)
                self._delay(record, 1)
                raise RetryableError("The credentials were saved anew while this item ran; trying again with them",
                                     retry_after=1) from exc
            logger.warning("Work item needs attention", extra={**log_context, "error": str(exc)})
            self._count("WorkItemsNeedingAttention")
            self._needs_attention(item, exc, attempt)
            self._left_the_line(item)
            return None
        except Exception as exc:
            self._failed(record, item, exc, attempt, log_context, final=receives >= settings().max_receive_count)
            if receives >= settings().max_receive_count:
                self._left_the_line(item)
            raise
        self._count("WorkItemsProcessed")
        self._left_the_line(item)
        return result

    @staticmethod
    def _fair_group(item: WorkItem) -> str:
        """Whose share of a budget this item uses: its customer, read from its integration (cached) when the
        producer didn't say."""
        if item.customer_id or not item.integration_id:
            return item.fair_group
        integration = core().integrations.cached(item.integration_id)
        customer = integration.customer_id if integration is not None else None
        return item.model_copy(update={"customer_id": customer}).fair_group if customer else item.fair_group

    def _defer(self, record: SQSRecord, item: WorkItem, exc: RateBudgetExhausted, attempt: int) -> None:
        """Back on its queue as a new message, delayed to about its turn; this one is consumed (core.waiting)."""
        now = time.time()
        markers = WaitMarkers(settings().rate_budget_table)
        ticket, first = item.ticket, item.ticket is None
        if first and not markers.hold(item.idempotency_key, now=now, integration_id=item.integration_id):
            self._count("WorkItemsDuplicateWaitDropped")
            return  # a copy of this very work already waits for its turn (e.g. both checkout webhooks)
        try:
            if ticket is None or ticket.line != exc.budget_key or (exc.join is not None and ticket.round is None):
                place = exc.join() if exc.join is not None else None  # a budget that takes turns: join its line
                ticket = ticket_for(exc.budget_key, self._fair_group(item), round_=place.round if place else None,
                                    position=place.position if place else exc.position,
                                    wait=place.wait if place else (exc.retry_after or exc.slot_seconds), now=now)
            delay = delay_for(ticket, retry_after=exc.retry_after, slot_seconds=exc.slot_seconds, now=now)
            later = item.model_copy(update={"attempts": attempt - 1, "ticket": ticket})
            aws.sqs().send_message(QueueUrl=_queue_url(record.event_source_arn), MessageBody=later.to_message(),
                                   DelaySeconds=delay, MessageGroupId=item.fair_group)
        except Exception:
            if first:  # nothing waits after all: let the redelivery of this message wait instead
                markers.release(item.idempotency_key)
            raise
        self._count("WorkItemsDeferred")
        if first and item.record is not None:
            minutes = max(1, round((max(ticket.due_at, now + (exc.retry_after or 0)) - now) / 60))
            stores = core()
            recorded = stores.links.record(item.record, tenant_id=item.tenant_id, integration_id=item.integration_id,
                                           status=LinkStatus.WAITING,
                                           origin=Origin.WMS if item.record.is_wms else Origin.PLATFORM)
            stores.sync_log.append(recorded.key, "waiting",
                                   f"Waiting for the rate limit — {exc}: position ~{ticket.position}, its turn in "
                                   f"about {minutes} min",
                                   resolution=exc.resolution, attempt=attempt)

    def _left_the_line(self, item: WorkItem) -> None:
        if item.ticket is not None:
            try:
                WaitMarkers(settings().rate_budget_table).release(item.idempotency_key)
            except Exception:  # a marker left behind only expires later; never fail the item for it
                logger.exception("Could not clear the wait marker", extra={"line": item.ticket.line})

    def _needs_attention(self, item: WorkItem, exc: PermanentError, attempt: int) -> None:
        if isinstance(exc, UpstreamAuthFailed):
            self._credentials_refused(item, exc)
        if item.record is None:
            return
        stores = core()
        error = describe(exc, item.kind).error
        recorded = stores.links.record(
            item.record, tenant_id=item.tenant_id, integration_id=item.integration_id,
            status=LinkStatus.NEEDS_ATTENTION, error=error, resolution=exc.resolution, attempts=attempt,
            work_item=item.to_message(), origin=Origin.WMS if item.record.is_wms else Origin.PLATFORM)
        if recorded.previous_error != error:  # once per distinct error, however many triggers hit it
            stores.sync_log.append(recorded.key, "error", error, error=error, resolution=exc.resolution,
                                   attempt=attempt)

    @staticmethod
    def _credentials_saved_since(item: WorkItem) -> bool:
        """Whether the integration's stored credentials differ from the ones this Lambda has cached (one read, only
        on a refusal); the cache is refreshed either way."""
        if not item.integration_id:
            return False
        integrations = core().integrations
        held = integrations.cached(item.integration_id)
        stored = integrations.get(item.integration_id)
        return held is not None and stored is not None and held.credentials != stored.credentials

    @staticmethod
    def _credentials_refused(item: WorkItem, exc: UpstreamAuthFailed) -> None:
        """Tell the alert checks (core.alerts.signals): the integration's platform refused its credentials, or the
        WMS the tenant's API client (a connector calls only its own platform and the WMS)."""
        from .alerts.signals import report_refused_credentials  # only on this failure: no cold-start cost

        connector = for_kind(item.kind)
        platform = connector is not None and exc.upstream == connector.title
        try:
            report_refused_credentials(tenant_id=item.tenant_id, exc=exc,
                                       integration_id=item.integration_id if platform else None)
        except Exception:  # the record's own log says it anyway; an alert a check later is better than a lost item
            logger.exception("Could not report refused credentials to the alert checks", extra={"kind": item.kind})

    def _failed(self, record: SQSRecord, item: WorkItem, exc: Exception, attempt: int,
                log_context: dict[str, Any], *, final: bool) -> None:
        """A real failure: backoff, or (the message's last receive, as SQS counts them) the DLQ — and in either case
        words on the record's log a person can act on (core.failures), a bug included."""
        retry_after = exc.retry_after if isinstance(exc, RetryableError) else None
        delay = retry_delay(attempt, retry_after)
        failure = describe(exc, item.kind)
        extra = {**log_context, "error": failure.error, "error_type": type(exc).__name__}
        if failure.unexpected:  # a fault of ours: its trace goes to the operator's logs, and it is counted
            logger.exception("Work item failed unexpectedly", extra=extra)
            self._count("WorkItemsFailedUnexpectedly")
        else:
            logger.warning("Work item failed; will retry" if not final else "Work item failed; dead-lettered",
                           extra=extra)
        self._count("WorkItemsRetried" if not final else "WorkItemsDeadLettered")
        if item.record is not None:
            if final:
                waited = (utcnow() - item.enqueued_at).total_seconds() if item.enqueued_at else 0.0
                words = gave_up(failure, exc, attempt, waited, retry_from_log=bool(item.integration_id))
                self._gave_up(item, item.record, failure, words, attempt)
            else:
                stores = core()
                found = stores.links.find(item.record) if item.integration_id else None
                stores.sync_log.append(found.key if found else item.record.key, "retry",
                                       f"Attempt {attempt} failed: {failure.error}; next try in about "
                                       f"{in_words(delay)}", error=failure.error, resolution=failure.resolution,
                                       attempt=attempt)
        # The last attempt too: SQS moves a message to the DLQ when a receive finds it over maxReceiveCount, so it
        # reaches the DLQ (and its alarm) after this delay rather than after the whole visibility timeout.
        self._delay(record, delay)

    def _gave_up(self, item: WorkItem, ref: RecordRef, failure: Failure, resolution: str, attempt: int) -> None:
        """The last automatic try failed: the record needs attention, keeping the item for a retry from its log
        (SQS moves the message to the dead-letter queue too, where the operator's alarm sees it)."""
        stores = core()
        origin = Origin.WMS if ref.is_wms else Origin.PLATFORM
        recorded = stores.links.record(ref, tenant_id=item.tenant_id, integration_id=item.integration_id,
                                       status=LinkStatus.NEEDS_ATTENTION, error=failure.error, resolution=resolution,
                                       attempts=attempt, work_item=item.to_message(), origin=origin,
                                       dead_lettered=True) \
            if item.integration_id else None
        stores.sync_log.append(recorded.key if recorded else ref.key, "dead-lettered",
                               f"Gave up after {attempt} attempts: {failure.error}", error=failure.error,
                               resolution=resolution, attempt=attempt)

    def _delay(self, record: SQSRecord, seconds: int) -> None:
        try:
            aws.sqs().change_message_visibility(
                QueueUrl=_queue_url(record.event_source_arn),
                ReceiptHandle=record.receipt_handle,
                VisibilityTimeout=seconds,
            )
        except Exception:  # the default visibility timeout still brings it back; never lose the failure itself
            logger.exception("Could not set retry backoff on message", extra={"message_id": record.message_id})

    def _count(self, name: str) -> None:
        if self.metrics is not None:
            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
