"""The per-process objects every function shares: settings, stores and the credential vault.

Built on first use and kept for the life of a warm Lambda. Tests and the local stack call ``reset()`` after
changing the environment; unit tests build a :class:`Core` of in-memory fakes and install it with :func:`use`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from . import aws
from .settings import Settings, settings

if TYPE_CHECKING:
    # The stores, the vault and their record models are imported when the core is first built (_built), not when a
    # module merely registers a reset hook or a door imports this: a cold start pays for them on first use only.
    from .crypto import CredentialVault
    from .links import LinkStore, SyncLogStore
    from .stores.cursors import CursorStore
    from .stores.integrations import IntegrationStore
    from .stores.tenants import TenantStore


@dataclass(frozen=True)
class Core:
    settings: Settings
    tenants: TenantStore
    links: LinkStore
    sync_log: SyncLogStore
    cursors: CursorStore
    vault: CredentialVault
    integrations: IntegrationStore


@lru_cache(maxsize=1)
def _built() -> Core:
    from .crypto import CredentialVault
    from .stores.cursors import CursorStore
    from .stores.integrations import IntegrationStore
    from .stores.links import DynamoLinkStore
    from .stores.synclog import DynamoSyncLog
    from .stores.tenants import TenantStore

    config = settings()
    return Core(
        settings=config,
        tenants=TenantStore(config.tenants_table),
        links=DynamoLinkStore(config.sync_table),
        sync_log=DynamoSyncLog(config.sync_table),
        cursors=CursorStore(config.cursors_table),
        vault=CredentialVault(config.credentials_key_id),
        integrations=IntegrationStore(config.integrations_table, config.live_periods_table),
    )


_installed: list[Core] = []


def core() -> Core:
    return _installed[-1] if _installed else _built()


@contextmanager
def use(replacement: Core) -> Iterator[Core]:
    """Run with ``replacement`` as the process's core (unit tests: in-memory stores)."""
    _installed.append(replacement)
    try:
        yield replacement
    finally:
        _installed.remove(replacement)


_resets: list[Callable[[], None]] = []


def on_reset(forget: Callable[[], None]) -> Callable[[], None]:
    """Register a per-process cache (a connector's clients, tokens) to be forgotten by :func:`reset`."""
    _resets.append(forget)
    return forget


def reset() -> None:
    """Forget settings, stores, caches and AWS clients (after the environment changed)."""
    settings.cache_clear()
    _built.cache_clear()
    aws.reset()
    for forget in _resets:
        forget()
