"""What a sync link remembers of a WooCommerce order: the snapshot the WMS order was made from, its content
fingerprint, and a divergence said in words. Pure, and light to import (the webhook door computes an order's
version from it without loading the WMS models)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..core.timeutil import utc_iso
from .models import WooAddress, WooOrder


def ship_to(order: WooOrder) -> tuple[WooAddress, str]:
    """The address the parcel goes to, and which one it is (``shipping``, or ``billing`` when shipping is empty)."""
    return (order.shipping, "shipping") if order.shipping.has_street else (order.billing, "billing")


def order_snapshot(order: WooOrder) -> dict[str, Any]:
    """The order as the WMS order was made from it: what a later WooCommerce edit is compared against."""
    address, which = ship_to(order)
    return {
        "number": order.reference,
        "status": order.status,
        "lines": [{"sku": line.sku.strip(), "quantity": str(line.quantity)} for line in order.line_items],
        "shipTo": {"from": which, "name": address.name, "company": address.company, "address1": address.address_1,
                   "address2": address.address_2, "city": address.city, "state": address.state,
                   "postcode": address.postcode, "country": address.country},
        "customerNote": order.customer_note,
        "shippingMethods": [line.method_title or line.method_id for line in order.shipping_lines],
        "total": order.total,
        "currency": order.currency,
        "createdAt": utc_iso(order.created_at) if order.created_at else None,
        "modifiedAt": utc_iso(order.modified_at) if order.modified_at else None,
    }


#: Snapshot keys that make up the WMS order; a change to any of them after creation is a divergence.
CONTENT_KEYS = ("lines", "shipTo", "customerNote", "shippingMethods", "total", "currency")


def content_fingerprint(snapshot: dict[str, Any]) -> str:
    essential = {key: snapshot.get(key) for key in CONTENT_KEYS}
    return hashlib.sha256(json.dumps(essential, sort_keys=True, default=str).encode()).hexdigest()[:32]


def describe_divergence(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed in WooCommerce since the WMS order was made, in words (e.g. ``lines: SKU-1 ×1 → SKU-1 ×3``)."""
    parts = []
    for key in CONTENT_KEYS:
        if before.get(key) == after.get(key):
            continue
        if key == "lines":
            parts.append(f"lines {_lines(before.get(key))} → {_lines(after.get(key))}")
        elif key == "shipTo":
            old, new = before.get(key) or {}, after.get(key) or {}
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            parts.append("shipping address (" + ", ".join(changed) + ")")
        else:
            parts.append(f"{key} {before.get(key)!r} → {after.get(key)!r}")
    return "; ".join(parts)


def _lines(lines: Any) -> str:
    return ", ".join(f"{line.get('sku') or '?'} ×{line.get('quantity')}" for line in lines or []) or "none"
