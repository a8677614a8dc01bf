"""The Starshipit connector's declaration (core.connectors): WMS sale orders out to Starshipit, tracking and labels
back. The first connector that starts from the WMS: its main flow is the exporter, fed by routed WMS events.

Everything named here is loaded on first use; docs/starshipit.md has the rules, docs/writing-a-connector.md the
frame.
"""

from ..core.connectors import Connector, Door

CONNECTOR = Connector(
    key="starshipit",
    title="Starshipit",
    integration_type="integrations.starshipit.integration_type:INTEGRATION_TYPE",
    queue="StarshipitQueue",
    worker="StarshipitWorkerFunction",
    handlers={"starshipit.tracking.changed": "integrations.starshipit.tracking:handle_tracking_changed"},
    # Every status move: an order first seen at or past the trigger (its PACKED missed, or packed before the
    # integration went live and moved on since) is still exported once.
    subscribes=frozenset({"OUTBOUND_ORDER.PACKED", "OUTBOUND_ORDER.DISPATCHED", "OUTBOUND_ORDER.STATUS_CHANGED"}),
    exporter="integrations.starshipit.exporter:EXPORTER",
    poller="integrations.starshipit.poller:POLLER",
    doors=(
        Door("StarshipitWebhookFunction", "POST", "/webhooks/starshipit/{integrationId}"),
        Door("StarshipitLabelsFunction", "POST",
             "/tenants/{tenantId}/customers/{customerId}/integrations/{integrationId}/labels"),
    ),
    schedules=("StarshipitPollScheduleFunction",),
    sandbox="local.sandboxes.starshipit:plugin",
)
