"""The importer: one platform record → its WMS counterpart, once, however many times and in whatever order we hear
about it (OCA's importer shape: a template method with named hooks).

:meth:`Importer.handle` is a connector's work-item handler for "this record changed". In order:

1. the integration must be live (else the record's log says so and nothing happens);
2. :meth:`~Importer.fetch` re-reads the record from the platform (a webhook is only a signal); gone → logged;
3. :meth:`~Importer.must_wait` (not ready yet: logged, nothing written) and :meth:`~Importer.must_skip` (never
   synced: the link says SKIPPED and why) — unless the record is already bound;
4. the link is **claimed** with one conditional write: of any number of concurrent workers one goes on; the
   others find it bound or claimed (→ retried shortly). A record already bound to its WMS counterpart goes to
   :meth:`~Importer.on_linked` (divergence notes, re-checks): a WMS record is never changed by a later platform
   edit;
5. :meth:`~Importer.map` builds what to create; a record that can't be mapped raises a named error naming the
   field, before the WMS is called (and the claim is given back);
6. :meth:`~Importer.create` makes the WMS record (idempotently on the business reference, so a crash between the
   WMS call and our write binds to the same record next time), and the link is **bound** to it with the pointer
   at the WMS end in one transaction; a ``problem`` it reports (created but REJECTED) becomes ``NEEDS_ATTENTION``.

Failures are raised, never written here: the worker records them on the link (core.worker).
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Generic, TypeVar

from .context import core
from .errors import PermanentError, RetryableError
from .integration_access import integration as load_integration
from .integration_access import is_live
from .integration_record import Integration
from .records import LinkStatus, Origin, RecordRef, SyncLink, WmsRef
from .timeutil import utc_iso, utcnow
from .workitems import Attempt, WorkItem

R = TypeVar("R")  # the platform record
M = TypeVar("M")  # what it maps to


@dataclass(frozen=True)
class Skip:
    """Never sync this record (a pickup order, a warehouse not mapped): said in its log with what to do."""

    reason: str
    resolution: str | None = None


@dataclass(frozen=True)
class Created:
    """What :meth:`Importer.create` made (or found: ``already_existed``) in the WMS."""

    wms: WmsRef
    message: str
    already_existed: bool = False
    #: Facts the connector keeps on the link (``SyncLink.memo``).
    memo: dict[str, Any] = field(default_factory=dict)
    #: Created, but a person must act (e.g. the WMS made it REJECTED): the link is bound, then this is raised.
    problem: PermanentError | None = None
    #: The WMS record's number as people know it (its customer reference): what logs and screens name it by.
    number: str | None = None


@dataclass
class ImportContext(Generic[R]):
    integration: Integration
    item: WorkItem
    attempt: Attempt
    ref: RecordRef
    record: R | None = None

    def log(self, event: str, message: str, **fields: Any) -> None:
        core().sync_log.append(self.ref.key, event, message, attempt=self.attempt.number, **fields)


class Importer(ABC, Generic[R, M]):
    #: The connector key (the ``platform`` of the record keys) and the record type (``order``, ``shipment``).
    platform: ClassVar[str]
    record_type: ClassVar[str]
    #: A claim older than this belongs to a worker that died mid-create (well beyond the worker's timeout).
    claim_ttl: ClassVar[timedelta] = timedelta(seconds=300)

    # --- hooks ------------------------------------------------------------------------------------------------------

    @abstractmethod
    def record_id(self, item: WorkItem) -> str:
        """The platform record's id this work item is about."""

    @abstractmethod
    def fetch(self, ctx: ImportContext[R]) -> R | None:
        """The record as the platform shows it now; None when it no longer exists."""

    def must_wait(self, ctx: ImportContext[R], record: R) -> str | None:
        """Why the record is not ready to sync yet (it is synced when a later change makes it ready)."""
        return None

    def must_skip(self, ctx: ImportContext[R], record: R) -> Skip | None:
        return None

    @abstractmethod
    def map(self, ctx: ImportContext[R], record: R) -> M:
        """What to create in the WMS; raise a named ``PermanentError`` naming the field when it can't be."""

    def before_create(self, ctx: ImportContext[R], record: R, mapped: M) -> None:
        """Checks against the WMS that must pass before creating (e.g. every product exists)."""

    @abstractmethod
    def create(self, ctx: ImportContext[R], record: R, mapped: M) -> Created:
        """Create the WMS record, idempotently on its business reference."""

    @abstractmethod
    def snapshot(self, record: R) -> dict[str, Any]:
        """What the WMS record is made from, kept on the link to compare later versions with."""

    @abstractmethod
    def fingerprint(self, snapshot: dict[str, Any]) -> str:
        """A digest of the snapshot's content that matters."""

    def modified_at(self, snapshot: dict[str, Any]) -> str:
        """The record's modified time in UTC ISO (the link's ``sourceModifiedAt``)."""
        return str(snapshot.get("modifiedAt") or utc_iso(utcnow()))

    def on_linked(self, ctx: ImportContext[R], link: SyncLink, record: R) -> dict[str, Any]:
        """The record is in the WMS already: note what changed since (never applied), re-check a problem."""
        return {"alreadyInWms": link.wms_record_key}

    def describe(self, ctx: ImportContext[R]) -> str:
        return f"{self.record_type} {ctx.ref.record_id}"

    def number(self, record: R) -> str | None:
        """The record's number as the platform shows it to people (a shop's "#1003"), kept on its link when first
        seen and searchable; None: it is known by its id."""
        return None

    # --- the template -----------------------------------------------------------------------------------------------

    def ref(self, integration_id: str, record_id: str) -> RecordRef:
        return RecordRef(scope=integration_id, platform=self.platform, record_type=self.record_type,
                         record_id=record_id)

    def handle(self, item: WorkItem, attempt: Attempt) -> dict[str, Any]:
        assert item.integration_id, f"{item.kind} items always name their integration"
        ref = self.ref(item.integration_id, self.record_id(item))
        integration = load_integration(item.integration_id, of_type=self.platform)
        if not is_live(integration):
            status = integration.status if integration else "deleted"
            core().sync_log.append(ref.key, "ignored", f"Integration is {status}: {self.record_type} "
                                   f"{ref.record_id} not synced", attempt=attempt.number)
            return {"ignored": f"integration {status}"}
        assert integration is not None
        ctx: ImportContext[R] = ImportContext(integration, item, attempt, ref)
        record = self.fetch(ctx)
        if record is None:
            ctx.log("gone", f"{self.describe(ctx)} no longer exists on the platform; nothing to do (deleting it "
                            "there never deletes the WMS record)")
            return {"gone": True}
        ctx.record = record
        links = core().links
        waiting = self.must_wait(ctx, record)
        skip = self.must_skip(ctx, record) if waiting is None else None
        if waiting is not None or skip is not None:
            link = links.find(ref)
            if link is not None and link.bound:
                return self.on_linked(ctx, link, record)
            if waiting is not None:
                ctx.log("waiting", waiting)
                return {"waiting": waiting}
            assert skip is not None
            return self._skip(ctx, skip)
        token = uuid.uuid4().hex
        claim = links.claim(ref, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
                            origin=Origin.PLATFORM, token=token, stale_before=utc_iso(utcnow() - self.claim_ttl),
                            number=self.number(record))
        if not claim.won:
            if claim.current is not None and claim.current.bound:
                return self.on_linked(ctx, claim.current, record)
            raise RetryableError(f"Another worker is creating this {self.record_type} in the WMS right now "
                                 f"({self.describe(ctx)}); checking again shortly", retry_after=30)
        try:
            mapped = self.map(ctx, record)
            self.before_create(ctx, record, mapped)
            return self._bind(ctx, token, record, self.create(ctx, record, mapped))
        except Exception:
            # A claim still held (nothing was bound) is given back so the retry needn't wait for it to go stale;
            # the WMS's duplicate check on the business reference makes a retry bind to anything already made.
            links.release(ref, token)
            raise

    def _skip(self, ctx: ImportContext[R], skip: Skip) -> dict[str, Any]:
        core().links.record(ctx.ref, tenant_id=ctx.integration.tenant_id,
                            integration_id=ctx.integration.integration_id, status=LinkStatus.SKIPPED,
                            error=skip.reason, resolution=skip.resolution)
        ctx.log("skipped", skip.reason, resolution=skip.resolution)
        return {"skipped": skip.reason}

    def _bind(self, ctx: ImportContext[R], token: str, record: R, created: Created) -> dict[str, Any]:
        snapshot = self.snapshot(record)
        bound = core().links.bind(
            ctx.ref, token=token, pointer=created.wms.seen_by(ctx.integration.integration_id),
            wms_record_key=created.wms.key, fingerprint=self.fingerprint(snapshot), snapshot=snapshot,
            source_modified_at=self.modified_at(snapshot), memo=created.memo,
            status=LinkStatus.NEEDS_ATTENTION if created.problem else LinkStatus.SYNCED,
            counterpart_number=created.number, tenant_id=ctx.integration.tenant_id, own_number=self.number(record))
        if created.problem is not None:
            raise created.problem
        message = created.message
        if not bound:
            message += " — another worker had bound it meanwhile; its binding stands"
        ctx.log("bound" if created.already_existed else "created", message)
        return {"wms": created.wms.entity_id, "alreadyExisted": created.already_existed}
