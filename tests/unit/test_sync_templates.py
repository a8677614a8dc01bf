"""Issue 8, points 2 and 4: the importer and exporter templates on in-memory stores — duplicate, concurrent and
out-of-order triggers from either side make one counterpart, and a link made from one side is found from the other.

A toy platform plays both directions: its orders are imported into a toy WMS, and WMS records reaching PACKED are
exported to it. Nothing here talks to AWS (the stores are tests/unit/fakes.py).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from integrations.core.context import use
from integrations.core.errors import PermanentError
from integrations.core.events import WmsEvent
from integrations.core.exporter import ExportContext, Exported, Exporter
from integrations.core.importer import Created, ImportContext, Importer
from integrations.core.integration_record import Integration, IntegrationStatus
from integrations.core.links import CounterpartTaken
from integrations.core.records import LinkStatus, Origin, RecordRef, SyncLink, WmsRef
from integrations.core.worker import Attempt
from integrations.core.workitems import WorkItem

from .fakes import InMemoryLinkStore, InMemorySyncLog, memory_core

TENANT = "t-1"
NOW = datetime(2026, 11, 30, tzinfo=UTC)


class ToyWms:
    """Creates records idempotently on their reference, as CartonCloud's DUPLICATE check does."""

    def __init__(self) -> None:
        self.by_reference: dict[str, str] = {}
        self.creates = 0
        self._lock = threading.Lock()

    def create(self, reference: str) -> tuple[str, bool]:
        with self._lock:
            self.creates += 1
            if reference in self.by_reference:
                return self.by_reference[reference], True
            self.by_reference[reference] = f"w-{len(self.by_reference) + 1}"
            return self.by_reference[reference], False


class ToyPlatform:
    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.by_number: dict[str, str] = {}
        self.updates: list[str] = []
        self._lock = threading.Lock()

    def create(self, number: str) -> tuple[str, bool]:
        """Look up by the business number first, then create (how exporters must stay idempotent)."""
        with self._lock:
            if number in self.by_number:
                return self.by_number[number], True
            order_id = f"p-{len(self.orders) + 1}"
            self.orders[order_id] = {"id": order_id, "status": "paid", "number": number}
            self.by_number[number] = order_id
            return order_id, False


class ToyImporter(Importer[dict[str, Any], str]):
    platform: ClassVar[str] = "toy"
    record_type: ClassVar[str] = "order"

    def __init__(self, shop: ToyPlatform, wms: ToyWms) -> None:
        self.shop, self.wms = shop, wms

    def record_id(self, item: WorkItem) -> str:
        return str(item.payload["orderId"])

    def fetch(self, ctx: ImportContext[dict[str, Any]]) -> dict[str, Any] | None:
        return self.shop.orders.get(ctx.ref.record_id)

    def must_wait(self, ctx: ImportContext[dict[str, Any]], record: dict[str, Any]) -> str | None:
        return None if record["status"] == "paid" else f"order is {record['status']}"

    def map(self, ctx: ImportContext[dict[str, Any]], record: dict[str, Any]) -> str:
        if record.get("broken"):
            raise PermanentError("The order has no lines", resolution="Add a line, then retry.")
        return f"REF-{record.get('number') or record['id']}"

    def create(self, ctx: ImportContext[dict[str, Any]], record: dict[str, Any], mapped: str) -> Created:
        wms_id, existed = self.wms.create(mapped)
        return Created(WmsRef(tenant_id=TENANT, entity_type="OUTBOUND_ORDER", entity_id=wms_id),
                       f"made {wms_id}", already_existed=existed)

    def snapshot(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"status": record["status"]}

    def fingerprint(self, snapshot: dict[str, Any]) -> str:
        return str(snapshot["status"])

    def on_linked(self, ctx: ImportContext[dict[str, Any]], link: SyncLink, record: dict[str, Any]) -> dict[str, Any]:
        return {"linked": link.key}


class ToyExporter(Exporter):
    platform: ClassVar[str] = "toy"
    title: ClassVar[str] = "Toy"

    def __init__(self, shop: ToyPlatform) -> None:
        self.shop = shop

    def creates(self, ctx: ExportContext) -> bool:
        return "PACKED" in ctx.event.changes

    def create(self, ctx: ExportContext) -> Exported:
        order_id, existed = self.shop.create(f"W-{ctx.event.entity_id}")
        ref = RecordRef(scope=ctx.integration.integration_id, platform="toy", record_type="order", record_id=order_id)
        return Exported(ref, f"made {order_id}", already_existed=existed)

    def update(self, ctx: ExportContext, link: SyncLink) -> str:
        self.shop.updates.append(link.key)
        return "updated"


@pytest.fixture
def world():
    integration = Integration(integration_id="i-1", tenant_id=TENANT, customer_id="c-1", type="toy", name="Toy",
                              status=IntegrationStatus.LIVE, created_at=NOW, updated_at=NOW)
    shop, wms = ToyPlatform(), ToyWms()
    with use(memory_core(integration)) as core:
        yield core, shop, wms


def import_item(order_id: str, version: str = "v1") -> WorkItem:
    return WorkItem(kind="toy.order.changed", tenant_id=TENANT, integration_id="i-1",
                    idempotency_key=f"toy:{order_id}:{version}:{uuid.uuid4().hex}",
                    record=RecordRef(scope="i-1", platform="toy", record_type="order", record_id=order_id),
                    payload={"orderId": order_id}, source="webhook")


def event_item(wms_id: str, changes: list[str]) -> WorkItem:
    event = WmsEvent(tenant_id=TENANT, entity_type="OUTBOUND_ORDER", entity_id=wms_id, changes=changes,
                     status=changes[0], customer_id="c-1", modified_at="2026-11-30T00:00:00.000000Z",
                     fingerprint="f-" + "-".join(changes))
    return WorkItem(kind="toy.wms-event", tenant_id=TENANT, integration_id="i-1", idempotency_key=uuid.uuid4().hex,
                    record=event.ref.seen_by("i-1"), payload=event.model_dump(by_alias=True, mode="json"),
                    source="wms-event")


def attempt() -> Attempt:
    return Attempt(1, "m")


def run_concurrently(handler, items) -> list[Any]:
    """Every item at once; a worker that lost the claim race raises (the queue would retry it) — returned."""
    def run(item):
        try:
            return handler(item, attempt())
        except Exception as exc:
            return exc
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


def test_concurrent_and_duplicate_imports_of_one_record_make_one_wms_record(world):
    core, shop, wms = world
    shop.orders["7"] = {"id": "7", "status": "paid"}
    importer = ToyImporter(shop, wms)
    run_concurrently(importer.handle, [import_item("7") for _ in range(8)])
    # The losers retried later find it bound:
    for _ in range(3):
        assert "linked" in importer.handle(import_item("7"), attempt())
    assert len(wms.by_reference) == 1
    link = core.links.find(RecordRef(scope="i-1", platform="toy", record_type="order", record_id="7"))
    assert link is not None and link.bound and link.status is LinkStatus.SYNCED
    assert link.wms_record_key == WmsRef(tenant_id=TENANT, entity_type="OUTBOUND_ORDER", entity_id="w-1").key
    # … and the WMS record's end points back at it, so a WMS event finds the shop order
    assert core.links.find(WmsRef(tenant_id=TENANT, entity_type="OUTBOUND_ORDER", entity_id="w-1").seen_by("i-1")
                           ).key == link.key


def test_out_of_order_triggers_act_on_the_record_as_it_is_now(world):
    core, shop, wms = world
    shop.orders["8"] = {"id": "8", "status": "pending"}
    importer = ToyImporter(shop, wms)
    assert "waiting" in importer.handle(import_item("8", "v1"), attempt())
    shop.orders["8"]["status"] = "paid"
    # The newer delivery arrives first, the older (pending) one after: both re-fetch, one WMS record.
    importer.handle(import_item("8", "v2"), attempt())
    importer.handle(import_item("8", "v1"), attempt())
    assert len(wms.by_reference) == 1 and wms.creates == 1


def test_concurrent_and_duplicate_wms_events_export_one_platform_record(world):
    core, shop, _ = world
    exporter = ToyExporter(shop)
    run_concurrently(exporter.handle, [event_item("w-9", ["PACKED"]) for _ in range(8)])
    exporter.handle(event_item("w-9", ["PACKED"]), attempt())  # a redelivery after all settled
    assert len(shop.orders) == 1
    link = core.links.find(RecordRef(scope="i-1", platform="wms", record_type="OUTBOUND_ORDER", record_id="w-9"))
    assert link is not None and link.origin is Origin.WMS and link.platform_record_key == "i-1#toy#order#p-1"


def test_a_record_imported_from_the_platform_is_updated_not_exported_again_when_the_wms_reports_it(world):
    core, shop, wms = world
    shop.orders["3"] = {"id": "3", "status": "paid"}
    ToyImporter(shop, wms).handle(import_item("3"), attempt())
    exporter = ToyExporter(shop)
    exporter.handle(event_item("w-1", ["PACKED"]), attempt())
    assert list(shop.orders) == ["3"]  # no second platform order for the WMS record the import made
    assert shop.updates == ["i-1#toy#order#3"]
    assert "write-back" in core.sync_log.events("i-1#toy#order#3")


def test_a_record_exported_from_the_wms_is_not_imported_back(world):
    core, shop, wms = world
    ToyExporter(shop).handle(event_item("w-5", ["PACKED"]), attempt())
    [order_id] = shop.orders
    outcome = ToyImporter(shop, wms).handle(import_item(order_id), attempt())
    assert outcome == {"linked": "i-1#wms#OUTBOUND_ORDER#w-5"} and wms.creates == 0


def test_two_platform_records_can_not_bind_one_wms_record(world):
    core, shop, wms = world
    shop.orders["1"] = {"id": "1", "status": "paid", "number": "SAME"}
    shop.orders["2"] = {"id": "2", "status": "paid", "number": "SAME"}
    importer = ToyImporter(shop, wms)
    importer.handle(import_item("1"), attempt())
    with pytest.raises(CounterpartTaken) as taken:
        importer.handle(import_item("2"), attempt())
    assert taken.value.other == "i-1#toy#order#1"
    assert not core.links.find(RecordRef(scope="i-1", platform="toy", record_type="order", record_id="2")).bound


def test_a_record_that_cannot_be_mapped_gives_its_claim_back(world):
    core, shop, wms = world
    shop.orders["4"] = {"id": "4", "status": "paid", "broken": True}
    importer = ToyImporter(shop, wms)
    with pytest.raises(PermanentError):
        importer.handle(import_item("4"), attempt())
    shop.orders["4"]["broken"] = False
    importer.handle(import_item("4"), attempt())  # the retry claims at once: no stale claim to wait for
    assert len(wms.by_reference) == 1


def test_the_fakes_keep_the_dynamo_stores_promises():
    links = InMemoryLinkStore()
    log = InMemorySyncLog(links)
    ref = RecordRef(scope="i", platform="p", record_type="order", record_id="1")
    assert links.claim(ref, tenant_id="t", integration_id="i", origin=Origin.PLATFORM, token="a",
                       stale_before="0").won
    assert not links.claim(ref, tenant_id="t", integration_id="i", origin=Origin.PLATFORM, token="b",
                           stale_before="0").won
    recorded = links.record(ref, tenant_id="t", integration_id="i", status=LinkStatus.NEEDS_ATTENTION, error="x")
    assert recorded.key == ref.key and recorded.previous_error is None
    assert links.record(ref, tenant_id="t", integration_id="i", status=LinkStatus.NEEDS_ATTENTION,
                        error="y").previous_error == "x"
    log.append(ref.key, "e", "m")
    link, entries = log.history(ref.key)
    assert link.status is LinkStatus.NEEDS_ATTENTION and [e.event for e in entries] == ["e"]
