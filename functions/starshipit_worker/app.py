"""StarshipitQueue worker: every kind the Starshipit connector declares — export a WMS order to Starshipit (routed
WMS events and backfill), write Starshipit's tracking to the WMS, poll one account's shipped orders."""

from integrations.core.worker_function import connector_worker

handler = connector_worker("starshipit")
