"""The Rose Rocket connector's declaration (core.connectors): a tenant-level TMS connector, both ways.

WMS consignments of matched customers become Rose Rocket orders (the exporter, fed by routed ``CONSIGNMENT.CREATED``
events); Rose Rocket orders moved to Delivered become WMS consignments (the importer, fed by the webhook door and the
poller on ``updatedAt``); WMS invoice statuses (``INVOICE`` events) are shown on the linked orders. The actions
(customer matches, the webhook URL, the rating credential, a manual push) are routes of ``RoseRocketActionsFunction``,
authenticated with the management API's tokens; rating (rate, save) is ``RoseRocketRatingFunction``'s, authenticated
with the integration's rating credential. Everything named here is loaded on
first use; docs/rose-rocket.md has the rules, docs/writing-a-connector.md the frame.
"""

from ..core.connectors import Connector, Door

CONNECTOR = Connector(
    key="rose_rocket",
    title="Rose Rocket",
    scope="tenant",
    integration_type="integrations.rose_rocket.integration_type:INTEGRATION_TYPE",
    queue="RoseRocketQueue",
    worker="RoseRocketWorkerFunction",
    handlers={
        "rose_rocket.order.changed": "integrations.rose_rocket.importer:handle_order_changed",
        "rose_rocket.customers.matched": "integrations.rose_rocket.customers:handle_matches_applied",
    },
    subscribes=frozenset({"CONSIGNMENT.CREATED", "INVOICE.CREATED", "INVOICE.STATUS_CHANGED",
                          "INVOICE.CONSIGNMENTS_CHANGED"}),
    exporter="integrations.rose_rocket.exporter:EXPORTER",
    poller="integrations.rose_rocket.poller:POLLER",
    doors=(
        Door("RoseRocketWebhookFunction", "POST", "/webhooks/rose-rocket/{integrationId}"),
        Door("RoseRocketActionsFunction", "GET", "/tenants/{tenantId}/integrations/{integrationId}/customers/export"),
        Door("RoseRocketActionsFunction", "GET", "/tenants/{tenantId}/integrations/{integrationId}/customer-matches"),
        Door("RoseRocketActionsFunction", "POST", "/tenants/{tenantId}/integrations/{integrationId}/customer-matches"),
        Door("RoseRocketActionsFunction", "POST", "/tenants/{tenantId}/integrations/{integrationId}/webhook-url"),
        Door("RoseRocketActionsFunction", "POST",
             "/tenants/{tenantId}/integrations/{integrationId}/consignments/{consignmentId}/push"),
        Door("RoseRocketActionsFunction", "POST", "/tenants/{tenantId}/integrations/{integrationId}/rating-credential"),
        Door("RoseRocketRatingFunction", "POST",
             "/tenants/{tenantId}/integrations/{integrationId}/orders/{roseRocketOrderId}/rates"),
        Door("RoseRocketRatingFunction", "POST",
             "/tenants/{tenantId}/integrations/{integrationId}/orders/{roseRocketOrderId}/rates/{quoteId}/save"),
    ),
    schedules=("RoseRocketPollScheduleFunction",),
    sandbox="local.sandboxes.rose_rocket:plugin",
)
