"""Sync links in SyncTable (``sk = LINK``): the :class:`~integrations.core.links.LinkStore` on DynamoDB.

A link item carries its identity (``tenantId``, ``integrationId``, ``scope``, ``platform``, ``recordType``,
``recordId``, ``origin``) so a link first written by a failure still shows in its integration's list (GSI
``byScope``). A pointer item (the bound counterpart's end) carries only ``linkKey`` and ``tenantId``, so no index
lists it as a record. Every decision is one conditional write; binding is one two-item transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from .. import aws
from ..links import CounterpartTaken, Recorded
from ..numbers import kept, number_attribute, searchable
from ..records import Claim, LinkStatus, Observation, Origin, RecordRef, SyncLink
from ..timeutil import utc_iso, utcnow
from .dynamo import cancelled_by_condition, from_item, is_condition_failure, to_item
from .synclog import LINK_SK, link_from_item

#: Attribute names that are reserved words in DynamoDB expressions.
_NAMES = {"#status": "status", "#scope": "scope", "#snapshot": "snapshot"}
#: What marks a link needing attention for the alert checks (sparse GSI ``byAttention``: docs/alerts.md): the
#: integration it belongs to, since when it has needed attention, and whether its retries ran out (dead-lettered).
_ATTENTION = ("attentionScope", "attentionSince", "deadLetteredAt")
_IDENTITY = ("tenantId = :tenant, #scope = :scope, platform = :platform, recordType = :type, recordId = :id,"
             " origin = if_not_exists(origin, :origin), memo = if_not_exists(memo, :empty)")


def _last_error(response: Mapping[str, Any]) -> str | None:
    old = response.get("Attributes", {}).get("lastError", {}).get("S")
    return str(old) if old else None


def _mentions(text: str, placeholder: str) -> bool:
    """Whether an expression uses ``:name`` / ``#name`` (DynamoDB refuses unused values and names)."""
    return re.search(re.escape(placeholder) + r"(?!\w)", text) is not None


def _identity(ref: RecordRef, tenant_id: str, integration_id: str | None, origin: Origin) -> tuple[str, dict[str, Any]]:
    expression = _IDENTITY + (", integrationId = :integration" if integration_id else "")
    return expression, {":tenant": tenant_id, ":scope": ref.scope, ":platform": ref.platform,
                        ":type": ref.record_type, ":id": ref.record_id, ":origin": origin.value, ":empty": {},
                        ":integration": integration_id}


class DynamoLinkStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def _key(self, key: str) -> dict[str, Any]:
        return {"pk": {"S": key}, "sk": {"S": LINK_SK}}

    def _get(self, key: str) -> dict[str, Any] | None:
        response = aws.dynamodb().get_item(TableName=self.table_name, Key=self._key(key), ConsistentRead=True)
        return from_item(response["Item"]) if "Item" in response else None

    def _update(self, key: str, expression: str, values: Mapping[str, Any], *, condition: str | None = None,
                names: Mapping[str, str] | None = None, old_on_failure: bool = False) -> dict[str, Any]:
        text = expression + " " + (condition or "")
        arguments: dict[str, Any] = {"TableName": self.table_name, "Key": self._key(key),
                                     "UpdateExpression": expression, "ReturnValues": "ALL_OLD"}
        used_names = {name: value for name, value in {**_NAMES, **(names or {})}.items() if _mentions(text, name)}
        used_values = {name: value for name, value in values.items() if _mentions(text, name)}
        if used_names:
            arguments["ExpressionAttributeNames"] = used_names
        if used_values:
            arguments["ExpressionAttributeValues"] = to_item(used_values)
        if condition:
            arguments["ConditionExpression"] = condition
        if old_on_failure:
            arguments["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return dict(aws.dynamodb().update_item(**arguments))

    # --- reads -------------------------------------------------------------------------------------------------

    def find(self, ref: RecordRef) -> SyncLink | None:
        item = self._get(ref.key)
        if item is not None and "linkKey" in item:
            item = self._get(item["linkKey"])
        return link_from_item(item) if item is not None else None

    # --- deciding ----------------------------------------------------------------------------------------------

    def claim(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, origin: Origin, token: str,
              stale_before: str, number: str | None = None) -> Claim:
        identity, values = _identity(ref, tenant_id, integration_id, origin)
        now = utc_iso(utcnow())
        own = kept(number)
        numbered = (f", {number_attribute(origin is Origin.PLATFORM)} = :number, numberTenant = :tenant,"
                    " searchNumber = :search") if own else ""
        try:
            self._update(
                ref.key,
                f"SET claimToken = :token, claimedAt = :now, #status = :pending, updatedAt = :now, {identity}"
                + numbered,
                {**values, ":token": token, ":now": now, ":pending": LinkStatus.PENDING.value,
                 ":stale": stale_before, ":number": own, ":search": searchable(own) if own else None},
                condition=("attribute_not_exists(linkKey) AND attribute_not_exists(wmsRecordKey)"
                           " AND attribute_not_exists(platformRecordKey)"
                           " AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)"),
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return Claim(won=False, current=self.find(ref))
            raise
        return Claim(won=True)

    def bind(self, ref: RecordRef, *, token: str, pointer: RecordRef, wms_record_key: str | None = None,
             platform_record_key: str | None = None, fingerprint: str | None = None,
             snapshot: Mapping[str, Any] | None = None, source_modified_at: str | None = None,
             status: LinkStatus = LinkStatus.SYNCED, memo: Mapping[str, Any] | None = None,
             counterpart_number: str | None = None, tenant_id: str | None = None,
             own_number: str | None = None) -> bool:
        bound_name = "wmsRecordKey" if wms_record_key else "platformRecordKey"
        other = kept(counterpart_number)
        counterpart = wms_record_key or platform_record_key
        assert counterpart, "bind needs the counterpart's key"
        sets = [f"{bound_name} = :counterpart", "#status = :status", "updatedAt = :now", "#snapshot = :snapshot"]
        values: dict[str, Any] = {":token": token, ":counterpart": counterpart, ":status": status.value,
                                  ":now": utc_iso(utcnow()), ":snapshot": dict(snapshot or {})}
        if fingerprint:
            sets.append("fingerprint = :fp")
            values[":fp"] = fingerprint
        if source_modified_at:
            sets.append("sourceModifiedAt = :modified")
            values[":modified"] = source_modified_at
        if other:  # the counterpart's number: an import's is the WMS's, an export's the platform's
            sets.append(f"{number_attribute(bool(platform_record_key))} = :other")
            values[":other"] = other
        names = {"#status": "status", "#snapshot": "snapshot"}
        removes = ["claimToken", "claimedAt", "lastError", "resolution", "lastWorkItem", *_ATTENTION]
        for index, (name, value) in enumerate((memo or {}).items()):
            names[f"#m{index}"] = name
            if value is None:  # None clears the entry (DynamoDB holds no null worth keeping)
                removes.append(f"memo.#m{index}")
                continue
            values[f":m{index}"] = value
            sets.append(f"memo.#m{index} = :m{index}")
        origin_update: dict[str, Any] = {
            "TableName": self.table_name, "Key": self._key(ref.key),
            "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes),
            "ConditionExpression": f"claimToken = :token OR attribute_not_exists({bound_name})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }
        same = own_number is not None and searchable(own_number) == searchable(other or "")
        searchable_pointer = {"numberTenant": tenant_id, "searchNumber": searchable(other)} \
            if other and tenant_id and not same else {}
        pointer_put: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": to_item({"pk": pointer.key, "sk": LINK_SK, "linkKey": ref.key, **searchable_pointer}),
            "ConditionExpression": "attribute_not_exists(pk) OR linkKey = :origin",
            "ExpressionAttributeValues": {":origin": {"S": ref.key}},
        }
        try:
            aws.dynamodb().transact_write_items(
                TransactItems=[{"Update": origin_update}, {"Put": pointer_put}])  # type: ignore[typeddict-item]
        except ClientError as exc:
            origin_failed, pointer_failed = (cancelled_by_condition(exc) + [False, False])[:2]
            if pointer_failed:
                held = self._get(pointer.key) or {}
                other = str(held.get("linkKey") or pointer.key)
                raise CounterpartTaken(f"{pointer.record_type} {pointer.record_id} is already linked to {other}",
                                       other=other) from None
            if origin_failed:
                return False
            raise
        return True

    def alias(self, ref: RecordRef, alias: RecordRef) -> str:
        try:
            aws.dynamodb().put_item(
                TableName=self.table_name, Item=to_item({"pk": alias.key, "sk": LINK_SK, "linkKey": ref.key}),
                ConditionExpression="attribute_not_exists(pk) OR linkKey = :origin",
                ExpressionAttributeValues={":origin": {"S": ref.key}})
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            held = self._get(alias.key) or {}
            return str(held.get("linkKey") or alias.key)  # an alias key holding a link of its own: leads nowhere
        return ref.key

    def release(self, ref: RecordRef, token: str) -> None:
        try:
            self._update(ref.key, "REMOVE claimToken, claimedAt", {":token": token}, condition="claimToken = :token")
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise

    # --- recording ---------------------------------------------------------------------------------------------

    def record(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, status: LinkStatus,
               error: str | None = None, resolution: str | None = None, attempts: int | None = None,
               work_item: str | None = None, origin: Origin = Origin.PLATFORM,
               dead_lettered: bool = False) -> Recorded:
        state, values = self._state(status, error, resolution, attempts, work_item, ref.scope, dead_lettered)
        identity, identity_values = _identity(ref, tenant_id, integration_id, origin)
        try:
            response = self._update(ref.key, f"SET {state[0]}, {identity}{state[1]}", {**values, **identity_values},
                                    condition="attribute_not_exists(linkKey)")
            return Recorded(ref.key, _last_error(response))
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
        pointer = self._get(ref.key) or {}
        target = str(pointer["linkKey"])
        return Recorded(target, _last_error(self._update(target, f"SET {state[0]}{state[1]}", values)))

    @staticmethod
    def _state(status: LinkStatus, error: str | None, resolution: str | None, attempts: int | None,
               work_item: str | None, scope: str, dead_lettered: bool) -> tuple[tuple[str, str], dict[str, Any]]:
        sets = ["#status = :status", "updatedAt = :now"]
        values: dict[str, Any] = {":status": status.value, ":now": utc_iso(utcnow())}
        removes = []
        if status is LinkStatus.NEEDS_ATTENTION:
            # Since when: the first time, kept through retries that fail again (an alert counts age from then).
            sets += ["attentionScope = :attention", "attentionSince = if_not_exists(attentionSince, :now)"]
            values[":attention"] = scope
            if dead_lettered:
                sets.append("deadLetteredAt = :now")
            else:
                removes.append("deadLetteredAt")
        elif status in (LinkStatus.SYNCED, LinkStatus.SKIPPED):
            removes += list(_ATTENTION)
        # PENDING and WAITING leave the marks: a record being retried still needs attention until it syncs.
        for name, value, placeholder in (("lastError", error, ":error"), ("resolution", resolution, ":resolution")):
            if value:
                sets.append(f"{name} = {placeholder}")
                values[placeholder] = value
            else:
                removes.append(name)
        if attempts is not None:
            sets.append("attempts = :attempts")
            values[":attempts"] = attempts
        if work_item is not None:
            sets.append("lastWorkItem = :item")
            values[":item"] = work_item
        return (", ".join(sets), (" REMOVE " + ", ".join(removes)) if removes else ""), values

    def observe(self, ref: RecordRef, *, tenant_id: str, integration_id: str | None, fingerprint: str,
                snapshot: Mapping[str, Any], source_modified_at: str) -> Observation:
        identity, values = _identity(ref, tenant_id, integration_id, Origin.WMS if ref.is_wms else Origin.PLATFORM)
        try:
            response = self._update(
                ref.key,
                # SET reads the item as it was before this update: previousSnapshot keeps the replaced state so a
                # worker that recovers an unpublished change can still say what it changed from.
                "SET previousSnapshot = if_not_exists(#snapshot, :none), fingerprint = :fp, #snapshot = :snapshot,"
                f" sourceModifiedAt = :modified, updatedAt = :now, #status = :synced, {identity}"
                f" REMOVE {', '.join(_ATTENTION)}",
                {**values, ":fp": fingerprint, ":snapshot": dict(snapshot), ":none": {},
                 ":modified": source_modified_at, ":now": utc_iso(utcnow()), ":synced": LinkStatus.SYNCED.value},
                condition="attribute_not_exists(fingerprint) OR (fingerprint <> :fp AND sourceModifiedAt <= :modified)",
                old_on_failure=True,
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                stored: Any = exc.response.get("Item")
                current = link_from_item(from_item(stored)) if stored else self.find(ref)
                return Observation(changed=False, current=current)
            raise
        old = from_item(response.get("Attributes", {}))
        return Observation(changed=True, previous=old.get("snapshot"))

    def remember(self, ref: RecordRef, name: str, value: Any) -> None:
        self._set_memo(ref.key, name, value, once=False)

    def remember_once(self, ref: RecordRef, name: str, value: Any) -> bool:
        return self._set_memo(ref.key, name, value, once=True)

    def _set_memo(self, key: str, name: str, value: Any, *, once: bool) -> bool:
        condition = "attribute_exists(memo)" + (" AND (attribute_not_exists(memo.#n) OR memo.#n <> :v)"
                                                if once else "")
        try:
            self._update(key, "SET memo.#n = :v", {":v": value}, condition=condition, names={"#n": name})
            return True
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
        # No memo map yet (a link written before memos existed): create it holding this entry.
        try:
            self._update(key, "SET memo = :m", {":m": {name: value}}, condition="attribute_not_exists(memo)")
        except ClientError as exc:
            if is_condition_failure(exc):
                return False  # the memo exists and already holds the value
            raise
        return True
