"""The Rose Rocket connector's declaration (core.connectors): a tenant-level TMS connector, both ways.

WMS consignments of matched customers become Rose Rocket orders (the exporter, fed by routed ``CONSIGNMENT.CREATED``
events); Rose Rocket orders moved to Delivered become WMS consignments (the importer, fed by the webhook door and the
poller on ``updatedAt``); WMS invoice statuses (``INVOICE`` events) are shown on the linked orders. The actions
(customer matches, the webhook URL, the rating credential, a manual push) are routes of ``RoseRocketActionsFunction``,
authenticated with the management API's tokens; rating (rate, save) is ``RoseRocketRatingFunction``'s, authenticated
with the integration's rating credential. Everything named here is loaded on
first use; docs/rose-rocket.md has the rules, docs/writing-a-connector.md the frame.
"""

from ..core.alerts.declaration import AlertCondition
from ..core.assumptions import DECIDED, Assumption
from ..core.connectors import Connector, Deployment, Door

OAUTH_GUIDE = "roserocket.readme.io/docs/rose-rocket-api-oauth-20-authentication-guide"
OPENAPI = "Rose Rocket's platform-model OpenAPI (tests/fixtures/vendor/rose_rocket)"
WEBHOOKS_V2 = "roserocket.readme.io/docs/webhooks-2"

#: What the connector relies on that no Rose Rocket page settles (vendor-findings-2026-12.md "Rose Rocket"), and
#: each endpoint the live check probes: docs/rose-rocket.md "Assumptions" shows this list (python -m
#: local.assumptions_docs), the sandbox offers each open question's answers as a dialect, the live check
#: (live.py) probes what it can read-only.
ASSUMPTIONS = (
    Assumption(
        "base-url", "The platform model's API is at https://network.roserocket.com/api/v2/platformModel (the "
        "OpenAPI also names {org}.roserocket.com and roserocket.com)", "roserocket.readme.io/docs/crud-operations",
        "Every call fails saying Rose Rocket can't be reached; set the stack's RoseRocketApiUrl parameter to the "
        "organisation's address", check="Lists the organisation's boards at that address (GET /boards/nav)"),
    Assumption(
        "token-request", "Tokens come from POST https://a.roserocket.com/oauth/token with grant_type "
        "client_credentials, client_id, client_secret, audience, org_id and user_id (the service account), "
        "answered {access_token, expires_in}", f"{OAUTH_GUIDE}; api-evangelist/rose-rocket's digest (org_id, "
        "user_id)", "The authentication step refuses the credentials naming the field Rose Rocket's answer points "
        "at, and nothing syncs until they work; an answer wrapped in data (v1's) is read too",
        check="Asks for a token with the integration's credentials"),
    Assumption(
        "token-audience", "Auth0 takes the audience https://roserocket.com", "api-evangelist/rose-rocket's digest; "
        f"the guide itself ({OAUTH_GUIDE}) says \"the base URL of the Rose Rocket API\"",
        "When Auth0 refuses it, the token is asked for with the API's base URL as the audience and that is "
        "remembered: one more token request per warm Lambda, nothing to do", ("roserocket-com", "api-base-url"),
        check="Asks for a token with audience https://roserocket.com and, if Auth0 refuses it, with the API's base "
              "URL"),
    Assumption(
        "boards", "GET /boards/nav lists the organisation's boards with their objectKey; searches go through its "
        "order and customer boards", OPENAPI, "The authentication step says the service account sees no order or "
        "customer board, naming serviceAccountUserId", check="Lists the order and customer boards"),
    Assumption(
        "order-search", "POST /objects/search takes {boardId, filters: [{path, operator, value}], filtersOperator, "
        "orderByPath, orderByDirection, limit} and answers {results}; times compare as ISO text (the filter's shape "
        "is our reading: the OpenAPI names the properties only)", f"{OPENAPI}; the filter shape decided",
        "The poll and backfill fail with Rose Rocket's words in the integration's log while webhooks keep orders "
        "flowing; say so to support", check="Searches the orders board for its newest orders"),
    Assumption(
        "customers", "Searching the customers board lists the organisation's customers (id, fullId, name, "
        "externalId)", "roserocket.readme.io/docs/customer", "Customer matches can't be imported (the import "
        "names each Rose Rocket customer it can't find)", check="Searches the customers board"),
    Assumption(
        "status-spelling", "Order statuses are spelled as roserocket.readme.io/docs/order lists them: new, booked, "
        "in transit, delivered, invoiced, tendered, rejected, archived", "roserocket.readme.io/docs/order; "
        "/docs/order-1 capitalises them (Delivered, In transit) and v1 wrote in-transit",
        "Nothing: statuses are compared whatever their case, spaces, hyphens or underscores, the poll searches for "
        "delivered and Delivered, and the statuses we write follow the order's own spelling",
        ("lowercase", "capitalised"), check="Reads the statuses of the organisation's newest orders"),
    Assumption(
        "connected-paths", "An order read takes the connected paths serviceType, invoice, invoice.lineItems and "
        "tasks.stops.address, which the order page doesn't list", "roserocket.readme.io/docs/order (not among its "
        "connected objects); the address page puts the address on the stop",
        "A refused read is made with the listed paths and each other path is tried once and remembered: stop "
        "addresses are read from each stop (a call per stop), an order's service type goes unseen (its "
        "consignment has none, said in its log; rating uses the default service type) and an order's invoice is "
        "found by our own key (a dispatcher's own invoice can't be seen: said once per order)",
        ("accepted", "refused"), check="Reads the newest order with every path we use, and each unlisted one on "
                                       "its own when refused"),
    Assumption(
        "service-type-object", "Service types are an Object Builder object serviceType (name, externalId) "
        "connected from the order as serviceType", "Rose Rocket's CartonCloud rating help page (\"created in RR via "
        "Object Builder\"); no API object is documented", "Orders are written without a service type, and the "
        "record's log and the push answer name the service type not sent; rating uses the integration's default "
        "service type. Add a Service Type object in Object Builder to have them sent", ("present", "absent"),
        check="Looks a service type up by externalId: \"not found\" means the object exists, a refusal that it "
              "doesn't"),
    Assumption(
        "webhook-destination", "Our webhook is a webhookDestination record subscribed (webhookSubscription) to "
        "\"Order Status Changed\", created with POST /objects and read back with ?paths=subscriptions", WEBHOOKS_V2,
        "The integration goes live with webhookRegistered false and the reason, the admin enters the URL by hand, "
        "and the poll keeps orders flowing", check="Reads our webhook destination and its subscription"),
    Assumption(
        "webhook-retries", "A v2 delivery not answered 2xx is retried 3 times, 30 seconds apart, and any delivery "
        "may come more than once", f"{WEBHOOKS_V2} via api-evangelist/rose-rocket's digest (v1's page: never "
        "retried)", "Nothing is lost or doubled: the poll finds, every 5 minutes, Delivered orders whose delivery "
        "failed, and every copy of one event is one work item", ("three-times-30s", "none")),
    Assumption(
        "webhook-shape", "Deliveries are unsigned envelopes {id, type, refId, ownerId, orgId, createdAt, objectKey, "
        "json} and only \"Order Status Changed\" exists; v1's {event, order_id, timestamp} arrive when our URL is "
        "entered in the older webhook settings", f"{WEBHOOKS_V2}; roserocket.readme.io/docs/webhooks-1",
        "A delivery in another shape is answered 400 naming the field (Rose Rocket shows it among its failed "
        "deliveries); the poll finds the order anyway"),
    Assumption(
        "zero-dimensions", "A commodity whose length, width or height is 0 or missing (usual for full truckloads, "
        "as in the captured real order) has no volume: its WMS item has quantity, weight and pallets but no cubic, "
        "and rating prices it by weight and pallets, saying so", DECIDED,
        "A rate card that prices by volume finds none on such lines, so the WMS answers \"No matching rate\" "
        "rather than a wrong price; enter the dimensions in Rose Rocket to price by volume"),
    Assumption(
        "skid-is-pallet", "Skids take a pallet space each, as pallets do (measures.pallets = quantity); no other "
        "commodity type does", DECIDED, "A rate card that counts skids otherwise prices them per pallet: correct "
        "the consignment's pallets in the WMS, or change the commodity type in Rose Rocket"),
    Assumption(
        "units", "Weights are in kgs, lbs, metric tonnes or tons and dimensions in cm, in or ft (v1's lb and inch "
        "too)", "roserocket.readme.io/docs/commodities (our reading)", "A commodity in a unit we don't know needs "
        "attention naming its unit field: nothing is read in the wrong unit"),
    Assumption(
        "invoice-statuses", "Invoices take the status created, sent, partiallyPaid or paid (no void); a void WMS "
        "invoice is shown with a Yes/No field voided that the organisation adds in Object Builder",
        "roserocket.readme.io/docs/invoices; the voided field decided", "Without the voided field the Void row "
        "needs attention saying to add it; the invoice is never shown as anything else"),
    Assumption(
        "connected-writes", "Connected objects are written inline; an array in an update replaces the connection "
        "list (records left out are disconnected, deleted if the parent owned them)", "roserocket.readme.io/docs/"
        "crud-operations (inline creation); replacement decided", "If an update adds instead, a re-saved rating "
        "leaves our earlier lines on the sell quote beside the new ones (ours carry externalId cartoncloud-rate:… "
        "and can be removed by hand); order updates send every task by id either way"),
    Assumption(
        "line-item-write", "A financialLineItem is written with type, description, rate, quantity, currency and "
        "externalId; Rose Rocket computes its amount", "roserocket.readme.io/docs/financial-line-items (beyond the "
        "excerpt: decided)", "The save is refused with Rose Rocket's words, shown to the widget; nothing is saved "
        "until it is fixed"),
    Assumption(
        "upsert-by-external-id", "PATCH /objects creates or updates the record whose json.externalId matches "
        "(201 created, 200 updated)", "roserocket.readme.io/docs/object-descriptions-and-operations; " + OPENAPI,
        "Not checkable without writing; the exporter looks the order up by externalId first, so a retry finds the "
        "order made before either way"),
    Assumption(
        "rate-limit", "Rose Rocket publishes no rate limit: we assume 600 calls a minute per organisation (NestJS's "
        "429 with Retry-After) and use 300 by default", DECIDED, "A 429 is retried honouring Retry-After and the work "
        "waits its turn, never lost; lower requestsPerMinute if they are frequent"),
)

#: Its own alert conditions (core.alerts; docs/alerts.md), checked in alerts.py.
ALERT_CONDITIONS = (AlertCondition("webhook-gone", "Webhook gone", "integrations.rose_rocket.alerts:webhook_gone",
                             calls_platform=True),)

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
    assumptions=ASSUMPTIONS,
    alert_conditions=ALERT_CONDITIONS,
    deployment=Deployment(
        worker="WMS consignments to Rose Rocket orders and Delivered orders to WMS consignments (claim, create, "
               "bind), customer-match write-through, polls and backfills.",
        poll_schedule="The safety net for Rose Rocket's never-retried webhooks; queues one poll of Delivered orders "
                      "per live integration.",
        poll="Poll every live Rose Rocket organisation for Delivered orders updated since its cursor.",
        poll_failing="The Rose Rocket poll fan-out failed; orders whose webhook was lost are not being polled.",
        concurrency=5,
        concurrency_reason="One organisation's calls share a per-minute budget; this bounds how many Lambdas wait on "
                           "it (and the load on the WMS, whose 30 creates/min the consignments don't draw on).",
        writes_integrations="the poller puts our webhook destination back when someone deleted it (its id is kept "
                            "on the integration)",
    ),
)
