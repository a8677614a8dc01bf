"""The platform model's records in memory: create, upsert by ``externalId``, update and delete with connected objects
written inline, and reads that expand only the connected objects a ``paths`` list names.

Each stored record holds its primitive fields and, under ``_links``, the ids of its connected objects. Writes:

- a connected object given as ``{"id"}`` links that record; with an ``id`` and fields it is also updated; without an
  ``id`` it is created with its parent (nested, any depth);
- GUESS (the docs don't say): an array of connected objects in an update **replaces** the connection list; records
  left out are disconnected and, if the parent owned them (a task's stops) and nothing else links them, deleted;
- unknown fields, bad enum values, read-only fields and connected records of the wrong type are a 400 listing every
  problem (NestJS's ``message`` array).
"""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal
from typing import Any

from ..common import finite_decimal, json_number
from .model import COMMON_FIELDS, NUMBER, SCHEMAS, TEXT, AnyCase, ApiError, ObjectSchema

LINKS = "_links"
WRITABLE_COMMON = ("externalId", "status")


class Org:
    """One Rose Rocket organisation's records (and the counters behind their ``fullId``)."""

    def __init__(self, org_id: str) -> None:
        self.id = org_id
        self.records: dict[str, dict[str, Any]] = {}
        self.sequences: dict[str, int] = {}

    def next_full_id(self, prefix: str) -> str:
        self.sequences[prefix] = self.sequences.get(prefix, 0) + 1
        return f"{prefix}{self.sequences[prefix]}"


def schema_of(object_key: Any, schemas: dict[str, ObjectSchema] = SCHEMAS) -> ObjectSchema:
    if not isinstance(object_key, str) or object_key not in schemas:
        raise ApiError(400, [f"objectKey must be one of {', '.join(schemas)}"])
    return schemas[object_key]


def path_problems(object_key: str, paths: list[str], schemas: dict[str, ObjectSchema],
                  refused: tuple[str, ...] = ()) -> list[str]:
    """Each asked path that is no chain of connected objects from ``object_key`` (or is ``refused``): GUESS, what
    Rose Rocket does with an unknown path is unpublished, so the strict answer — a 400 naming it — is the sandbox's."""
    problems = []
    for path in paths:
        key: str | None = object_key
        for part in path.split("."):
            connected = schemas[key].connected.get(part) if key in schemas else None
            key = connected.object_key if connected is not None else None
            if key is None:
                break
        if key is None or any(path == r or path.startswith(f"{r}.") for r in refused):
            problems.append(f"paths: {path} is not a connected object of {object_key}")
    return problems


def _one_of(value: Any, kind: tuple[str, ...]) -> bool:
    if isinstance(kind, AnyCase):
        return str(value).casefold() in {k.casefold() for k in kind}
    return value in kind


class Records:
    """Record operations on one org; ``now`` is an ISO string and ``user`` the acting user id; ``schemas`` the
    organisation's objects (without service types in that dialect)."""

    def __init__(self, org: Org, now: str, user: str, schemas: dict[str, ObjectSchema] | None = None) -> None:
        self.org = org
        self.now = now
        self.user = user
        self.schemas = SCHEMAS if schemas is None else schemas
        #: (record id, old status, new status) of every status change made by this write.
        self.status_changes: list[tuple[str, str | None, str]] = []

    # --- reads ---------------------------------------------------------------------------------------------------

    def get(self, record_id: str, object_key: str | None = None) -> dict[str, Any]:
        found = self.org.records.get(record_id)
        if found is None or (object_key is not None and found["objectKey"] != object_key):
            raise ApiError(404, f"Record {record_id} not found")
        return found

    def by_external(self, object_key: str, external_id: str) -> dict[str, Any] | None:
        return next((r for r in self.org.records.values()
                     if r["objectKey"] == object_key and r.get("externalId") == external_id), None)

    def render(self, record: dict[str, Any], paths: list[str] | None = None) -> dict[str, Any]:
        """Top-level primitives, plus the connected objects ``paths`` names (``tasks.stops.address``)."""
        shown = {k: copy.deepcopy(v) for k, v in record.items() if k != LINKS}
        if record["objectKey"] == "invoice":  # read-only: the sum of its line items (tax excluded)
            amounts = [finite_decimal(self.org.records[i].get("amount") or 0) or Decimal(0)
                       for i in record.get(LINKS, {}).get("lineItems") or [] if i in self.org.records]
            shown["subTotal"] = json_number(round(sum(amounts, Decimal(0)), 2))
        tree: dict[str, Any] = {}
        for path in paths or []:
            node = tree
            for part in path.split("."):
                node = node.setdefault(part, {})
        return self._expand(shown, record, tree)

    def _expand(self, shown: dict[str, Any], record: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
        schema = self.schemas.get(record["objectKey"]) or SCHEMAS[record["objectKey"]]
        links = record.get(LINKS, {})
        for name, subtree in tree.items():
            connected = schema.connected.get(name)
            if connected is None:
                continue
            linked = links.get(name)
            if connected.many:
                shown[name] = [self._expand({k: copy.deepcopy(v) for k, v in self.org.records[i].items() if k != LINKS},
                                            self.org.records[i], subtree)
                               for i in (linked or []) if i in self.org.records]
            elif linked and linked in self.org.records:
                target = self.org.records[linked]
                shown[name] = self._expand({k: copy.deepcopy(v) for k, v in target.items() if k != LINKS}, target,
                                           subtree)
            else:
                shown[name] = None
        return shown

    # --- writes --------------------------------------------------------------------------------------------------

    def create(self, object_key: str, values: Any) -> dict[str, Any]:
        schema = schema_of(object_key, self.schemas)
        problems: list[str] = []
        fields, links = self._validate(object_key, schema, values, problems, "json")
        if problems:
            raise ApiError(400, problems)
        record: dict[str, Any] = {
            "id": str(uuid.uuid4()), "objectKey": object_key, "orgId": self.org.id,
            "fullId": self.org.next_full_id(schema.prefix), "externalId": None, "source": "api",
            "createdAt": self.now, "createdBy": self.user, "updatedAt": self.now, "updatedBy": self.user,
            "version": 1, LINKS: {},
        }
        if schema.default_status is not None:
            record["status"] = schema.default_status
        self.org.records[record["id"]] = record
        self._apply(record, schema, fields, links)
        return record

    def update(self, record: dict[str, Any], values: Any) -> dict[str, Any]:
        schema = self.schemas[record["objectKey"]]
        problems: list[str] = []
        fields, links = self._validate(record["objectKey"], schema, values, problems, "json")
        if problems:
            raise ApiError(400, problems)
        changed = self._apply(record, schema, fields, links)
        if changed:
            record["updatedAt"], record["updatedBy"] = self.now, self.user
            record["version"] += 1
        return record

    def delete(self, record: dict[str, Any]) -> None:
        """Delete a record, and what it owns that nothing else links (its tasks' stops, addresses, commodities)."""
        self.org.records.pop(record["id"], None)
        schema = SCHEMAS[record["objectKey"]]  # every kind it could own, whatever the dialect
        owned: set[str] = set()
        for name, linked in record.get(LINKS, {}).items():
            if name in schema.connected and schema.connected[name].owned and linked:
                owned.update(linked if isinstance(linked, list) else [linked])
        for other in self.org.records.values():
            for name, linked in list(other.get(LINKS, {}).items()):
                if linked == record["id"]:
                    other[LINKS][name] = None
                elif isinstance(linked, list) and record["id"] in linked:
                    linked.remove(record["id"])
        self._forget(owned)

    def _validate(self, object_key: str, schema: ObjectSchema, values: Any, problems: list[str], at: str
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
        if not isinstance(values, dict):
            problems.append(f"{at} must be an object")
            return {}, {}
        fields: dict[str, Any] = {}
        links: dict[str, Any] = {}
        for name, value in values.items():
            where = f"{at}.{name}"
            if name in schema.connected:
                links[name] = value
            elif name in schema.read_only:
                problems.append(f"{where} is read-only")
            elif name in WRITABLE_COMMON:
                if name == "status" and "status" in schema.fields:
                    self._check(schema.fields["status"], value, where, problems)
                elif name == "externalId" and value is not None and (not isinstance(value, str) or not value):
                    problems.append(f"{where} must be a non-empty string or null")
                fields[name] = value
            elif name in COMMON_FIELDS:
                if name != "id":
                    problems.append(f"{where} is read-only")
            elif name in schema.fields:
                self._check(schema.fields[name], value, where, problems)
                fields[name] = json_number(finite_decimal(value)) if schema.fields[name] == NUMBER and \
                    value is not None and finite_decimal(value) is not None else value
            else:
                problems.append(f"{where} is not a field of {object_key}")
        return fields, links

    @staticmethod
    def _check(kind: Any, value: Any, where: str, problems: list[str]) -> None:
        if value is None:
            return
        if kind == TEXT and not isinstance(value, str):
            problems.append(f"{where} must be a string")
        elif kind == NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)
                                 or finite_decimal(value) is None):
            problems.append(f"{where} must be a number")
        elif kind == "boolean" and not isinstance(value, bool):
            problems.append(f"{where} must be a boolean")
        elif isinstance(kind, tuple) and not _one_of(value, kind):
            problems.append(f"{where} must be one of: {', '.join(kind)}")

    def _apply(self, record: dict[str, Any], schema: ObjectSchema, fields: dict[str, Any],
               links: dict[str, Any]) -> bool:
        changed = False
        for name, value in fields.items():
            if record.get(name) != value:
                if name == "status":
                    self.status_changes.append((record["id"], record.get("status"), value))
                record[name] = value
                changed = True
        if record["objectKey"] == "address":
            record["name"] = ", ".join(str(record[k]) for k in ("address1", "city", "postalCode") if record.get(k))
        if record["objectKey"] == "financialLineItem":  # read-only: the line's rate × quantity
            rate, quantity = finite_decimal(record.get("rate") or 0), finite_decimal(record.get("quantity") or 0)
            amount = (rate or 0) * (quantity or 0)
            record["amount"] = json_number(round(amount, 2)) if isinstance(amount, Decimal) else amount
        for name, value in links.items():
            connected = schema.connected[name]
            if connected.many:
                if not isinstance(value, list):
                    raise ApiError(400, [f"json.{name} must be an array of {connected.object_key} objects"])
                ids = [self._connect(connected.object_key, each, f"json.{name}[{i}]") for i, each in enumerate(value)]
                old = record[LINKS].get(name) or []
                if ids != old:
                    record[LINKS][name] = ids
                    if connected.owned:
                        self._forget(set(old) - set(ids))
                    changed = True
            else:
                new_id = None if value is None else self._connect(connected.object_key, value, f"json.{name}")
                if record[LINKS].get(name) != new_id:
                    record[LINKS][name] = new_id
                    changed = True
        return changed

    def _connect(self, object_key: str, value: Any, where: str) -> str:
        if not isinstance(value, dict):
            raise ApiError(400, [f"{where} must be an object"])
        record_id = value.get("id")
        rest = {k: v for k, v in value.items() if k not in ("id", "objectKey")}
        if record_id is not None:
            found = self.org.records.get(str(record_id))
            if found is None or found["objectKey"] != object_key:
                raise ApiError(400, [f"{where}.id is not a {object_key} of this organization"])
            if rest:
                self.update(found, rest)
            return found["id"]
        return str(self.create(object_key, rest)["id"])

    def _forget(self, ids: set[str]) -> None:
        """Records no longer linked from anywhere are deleted (connected objects owned by their parent)."""
        for record_id in ids:
            linked = any(record_id == v or (isinstance(v, list) and record_id in v)
                         for other in self.org.records.values() for v in other.get(LINKS, {}).values())
            if not linked and record_id in self.org.records:
                self.delete(self.org.records[record_id])
