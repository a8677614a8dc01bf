"""WooCommerceQueue worker: every kind the WooCommerce connector declares — sync one order (re-fetch, map, create
once), write a WMS event back to the store, poll one store, one page of a backfill."""

from integrations.core.worker_function import connector_worker

handler = connector_worker("woocommerce")
