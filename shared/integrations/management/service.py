"""The management frame behind the product's configuration screens (help pages 001 and 003), one class made of
its concerns: integrations in steps (:mod:`.integrations`), the sync log, retry and backfill (:mod:`.sync_log`),
tenant settings (:mod:`.tenant_settings`), statements (:mod:`.statements`), the customers' warehouses
(:mod:`.warehouses`) and alerts (:mod:`.alerts`); the integration view's health is :mod:`.health`.

Every operation authorises first (:mod:`.permissions`), validates second and writes last, so a refused or invalid
request changes nothing.
"""

from __future__ import annotations

from ..core.integration_record import configuration_log_key
from .alerts import AlertViews
from .integrations import IntegrationSteps
from .search import RecordSearch
from .statements import Statements
from .sync_log import SyncLogViews
from .tenant_settings import TenantSettings
from .warehouses import CustomerWarehouses

__all__ = ["ManagementService", "configuration_log_key"]


class ManagementService(IntegrationSteps, SyncLogViews, TenantSettings, Statements, CustomerWarehouses, AlertViews,
                        RecordSearch):
    """Stateless: one per warm Lambda. ``clock`` is injectable so tests can place live periods in chosen weeks."""
