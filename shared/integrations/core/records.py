"""The records the service keeps a sync log for, and the typed sync link that binds a platform record to its WMS
record (in the spirit of OCA's Binder and Powertools' ``DataRecord``).

Every record is named by a :class:`RecordRef` whose ``key`` is its business key: the key every idempotent effect
is guarded by, and the partition of its sync log. Two kinds:

- a platform record seen by one integration: ``{integrationId}#{platform}#{recordType}#{recordId}``
  (``…#{platform}#order#42``);
- a WMS record (:class:`WmsRef`), one key scheme for every WMS entity: ``{tenantId}#wms#{entityType}#{entityId}``
  for the WMS's own log of it, and ``{integrationId}#wms#{entityType}#{entityId}`` for that record as one
  integration sees it (the end of a link that starts in the WMS).

A :class:`SyncLink` is stored at its *origin* — the side whose change made the counterpart (a shop order for an
import, a WMS order for an export) — and keeps the link's state. Once bound, the other end holds a pointer to it,
written in the same transaction, so a trigger from either side finds the one link with a consistent read and a
second counterpart can't be bound to either end (docs/architecture.md "SyncTable").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

#: The ``platform`` part of every WMS record's key.
WMS: Final = "wms"


class CamelModel(BaseModel):
    """Our stored and queued documents: camelCase on the wire, snake_case in Python, unknown fields ignored."""

    # Built on first use, not at import: a cold start pays only for the models its path touches (issue 10).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True)


class RecordRef(CamelModel):
    """A record under a scope: an integration id (a platform record, or a WMS record as that integration sees it),
    or a tenant id (the WMS's own record)."""

    model_config = ConfigDict(frozen=True)

    scope: str
    platform: str
    record_type: str
    record_id: str

    @property
    def key(self) -> str:
        return f"{self.scope}#{self.platform}#{self.record_type}#{self.record_id}"

    @property
    def is_wms(self) -> bool:
        return self.platform == WMS

    @classmethod
    def parse(cls, key: str) -> RecordRef:
        """The ref of a ``{scope}#{platform}#{recordType}#{recordId}`` key (``ValueError`` for anything else)."""
        parts = key.split("#", 3)
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"{key!r} is not a record key")
        scope, platform, record_type, record_id = parts
        return cls(scope=scope, platform=platform, record_type=record_type, record_id=record_id)

    def __str__(self) -> str:
        return self.key


class WmsRef(CamelModel):
    """One WMS entity of one tenant (``OUTBOUND_ORDER``, ``CONSIGNMENT``, …)."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    entity_type: str
    entity_id: str

    @property
    def record(self) -> RecordRef:
        """The WMS's own record: where notifications, observed states and routing are logged."""
        return RecordRef(scope=self.tenant_id, platform=WMS, record_type=self.entity_type, record_id=self.entity_id)

    @property
    def key(self) -> str:
        return self.record.key

    def seen_by(self, integration_id: str) -> RecordRef:
        """This WMS record as one integration sees it: the origin of an export link, or an import link's pointer."""
        return RecordRef(scope=integration_id, platform=WMS, record_type=self.entity_type, record_id=self.entity_id)

    @classmethod
    def parse(cls, key: str) -> WmsRef:
        """The ref of a ``{tenantId}#wms#{type}#{id}`` key (raises ``ValueError`` for any other key)."""
        tenant_id, platform, entity_type, entity_id = key.split("#", 3)
        if platform != WMS:
            raise ValueError(f"{key!r} is not a WMS record key")
        return cls(tenant_id=tenant_id, entity_type=entity_type, entity_id=entity_id)


class LinkStatus(StrEnum):
    #: Counterpart made (or nothing to make) and up to date.
    SYNCED = "SYNCED"
    #: Claimed: a worker is making the counterpart right now.
    PENDING = "PENDING"
    #: Waiting for something outside us (a status to be reached, the WMS's rate budget).
    WAITING = "WAITING"
    #: A person must act; ``resolution`` says what, and ``lastWorkItem`` is retried after the fix.
    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    #: Deliberately not synced (a pickup order, a warehouse not mapped); ``lastError`` says why.
    SKIPPED = "SKIPPED"


class Origin(StrEnum):
    PLATFORM = "platform"
    WMS = "wms"


class SyncLink(CamelModel):
    """The state of one record's sync, stored at its origin (SyncTable ``sk = LINK``)."""

    key: str = Field(alias="pk")
    tenant_id: str
    integration_id: str | None = None
    scope: str
    platform: str
    record_type: str
    record_id: str
    origin: Origin = Origin.PLATFORM
    status: LinkStatus = LinkStatus.PENDING
    #: The WMS record this platform record is bound to (import links), as a :class:`WmsRef` key.
    wms_record_key: str | None = None
    #: The platform record this WMS record is bound to (export links), as a :class:`RecordRef` key.
    platform_record_key: str | None = None
    #: What the counterpart was made from: a digest, the snapshot, and the source's modified time (UTC ISO).
    fingerprint: str | None = None
    snapshot: dict[str, Any] = Field(default_factory=dict)
    #: The state an observation replaced (WMS records: what a recovered, unpublished change changed from).
    previous_snapshot: dict[str, Any] | None = None
    source_modified_at: str | None = None
    attempts: int = 0
    last_error: str | None = None
    resolution: str | None = None
    #: The work item a person-must-fix failure kept, queued again by a retry from the sync log.
    last_work_item: str | None = None
    claim_token: str | None = None
    claimed_at: str | None = None
    updated_at: str | None = None
    #: What the connector remembers about this record (the tracking numbers it sent, a divergence it reported…).
    memo: dict[str, Any] = Field(default_factory=dict)
    #: The numbers people use for the two records (a shop's "#1003", a shipment's "SS-00000002", the WMS order's
    #: reference), kept when first seen; what logs and screens name the record by (the ids stay available).
    platform_number: str | None = None
    wms_number: str | None = None

    @property
    def ref(self) -> RecordRef:
        return RecordRef(scope=self.scope, platform=self.platform, record_type=self.record_type,
                         record_id=self.record_id)

    @property
    def bound(self) -> bool:
        return bool(self.wms_record_key if self.origin is Origin.PLATFORM else self.platform_record_key)

    @property
    def counterpart_key(self) -> str | None:
        return self.wms_record_key if self.origin is Origin.PLATFORM else self.platform_record_key

    @property
    def wms(self) -> WmsRef | None:
        """The WMS record of this link: its counterpart (import) or itself (export)."""
        if self.origin is Origin.WMS:
            return WmsRef(tenant_id=self.tenant_id, entity_type=self.record_type, entity_id=self.record_id)
        return WmsRef.parse(self.wms_record_key) if self.wms_record_key else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def wms_order_id(self) -> str | None:
        """The WMS outbound order's id, when the link's WMS record is one (what people look for first)."""
        wms = self.wms
        return wms.entity_id if wms is not None and wms.entity_type == "OUTBOUND_ORDER" else None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude={"claim_token"})


class Claim(CamelModel):
    """The outcome of a claim: the right to make this record's counterpart now (``won``), or what stands."""

    won: bool
    current: SyncLink | None = None


class Observation(CamelModel):
    """The outcome of recording a state just read from a platform (or the WMS)."""

    #: True when this call recorded a new state; False when the stored state is the same or newer.
    changed: bool
    #: The snapshot this call replaced (``changed``), if any.
    previous: dict[str, Any] | None = None
    #: The stored link that won (not ``changed``).
    current: SyncLink | None = None


class LogEntry(CamelModel):
    """One readable line of a record's sync log."""

    event: str
    message: str
    at: datetime
    error: str | None = None
    resolution: str | None = None
    attempt: int | None = None
    details: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)
