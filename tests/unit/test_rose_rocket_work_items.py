"""Rose Rocket's work items take a fair share as the tenant-level integration they are: no customer (a tenant-level
integration has none), so the fair group — SQS ``MessageGroupId`` and a budget's turns — is the integration's own."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.core.integration_record import Integration, IntegrationStatus
from integrations.core.workitems import WorkItem
from integrations.rose_rocket.refs import order_item

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def integration(**values) -> Integration:
    return Integration(integration_id="rr-1", tenant_id="t-1", type="rose_rocket", name="Dispatch",
                       status=IntegrationStatus.LIVE, created_at=NOW, updated_at=NOW, **values)


def test_a_tenant_level_integrations_items_are_its_own_fair_share():
    item = order_item(integration(scope="tenant"), "order-1", version="v1", source="webhook")
    assert item.customer_id is None
    assert item.fair_group == "t-1#integration#rr-1"
    # As a queue message and back: still no customer.
    assert WorkItem.model_validate_json(item.to_message()).customer_id is None


def test_a_customer_level_integrations_items_share_their_customers_turns():
    # The same producer for an integration that has a customer (the frame's rule for every connector).
    item = order_item(integration(customer_id="c-9"), "order-1", version="v1", source="poll")
    assert item.fair_group == "t-1#customer#c-9"
