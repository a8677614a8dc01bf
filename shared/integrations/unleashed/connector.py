"""The Unleashed connector's declaration (core.connectors): Placed orders' Sales Shipments in, dispatch back.

Everything named here is loaded on first use; docs/unleashed.md has the rules, docs/writing-a-connector.md the frame.
:data:`ASSUMPTIONS` is what the connector relies on that no Unleashed page confirms (core.assumptions): the sandbox's
dialects, the live check (:mod:`.live_check`) and the docs' table all come from it.
"""

from ..core.alerts.declaration import AlertCondition
from ..core.assumptions import DECIDED, Assumption
from ..core.connectors import Connector, Deployment, Door

UL_DOC = "apidocs.unleashedsoftware.com"

ASSUMPTIONS = (
    # --- the endpoints the live check probes ---
    Assumption(
        "sales-orders",
        "`GET /SalesOrders/{page}?pageSize=…` answers a request signed with Base64(HMAC-SHA256(API key, query "
        "string)) with a `Pagination` + `Items` page of sales orders.",
        f"{UL_DOC} AuthenticationHelp, Pagination, SalesOrders; the captured pages in specs/unleashed/",
        "Nothing syncs; the authentication step already refuses a pair Unleashed doesn't accept, and every failure "
        "is in the sync log with what to do.",
        check="`GET /SalesOrders/1?pageSize=5` answers a page"),
    Assumption(
        "sales-shipments",
        "`GET /SalesShipments/{page}` and `GET /SalesShipments/{guid}` serve shipments whose lines name their order "
        "line (`SalesOrderLineNumber`); `orderNumber` matches like a prefix (SO-1 finds SO-10), so we match exactly.",
        f"{UL_DOC} SalesShipments; third-party field lists (platform-apis-followup.md Q3)",
        "Shipments can't be read: orders wait with the failure in their sync log.",
        check="`GET /SalesShipments/1?pageSize=50` answers a page"),
    Assumption(
        "shipping-companies",
        "A dispatch's carrier is written as `ShippingCompany {Name}`, which Unleashed matches to one of the "
        "account's shipping companies (`GET /ShippingCompanies`) or refuses.",
        "third-party DTO (a2zwebltd SalesShipment: ShippingCompany is an object); platform-apis-followup.md Q3",
        "A refused carrier is left out and the write-back says how to add it in Unleashed (Settings → Shipping "
        "Companies); tracking, date and packages are still written.",
        check="`GET /ShippingCompanies` lists the account's"),
    Assumption(
        "organisation-time-zone",
        "`GET /Companies` gives the organisation's `TimeZone` as a Windows or IANA name we recognise; a dispatch is "
        "dated with the organisation's calendar day.",
        "Unleashed is a .NET service (Windows zone names); the captured dates (docs: Dates and time zones)",
        "Dispatch dates use the UTC day (a day off around midnight in the organisation's zone); the integration's "
        "facts say the zone wasn't recognised. Tell support the zone name the check shows.",
        check="`GET /Companies`: its `TimeZone` is recognised"),
    # --- how Unleashed answers ---
    Assumption(
        "accept-header",
        "Unleashed answers JSON only when asked with `Accept: application/json` (its docs: \"required to receive API "
        "responses\"); we send it on every call.",
        f"{UL_DOC} Webhooks §2",
        "Harmless: every call sends it.",
        check="`GET /SalesOrders/1` with `Accept: */*` is refused or not JSON"),
    Assumption(
        "date-wire-form",
        "Dates come as `/Date(ms)/` (`\\/Date(ms)\\/` on the wire): UTC milliseconds; calendar dates at 00:00 UTC "
        "of the chosen day.",
        "the captured responses in specs/unleashed/; Microsoft's DateTime wire format",
        "An order or poll meeting another form stops with an error naming the value in the sync log; nothing is "
        "guessed.",
        check="the dates of the orders read parse as `/Date(ms)/`"),
    Assumption(
        "monthly-allowance",
        "Each account has a monthly call allowance shared by every app (125,000 / 250,000 / 500,000 by plan), all "
        "calls blocked at 100 % until the 1st, 00:00 UTC (a `429`); no usage headers; failed calls and webhook "
        "deliveries not counted.",
        "Unleashed help centre: Understanding your API usage limits; Unleashed API Access (4402393233689)",
        "We count every send ourselves (conservative) against `apiCallsPerMonth`, slow polling from 50 % and stop it "
        "at 95 %; a 429 says the allowance may be spent."),
    Assumption(
        "error-body",
        "Error answers carry a `Description`.",
        "third-party client (a2zwebltd UnleashedClient reads Description)",
        "The sync log shows the HTTP reason instead of Unleashed's words."),
    # --- webhooks ---
    Assumption(
        "subscription-api",
        "`GET|POST /webhooks/subscriptions` and `DELETE /webhooks/subscriptions/{subscriptionId}`, camelCase "
        "(`notificationUrl`, `eventTypes`; answer `subscriptionId`, `isActive`, `signatureKey` — the key only when "
        "created); a sixth subscription is refused `400` \"Maximum…\".",
        f"none found: {UL_DOC} Webhooks names \"Managing Subscriptions\" and 5 per account; the path and shapes "
        "are not readable",
        "The integration goes live on polling alone (orders within about 5 minutes) and its notice says why; "
        "deleting it and the hourly subscription check tolerate the missing API.",
        dialects=("present", "absent"),
        check="`GET /webhooks/subscriptions` answers a list"),
    Assumption(
        "webhook-signature",
        "Deliveries carry `x-unleashed-timestamp` (seconds) and `x-unleashed-signature` = Base64(HMAC-SHA256(the "
        "subscription's key, `\"{timestamp}.{raw body}\"`)), 5-minute window; events `salesorder.created|updated` "
        "with `data` a JSON string holding `salesOrderGuid`.",
        "four public codebases (platform-apis-followup.md Q4)",
        "Every delivery is refused (401) and nothing is queued from it; the poll brings each order within about 5 "
        "minutes."),
    Assumption(
        "shipment-events",
        "No shipment event is assumed: every third poll lists the shipments changed since its cursor.",
        DECIDED,
        "An event would only make shipments arrive sooner."),
    # --- lines and prices ---
    Assumption(
        "discount-pricing",
        "The price a line charges per unit is `LineTotal` ÷ `OrderQuantity` (`LineTotal` is after the line's "
        "`DiscountRate`, a fraction — 1.0 is free — and before tax); without `LineTotal`, `UnitPrice` × (1 − "
        "`DiscountRate`). An order-level `DiscountRate` is not applied again (said in the log).",
        "decided, from the captures (SO-00000202: UnitPrice 2.4, DiscountRate 1.0, LineTotal 0.0; SubTotal = "
        "Σ LineTotal)",
        "WMS approximate unit prices are off by the difference; products, quantities and addresses are unaffected.",
        check="each line read has `LineTotal` = `UnitPrice` × `OrderQuantity` × (1 − `DiscountRate`)"),
    Assumption(
        "charge-lines",
        "A `LineType: \"Charge\"` line (delivery, a fee: no product) is billed, never picked: a shipment line of one "
        "is left out of the WMS order, said in the log.",
        "decided, from the capture (SO-00000202's Delivery charge)",
        "Harmless: a charge is left out either way; a shipment of charges only needs attention saying there is "
        "nothing to pick."),
    Assumption(
        "fee-products",
        "A product the WMS doesn't have whose Unleashed product is `NeverDiminishing` (a service: shipping, a fee — "
        "SHIP and CONV in the captures) is left out of the WMS order, said in the log; any other missing product "
        "needs attention.",
        "decided; `NeverDiminishing` on Unleashed products (public clients' Product models)",
        "A fee product not marked Never Diminishing makes its shipment need attention, whose resolution says to "
        "mark it (or to create the product in CartonCloud).",
        check="`GET /Products/1?pageSize=5`: products carry `NeverDiminishing`"),
    # --- the write-back ---
    Assumption(
        "serial-batch",
        "Shipment lines carry `BatchNumbers` / `SerialNumbers` only when read with `serialBatch=true` (null "
        "otherwise); a write-back reads with it and sends them back as read.",
        f"{UL_DOC} SalesShipments (serialBatch)",
        "Harmless: reading with `serialBatch=true` gets them either way.",
        dialects=("only-with-serialbatch", "always"),
        check="a shipment with batch or serial numbers, listed with and without `serialBatch=true`"),
    Assumption(
        "serial-batch-by-guid",
        "`GET /SalesShipments/{guid}?serialBatch=true` returns the batch and serial numbers as the listing does (the "
        "page lists the flag for the listing).",
        f"{UL_DOC} SalesShipments",
        "A dispatch write-back could erase a shipment's batch and serial numbers: turn \"Mark shipments "
        "dispatched\" off in the integration's fulfilment step and tell support.",
        check="the same shipment read by its GUID with `serialBatch=true` shows the listing's numbers"),
    Assumption(
        "whole-object-put",
        "`PUT /SalesShipments/{guid}` replaces the whole shipment: a field left out or blank is wiped (\"Blank fields "
        "on PUT overwrite existing values\"), so we read it, change it and send it back whole.",
        "third-party (platform-apis-followup.md Q3; MindCloud \"Update Sales Shipment\")",
        "Harmless: every field goes back as read. (No sandbox dialect: the connector sends the same either way; the "
        "sandbox blanks, the reading under which a dropped field is lost.)"),
    Assumption(
        "order-management-off",
        "With Order Management off, shipments have `ShipmentStatus: null` and a PUT can't set it (`400`); the "
        "dispatch date, packages and tracking still can.",
        "CartonCloud help page 001 (product); third-party digest (platform-apis-followup.md Q3)",
        "A refused status is written again without it, and the log says so."),
    Assumption(
        "edits-after-dispatch",
        "A Dispatched shipment takes only `Comments` and `TrackingNumber` changes, so a later tracking change writes "
        "only those.",
        "third-party (platform-apis-followup.md Q3)",
        "If Unleashed allows more, nothing is lost; if it refuses tracking too, the change needs attention with "
        "Unleashed's words."),
    Assumption(
        "number-of-packages",
        "`NumberOfPackages` is the number of distinct tracking numbers of the WMS order (at least 1).",
        "decided (the WMS API has no package count on a sale order)",
        "Unleashed shows a package count that may differ from the cartons."),
    # --- what syncs ---
    Assumption(
        "placed-without-shipments",
        "A Placed order without shipments waits for them: the shipment is the unit the customer chose.",
        DECIDED,
        "Harmless: its record says it waits; the shipments come when they exist."),
    Assumption(
        "pickup",
        "Unleashed has no pickup flag: a delivery method matching pickup, collect or click & collect is a pickup, "
        "not sent to the warehouse.",
        DECIDED,
        "A pickup named otherwise reaches the warehouse; one wrongly matched is skipped, said in its log."),
    Assumption(
        "concurrency",
        "Per-second throttling is unknown; at most 2 work items call one account at once (a template parameter).",
        "decided (one public client: Unleashed \"throttles concurrency\")",
        "429s are retried honouring Retry-After; nothing is lost."),
)

#: Its own alert conditions (core.alerts; docs/alerts.md), checked in alerts.py.
ALERT_CONDITIONS = (
    AlertCondition("monthly-budget", "Monthly API calls", "integrations.unleashed.alerts:monthly_budget"),
    AlertCondition("webhook-gone", "Webhook gone", "integrations.unleashed.alerts:webhook_gone"),
)

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
    assumptions=ASSUMPTIONS,
    alert_conditions=ALERT_CONDITIONS,
    deployment=Deployment(
        worker="Syncs Unleashed sales shipments into the WMS (re-read, map, create once), writes dispatches back, "
               "polls and backfills accounts.",
        poll_schedule="Safety net for Unleashed (no free webhook slot, lost deliveries, new shipments); queues one "
                      "poll per live integration.",
        poll="Poll every live Unleashed account for Placed orders and new shipments (each poll paced by its monthly "
             "call budget).",
        poll_failing="The Unleashed poll fan-out failed; accounts are not being polled (lost deliveries and new "
                     "shipments not caught).",
        concurrency=10,
        concurrency_reason="Bounds the load on the WMS; each Unleashed account also takes at most "
                           "UnleashedMaxConcurrentCallsPerAccount work items at once (a lease in RateBudgetTable).",
        environment={"UNLEASHED_MAX_CONCURRENT_CALLS": "UnleashedMaxConcurrentCallsPerAccount"},
    ),
)
