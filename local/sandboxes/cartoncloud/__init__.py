"""A stateful fake of the CartonCloud public API (Accept-Version 1): the subset our WMS connector uses.

Faithful to the API reference ("Last Updated 2026-05-06") and the vendor examples kept in
``tests/fixtures/vendor/cartoncloud/``: paths, field names, status values, the error array
``[{"message", "field"?, "type"?, "details"?}]``, ``228 Created with issues``, the 30-per-minute outbound-order create
limit, search conditions and paging headers. Where the reference is silent the choice is marked GUESS.

State changes a warehouse user would make (pack, dispatch, tracking, entering or editing a consignment) are Python
methods and ``/_control/`` routes; each one bumps the entity's ``version``/``timestamps.modified`` and sends a change
notification signed per ``docs/wms-notifications.md``, since CartonCloud's own webhook format is not public. Invoices,
which have no public API, exist only behind the control API (create, approve, pay, void), each change notified as an
``INVOICE`` carrying its state (:mod:`.invoices`).

Run standalone: ``python -m local.sandboxes.cartoncloud --port 0`` prints the base URL.

Layout: :mod:`.sandbox` mixes the API surfaces into :class:`CartonCloudSandbox` and lists its routes; :mod:`.state`
holds tenants, tokens and stored entities; :mod:`.auth` (token, userinfo, the per-tenant guard), :mod:`.orders`,
:mod:`.consignments` (with the quote) and :mod:`.catalog` (customers, warehouses, warehouse products) are the vendor
API; :mod:`.search` compiles search conditions; :mod:`.rating` prices quotes; :mod:`.warehouse` and
:mod:`.notifications` move entities and send the signed notifications; :mod:`.invoices` keeps the invoices;
:mod:`.control` is the ``/_control/`` API;
:mod:`.model` holds the constants, the error array and small value helpers.
"""

from .model import (
    API_VERSION,
    BRISBANE,
    CONCURRENT_CHANGE,
    CONSIGNMENT_STATUSES,
    DELIVERY_METHOD_TYPES,
    DUPLICATE_ORDER,
    DUPLICATE_PRODUCT,
    NO_MATCHING_RATE,
    NUMERIC_KEYS,
    OUTBOUND_ORDER_CREATES_PER_MINUTE,
    OUTBOUND_ORDER_STATUSES,
    RATE_LIMITED,
    TOKEN_TTL_SECONDS,
    WAREHOUSE_PRODUCT_VERSIONS,
    ApiError,
    Problems,
)
from .rating import CHARGE_TYPES, DEFAULT_RATE_CARD
from .sandbox import CartonCloudSandbox
from .search import (
    BOOLEAN,
    CONSIGNMENT_SEARCH,
    DATETIME,
    ORDER_METHODS,
    OUTBOUND_ORDER_SEARCH,
    TEXT,
    TEXT_METHODS,
    VALUE_FIELD_NAMES,
    WAREHOUSE_PRODUCT_SEARCH,
    Predicate,
    SearchField,
    compile_condition,
    parse_instant,
    resolve_pointer,
)
from .state import Tenant

__all__ = [
    "API_VERSION",
    "BOOLEAN",
    "BRISBANE",
    "CHARGE_TYPES",
    "CONCURRENT_CHANGE",
    "CONSIGNMENT_SEARCH",
    "CONSIGNMENT_STATUSES",
    "DATETIME",
    "DEFAULT_RATE_CARD",
    "DELIVERY_METHOD_TYPES",
    "DUPLICATE_ORDER",
    "DUPLICATE_PRODUCT",
    "NO_MATCHING_RATE",
    "NUMERIC_KEYS",
    "ORDER_METHODS",
    "OUTBOUND_ORDER_CREATES_PER_MINUTE",
    "OUTBOUND_ORDER_SEARCH",
    "OUTBOUND_ORDER_STATUSES",
    "RATE_LIMITED",
    "TEXT",
    "TEXT_METHODS",
    "TOKEN_TTL_SECONDS",
    "VALUE_FIELD_NAMES",
    "WAREHOUSE_PRODUCT_SEARCH",
    "WAREHOUSE_PRODUCT_VERSIONS",
    "ApiError",
    "CartonCloudSandbox",
    "Predicate",
    "Problems",
    "SearchField",
    "Tenant",
    "compile_condition",
    "parse_instant",
    "resolve_pointer",
]
