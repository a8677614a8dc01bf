"""In-memory fakes of the core's store interfaces (integrations.core.links), keeping the same promises as the
DynamoDB stores: each decision is atomic (one lock stands in for DynamoDB's conditional write), a bind writes the
link and the counterpart's pointer together or not at all, and pointers are followed on find and record.

``memory_core()`` builds a :class:`~integrations.core.context.Core` of them for ``context.use(...)``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from integrations.core.context import Core
from integrations.core.integration_record import Integration
from integrations.core.links import CounterpartTaken, Recorded
from integrations.core.records import Claim, LinkStatus, LogEntry, Observation, Origin, RecordRef, SyncLink
from integrations.core.settings import Settings
from integrations.core.timeutil import utc_iso, utcnow


class InMemoryLinkStore:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()

    def _link(self, item: dict[str, Any] | None) -> SyncLink | None:
        return SyncLink.model_validate(copy.deepcopy(item)) if item is not None and "linkKey" not in item else None

    def _identity(self, ref: RecordRef, tenant_id: str, integration_id: str | None, origin: Origin
                  ) -> dict[str, Any]:
        item = self.items.setdefault(ref.key, {"pk": ref.key, "memo": {}})
        item.update({"tenantId": tenant_id, "scope": ref.scope, "platform": ref.platform,
                     "recordType": ref.record_type, "recordId": ref.record_id})
        item.setdefault("origin", origin.value)
        item.setdefault("memo", {})
        if integration_id:
            item["integrationId"] = integration_id
        return item

    def find(self, ref: RecordRef) -> SyncLink | None:
        with self._lock:
            item = self.items.get(ref.key)
            if item is not None and "linkKey" in item:
                item = self.items.get(item["linkKey"])
            return self._link(item)

    def claim(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, origin: Origin, token: str,
              stale_before: str, number: str | None = None) -> Claim:
        with self._lock:
            held = self.items.get(ref.key)
            if held is not None and ("linkKey" in held or held.get("wmsRecordKey") or held.get("platformRecordKey")
                                     or (held.get("claimedAt") and held["claimedAt"] >= stale_before)):
                return Claim(won=False, current=self.find(ref))
            item = self._identity(ref, tenant_id, integration_id, origin)
            now = utc_iso(utcnow())
            item.update({"claimToken": token, "claimedAt": now, "status": LinkStatus.PENDING.value, "updatedAt": now})
            if number:  # as the DynamoDB store keeps it
                item["platformNumber" if origin is Origin.PLATFORM else "wmsNumber"] = number
            return Claim(won=True)

    def bind(self, ref: RecordRef, *, token: str, pointer: RecordRef, wms_record_key: str | None = None,
             platform_record_key: str | None = None, fingerprint: str | None = None,
             snapshot: Mapping[str, Any] | None = None, source_modified_at: str | None = None,
             status: LinkStatus = LinkStatus.SYNCED, memo: Mapping[str, Any] | None = None,
             counterpart_number: str | None = None, tenant_id: str | None = None,
             own_number: str | None = None) -> bool:
        bound_name = "wmsRecordKey" if wms_record_key else "platformRecordKey"
        with self._lock:
            item = self.items.get(ref.key, {})
            origin_ok = item.get("claimToken") == token or not item.get(bound_name)
            held = self.items.get(pointer.key)
            pointer_ok = held is None or held.get("linkKey") == ref.key
            if not pointer_ok:
                other = str(held.get("linkKey") or pointer.key) if held else pointer.key
                raise CounterpartTaken(f"{pointer.record_type} {pointer.record_id} is already linked to {other}",
                                       other=other)
            if not origin_ok:
                return False
            item.update({bound_name: wms_record_key or platform_record_key, "status": status.value,
                         "updatedAt": utc_iso(utcnow()), "snapshot": dict(snapshot or {})})
            if fingerprint:
                item["fingerprint"] = fingerprint
            if source_modified_at:
                item["sourceModifiedAt"] = source_modified_at
            if counterpart_number:  # as the DynamoDB store keeps it
                item["platformNumber" if platform_record_key else "wmsNumber"] = counterpart_number
            kept = item.setdefault("memo", {})
            kept.update({name: value for name, value in (memo or {}).items() if value is not None})
            for name in [name for name, value in (memo or {}).items() if value is None]:
                kept.pop(name, None)  # None clears the entry, as in DynamoDB
            for name in ("claimToken", "claimedAt", "lastError", "resolution", "lastWorkItem"):
                item.pop(name, None)
            self.items[pointer.key] = {"pk": pointer.key, "linkKey": ref.key}
            return True

    def alias(self, ref: RecordRef, alias: RecordRef) -> str:
        with self._lock:
            held = self.items.get(alias.key)
            if held is None:
                self.items[alias.key] = {"pk": alias.key, "linkKey": ref.key}
                return ref.key
            return str(held.get("linkKey") or alias.key)

    def release(self, ref: RecordRef, token: str) -> None:
        with self._lock:
            item = self.items.get(ref.key)
            if item is not None and item.get("claimToken") == token:
                item.pop("claimToken", None)
                item.pop("claimedAt", None)

    def record(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, status: LinkStatus,
               error: str | None = None, resolution: str | None = None, attempts: int | None = None,
               work_item: str | None = None, origin: Origin = Origin.PLATFORM,
               dead_lettered: bool = False) -> Recorded:
        with self._lock:
            held = self.items.get(ref.key)
            if held is not None and "linkKey" in held:
                key = held["linkKey"]
                item = self.items[key]
            else:
                key = ref.key
                item = self._identity(ref, tenant_id, integration_id, origin)
            previous = item.get("lastError")
            item.update({"status": status.value, "updatedAt": utc_iso(utcnow())})
            if status is LinkStatus.NEEDS_ATTENTION:  # as the DynamoDB store marks it for the alert checks
                item.setdefault("attentionSince", item["updatedAt"])
                item["attentionScope"] = ref.scope
                if dead_lettered:
                    item["deadLetteredAt"] = item["updatedAt"]
                else:
                    item.pop("deadLetteredAt", None)
            elif status in (LinkStatus.SYNCED, LinkStatus.SKIPPED):
                for name in ("attentionScope", "attentionSince", "deadLetteredAt"):
                    item.pop(name, None)
            for name, value in (("lastError", error), ("resolution", resolution)):
                if value:
                    item[name] = value
                else:
                    item.pop(name, None)
            if attempts is not None:
                item["attempts"] = attempts
            if work_item is not None:
                item["lastWorkItem"] = work_item
            return Recorded(key, previous)

    def observe(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, fingerprint: str,
                snapshot: Mapping[str, Any], source_modified_at: str) -> Observation:
        with self._lock:
            held = self.items.get(ref.key)
            if held is not None and held.get("fingerprint") and (
                    held["fingerprint"] == fingerprint or held.get("sourceModifiedAt", "") > source_modified_at):
                return Observation(changed=False, current=self._link(held))
            item = self._identity(ref, tenant_id, integration_id, Origin.WMS if ref.is_wms else Origin.PLATFORM)
            previous = item.get("snapshot")
            item.setdefault("previousSnapshot", previous or {})
            item.update({"fingerprint": fingerprint, "snapshot": dict(snapshot), "sourceModifiedAt": source_modified_at,
                         "status": LinkStatus.SYNCED.value, "updatedAt": utc_iso(utcnow())})
            return Observation(changed=True, previous=previous)

    def remember(self, ref: RecordRef, name: str, value: Any) -> None:
        with self._lock:
            self.items.setdefault(ref.key, {"pk": ref.key}).setdefault("memo", {})[name] = value

    def remember_once(self, ref: RecordRef, name: str, value: Any) -> bool:
        with self._lock:
            memo = self.items.setdefault(ref.key, {"pk": ref.key}).setdefault("memo", {})
            if memo.get(name) == value:
                return False
            memo[name] = value
            return True


class InMemorySyncLog:
    def __init__(self, links: InMemoryLinkStore) -> None:
        self.links = links
        self.entries: dict[str, list[LogEntry]] = {}
        self._lock = threading.Lock()

    def append(self, key: str, event: str, message: str, *, error: str | None = None,
               resolution: str | None = None, attempt: int | None = None,
               details: Mapping[str, Any] | None = None, index_as: Mapping[str, str] | None = None) -> None:
        with self._lock:
            self.entries.setdefault(key, []).append(LogEntry(
                event=event, message=message, at=datetime.now(UTC), error=error or None,
                resolution=resolution or None, attempt=attempt, details=dict(details) if details else None))

    def history(self, key: str, *, limit: int = 200) -> tuple[SyncLink | None, list[LogEntry]]:
        item = self.links.items.get(key)
        return self.links._link(item), list(self.entries.get(key, []))[:limit]

    def events(self, key: str) -> list[str]:
        return [entry.event for entry in self.entries.get(key, [])]


class InMemoryIntegrations:
    """The reads the sync templates make of IntegrationsTable."""

    def __init__(self, *integrations: Integration) -> None:
        self.by_id = {integration.integration_id: integration for integration in integrations}

    def get(self, integration_id: str) -> Integration | None:
        return self.by_id.get(integration_id)

    cached = get

    def forget(self, integration_id: str) -> None:
        pass


def memory_core(*integrations: Integration) -> Core:
    links = InMemoryLinkStore()
    return Core(settings=Settings.from_environment(), tenants=None, links=links,  # type: ignore[arg-type]
                sync_log=InMemorySyncLog(links), cursors=None, vault=None,  # type: ignore[arg-type]
                integrations=InMemoryIntegrations(*integrations))  # type: ignore[arg-type]


class FakeBudgetTable:
    """RateBudgetTable's conditional UpdateItem on one attribute, as ``core.ratelimit.SpacedBudget`` uses it."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.calls = 0

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        key = kwargs["Key"]["budgetKey"]["S"]
        values = kwargs["ExpressionAttributeValues"]
        held = self.items.get(key)
        if held is not None and float(held["nextAt"]["N"]) > float(values[":now"]["N"]):
            raise ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "no"}, "Item": held},
                              "UpdateItem")
        self.items[key] = {"nextAt": values[":next"], "expiresAt": values[":expires"]}
        return {}
