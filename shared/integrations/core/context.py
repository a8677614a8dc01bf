"""The per-process objects every function shares: settings, stores and the credential vault.

Built on first use and kept for the life of a warm Lambda. Tests and the local stack call ``reset()`` after
changing the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from . import aws
from .crypto import CredentialVault
from .integration_store import IntegrationStore
from .settings import Settings, settings
from .stores import CursorStore, SyncLog, TenantStore


@dataclass(frozen=True)
class Core:
    settings: Settings
    tenants: TenantStore
    sync_log: SyncLog
    cursors: CursorStore
    vault: CredentialVault
    integrations: IntegrationStore


@lru_cache(maxsize=1)
def core() -> Core:
    config = settings()
    return Core(
        settings=config,
        tenants=TenantStore(config.tenants_table),
        sync_log=SyncLog(config.sync_table),
        cursors=CursorStore(config.cursors_table),
        vault=CredentialVault(config.credentials_key_id),
        integrations=IntegrationStore(config.integrations_table, config.live_periods_table),
    )


_resets: list[Callable[[], None]] = []


def on_reset(forget: Callable[[], None]) -> Callable[[], None]:
    """Register a per-process cache (a connector's clients, tokens) to be forgotten by :func:`reset`."""
    _resets.append(forget)
    return forget


def reset() -> None:
    """Forget settings, stores, caches and AWS clients (after the environment changed)."""
    settings.cache_clear()
    core.cache_clear()
    aws.reset()
    for forget in _resets:
        forget()
