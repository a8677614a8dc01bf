"""The WooCommerce connector's declaration (core.connectors): shop orders in, dispatch and tracking back.

Everything named here is loaded on first use; docs/woocommerce.md has the rules, docs/writing-a-connector.md the
frame.
"""

from ..core.connectors import Connector, Door
from .assumptions import ASSUMPTIONS

CONNECTOR = Connector(
    key="woocommerce",
    title="WooCommerce",
    integration_type="integrations.woocommerce.integration_type:INTEGRATION_TYPE",
    queue="WooCommerceQueue",
    worker="WooCommerceWorkerFunction",
    handlers={"woocommerce.order.changed": "integrations.woocommerce.importer:handle_order_changed"},
    subscribes=frozenset({"OUTBOUND_ORDER.PACKED", "OUTBOUND_ORDER.DISPATCHED", "OUTBOUND_ORDER.REJECTED",
                          "OUTBOUND_ORDER.TRACKING_CHANGED"}),
    exporter="integrations.woocommerce.exporter:EXPORTER",
    poller="integrations.woocommerce.poller:POLLER",
    doors=(Door("WooCommerceWebhookFunction", "POST", "/webhooks/woocommerce/{integrationId}"),),
    schedules=("WooCommercePollScheduleFunction",),
    sandbox="local.sandboxes.woocommerce:plugin",
    assumptions=ASSUMPTIONS,
)
