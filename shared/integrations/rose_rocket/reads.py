"""Reads that name connected objects (``?paths=``), and what we do when Rose Rocket refuses a path.

Rose Rocket's order page lists the order's connected objects; ``serviceType``, ``invoice`` (with its
``lineItems``) and ``tasks.stops.address`` are not among them (vendor findings, assumption ``connected-paths``).
What the API answers for a path it doesn't take is unpublished: we prepare for the strict answer, a 400, and never
let it fail every read:

- a read whose paths are refused is made again with only the paths the page lists (:data:`LISTED_ORDER_PATHS`);
  then each other path is tried on its own, and one refused is remembered for the organisation (per warm Lambda),
  so later reads don't ask for it;
- what a refused path would have shown is read another way where there is one (a stop's address, from the stop:
  the address page documents it there) or gone without — :class:`Read` says which paths went unread, and the
  callers say so in words where it matters (a consignment made without its service type, an invoice found by
  our own key);
- when even the listed paths are refused the record is read bare, so the caller can say what it is (a manifest
  asked for as an order is refused with "only orders are rated", not a 502).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.context import on_reset
from ..core.errors import UpstreamRejected
from .client import RoseRocketClient

#: One read of the record with these paths (None: the record doesn't exist).
Fetch = Callable[[str | None], dict[str, Any] | None]

#: The connected objects Rose Rocket's order page lists, as paths we read.
LISTED_ORDER_PATHS = ("customer", "tasks", "tasks.stops", "tasks.commodities", "sellQuote", "sellQuote.lineItems")
STOP_ADDRESS = "tasks.stops.address"

_refused: dict[tuple[str, str], set[str]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Read:
    """A record (None: it doesn't exist) and the asked paths it was read without (Rose Rocket refused them)."""

    record: dict[str, Any] | None
    unread: tuple[str, ...] = field(default_factory=tuple)


def _key(client: RoseRocketClient) -> tuple[str, str]:
    return client.base_url, client.org_id


def refused_paths(client: RoseRocketClient) -> frozenset[str]:
    with _lock:
        return frozenset(_refused.get(_key(client), set()))


def _remember(client: RoseRocketClient, path: str) -> None:
    with _lock:
        _refused.setdefault(_key(client), set()).add(path)


@on_reset
def forget_refused_paths() -> None:
    with _lock:
        _refused.clear()


def _under(path: str, refused: frozenset[str]) -> bool:
    return any(path == r or path.startswith(f"{r}.") for r in refused)


def _refusal(exc: UpstreamRejected) -> bool:
    return exc.status == 400


def read(client: RoseRocketClient, record_id: str, paths: Sequence[str],
         listed: Sequence[str] = LISTED_ORDER_PATHS) -> Read:
    """``record_id`` with the connected objects ``paths`` name, as far as Rose Rocket shows them."""
    return _read(client, lambda asked: client.get(record_id, paths=asked), paths, listed)


def read_external(client: RoseRocketClient, object_key: str, external_id: str, paths: Sequence[str],
                  listed: Sequence[str] = LISTED_ORDER_PATHS) -> Read:
    """As :func:`read`, the record found by its ``externalId``."""
    return _read(client, lambda asked: client.get_external(object_key, external_id, paths=asked), paths, listed)


def _read(client: RoseRocketClient, fetch: Fetch, paths: Sequence[str], listed: Sequence[str]) -> Read:
    refused = refused_paths(client)
    asked = [p for p in paths if not _under(p, refused)]
    try:
        return Read(fetch(",".join(asked) or None), _unread(paths, refused))
    except UpstreamRejected as exc:
        if not _refusal(exc):
            raise
    base = [p for p in asked if p in listed]
    try:
        found = fetch(",".join(base) or None)
    except UpstreamRejected as exc:
        if not _refusal(exc):
            raise
        # Not even the listed paths: the record is of another kind. Bare, it says which (nothing is remembered).
        return Read(fetch(None), tuple(paths))
    if found is None:
        return Read(None)
    others = [p for p in asked if p not in listed]
    for path in others:
        try:
            fetch(",".join([*base, path]))
        except UpstreamRejected as exc:
            if not _refusal(exc):
                raise
            _remember(client, path)
    refused = refused_paths(client)
    taken = [p for p in others if not _under(p, refused)]
    if taken:  # the read that answered had none of them: once more with those Rose Rocket takes
        found = fetch(",".join([*base, *taken])) or found
    return Read(found, _unread(paths, refused))


def _unread(paths: Sequence[str], refused: frozenset[str]) -> tuple[str, ...]:
    return tuple(p for p in paths if _under(p, refused))


def with_stop_addresses(client: RoseRocketClient, found: Read) -> Read:
    """An order read without ``tasks.stops.address``: each stop's address read from the stop itself."""
    if found.record is None or STOP_ADDRESS not in found.unread:
        return found
    for task in found.record.get("tasks") or []:
        for stop in (task or {}).get("stops") or []:
            if isinstance(stop, dict) and stop.get("id") and "address" not in stop:
                alone = client.get(str(stop["id"]), paths="address")
                stop["address"] = (alone or {}).get("address")
    return Read(found.record, tuple(p for p in found.unread if p != STOP_ADDRESS))
