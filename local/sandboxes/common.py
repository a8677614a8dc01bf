"""Small value helpers the vendor sandboxes share: numbers, HTTP Basic credentials, paging."""

from __future__ import annotations

import base64
import binascii
import math
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")


def finite_decimal(value: Any) -> Decimal | None:
    """``value`` (a number or numeric text) as a finite Decimal; None when it is not one."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def json_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number a vendor writes (``12`` rather than ``12.0``)."""
    return int(value) if value == value.to_integral_value() else float(value)


def basic_credentials(authorization: str | None) -> str | None:
    """The decoded ``user:password`` of an HTTP Basic ``Authorization`` header.

    None when the scheme is not Basic; ``""`` when the credentials are not base64 of UTF-8 text.
    """
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def paginate(items: list[T], page: int, size: int) -> tuple[list[T], int]:
    """Page ``page`` (from 1) of ``items`` in pages of ``size``, and how many pages there are (0 when no items)."""
    return items[(page - 1) * size: page * size], math.ceil(len(items) / size)
