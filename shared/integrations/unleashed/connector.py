"""The Unleashed connector's declaration (core.connectors): Placed orders' Sales Shipments in, dispatch back.

Everything named here is loaded on first use; docs/unleashed.md has the rules, docs/writing-a-connector.md the frame.
"""

from ..core.connectors import Connector, Door

CONNECTOR = Connector(
    key="unleashed",
    title="Unleashed",
    integration_type="integrations.unleashed.integration_type:INTEGRATION_TYPE",
    queue="UnleashedQueue",
    worker="UnleashedWorkerFunction",
    handlers={
        "unleashed.order.changed": "integrations.unleashed.orders:handle_order_changed",
        "unleashed.shipment.changed": "integrations.unleashed.importer:handle_shipment_changed",
    },
    subscribes=frozenset({"OUTBOUND_ORDER.DISPATCHED", "OUTBOUND_ORDER.TRACKING_CHANGED",
                          "OUTBOUND_ORDER.REJECTED"}),
    exporter="integrations.unleashed.exporter:EXPORTER",
    poller="integrations.unleashed.poller:POLLER",
    doors=(Door("UnleashedWebhookFunction", "POST", "/webhooks/unleashed/{integrationId}"),),
    schedules=("UnleashedPollScheduleFunction",),
    sandbox="local.sandboxes.unleashed:plugin",
)
