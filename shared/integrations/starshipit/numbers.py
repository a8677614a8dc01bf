"""The number people see on a Starshipit order. Pure functions; :mod:`.exporter` uses them.

Starshipit shows ``order_number`` in its app, on labels and in the tracking emails end customers get ("the identifier
of the order pulled from source e-Commerce platform", its create-order page), so it is the shop's own order number as
the WMS holds it — the outbound order's **customer reference** — never our internal id:

- :func:`base_number`: the customer reference, trimmed, its first 50 characters (Starshipit's limit); without one
  (CartonCloud requires it, so only an order made some other way), the WMS order's own number (``numericId``), and
  only without that its id;
- :func:`candidates`: when Starshipit already has an order with that number that isn't this WMS order's (another
  channel of the account, another customer's integration on the same account, an order split in the WMS), the
  next of ``1003-2``, ``1003-3`` … ``1003-9`` — a second shipment's number as people would write it;
- :func:`same_shipment`: whether an unlinked Starshipit order with the number is this very shipment (its
  destination and lines): the one we made just before a crash, or the same order sent by another channel — bound
  to, so the parcel is never shipped twice.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..cartoncloud.models import OutboundOrder
from ..core.errors import PermanentError
from .models import MAX_ORDER_NUMBER, NewOrder, Order

#: How many numbers an order may try (``1003``, ``1003-2`` … ``1003-9``) before a person must look.
MAX_CANDIDATES = 9


def base_number(order: OutboundOrder) -> tuple[str, list[str]]:
    """The number this WMS order shows in Starshipit, and notes for its log when it isn't the customer reference as
    it is."""
    if not order.id:  # the WMS answered an order without its id: nothing to number it, or bind it, by
        raise PermanentError("The WMS answered this outbound order without its id, so it can't be sent to Starshipit",
                             resolution="Contact support with this record's sync log: the WMS's answer was not an "
                                        "order as CartonCloud documents it.")
    reference = " ".join((order.references.customer or "").split())
    if reference:
        if len(reference) > MAX_ORDER_NUMBER:
            return reference[:MAX_ORDER_NUMBER], [f"order number shortened to {MAX_ORDER_NUMBER} characters "
                                                  "(Starshipit's limit)"]
        return reference, []
    numeric = str(order.references.numeric_id or "").strip()
    if numeric:
        return numeric, ["the order has no customer reference: numbered with CartonCloud's own order number"]
    return order.id, ["the order has no customer reference or number: numbered with its CartonCloud id"]


def candidates(base: str) -> list[str]:
    """``base``, then ``base-2`` … ``base-9``, each cut so the suffix fits Starshipit's 50 characters."""
    found = [base[:MAX_ORDER_NUMBER]]
    for n in range(2, MAX_CANDIDATES + 1):
        suffix = f"-{n}"
        found.append(base[:MAX_ORDER_NUMBER - len(suffix)] + suffix)
    return found


def _text(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip().casefold()


def _lines(pairs: list[tuple[str | None, Decimal | None]]) -> list[tuple[str, Decimal]]:
    return sorted((_text(code), Decimal(quantity or 0).normalize()) for code, quantity in pairs)


def same_shipment(found: Order, sent: NewOrder) -> bool:
    """Whether ``found`` ships what ``sent`` describes: the same recipient, street and postcode, and the same lines
    (SKU, or description, and quantity). Compared without case or spacing, as Starshipit may keep them otherwise;
    the country is left out (it may hold a name for our code)."""
    there = found.destination
    if there is None:
        return False
    if (_text(there.name), _text(there.street), _text(there.post_code)) != (
            _text(sent.destination.name), _text(sent.destination.street), _text(sent.destination.post_code)):
        return False
    return _lines([(i.sku or i.description, i.quantity) for i in found.items]) == _lines(
        [(i.sku or i.description, i.quantity) for i in sent.items])
