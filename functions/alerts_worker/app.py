"""AlertsQueue worker: check one tenant's integrations, open, update and resolve its alerts, and tell people
(docs/alerts.md)."""

from integrations.core.worker_function import queue_worker  # noqa: I001 - first: its init (core.function_init)

from integrations.core.alerts.checker import CHECK_TENANT, check_tenant

handler = queue_worker("AlertsQueue", {CHECK_TENANT: check_tenant})
