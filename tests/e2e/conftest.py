"""End-to-end tests: the local stack started in this process on free ports, driven over HTTP only.

``local_stack`` is module-scoped: pytest tears it down before a test of another module runs in the same worker, so
the process environment it points at moto is restored before functional tests (in-process moto) run again.
Failed queue items come back after 1 s (``fast_retry``) so retries happen within a test's patience; timers are off
(schedules fire on demand) so nothing unplanned calls the WMS sandbox mid-test.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import requests

from local import demo
from local.stack import LocalStack, StackConfig

T = TypeVar("T")
#: Longest a test waits for the stack to reach a state (never an assertion on how long it took).
PATIENCE = 30.0


class NotReached(AssertionError):
    """The stack did not reach the awaited state within the patience."""


def wait_for(probe: Callable[[], T | None], *, what: str, timeout: float = PATIENCE) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.2)
    raise NotReached(f"{what}: not reached within {timeout:.0f}s (last seen: {last!r})")


@dataclass
class StackClient:
    """What a platform, an operator and a warehouse user can do to the running stack, over HTTP."""

    stack: LocalStack

    @property
    def api(self) -> str:
        return self.stack.api_url

    @property
    def wms(self) -> str:
        return self.stack.sandboxes["cartoncloud"].url

    # --- the WMS, as our service and as a warehouse user ---

    def place_order(self, reference: str, quantity: int = 1) -> str:
        """Create an outbound order through the WMS sandbox's real API with the demo tenant's API client."""
        basic = base64.b64encode(f"{demo.CLIENT_ID}:{demo.CLIENT_SECRET}".encode()).decode()
        token = requests.post(f"{self.wms}/uaa/oauth/token", data={"grant_type": "client_credentials"},
                              headers={"Authorization": f"Basic {basic}", "Accept-Version": "1"}, timeout=10)
        assert token.status_code == 200, token.text
        order = {
            "type": "OUTBOUND",
            "references": {"customer": reference},
            "customer": {"id": demo.CUSTOMER_ID},
            "warehouse": {"id": demo.WAREHOUSE_ID},
            "details": {"deliver": {"address": {"contactName": "Jane Citizen", "address1": "1 Example St",
                                                "city": "Perth", "postcode": "6000"}}},
            "items": [{"details": {"product": {"references": {"code": "SKU-1"}}}, "measures": {"quantity": quantity}}],
        }
        created = requests.post(f"{self.wms}/tenants/{demo.TENANT_ID}/outbound-orders", json=order, timeout=10,
                                headers={"Authorization": f"Bearer {token.json()['access_token']}",
                                         "Accept-Version": "1"})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    def move_order(self, order_id: str, status: str, **tracking: str) -> dict[str, Any]:
        """A warehouse user moves the order (trackingNumber=…, carrier=…); the WMS then notifies us."""
        answer = requests.post(f"{self.wms}/_control/tenants/{demo.TENANT_ID}/outbound-orders/{order_id}/status",
                               json={"status": status, **tracking}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wms_control(self, method: str, path: str, **body: Any) -> Any:
        answer = requests.request(method, f"{self.wms}/_control/{path}", json=body or None, timeout=10)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    # --- the operator endpoints ---

    def local(self, method: str, path: str) -> Any:
        answer = requests.request(method, f"{self.api}/_local/{path}", timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def events(self, order_id: str) -> list[str]:
        return [entry["event"] for entry in self.order_log(order_id)["entries"]]

    def order_log(self, order_id: str) -> dict[str, Any]:
        return self.local("GET", f"sync-log/{demo.TENANT_ID}/OUTBOUND_ORDER/{order_id}")

    def queue(self, name: str) -> dict[str, Any]:
        return next(q for q in self.local("GET", "queues") if q["name"] == name)

    def wait_until_processed(self, order_id: str, timeout: float = PATIENCE) -> list[str]:
        """Until the status change reached the status-change worker (its fan-out entry is the last step)."""
        def finished() -> list[str] | None:
            events = self.events(order_id)
            return events if "fan-out" in events else None

        return wait_for(finished, what=f"order {order_id} processed", timeout=timeout)

    def wait_idle(self) -> None:
        """Until no queue holds a message, visible or in flight (earlier work finished)."""
        wait_for(lambda: all(q["visible"] + q["inFlight"] == 0 for q in self.local("GET", "queues")
                             if not q["name"].endswith("DeadLetterQueue")), what="queues drained")


@pytest.fixture(scope="module")
def local_stack():
    with LocalStack(StackConfig(free_ports=True, fast_retry=1, run_schedules=False)) as stack:
        yield stack


@pytest.fixture
def client(local_stack) -> StackClient:
    return StackClient(local_stack)
