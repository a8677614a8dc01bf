"""Issue 25, point 3: the AWS requests of what runs whether or not a record moves — a tenant's idle WMS poll and its
alert check — counted as every other path is (a listener on every AWS call our code makes, warm caches), and read
from docs/costs.md, whose cost table is computed from them (local/cost_model.py)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from integrations.core import aws
from integrations.core.alerts.checker import schedule_checks

from tests import documented

from .woocommerce_helpers import SLUG, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


class Counted:
    """Every AWS call our code makes while the block runs, as ``service:Operation``."""

    def __enter__(self) -> Counter:
        self.calls: Counter = Counter()
        self.listener = lambda service, operation: self.calls.update([f"{service}:{operation}"])
        aws.add_request_listener(self.listener)
        return self.calls

    def __exit__(self, *_: object) -> None:
        aws.remove_request_listener(self.listener)


def test_an_idle_wms_poll_costs_what_docs_costs_says_per_tenant(service, wms, tenant):
    service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    service.pump("WmsQueue")  # warm: the tenant read and its credentials opened, both cursors set
    with Counted() as fan_out:
        service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:05:00Z"})
    with Counted() as poll:
        service.pump("WmsQueue")
    assert sum(fan_out.values()) == documented.stated("costs.md", r"the WMS poll's fan-out (\d+)")
    assert sum(poll.values()) == documented.stated("costs.md", r"an idle WMS poll (\d+) per tenant")


def test_an_alert_check_costs_what_docs_costs_says_per_tenant(connected: Woo):
    """One live WooCommerce integration; its hourly platform checks ran at the warm-up, so this check reads only."""
    now = datetime.now(UTC)
    schedule_checks(now)
    connected.service.pump("AlertsQueue")  # warm: the platform checks that run hourly ran now
    with Counted() as fan_out:
        schedule_checks(now + timedelta(minutes=5))
    with Counted() as check:
        connected.service.pump("AlertsQueue")
    assert sum(fan_out.values()) == documented.stated("costs.md", r"the alert check's fan-out (\d+)")
    assert sum(check.values()) == documented.stated("costs.md", r"an alert check (\d+) per tenant")
