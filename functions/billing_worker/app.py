"""BillingQueue worker: charge one tenant's integrations that were live in the item's ISO week (docs/billing.md)."""

from integrations.core.worker_function import queue_worker  # noqa: I001 - first: its init (core.function_init)

from integrations.management.billing import BILL_TENANT, bill_tenant

handler = queue_worker("BillingQueue", {BILL_TENANT: bill_tenant})
