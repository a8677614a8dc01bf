"""The Starshipit connector's declaration (core.connectors): WMS sale orders out to Starshipit, tracking and labels
back. The first connector that starts from the WMS: its main flow is the exporter, fed by routed WMS events.

Everything named here is loaded on first use; docs/starshipit.md has the rules, docs/writing-a-connector.md the
frame.
"""

from ..core.assumptions import DECIDED, Assumption
from ..core.connectors import Connector, Deployment, Door

_API_DOCS = "api-docs.starshipit.com (Starshipit's API collection: Getting Started, API Rate Limits)"
_CREATE_ORDER = "developers.starshipit.com create-order page (field table), as platform-apis.md §4 reads it"
#: What the connector relies on that no Starshipit page confirms, and each endpoint the live check probes
#: (integrations.core.assumptions; docs/starshipit.md "Assumptions" prints this list).
ASSUMPTIONS = (
    Assumption(
        "auth-headers",
        "Every call carries StarShipIT-Api-Key (it selects the account) and Ocp-Apim-Subscription-Key (the "
        "subscription, which sets the rate); GET /api/orders/unshipped answers both keys' owner with its orders",
        _API_DOCS,
        "Every call is refused: the authentication step names the key at fault and nothing is stored",
        check="GET /api/orders/unshipped?limit=1 with both keys answers 200 with an order list"),
    Assumption(
        "rate-limit",
        "A Developer subscription may make 2 requests a second, a Production one 20; more is answered 429",
        _API_DOCS,
        "A lower limit than the integration's requestsPerSecond: 429s, each retried with backoff, nothing lost; set "
        "requestsPerSecond to the subscription's rate in the order creation step"),
    Assumption(
        "retry-after",
        "A 429 carries Retry-After (Azure API Management's default; Starshipit's docs don't say)",
        "learn.microsoft.com API Management rate-limit policy (third party to Starshipit)",
        "Without it we back off with full jitter (up to 4 sends), then the queue retries with backoff: slower, "
        "nothing lost",
        dialects=("sent", "absent")),
    Assumption(
        "webhook-signature",
        "X-Starshipit-Signature is the HMAC-SHA256 of the raw body keyed with the webhook secret, in lowercase hex "
        "(we also accept upper-case hex, base64 and a sha256= prefix: the same MAC spelled otherwise)",
        "support.starshipit.com 360000376436 (the header); github GorgonFreeman/bedrock starshipit.utils.js (the "
        "algorithm: one public verifier)",
        "A signature in another scheme is refused (401) and tracking arrives by the 5-minute poll instead; removing "
        "the secret on both sides makes deliveries unsigned signals that still trigger re-reads",
        dialects=("hex", "base64")),
    Assumption(
        "webhook-secret-optional",
        "The webhook secret is optional in Starshipit's settings, so deliveries may come unsigned. Ours: without a "
        "secret set here a delivery is an unsigned signal that may only make us re-read, from Starshipit, an order "
        "this integration created (once a minute at most); nothing in its body is used or shown. With a secret "
        "set, an unsigned or badly signed delivery is refused",
        "support.starshipit.com 360000376436 '(Optional) Securing Webhooks'; what we do with unsigned ones: "
        + DECIDED,
        "Nothing can be forged into the WMS: what is written comes from Starshipit's own API; the worst an "
        "unsigned stranger can cause is one extra read of one of our orders a minute"),
    Assumption(
        "webhook-retries",
        "Nothing relies on Starshipit retrying a delivery we didn't answer 200 (its retry policy is unpublished)",
        "support.starshipit.com 14700000001008 (advises polling beside webhooks); retries: none found",
        "A lost delivery is caught by the 5-minute poll of shipped orders"),
    Assumption(
        "webhook-registration",
        "Starshipit has no API to set the tracking notification URL or secret: the user sets both by hand in "
        "Settings → Tracking & notifications (we record the URL to set)",
        "support.starshipit.com 360000376436; developers.starshipit.com/webhooks",
        "If an API appears, we could register the URL ourselves; until then a URL not set means tracking by the "
        "poll only"),
    Assumption(
        "order-number-shown",
        "order_number is what Starshipit shows in its app, on labels and in tracking emails to end customers, so "
        "it is the shop's order number as the WMS holds it (the customer reference), never our internal id",
        _CREATE_ORDER + "; vendor-findings-2026-12.md",
        "Nothing breaks: tracking finds our orders by Starshipit's order id and our own links, never by what the "
        "number looks like"),
    Assumption(
        "order-number-length",
        "order_number and reference take at most 50 characters (other text: names and streets 100, post codes 10, "
        "SKUs 50); longer is refused",
        _CREATE_ORDER + "; rknell/starshipit_dart create_order_model.dart",
        "A longer limit: we shorten needlessly, saying so in the order's sync log; a shorter one: Starshipit "
        "refuses the order with its words and the order needs attention naming the WMS field"),
    Assumption(
        "duplicate-order-numbers",
        "Starshipit refuses a second order with a number the account already has",
        "platform-apis.md §4 ('unique per account'); unconfirmed",
        "Nothing relies on it: each number is looked up first, a number another order has makes the next one "
        "(1003-2 …), and an order is only bound to when it is linked to ours or is the same shipment; only two of "
        "our integrations on one account creating one number in the same instant could then make two orders"),
    Assumption(
        "order-lookup-missing",
        "GET /api/orders?order_number= answers 404 when the account has no such order",
        "none found (a guess)",
        "A 200 without an order, or with success: false saying it found none, is read as 'no such order' too; any "
        "other refusal is raised, so an answer we can't read never passes for 'none' (which would create a second "
        "order)",
        dialects=("404", "empty", "unsuccessful"),
        check="GET /api/orders?order_number=<a number no order has>: 404"),
    Assumption(
        "shipped-list",
        "GET /api/orders/shipped?since_last_updated=&limit=&page= lists the account's shipped orders, with their "
        "packages' tracking, as {orders, total_pages}",
        "developers.starshipit.com (list shipped orders); platform-apis.md §4.2",
        "The poll can't bring tracking back: it then comes by webhooks and labels printed through our API only",
        check="GET /api/orders/shipped?since_last_updated=<an hour ago>&limit=1 answers an order list"),
    Assumption(
        "shipped-list-printed",
        "The shipped list includes printed (labelled) orders, not only manifested ones, filtered on Starshipit's "
        "own update time",
        "none found (a guess)",
        "Tracking from labels printed in Starshipit's app reaches the WMS at manifest (or by the tracking webhook) "
        "instead of within 5 minutes; labels printed through our API bring their tracking at once either way"),
    Assumption(
        "print-twice-refused",
        "Printing an order already printed, without reprint, is refused (not a second shipment)",
        "none found (a guess)",
        "We never rely on it: the order's status is read first and a printed order is reprinted (reprint: true "
        "returns the label made before); a print that loses a race falls back to a reprint"),
    Assumption(
        "print-label-carrier",
        "POST /api/orders/shipment prints with the order's own carrier when the body names only the order",
        "rknell/starshipit_dart print_label_request.dart (a public client always sends carrier, "
        "carrier_service_code and packages)",
        "Nothing: we send the order's own carrier, service code and packages, read just before printing; an order "
        "with no carrier yet is refused with Starshipit's words (422) until one is set there",
        dialects=("optional", "required")),
)

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
    assumptions=ASSUMPTIONS,
    deployment=Deployment(
        worker="Exports WMS orders to Starshipit once (claim, look up, create, bind), writes Starshipit tracking to "
               "the WMS, polls and backfills.",
        poll_schedule="Tracking's safety net; queues one poll of shipped orders per live Starshipit integration.",
        poll="Poll every live Starshipit account for orders shipped since its cursor.",
        poll_failing="The Starshipit poll fan-out failed; shipped orders are not being polled (tracking without "
                     "webhooks is late).",
        concurrency=5,
        concurrency_reason="Starshipit allows 2 (or 20) requests/s per account: the shared budget paces them; this "
                           "bounds how many Lambdas wait on it (and the load on the WMS).",
    ),
)
