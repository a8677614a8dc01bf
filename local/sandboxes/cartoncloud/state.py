"""CartonCloud's state: tenants with their API clients, issued tokens, the stored entities (customers, warehouses,
products, stock, outbound orders, consignments, rate card), the clock and error shape, and the methods that seed
and read them.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..base import ControlError, Sandbox, SandboxResponse, Sender
from ..common import json_number
from .model import (
    BRISBANE,
    DUPLICATE_PRODUCT,
    OUTBOUND_ORDER_CREATES_PER_MINUTE,
    RATE_LIMITED,
    TOKEN_TTL_SECONDS,
    ApiError,
    Problems,
    as_object,
    embed,
    first_match,
    to_decimal,
    with_extras,
)
from .rating import DEFAULT_RATE_CARD, check_rate_card


@dataclass
class Tenant:
    """One CartonCloud tenant (a 3PL) with its single self-managed-integration API client."""

    id: str
    name: str
    client_id: str
    client_secret: str
    notification_url: str | None = None
    notification_secret: str | None = None
    currency: str = "AUD"
    #: id -> {"id", "name", "references": {"code"}, "warehouseIds": [...] (empty: every warehouse)}
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    warehouses: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: warehouse products, id -> resource
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (customer id, product code) -> quantity available; no entry: unlimited stock
    stock: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    outbound_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    consignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: id -> {"id", "number", "status", "paymentStatus", "customerId", "consignmentIds", "history"} (control API only)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    rate_card: dict[str, Any] | None = field(default_factory=lambda: copy.deepcopy(DEFAULT_RATE_CARD))
    next_numeric_id: int = 10001

    def numeric_id(self) -> str:
        value = self.next_numeric_id
        self.next_numeric_id += 1
        return str(value)

    def to_json(self) -> dict[str, Any]:
        return {
            "tenantId": self.id,
            "name": self.name,
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "notificationUrl": self.notification_url,
            "notificationSecret": self.notification_secret,
            "currency": self.currency,
        }


@dataclass
class Token:
    client_id: str
    expires_at: datetime


class CartonCloudState(Sandbox):
    """The tenants and all they hold, the clock and the error shape: what every API surface builds on."""

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        now: Callable[[], datetime] | None = None,
        seed: int | None = None,
        async_webhooks: bool | None = None,
        create_limit_per_minute: int | None = OUTBOUND_ORDER_CREATES_PER_MINUTE,
        rate_limit_retry_after: int | None = None,
        token_ttl_seconds: int = TOKEN_TTL_SECONDS,
        strict_numbers: bool = False,
    ) -> None:
        """``create_limit_per_minute=None`` turns the create limit off; ``rate_limit_retry_after`` adds a
        ``Retry-After`` to its 429 (CartonCloud documents none, so by default there is none);
        ``strict_numbers=True`` refuses quantities and money amounts sent as JSON strings (the reference shows
        numbers only; lenient by default because pydantic's JSON mode writes Decimal as a string)."""
        super().__init__(sender=sender, now=now, seed=seed, async_webhooks=async_webhooks)
        self.create_limit_per_minute = create_limit_per_minute
        self.rate_limit_retry_after = rate_limit_retry_after
        self.token_ttl_seconds = token_ttl_seconds
        self.strict_numbers = strict_numbers
        self.tenants: dict[str, Tenant] = {}
        self._tokens: dict[str, Token] = {}
        self._creates: dict[str, deque[datetime]] = {}
        #: Outbound order id -> wall-clock epoch seconds of its create (control listings show it, for benches).
        self.created_wall_clock: dict[str, float] = {}
        self._register_routes()

    # --- clock and errors --------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def timestamp(self) -> str:
        """Now as CartonCloud writes it: ISO 8601, whole seconds, Brisbane offset."""
        return self._now().astimezone(BRISBANE).isoformat(timespec="seconds")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        return SandboxResponse.json(status, [{"message": message}], headers)

    def fault_message(self, status: int) -> str:
        return RATE_LIMITED if status == 429 else super().fault_message(status)

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.tenants.clear()
            self._tokens.clear()
            self._creates.clear()
            self.created_wall_clock.clear()

    def _register_routes(self) -> None:
        """Register the vendor and control routes (:class:`~.sandbox.CartonCloudSandbox` lists them all)."""

    # --- tenants and what they hold (Python API) ---------------------------------------------------------------------

    def add_tenant(
        self,
        tenant_id: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Demo Tenant",
        notification_url: str | None = None,
        notification_secret: str | None = None,
        currency: str = "AUD",
    ) -> Tenant:
        """A tenant with its API client (credentials generated when not given). Replaces one with the same id."""
        tenant = Tenant(
            id=tenant_id or str(uuid.uuid4()),
            name=name,
            client_id=client_id or f"sandbox-{secrets.token_hex(6)}",
            client_secret=client_secret or secrets.token_urlsafe(24),
            notification_url=notification_url,
            notification_secret=notification_secret,
            currency=currency,
        )
        with self.transaction():
            if any(t.client_id == tenant.client_id and t.id != tenant.id for t in self.tenants.values()):
                raise ControlError(f"client id {tenant.client_id} belongs to another tenant")
            self.tenants[tenant.id] = tenant
        return tenant

    def tenant(self, tenant_id: str) -> Tenant:
        found = self.tenants.get(tenant_id)
        if found is None:
            raise ControlError(f"unknown tenant {tenant_id}", 404)
        return found

    def add_warehouse(self, tenant_id: str, name: str, *, id: str | None = None) -> dict[str, Any]:
        with self.transaction():
            warehouse = {"id": id or str(uuid.uuid4()), "name": name}
            self.tenant(tenant_id).warehouses[warehouse["id"]] = warehouse
            return dict(warehouse)

    def add_customer(self, tenant_id: str, name: str, *, id: str | None = None,
                     code: str | None = None, warehouse_ids: list[str] | None = None) -> dict[str, Any]:
        """A customer of the 3PL; ``warehouse_ids`` limits its warehouses (none given: all of them)."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            unknown = [w for w in warehouse_ids or [] if w not in tenant.warehouses]
            if unknown:
                raise ControlError(f"unknown warehouses {unknown}")
            customer: dict[str, Any] = {
                "id": id or str(uuid.uuid4()),
                "name": name,
                "references": {"code": code} if code else {},
                "warehouseIds": list(warehouse_ids or []),
            }
            tenant.customers[customer["id"]] = customer
            return copy.deepcopy(customer)

    def add_product(self, tenant_id: str, customer_id: str, code: str, name: str, *,
                    barcode: str | None = None) -> dict[str, Any]:
        """A warehouse product of one customer (what ``POST /warehouse-products`` would create)."""
        with self.transaction():
            tenant = self.tenant(tenant_id)
            customer = self._control_customer(tenant, customer_id)
            references = {"code": code, **({"barcode": barcode} if barcode else {})}
            try:
                product = self._store_product(tenant, customer, {"references": references, "name": name})
            except ApiError as exc:
                raise ControlError(str(exc)) from None
            return copy.deepcopy(product)

    def set_stock(self, tenant_id: str, customer_id: str, code: str, quantity: int | float | str) -> dict[str, Any]:
        """Set the quantity available of a product; accepted orders allocate from it, REJECTED ones don't."""
        amount = to_decimal(quantity)
        if amount is None or amount < 0:
            raise ControlError("quantity must be a number >= 0")
        with self.transaction():
            tenant = self.tenant(tenant_id)
            self._control_customer(tenant, customer_id)
            tenant.stock[(customer_id, code)] = amount
            return {"customerId": customer_id, "code": code, "quantity": json_number(amount)}

    def set_rate_card(self, tenant_id: str, rate_card: dict[str, Any] | None) -> dict[str, Any] | None:
        """Replace the tenant's rate card (``None``: every quote answers "No matching rate found.").

        Shape: ``{name, currency?, rates: [{name, serviceType?, customerId?, postcodes?, charges: [{feeCategory:
        {id?, name}, type: PER_QUANTITY|PER_WEIGHT|PER_PALLET|FLAT (amount) | LEVY (percent)}]}]}``.
        """
        if rate_card is not None:
            check_rate_card(rate_card)
        with self.transaction():
            self.tenant(tenant_id).rate_card = copy.deepcopy(rate_card)
            return copy.deepcopy(rate_card)

    def outbound_orders(self, tenant_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(list(self.tenant(tenant_id).outbound_orders.values()))

    def consignments(self, tenant_id: str) -> list[dict[str, Any]]:
        with self.transaction():
            return copy.deepcopy(list(self.tenant(tenant_id).consignments.values()))

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (the next call gets 401, as after a secret rotation)."""
        with self.transaction():
            self._tokens.clear()

    def _control_customer(self, tenant: Tenant, customer_id: str) -> dict[str, Any]:
        customer = tenant.customers.get(customer_id)
        if customer is None:
            raise ControlError(f"unknown customer {customer_id}", 404)
        return customer

    # --- stored products ---------------------------------------------------------------------------------------------

    def _store_product(self, tenant: Tenant, customer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        code = body["references"]["code"]
        for existing in tenant.products.values():
            if existing["customer"]["id"] == customer["id"] and existing["references"]["code"] == code:
                raise ApiError(422, [{"field": "/references/code", "message": DUPLICATE_PRODUCT, "type": "DUPLICATE",
                                      "details": {"duplicateId": existing["id"]}}])
        stamp = self.timestamp()
        product: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "scope": body.get("scope") or "WAREHOUSE",
            "references": copy.deepcopy(body["references"]),
            "name": body["name"],
            "customer": embed(customer),
            "details": {"active": True, **as_object(copy.deepcopy(body.get("details")))},
            "version": 1,
            "timestamps": {"created": {"time": stamp}, "modified": {"time": stamp}},
        }
        with_extras(product, body)
        tenant.products[product["id"]] = product
        return product

    # --- resolution --------------------------------------------------------------------------------------------------

    @staticmethod
    def _resolve_customer(tenant: Tenant, asked: Any, problems: Problems) -> dict[str, Any] | None:
        """By the first given of ``id`` → ``references.code`` → ``name`` (CC-DOC "Customer")."""
        if not isinstance(asked, dict) or not asked:
            problems.add("/customer", "Customer cannot be empty.")
            return None
        found = first_match(list(tenant.customers.values()), asked, ("id", "code", "name"))
        if found is None:
            problems.add("/customer", "Customer not found.")
        return found

    def _resolve_warehouse(self, tenant: Tenant, asked: Any, customer: dict[str, Any] | None, problems: Problems,
                           *, required: bool = True) -> dict[str, Any] | None:
        """By ``id`` or exact ``name``; omitted: the customer's first warehouse (its default)."""
        if asked is None or asked == {}:
            if customer is None or not required:
                return None
            allowed = self._customer_warehouses(tenant, customer)
            return allowed[0] if allowed else None
        if not isinstance(asked, dict):
            problems.add("/warehouse", "Warehouse must be an object.")
            return None
        found = first_match(list(tenant.warehouses.values()), asked, ("id", "name"))
        if found is None:
            problems.add("/warehouse", "Warehouse not found.")
        elif customer is not None and found not in self._customer_warehouses(tenant, customer):
            problems.add("/warehouse", "The customer does not have access to this warehouse.")
        return found

    @staticmethod
    def _customer_warehouses(tenant: Tenant, customer: dict[str, Any]) -> list[dict[str, Any]]:
        ids = customer.get("warehouseIds") or list(tenant.warehouses)
        return [tenant.warehouses[i] for i in ids if i in tenant.warehouses]

    @staticmethod
    def _find_product(tenant: Tenant, customer_id: str, asked: dict[str, Any]) -> dict[str, Any] | None:
        """By the first given of ``id`` → ``references.code`` → ``references.barcode`` → ``name``."""
        own = [p for p in tenant.products.values() if p["customer"]["id"] == customer_id]
        return first_match(own, asked, ("id", "code", "barcode", "name"))
