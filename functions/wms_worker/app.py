"""WmsQueue worker: re-fetch changed WMS entities and publish status changes; run per-tenant polls."""

from integrations.core.worker_function import queue_worker  # noqa: I001 - first: its init (core.function_init)

from integrations.cartoncloud.notifications import ENTITY_CHANGED
from integrations.cartoncloud.poller import POLL, poll_tenant
from integrations.cartoncloud.status import handle_entity_changed

handler = queue_worker("WmsQueue", {ENTITY_CHANGED: handle_entity_changed, POLL: poll_tenant})
