"""The numbers people use for records, and how a search finds them (issue 24).

A link keeps its record's number (``platformNumber`` or ``wmsNumber``, by its origin) when it is claimed, and its
counterpart's when it is bound — no request of their own: they ride on the claim's and the bind's writes. For search,
the link (its own number) and the pointer at its counterpart's end (the counterpart's number) carry
``numberTenant`` and ``searchNumber`` (SyncTable's sparse GSI ``byNumber``), so one query of the tenant's numbers by
prefix finds a record by either number.
"""

from __future__ import annotations

#: Longest number kept (a platform's own numbers are short; anything longer is not a number people type).
MAX_NUMBER = 80


def searchable(number: str) -> str:
    """How a number is indexed and looked up: case and a leading ``#`` (a shop's "#1003") don't matter."""
    return " ".join(number.split()).lstrip("#").casefold()


def kept(number: str | None) -> str | None:
    """A number as stored: trimmed, bounded; None for nothing worth keeping."""
    if number is None:
        return None
    cleaned = " ".join(str(number).split())[:MAX_NUMBER]
    return cleaned or None


def number_attribute(platform_side: bool) -> str:
    """The link attribute holding the number of the platform's record or of the WMS's."""
    return "platformNumber" if platform_side else "wmsNumber"


def record_label(*, platform_title: str, platform: str, record_type: str, record_id: str,
                 platform_number: str | None, wms_number: str | None) -> str:
    """How a person names a record and its counterpart: ``Shop order #1003 → WMS 1003-STEAM``; a WMS record the
    integration exports: ``WMS order 1003-STEAM → Labels order 1003``. Ids stand in for numbers not
    known (yet)."""
    kind = record_type.replace("_", " ").lower()
    if platform == "wms":  # the WMS record as one integration sees it (an export's origin)
        wms = f"WMS {kind.replace('outbound ', '')} {wms_number or record_id}"
        return wms + (f" → {platform_title} {platform_number}" if platform_number else "")
    own = f"{platform_title} {kind} {platform_number or record_id}"
    return own + (f" → WMS {wms_number}" if wms_number else "")
