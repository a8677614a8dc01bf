"""UnleashedQueue worker: every kind the Unleashed connector declares — re-read an order and queue its shipments,
sync one shipment (map, create once), write a WMS dispatch back to its shipment, poll one account, one page of a
backfill."""

from integrations.core.worker_function import connector_worker

handler = connector_worker("unleashed")
