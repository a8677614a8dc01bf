"""The DynamoDB stores, one module per table or concern (access patterns: docs/architecture.md).

- :mod:`.tenants` — TenantsTable;
- :mod:`.integrations` — IntegrationsTable and billing's LivePeriodsTable;
- :mod:`.links` — sync links in SyncTable (``sk = LINK``), behind :class:`~integrations.core.links.LinkStore`;
- :mod:`.synclog` — sync-log entries in SyncTable (``sk = LOG#…``), behind
  :class:`~integrations.core.links.SyncLogStore`;
- :mod:`.cursors` — CursorsTable.
"""

from .dynamo import from_item, is_condition_failure, to_item
from .tenants import Tenant, TenantStore

__all__ = ["Tenant", "TenantStore", "from_item", "is_condition_failure", "to_item"]
