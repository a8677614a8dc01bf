"""RoseRocketQueue worker: every kind the Rose Rocket connector declares — a WMS consignment to its Rose Rocket order
(routed WMS events), a Rose Rocket order moved to Delivered to its WMS consignment (webhooks, polls, backfill), the
write-through of imported customer matches."""

from integrations.core.worker_function import connector_worker

handler = connector_worker("rose_rocket")
