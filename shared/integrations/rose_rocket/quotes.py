"""The rates we answered (R4), kept until they are saved or expire, and how a WMS charge becomes a rate line.

A rating answer is stored in SyncTable under ``{integrationId}#rose_rocket#rating#{quoteId}`` / ``QUOTE`` (TTL
``expiresAt``, :data:`QUOTE_VALIDITY`): the order it is for, the rate card and rate, and its line items. Saving reads
it back, so what is written to Rose Rocket is exactly what was shown, never a second quote.

A WMS charge (``feeCategory``, ``description``, ``fee``, ``feeAfterModifiers``) is one line: its description, a
Rose Rocket line-item ``type`` from the fee category's name, quantity 1 and rate = the charge after modifiers (the
WMS answers totals, not unit prices), amount = rate × quantity, the charge's currency.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..cartoncloud.models import Quote, QuoteCharge
from ..core import aws
from ..core.context import core
from ..core.stores.dynamo import from_item, to_item
from ..core.timeutil import parse_iso, utc_iso, utcnow
from . import PLATFORM

#: How long rates can be saved after they were given (then: rate again).
QUOTE_VALIDITY = timedelta(hours=24)
QUOTE_SK = "QUOTE"


def line_type(fee_category: str) -> str:
    """The Rose Rocket financial line item ``type`` of a WMS fee category (its docs list Freight, fuel,
    surchargeLiftgate; anything else is an accessorial)."""
    name = fee_category.casefold()
    if "fuel" in name:
        return "fuel"
    if "liftgate" in name or "tailgate" in name:
        return "surchargeLiftgate"
    if any(word in name for word in ("freight", "delivery", "linehaul", "line haul", "base", "transport")):
        return "Freight"
    return "accessorial"


def _money(value: Decimal) -> float | int:
    rounded = value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def line_of_charge(number: int, charge: QuoteCharge) -> dict[str, Any]:
    fee = charge.fee_after_modifiers
    return {"id": str(number), "description": charge.description or charge.fee_category.name,
            "type": line_type(charge.fee_category.name), "feeCategory": charge.fee_category.name,
            "quantity": 1, "rate": _money(fee.amount), "amount": _money(fee.amount), "currency": fee.currency}


@dataclass(frozen=True)
class StoredQuote:
    quote_id: str
    integration_id: str
    order_id: str
    order_number: str
    rate_card: str | None
    rate: str | None
    line_items: list[dict[str, Any]]
    rated_at: str
    expires_at: str
    #: What a person should know about how these rates were reached (e.g. commodities priced without volume); said
    #: in the answer and the order's log, not kept for the save.
    notes: tuple[str, ...] = ()

    @property
    def currency(self) -> str | None:
        return next((str(line["currency"]) for line in self.line_items if line.get("currency")), None)

    @property
    def total(self) -> float | int:
        return _money(sum((Decimal(str(line["amount"])) for line in self.line_items), Decimal(0)))

    @property
    def expired(self) -> bool:
        return parse_iso(self.expires_at) <= utcnow()

    def to_json(self) -> dict[str, Any]:
        return {"quoteId": self.quote_id, "roseRocketOrderId": self.order_id, "roseRocketOrderNumber":
                self.order_number, "rateCard": self.rate_card, "rate": self.rate, "currency": self.currency,
                "total": self.total, "lineItems": self.line_items, "ratedAt": self.rated_at,
                "expiresAt": self.expires_at, **({"notes": list(self.notes)} if self.notes else {})}


def _key(integration_id: str, quote_id: str) -> str:
    return f"{integration_id}#{PLATFORM}#rating#{quote_id}"


def store(integration_id: str, order_id: str, order_number: str, quote: Quote, *, now: datetime | None = None
          ) -> StoredQuote:
    moment = now or utcnow()
    stored = StoredQuote(
        quote_id=uuid.uuid4().hex, integration_id=integration_id, order_id=order_id, order_number=order_number,
        rate_card=quote.rate_card.name if quote.rate_card else None, rate=quote.rate.name if quote.rate else None,
        line_items=[line_of_charge(n, charge) for n, charge in enumerate(quote.charges, start=1)],
        rated_at=utc_iso(moment), expires_at=utc_iso(moment + QUOTE_VALIDITY))
    aws.dynamodb().put_item(TableName=core().settings.sync_table, Item=to_item({
        "pk": _key(integration_id, stored.quote_id), "sk": QUOTE_SK, "orderId": order_id,
        "orderNumber": order_number, "rateCard": stored.rate_card, "rate": stored.rate,
        "lineItems": json.dumps(stored.line_items), "ratedAt": stored.rated_at, "validUntil": stored.expires_at,
        # DynamoDB's TTL removes it a while after it stopped being usable.
        "expiresAt": int((moment + QUOTE_VALIDITY + timedelta(days=1)).timestamp())}))
    return stored


def load(integration_id: str, quote_id: str) -> StoredQuote | None:
    item = aws.dynamodb().get_item(TableName=core().settings.sync_table, ConsistentRead=True,
                                   Key={"pk": {"S": _key(integration_id, quote_id)}, "sk": {"S": QUOTE_SK}}).get("Item")
    if not item:
        return None
    values = from_item(item)
    return StoredQuote(quote_id=quote_id, integration_id=integration_id, order_id=str(values["orderId"]),
                       order_number=str(values.get("orderNumber") or values["orderId"]),
                       rate_card=values.get("rateCard"), rate=values.get("rate"),
                       line_items=json.loads(str(values["lineItems"])), rated_at=str(values["ratedAt"]),
                       expires_at=str(values["validUntil"]))
