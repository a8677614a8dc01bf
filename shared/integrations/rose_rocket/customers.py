"""Customers (R1): matched by the WMS customer UUID, never created automatically — export, import, list.

- **Export**: the tenant's WMS customers as ``Customer Name,Customer UUID`` (the columns Rose Rocket's customer import
  maps, help page 000), for the admin to load into Rose Rocket or to fill in.
- **Import**: a CSV whose rows pair a ``Rose Rocket Customer`` (its ``CUST-`` number or its id) with a ``Customer
  UUID`` (``Customer Name`` may stay, it is ignored; rows without a Rose Rocket customer are skipped). Every row is
  checked before anything is applied — an empty or unknown UUID, an unknown Rose Rocket customer, a UUID or a Rose
  Rocket customer on two rows — and a file with any bad row is refused whole, naming each row. A good file replaces
  the matches of the customers it names (others stay) in one step (:mod:`.matches`); then, on the worker, each Rose
  Rocket customer's ``externalId`` is set to its UUID (so the match lives on Rose Rocket's side too) and every record
  that was waiting for one of these customers is retried.
- **List**: matched customers, and the unmatched ones on each side.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from ..cartoncloud.clients import wms_client
from ..core import sync_log_retry
from ..core.context import core
from ..core.errors import PermanentError
from ..core.integration_record import Integration, IntegrationStatus
from ..core.workitems import Attempt, WorkItem, enqueue
from .client import RoseRocketClient
from .clients import client_for
from .connector import CONNECTOR
from .matches import ROSE_ROCKET_SIDE, WMS_SIDE, Match, MatchStore
from .models import Customer
from .refs import MATCHES_APPLIED, integration_ref
from .settings import board_of

MAX_ROWS = 10_000
EXPORT_COLUMNS = ("Customer Name", "Customer UUID")
RR_COLUMN, UUID_COLUMN = "rose rocket customer", "customer uuid"


@dataclass(frozen=True)
class BadRow:
    row: int
    column: str
    reason: str


class ImportRefused(PermanentError):
    """The file has bad rows (or no usable header): nothing was applied."""

    def __init__(self, message: str, rows: list[BadRow]) -> None:
        super().__init__(message, resolution="Correct the rows named (or remove them) and upload the whole file "
                                             "again; nothing from this file was applied.")
        self.rows = rows

    http_status = 422
    http_title = "The matches were not applied"

    def problem_errors(self) -> list[dict[str, str]]:
        return [{"field": f"row {row.row}: {row.column}", "reason": row.reason} for row in self.rows]


def _cell(value: str) -> str:
    """A spreadsheet runs cells starting with = + - @ as formulas: a customer's name can't be allowed to."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(integration: Integration) -> str:
    customers = wms_client(core().tenants.get(integration.tenant_id)).list_customers()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for customer in sorted(customers, key=lambda c: c.name.casefold()):
        writer.writerow([_cell(customer.name), customer.id])
    return out.getvalue()


def rose_rocket_customers(integration: Integration, client: RoseRocketClient | None = None) -> list[Customer]:
    client = client or client_for(integration, interactive=True)
    return [Customer.model_validate(record) for record in
            client.search(board_of(integration, "customer"), filters=[], order_by="createdAt")]


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    # strict: an unterminated or stray quote is an error, not a row silently merged into the next (or dropped)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportRefused(f"The file is not a readable CSV: {exc} (line {reader.line_num})",
                            [BadRow(reader.line_num, "file", f"{exc}: check the quotes on this line")]) from None
    if not rows:
        raise ImportRefused("The file is empty", [BadRow(1, "header", "no header row")])
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused(f"The file has more than {MAX_ROWS} rows", [BadRow(MAX_ROWS + 2, "file", "too many rows")])
    return [h.strip().casefold() for h in rows[0]], rows[1:]


def import_matches(integration: Integration, text: str, *, by: str) -> dict[str, Any]:
    header, rows = _rows(text)
    missing = [name for name in (RR_COLUMN, UUID_COLUMN) if name not in header]
    if missing:
        raise ImportRefused("The header must name the columns Rose Rocket Customer and Customer UUID",
                            [BadRow(1, "header", f"missing column {name.title().replace('Uuid', 'UUID')}")
                             for name in missing])
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:  # which of two columns would be meant? Never guess
        raise ImportRefused("The header names a column twice", [
            BadRow(1, "header", f"column {name!r} appears {header.count(name)} times") for name in repeated])
    at_rr, at_uuid = header.index(RR_COLUMN), header.index(UUID_COLUMN)
    wms_customers = {c.id: c for c in wms_client(core().tenants.get(integration.tenant_id)).list_customers()}
    by_key: dict[str, Customer] = {}
    for known in rose_rocket_customers(integration):
        by_key[known.id.casefold()] = known
        if known.full_id:
            by_key[known.full_id.casefold()] = known
    bad: list[BadRow] = []
    pairs: dict[int, tuple[str, Customer]] = {}
    skipped = 0
    seen_uuid: dict[str, int] = {}
    seen_rr: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        rr_key = row[at_rr].strip() if at_rr < len(row) else ""
        uuid = row[at_uuid].strip() if at_uuid < len(row) else ""
        if not rr_key:
            skipped += 1
            continue
        customer = by_key.get(rr_key.casefold())
        if not uuid:
            bad.append(BadRow(number, "Customer UUID", "is empty"))
        elif uuid not in wms_customers:
            bad.append(BadRow(number, "Customer UUID", f"{uuid} is not a customer of this tenant in the WMS"))
        elif uuid in seen_uuid:
            bad.append(BadRow(number, "Customer UUID", f"{uuid} is also on row {seen_uuid[uuid]}"))
        if customer is None:
            bad.append(BadRow(number, "Rose Rocket Customer", f"{rr_key} is not a customer of the Rose Rocket "
                                                              "organisation"))
        elif customer.id in seen_rr:
            bad.append(BadRow(number, "Rose Rocket Customer", f"{rr_key} is also on row {seen_rr[customer.id]}"))
        seen_uuid.setdefault(uuid, number)
        if customer is not None:
            seen_rr.setdefault(customer.id, number)
            pairs[number] = (uuid, customer)
    if bad:
        raise ImportRefused(f"{len({b.row for b in bad})} row(s) of the file can't be applied; nothing was applied",
                            bad)
    if not pairs:  # a header alone, or only rows without a Rose Rocket customer: nothing to apply, nothing changes
        raise ImportRefused("The file has no row matching a Rose Rocket customer to a Customer UUID; nothing was "
                            "applied", [BadRow(2, "Rose Rocket Customer", "no row names a Rose Rocket customer"
                                               + (f" ({skipped} row(s) left it empty)" if skipped else ""))])
    store = MatchStore(integration.integration_id)
    previous = store.current()
    current = {m.wms_customer_id: m for m in store.all()}
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for uuid, customer in pairs.values():
        new = Match(uuid, wms_customers[uuid].name, customer.id, customer.full_id or "", customer.name)
        old = current.get(uuid)
        counts["unchanged" if old == new else ("changed" if old else "added")] += 1
        for key in [k for k, m in current.items() if m.rose_rocket_id == customer.id and k != uuid]:
            del current[key]  # that Rose Rocket customer is now another UUID's
        current[uuid] = new
    released = sorted({m.rose_rocket_id for m in store.all()} - {m.rose_rocket_id for m in current.values()})
    generation = store.replace(sorted(current.values(), key=lambda m: m.wms_customer_id), previous=previous, by=by)
    matched = [uuid for uuid, _ in pairs.values()]
    enqueue(CONNECTOR.queue_url(), WorkItem(
        kind=MATCHES_APPLIED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
        customer_id=integration.customer_id or None,  # None: a tenant-level integration is its own fair share
        idempotency_key=f"rose_rocket:{integration.integration_id}:matches:{generation.generation}",
        record=integration_ref(integration.integration_id, "customer-matches"), source="import",
        payload={"generation": generation.generation, "matched": matched, "released": released}))
    core().sync_log.append(integration_ref(integration.integration_id, "customer-matches").key, "matches-imported",
                           f"{len(pairs)} match(es) imported by {by}: {counts['added']} added, {counts['changed']} "
                           f"changed, {counts['unchanged']} unchanged; {skipped} row(s) without a Rose Rocket "
                           f"customer skipped; {generation.count} customer(s) matched in all")
    return {"applied": True, "rows": len(pairs) + skipped, **counts, "skipped": skipped,
            "matched": generation.count, "importedAt": generation.imported_at}


def list_matches(integration: Integration) -> dict[str, Any]:
    store = MatchStore(integration.integration_id)
    current = store.current()
    matches = store.all()
    wms_customers = wms_client(core().tenants.get(integration.tenant_id)).list_customers()
    rr_customers = {c.id: c for c in rose_rocket_customers(integration)}
    matched_wms = {m.wms_customer_id for m in matches}
    matched_rr = {m.rose_rocket_id for m in matches}
    rows = []
    for match in sorted(matches, key=lambda m: m.wms_name.casefold()):
        held = rr_customers.get(match.rose_rocket_id)
        mirror = "missing" if held is None else ("written" if held.external_id == match.wms_customer_id else "pending")
        rows.append({**match.to_json(), "externalIdInRoseRocket": mirror})
    return {
        "matched": rows,
        "unmatchedWms": [{"customerId": c.id, "name": c.name} for c in sorted(wms_customers,
                                                                              key=lambda c: c.name.casefold())
                         if c.id not in matched_wms],
        "unmatchedRoseRocket": [{"customerId": c.id, "fullId": c.full_id, "name": c.name,
                                 "externalId": c.external_id}
                                for c in sorted(rr_customers.values(), key=lambda c: c.name.casefold())
                                if c.id not in matched_rr],
        "importedAt": current.imported_at if current else None,
        "importedBy": current.imported_by if current else None,
    }


def handle_matches_applied(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """After an import: write each match to its Rose Rocket customer's ``externalId`` (clearing customers that lost
    theirs), then retry every record that was waiting for one of the matched customers."""
    assert item.integration_id
    integration = core().integrations.get(item.integration_id)
    if integration is None or integration.status is IntegrationStatus.DELETED or not integration.credentials:
        return {"skipped": "the integration is deleted or has no credentials"}
    store = MatchStore(integration.integration_id)
    client = client_for(integration)
    written = cleared = retried = 0
    for rr_id in item.payload.get("released", []):
        found = client.get(str(rr_id))
        if found and found.get("externalId") and store.for_rose_rocket(str(rr_id)) is None:
            client.update(str(rr_id), "customer", {"externalId": None})
            cleared += 1
    for uuid in item.payload.get("matched", []):
        match = store.for_wms(str(uuid))
        if match is None:
            continue  # replaced by a later import meanwhile: that import's own item writes it
        found = client.get(match.rose_rocket_id)
        if found is not None and found.get("externalId") != match.wms_customer_id:
            client.update(match.rose_rocket_id, "customer", {"externalId": match.wms_customer_id})
            written += 1
        for side, customer in ((WMS_SIDE, match.wms_customer_id), (ROSE_ROCKET_SIDE, match.rose_rocket_id)):
            for record_key in store.waiting(side, customer):
                try:
                    sync_log_retry.retry_from_sync_log(record_key)
                    retried += 1
                except sync_log_retry.NothingToRetry:
                    pass  # already fine again (or never failed)
                store.done_waiting(side, customer, record_key)
    core().sync_log.append(integration_ref(integration.integration_id, "customer-matches").key, "matches-applied",
                           f"Matches written to Rose Rocket ({written} customer externalId(s) set, {cleared} cleared); "
                           f"{retried} waiting record(s) retried", attempt=attempt.number)
    return {"written": written, "cleared": cleared, "retried": retried}
