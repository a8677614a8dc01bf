"""Test data builders shared by unit and functional tests."""

from __future__ import annotations

from integrations.cartoncloud.models import (
    Address,
    Deliver,
    EntityRef,
    Measures,
    OutboundOrder,
    OutboundOrderDetails,
    OutboundOrderItem,
    OutboundOrderItemDetails,
    References,
)


def outbound_order(customer_id: str, *, reference: str = "WOO-1001", warehouse_id: str | None = None,
                   sku: str = "SKU-1", quantity: int = 1) -> OutboundOrder:
    """A minimal valid outbound order: one line, a delivery address with a contact name."""
    return OutboundOrder(
        references=References(customer=reference),
        customer=EntityRef(id=customer_id),
        warehouse=EntityRef(id=warehouse_id) if warehouse_id else None,
        details=OutboundOrderDetails(deliver=Deliver(address=Address(
            contact_name="Jane Citizen", address1="1 Example St", city="Perth", postcode="6000"))),
        items=[OutboundOrderItem(details=OutboundOrderItemDetails(product=EntityRef(references=References(code=sku))),
                                 measures=Measures(quantity=quantity))],
    )
