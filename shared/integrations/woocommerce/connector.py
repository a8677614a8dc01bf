"""The WooCommerce connector's declaration (core.connectors): shop orders in, dispatch and tracking back.

Everything named here is loaded on first use; docs/woocommerce.md has the rules, docs/writing-a-connector.md the
frame.
"""

from ..core.alerts.declaration import AlertCondition
from ..core.connectors import Connector, Deployment, Door
from .assumptions import ASSUMPTIONS

#: Its own alert conditions (core.alerts; docs/alerts.md), checked in alerts.py.
ALERT_CONDITIONS = (AlertCondition("webhooks-off", "Webhooks not active",
                                   "integrations.woocommerce.alerts:webhooks_off", calls_platform=True),)

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
    alert_conditions=ALERT_CONDITIONS,
    deployment=Deployment(
        worker="Syncs WooCommerce orders into the WMS (re-fetch, map, create once), writes WMS events back, polls and "
               "backfills stores.",
        poll_schedule="Safety net for lost or disabled WooCommerce webhooks; queues one poll per live integration.",
        poll="Poll every live WooCommerce store for Processing orders modified since its cursor.",
        poll_failing="The WooCommerce poll fan-out failed; stores are not being polled (lost webhooks not caught).",
        concurrency=10,
        concurrency_reason="Bounds the load on the WMS and the Lambdas one store's backlog takes; every Lambda "
                           "shares each store's 3 req/s budget in RateBudgetTable (docs/woocommerce.md \"Limits we "
                           "respect\").",
    ),
)
