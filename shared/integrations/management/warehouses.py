"""The warehouses a customer may use in the WMS: the choices of every ``x-wms-warehouse`` step field, so a person
picks one instead of pasting an id (the console's warehouse picker). The same WMS call the frame checks a step's
warehouse fields against, so what is offered is what is accepted."""

from __future__ import annotations

from typing import Any

from ..cartoncloud.clients import wms_client
from ..core.errors import UpstreamNotFound
from .base import ServiceBase
from .errors import NotFound
from .permissions import Operation, Principal


class CustomerWarehouses(ServiceBase):
    def customer_warehouses(self, principal: Principal, tenant_id: str, customer_id: str) -> dict[str, Any]:
        """``{"warehouses": [{warehouseId, name}]}``, by name; whoever may read the customer's integrations."""
        tenant = self._authorized(principal, Operation.READ_INTEGRATIONS, tenant_id, customer_id)
        try:
            found = wms_client(tenant).list_warehouses(customer_id=customer_id)
        except UpstreamNotFound:
            raise NotFound(f"Customer {customer_id} does not exist in the tenant's WMS", field="customerId",
                           resolution="Use the id of one of the tenant's CartonCloud customers.") from None
        return {"warehouses": [{"warehouseId": w.id, "name": w.name}
                               for w in sorted(found, key=lambda w: (w.name.casefold(), w.id))]}
