"""The exporter: one routed WMS event → the integration's platform (the importer's shape, the other way).

The WMS event router puts a ``{connector}.wms-event`` item on the connector's queue for every live integration of
the tenant and customer that subscribes to the event. :meth:`Exporter.handle` then:

1. checks the integration is still live, and gives an event the connector applies outside any one link
   (:meth:`~Exporter.apply_outside_links`) to it;
2. finds the link of that WMS record for this integration, from either side (an import's pointer, or an export
   link): a bound link goes to :meth:`~Exporter.update` — write tracking, a status, an invoice state — whose
   sentence is logged on the link;
3. with no link, asks :meth:`~Exporter.creates` whether this event makes a counterpart (a WMS order reaching the
   trigger status); if so it **claims** the WMS end with one conditional write, calls :meth:`~Exporter.create`
   (idempotent on the platform's side: look the record up by its business reference before creating), and
   **binds** the link with the pointer at the platform end in one transaction;
4. otherwise notes in the WMS record's log that the event concerns nothing of this integration's.

Each update must compare with what the platform shows before writing, so the same event applied twice (a replay,
a duplicate) writes once. Failures are raised for the worker to record (core.worker).
"""

from __future__ import annotations

import uuid
from abc import ABC
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from .context import core
from .errors import RetryableError
from .events import WmsEvent
from .integration_access import integration as load_integration
from .integration_access import is_live
from .integration_record import Integration
from .records import LinkStatus, Origin, RecordRef, SyncLink
from .timeutil import utc_iso, utcnow
from .workitems import Attempt, WorkItem


@dataclass(frozen=True)
class Exported:
    """What :meth:`Exporter.create` made (or found: ``already_existed``) on the platform."""

    ref: RecordRef
    message: str
    already_existed: bool = False
    memo: dict[str, Any] = field(default_factory=dict)
    #: The platform record's number as people know it (a label platform's order number, a TMS's ORD-123).
    number: str | None = None


@dataclass
class ExportContext:
    integration: Integration
    event: WmsEvent
    item: WorkItem
    attempt: Attempt

    @property
    def wms_ref(self) -> RecordRef:
        """The WMS record as this integration sees it: an export link's origin, an import link's pointer."""
        return self.event.ref.seen_by(self.integration.integration_id)

    def log(self, key: str, event: str, message: str, **fields: Any) -> None:
        core().sync_log.append(key, event, message, attempt=self.attempt.number, **fields)


class Exporter(ABC):
    #: The connector key.
    platform: ClassVar[str]
    title: ClassVar[str]
    claim_ttl: ClassVar[timedelta] = timedelta(seconds=300)

    # --- hooks ------------------------------------------------------------------------------------------------------

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        """Bring the linked platform record up to date with the event; returns the sentence for its log."""
        return f"{ctx.event.describe()}: nothing to write back"

    def creates(self, ctx: ExportContext) -> bool:
        """Whether this event, for a WMS record with no counterpart yet, makes one."""
        return False

    def create(self, ctx: ExportContext) -> Exported:
        raise NotImplementedError(f"{type(self).__name__} creates no platform records")

    def snapshot(self, ctx: ExportContext) -> dict[str, Any]:
        return {"status": ctx.event.status, "tracking": [t.number for t in ctx.event.tracking]}

    def apply_outside_links(self, ctx: ExportContext) -> dict[str, Any] | None:
        """Apply an event that no one link of its WMS record stands for (it concerns records the connector finds its
        own way) and return its outcome; None, the default, lets the template find the record's link."""
        return None

    # --- the template -----------------------------------------------------------------------------------------------

    def handle(self, item: WorkItem, attempt: Attempt) -> dict[str, Any]:
        assert item.integration_id, "routed WMS events always name their integration"
        event = WmsEvent.model_validate(item.payload)
        integration = load_integration(item.integration_id, of_type=self.platform)
        if not is_live(integration):
            core().sync_log.append(event.ref.key, "ignored", f"{event.describe()}: the {self.title} integration "
                                   f"{item.integration_id} is not live; nothing written", attempt=attempt.number)
            return {"ignored": True}
        assert integration is not None
        ctx = ExportContext(integration, event, item, attempt)
        applied = self.apply_outside_links(ctx)
        if applied is not None:
            return applied
        links = core().links
        link = links.find(ctx.wms_ref)
        if link is not None and link.bound:
            return self._update(ctx, link)
        if not self.creates(ctx):
            if link is None:
                core().sync_log.append(event.ref.key, "not-linked",
                                       f"{event.describe()}: not linked to a record of the {self.title} integration "
                                       f"{integration.name!r}; nothing to write", attempt=attempt.number)
            return {"linked": False}
        token = uuid.uuid4().hex
        claim = links.claim(ctx.wms_ref, tenant_id=integration.tenant_id,
                            integration_id=integration.integration_id, origin=Origin.WMS, token=token,
                            stale_before=utc_iso(utcnow() - self.claim_ttl), number=event.customer_reference)
        if not claim.won:
            if claim.current is not None and claim.current.bound:
                return self._update(ctx, claim.current)
            raise RetryableError(f"Another worker is creating the {self.title} record of {event.entity_type} "
                                 f"{event.entity_id} right now; checking again shortly", retry_after=30)
        try:
            exported = self.create(ctx)
            bound = links.bind(ctx.wms_ref, token=token, pointer=exported.ref, platform_record_key=exported.ref.key,
                               snapshot=self.snapshot(ctx), source_modified_at=event.modified_at,
                               memo=exported.memo, fingerprint=event.fingerprint or None,
                               counterpart_number=exported.number, tenant_id=integration.tenant_id,
                               own_number=event.customer_reference)
        except Exception:
            links.release(ctx.wms_ref, token)
            raise
        message = exported.message + ("" if bound else " — another worker had bound it meanwhile; its binding stands")
        ctx.log(ctx.wms_ref.key, "bound" if exported.already_existed else "created", message)
        return {"created": exported.ref.key, "alreadyExisted": exported.already_existed}

    def _update(self, ctx: ExportContext, link: SyncLink) -> dict[str, Any]:
        message = self.update(ctx, link)
        settle_write_back(link, ctx.item.kind)
        ctx.log(link.key, "write-back", message)
        return {"written": message}


def settle_write_back(link: SyncLink, kind: str) -> None:
    """A write-back of ``kind`` that needed a person went through now: the record is in order again (its link back
    to SYNCED). Only work of the kind that failed settles it; another kind's success says nothing about that."""
    if link.status is LinkStatus.NEEDS_ATTENTION and link.last_work_item and \
            WorkItem.model_validate_json(link.last_work_item).kind == kind:
        core().links.record(link.ref, tenant_id=link.tenant_id, integration_id=link.integration_id,
                            status=LinkStatus.SYNCED, origin=link.origin)
