"""What every connector's flows need from an integration: is it live, its credentials, its sealed secrets.

Integrations are read through the core's store (cached per warm Lambda for a minute; :func:`live_integration`
with ``fresh`` re-reads). Credentials are opened once per warm Lambda (the vault caches by ciphertext), and come
back as ``SecretStr`` values.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from .context import core
from .crypto import Credentials
from .errors import ConfigurationError
from .integration_record import Integration, IntegrationStatus


class IntegrationUnusable(ConfigurationError):
    """The integration is missing something a flow needs (credentials, a setting)."""

    resolution = "Reconfigure the integration (its authentication and order creation steps), then retry."


def is_live(integration: Integration | None) -> bool:
    return integration is not None and integration.status == IntegrationStatus.LIVE


def integration(integration_id: str, *, fresh: bool = False, of_type: str | None = None) -> Integration | None:
    """The integration (None if unknown or of another type); ``fresh`` skips this Lambda's cache."""
    store = core().integrations
    found = store.get(integration_id) if fresh else store.cached(integration_id)
    if found is not None and of_type is not None and found.type != of_type:
        return None
    return found


def sealed_credentials(integration: Integration) -> str:
    """The integration's credentials as sealed: what a connector's client is built from and cached by."""
    if not integration.credentials:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no credentials")
    return integration.credentials


def open_credentials(integration: Integration) -> Credentials:
    return core().vault.open(sealed_credentials(integration), tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id)


def credential(credentials: Mapping[str, SecretStr], name: str) -> str:
    """A credential field by its API name (``consumerKey``) or its Python name (``consumer_key``)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    for candidate in (name, snake):
        if candidate in credentials:
            return credentials[candidate].get_secret_value()
    raise IntegrationUnusable(f"The integration's credentials have no {name}")


def seal_secret(integration: Integration, secret: str) -> str:
    """A secret of the integration's own (a webhook signing secret) sealed for ``platformState``."""
    return core().vault.seal({"secret": secret}, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id)


def sealed_secret(integration: Integration, name: str) -> str | None:
    """A secret kept sealed in ``platformState[name]`` (e.g. the secret a platform signs webhooks with)."""
    sealed = integration.platform_state.get(name)
    if not isinstance(sealed, str) or not sealed:
        return None
    return core().vault.open(sealed, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id).reveal("secret")
