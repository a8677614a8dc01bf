"""Rose Rocket's vocabulary as the sandbox speaks it: the platform model's objects (their primitive fields, enums and
connected objects), statuses as the docs spell them, and the two error shapes (NestJS for the API, Auth0 for tokens).

Sources (platform-apis.md §5.2, platform-apis-followup.md Q10–Q13, roserocket.readme.io object pages): objectKey +
``json``, ``fullId`` prefixes ``CUST-`` and ``O-`` (the others are GUESSES), order statuses ``new, booked,
in transit, delivered, invoiced, tendered, rejected, archived``, task types and statuses, commodity enums, address
fields, quote and invoice statuses. Where the docs are silent the choice is marked GUESS and written down in
docs/rose-rocket.md ("Decisions").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base import SandboxResponse

API_PREFIX = "/api/v2/platformModel"
#: "audience: always set to the base URL of the Rose Rocket API" — the digest gives https://roserocket.com, the guide
#: says the API's base URL: which one Auth0 takes is the dialect ``token-audience``.
AUDIENCE = "https://roserocket.com"
AUDIENCES = {"roserocket-com": AUDIENCE, "api-base-url": "https://network.roserocket.com/api/v2/platformModel"}
TOKEN_TTL_SECONDS = 86400
ORDER_STATUS_CHANGED = "Order Status Changed"
WEBHOOK_EVENTS = (ORDER_STATUS_CHANGED,)

#: What the dispatcher's views (and our connector) read of an order: its connected objects, expanded.
ORDER_PATHS = ["customer", "tasks", "tasks.stops", "tasks.stops.address", "tasks.commodities", "serviceType",
               "sellQuote", "sellQuote.lineItems", "invoice", "invoice.lineItems"]
ORDER_STATUSES = ("new", "booked", "in transit", "delivered", "invoiced", "tendered", "rejected", "archived")
TASK_TYPES = ("pickup", "delivery", "drive", "unload", "load", "leg", "group", "dropTrailer", "hookTrailer", "other")
TASK_STATUSES = ("new", "incomplete", "inprogress", "assigned", "complete", "problem", "canceled")
COMMODITY_TYPES = ("bundle", "carton", "skid", "package", "container", "crate", "pallet", "other")
FREIGHT_CLASSES = ("none", "50", "55", "60", "65", "70", "77.5", "85", "92.5", "100", "110", "125", "150", "175",
                   "200", "250", "300", "400", "500")
WEIGHT_UNITS = ("kgs", "lbs", "metric tonnes", "tons")
DIMENSION_UNITS = ("cm", "in", "ft")
QUOTE_STATUSES = ("new", "sent", "won", "lost")
QUOTE_TYPES = ("sell", "buy")
INVOICE_STATUSES = ("created", "sent", "partiallyPaid", "paid")
INVOICE_TERMS = ("pia", "net0", "net7", "net10", "net15", "net30", "net45", "net60", "net90", "eom")
#: "Category definitions of financial line items, valid values: Freight, fuel, surchargeLiftgate" (the docs list
#: these three; an org adds its own). GUESS: the sandbox takes these and "accessorial", "other".
LINE_ITEM_TYPES = ("Freight", "fuel", "surchargeLiftgate", "accessorial", "other")


class AnyCase(tuple[str, ...]):
    """An enum whose values are taken in any case: the docs list ``Shipper, Broker, …`` and the (third-party)
    create example sends ``broker``, and nothing says which the API refuses (GUESS: neither)."""


CUSTOMER_TYPES = AnyCase(("Shipper", "Broker", "Receiver", "Other"))

TEXT, NUMBER, BOOLEAN = "text", "number", "boolean"


@dataclass(frozen=True)
class Connected:
    """A connected object field: the objectKey it holds, one record or many, and whether the parent owns it (a
    task's stops are deleted with it; an order's customer is not)."""

    object_key: str
    many: bool = False
    owned: bool = False


@dataclass(frozen=True)
class ObjectSchema:
    #: ``fullId`` prefix (CUST-, O- from the docs; others GUESS).
    prefix: str
    #: primitive field -> TEXT | NUMBER | BOOLEAN | a tuple of allowed values
    fields: dict[str, Any]
    connected: dict[str, Connected] = field(default_factory=dict)
    #: Fields the API computes (writing one is a 400).
    read_only: tuple[str, ...] = ()
    #: The status a new record starts in (docs: "default new, not null").
    default_status: str | None = None


SCHEMAS: dict[str, ObjectSchema] = {
    "customer": ObjectSchema("CUST-", {"name": TEXT, "status": ("active", "inactive"), "customerType": CUSTOMER_TYPES,
                                       "defaultCurrency": TEXT, "address": TEXT, "city": TEXT, "state": TEXT,
                                       "postal": TEXT, "currency": TEXT}, default_status="active"),
    "order": ObjectSchema("O-", {"status": ORDER_STATUSES, "poNum": TEXT, "refNum": TEXT, "loadTenderNum": TEXT,
                                 "notes": TEXT},
                          {"customer": Connected("customer"), "tasks": Connected("task", many=True, owned=True),
                           "serviceType": Connected("serviceType"), "sellQuote": Connected("quote", owned=True),
                           "buyQuotes": Connected("quote", many=True, owned=True), "invoice": Connected("invoice")},
                          default_status="new"),
    # ``name``: the (third-party) order-create example names its task ("Pickup at origin").
    "task": ObjectSchema("T-", {"taskType": TASK_TYPES, "status": TASK_STATUSES, "description": TEXT,
                                "specialInstructions": TEXT, "ordinal": NUMBER, "name": TEXT},
                         {"stops": Connected("stop", many=True, owned=True),
                          "commodities": Connected("commodity", many=True, owned=True)},
                         default_status="new"),
    "stop": ObjectSchema("S-", {"description": TEXT, "specialInstructions": TEXT, "gate": TEXT, "ordinal": NUMBER},
                         {"address": Connected("address", owned=True)}),
    "address": ObjectSchema("A-", {"companyName": TEXT, "address1": TEXT, "address2": TEXT, "city": TEXT,
                                   "state": TEXT, "stateCode": TEXT, "country": TEXT, "countryCode": TEXT,
                                   "postalCode": TEXT, "latitude": NUMBER, "longitude": NUMBER, "timezone": TEXT,
                                   "name": TEXT}, read_only=("name",)),
    "commodity": ObjectSchema("C-", {"commodityType": COMMODITY_TYPES, "freightClass": FREIGHT_CLASSES,
                                     "description": TEXT, "quantity": NUMBER, "pieces": NUMBER, "weight": NUMBER,
                                     "weightUnit": WEIGHT_UNITS, "length": NUMBER, "width": NUMBER, "height": NUMBER,
                                     "dimensionUnit": DIMENSION_UNITS, "volume": NUMBER, "nmfc": TEXT,
                                     "isStackable": BOOLEAN}),
    # GUESS (no API object documented): service types as an Object Builder object (docs/rose-rocket.md).
    "serviceType": ObjectSchema("ST-", {"name": TEXT, "description": TEXT}),
    "quote": ObjectSchema("Q-", {"status": QUOTE_STATUSES, "quoteType": QUOTE_TYPES, "currency": TEXT,
                                 "poNum": TEXT, "refNum": TEXT, "notes": TEXT},
                          {"customer": Connected("customer"),
                           "lineItems": Connected("financialLineItem", many=True, owned=True)},
                          default_status="new"),
    "financialLineItem": ObjectSchema("FLI-", {"type": LINE_ITEM_TYPES, "description": TEXT, "rate": NUMBER,
                                               "quantity": NUMBER, "amount": NUMBER, "currency": TEXT,
                                               "source": TEXT}, read_only=("amount",)),
    "invoice": ObjectSchema("INV-", {"status": INVOICE_STATUSES, "term": INVOICE_TERMS, "currency": TEXT,
                                     "invoiceDate": TEXT, "dueDate": TEXT, "subTotal": NUMBER, "voided": BOOLEAN,
                                     "notes": TEXT},
                            {"customer": Connected("customer"),
                             "lineItems": Connected("financialLineItem", many=True)},
                            read_only=("subTotal",), default_status="created"),
    # GUESS (only the objectKey is listed): enough of a manifest to be a record that isn't an order.
    "manifest": ObjectSchema("M-", {"status": ("new", "planned", "dispatched", "complete"), "notes": TEXT},
                             default_status="new"),
    "webhookDestination": ObjectSchema("WD-", {"name": TEXT, "url": TEXT},
                                       {"subscriptions": Connected("webhookSubscription", many=True, owned=True)}),
    "webhookSubscription": ObjectSchema("WS-", {"eventName": WEBHOOK_EVENTS}),
}
COMMON_FIELDS = ("id", "objectKey", "orgId", "fullId", "externalId", "source", "status", "createdAt", "createdBy",
                 "updatedAt", "updatedBy", "version")

#: An organisation without a service type object (dialect ``service-type-object: absent``): no ``serviceType``
#: records, and no ``serviceType`` on an order (writing one is a 400, asking for the path too).
SCHEMAS_WITHOUT_SERVICE_TYPE: dict[str, ObjectSchema] = {
    key: (ObjectSchema(schema.prefix, schema.fields, {k: v for k, v in schema.connected.items() if k != "serviceType"},
                       schema.read_only, schema.default_status) if key == "order" else schema)
    for key, schema in SCHEMAS.items() if key != "serviceType"}

#: Connected paths of an order that Rose Rocket's order page doesn't list (vendor findings: "V (absent)"): refused on
#: an order read in the dialect ``connected-paths: refused`` (a path under one of them too). A stop's own
#: ``address`` is documented (the address page: "in the Stop object, the Address is … the stop's physical address").
UNLISTED_ORDER_PATHS = ("serviceType", "invoice", "tasks.stops.address")

#: The sandbox's dialects (local/sandboxes/dialects.py): each open question of the connector's assumptions
#: (integrations.rose_rocket.connector ASSUMPTIONS) and the answers Rose Rocket may give, the connector's first.
DIALECTS: dict[str, tuple[str, ...]] = {
    "token-audience": ("roserocket-com", "api-base-url"),
    "status-spelling": ("lowercase", "capitalised"),
    "connected-paths": ("accepted", "refused"),
    "service-type-object": ("present", "absent"),
    "webhook-retries": ("three-times-30s", "none"),
}
#: "Failed deliveries are retried 3 times, 30 seconds apart" (webhooks-2, via a public digest).
WEBHOOK_RETRIES, WEBHOOK_RETRY_SECONDS = 3, 30


def spelled(status: str, spelling: str) -> str:
    """An order status (as stored: the docs' lowercase) as the organisation's API spells it."""
    return status.capitalize() if spelling == "capitalised" else status


def unspelled(value: Any, spelling: str) -> Any:
    """A status as written to the API back to the stored spelling, or unchanged when it isn't a status in that
    spelling (then the enum check refuses it, as Rose Rocket would)."""
    return next((s for s in ORDER_STATUSES if spelled(s, spelling) == value), value)


class ApiError(Exception):
    """A NestJS error answer: ``{"statusCode", "message" (a string, or a list on 400), "error"}``."""

    def __init__(self, status: int, message: str | list[str], headers: dict[str, str] | None = None) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.status = status
        self.message = message
        self.headers = headers

    def response(self) -> SandboxResponse:
        return nest(self.status, self.message, self.headers)


ERROR_NAMES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
               429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def nest(status: int, message: str | list[str], headers: dict[str, str] | None = None) -> SandboxResponse:
    body: dict[str, Any] = {"statusCode": status, "message": message}
    if status in ERROR_NAMES and status != 401:
        body["error"] = ERROR_NAMES[status]
    return SandboxResponse.json(status, body, headers)


def auth0(status: int, error: str, description: str) -> SandboxResponse:
    """Auth0's token-endpoint error: ``{"error", "error_description"}``."""
    return SandboxResponse.json(status, {"error": error, "error_description": description})
