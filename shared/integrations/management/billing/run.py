"""The billing run: the fan-out of a week's billing (one work item per tenant) and the worker charging one tenant
from the live-period index, continuing in a follow-up item when the tenant has more than one item may handle."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

from ...core.context import core
from ...core.errors import PermanentError
from ...core.stores.integrations import LiveEntry
from ...core.timeutil import utc_iso, utcnow
from ...core.weeks import IsoWeek
from ...core.workitems import Attempt, WorkItem, enqueue, enqueue_many
from .charges import charge, charged_integrations

BILL_TENANT: Final = "billing.tenant"
#: Index entries one work item handles before handing the rest to a continuation (≤ 500 charges: a few queries and
#: five transactions, well under a second in-region; far inside the worker's 60 s even with a batch of 5 items).
ENTRIES_PER_ITEM: Final = 500


class WeekNotEnded(PermanentError):
    """A run was asked for a week that is not over yet (charges are final once written)."""

    resolution = "Ask for a week that has ended; the current week is billed on the Monday after it."


def run_item(tenant_id: str, week: IsoWeek, run_id: str, *, phase: str = "open", after: str | None = None
             ) -> WorkItem:
    """The work item billing one tenant for one week (from ``phase``/``after`` on, for a continuation)."""
    position = f":{phase}:{after}" if after or phase != "open" else ""
    return WorkItem(kind=BILL_TENANT, tenant_id=tenant_id, source="billing",
                    idempotency_key=f"billing:{tenant_id}:{week}:{run_id}{position}",
                    payload={"week": str(week), "runId": run_id, "phase": phase, "after": after})


def schedule_run(week: IsoWeek, *, run_id: str, tenant_ids: list[str] | None = None,
                 now: datetime | None = None) -> int:
    """Queue the week's billing: one item per tenant (all tenants unless given). Returns how many were queued."""
    if week.end > (now or utcnow()):
        raise WeekNotEnded(f"Week {week} ends at {utc_iso(week.end)}; it can't be billed before then")
    stores = core()
    ids = tenant_ids if tenant_ids is not None else list(stores.tenants.ids())
    return enqueue_many(stores.settings.billing_queue_url, [run_item(t, week, run_id) for t in ids])


def new_run_id(prefix: str = "requested") -> str:
    return f"{prefix}:{uuid.uuid4()}"


def bill_tenant(item: WorkItem, attempt: Attempt) -> dict[str, Any]:
    """Charge every integration of one tenant live in the item's week (from the item's index position on)."""
    stores = core()
    week = IsoWeek.parse(str(item.payload["week"]))
    run_id = str(item.payload.get("runId", ""))
    # Read fresh, never a warm Lambda's copy: a charge is final once written, so it must be at the price in force
    # when the week ended even if that changed a moment before this run (docs/billing.md "Which price").
    price = stores.tenants.get(item.tenant_id, fresh=True).price_at(week.end)
    existing = charged_integrations(item.tenant_id, week)
    phase, after = str(item.payload.get("phase", "open")), item.payload.get("after")
    counts = {"charged": 0, "alreadyCharged": 0}
    budget = ENTRIES_PER_ITEM
    while budget > 0:
        store = stores.integrations
        page = (store.open_in_week if phase == "open" else store.closed_in_week)(
            item.tenant_id, week, after=after, limit=budget)
        budget -= len(page.entries)
        due: dict[str, LiveEntry] = {}
        for entry in page.entries:
            if not week.touched_by(entry.start, entry.end):
                continue
            if entry.integration_id in existing:
                counts["alreadyCharged"] += 1
                continue
            due.setdefault(entry.integration_id, entry)
        written, found = charge(list(due.values()), week, amount_cents=price, run_id=run_id)
        counts["charged"] += written
        counts["alreadyCharged"] += found
        existing.update(due)
        if page.last_key is not None:
            after = page.last_key
        elif phase == "open":
            phase, after = "closed", None
        else:
            return {"week": str(week), **counts, "continued": False}
    # Out of budget with index left to read: hand the rest to a follow-up item.
    enqueue(stores.settings.billing_queue_url, run_item(item.tenant_id, week, run_id, phase=phase, after=after))
    return {"week": str(week), **counts, "continued": True}
