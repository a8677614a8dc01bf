"""Customers, warehouses and warehouse products, as the API lists, gets, creates and searches them."""

from __future__ import annotations

from ..base import SandboxRequest, SandboxResponse
from .model import ApiError, Problems, json_object
from .search import WAREHOUSE_PRODUCT_SEARCH, resolve_pointer, search_page
from .state import CartonCloudState, Tenant


class CatalogApi(CartonCloudState):
    """``/tenants/{tenantId}/customers``, ``/warehouses`` and ``/warehouse-products``."""

    def _list_customers(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return SandboxResponse.json(200, [{"name": c["name"], "id": c["id"]} for c in tenant.customers.values()])

    def _get_customer(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        customer = tenant.customers.get(entity_id)
        if customer is None:
            raise ApiError(404, [{"message": "Customer not found."}])
        return SandboxResponse.json(200, {"name": customer["name"], "id": customer["id"]})

    def _list_warehouses(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return SandboxResponse.json(200, [{"id": w["id"], "name": w["name"]} for w in tenant.warehouses.values()])

    def _list_customer_warehouses(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        customer = tenant.customers.get(entity_id)
        if customer is None:
            raise ApiError(404, [{"message": "Customer not found."}])
        return SandboxResponse.json(
            200, [{"id": w["id"], "name": w["name"]} for w in self._customer_warehouses(tenant, customer)]
        )

    def _create_warehouse_product(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        body = json_object(request)
        problems = Problems()
        customer = self._resolve_customer(tenant, body.get("customer"), problems)
        code = resolve_pointer(body, "/references/code")
        if not isinstance(code, str) or not code.strip():
            problems.add("/references/code", "Code cannot be empty.")
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            problems.add("/name", "Name cannot be empty.")
        problems.raise_if_any()
        assert customer is not None
        product = self._store_product(tenant, customer, body)
        return SandboxResponse.json(201, product)

    def _get_warehouse_product(self, request: SandboxRequest, tenant: Tenant, entity_id: str) -> SandboxResponse:
        product = tenant.products.get(entity_id)
        if product is None:
            raise ApiError(404, [{"message": "Product not found."}])
        return SandboxResponse.json(200, product)

    def _search_warehouse_products(self, request: SandboxRequest, tenant: Tenant) -> SandboxResponse:
        return search_page(request, list(tenant.products.values()), WAREHOUSE_PRODUCT_SEARCH)
