"""StatusChangeQueue worker: the WMS event router. Each WMS event becomes one work item per live integration that
subscribes to it, on that integration's connector queue (integrations.cartoncloud.routing); it writes nothing back
itself."""

from integrations.core.worker_function import queue_worker  # noqa: I001 - first: its init (core.function_init)

from integrations.cartoncloud.routing import route
from integrations.cartoncloud.status import EVENT

handler = queue_worker("StatusChangeQueue", {EVENT: route})
