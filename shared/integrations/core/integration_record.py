"""An integration as IntegrationsTable keeps it: whose it is (a customer's or the tenant's own), its status, its
settings as saved, what the platform told us, and when it was live (access patterns: docs/architecture.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from .records import CamelModel

#: Who an integration belongs to: one customer of the tenant, or the tenant itself (a platform serving every customer).
Scope = Literal["customer", "tenant"]
CUSTOMER_SCOPE: Scope = "customer"
TENANT_SCOPE: Scope = "tenant"


class IntegrationStatus(StrEnum):
    DRAFT = "DRAFT"
    LIVE = "LIVE"
    DELETED = "DELETED"


class LivePeriod(CamelModel):
    """When an integration was live: billing charges every ISO week a period touches."""

    start: datetime
    end: datetime | None = None


class Integration(CamelModel):
    """One integration of one customer (IntegrationsTable item; access patterns: docs/architecture.md)."""

    integration_id: str
    tenant_id: str
    #: The WMS customer it belongs to; empty for a tenant-level integration (``scope`` ``tenant``).
    customer_id: str = ""
    scope: Scope = CUSTOMER_SCOPE
    type: str
    name: str
    status: IntegrationStatus = IntegrationStatus.DRAFT
    #: The last step completed (index into STEPS; -1 = none yet).
    completed_step: int = -1
    #: KMS ciphertext of the credential fields (context tenantId + integrationId). Never returned by the API.
    credentials: str | None = None
    order_settings: dict[str, Any] = Field(default_factory=dict)
    fulfilment_settings: dict[str, Any] = Field(default_factory=dict)
    #: What the platform told us when credentials were checked or triggers started (webhook ids, namespaces…).
    platform_state: dict[str, Any] = Field(default_factory=dict)
    live_periods: list[LivePeriod] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    #: The customer's name in the WMS when the integration was created (statements show it).
    customer_name: str = ""
    #: Which platform account the credentials reach (``IntegrationType.account_identity``): one live integration
    #: per account per customer.
    account: str | None = None
    #: Bumped by every write; writes are conditional on it so concurrent reconfigures can't lose each other.
    version: int = 0

    @property
    def is_tenant_level(self) -> bool:
        return self.scope == TENANT_SCOPE


def configuration_log_key(integration_id: str) -> str:
    """The sync-log record holding an integration's configuration history (who changed what, when; its live checks)."""
    from .records import RecordRef

    return RecordRef(scope=integration_id, platform="management", record_type="integration",
                     record_id=integration_id).key
