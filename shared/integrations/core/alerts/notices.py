"""A notice: what a channel (:mod:`.channels`) tells people about one alert's transition, and where to look."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..settings import settings
from .model import TENANT_SUBJECT, Alert


class NoticeKind(StrEnum):
    OPENED = "opened"
    #: A warning that became critical (e.g. a monthly call budget from 80 % to 95 %).
    UPDATED = "updated"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Notice:
    alert: Alert
    kind: NoticeKind

    @property
    def page_url(self) -> str:
        """The console page a person opens to act: the integration's page, or the overview for a tenant-wide one."""
        return page_url(self.alert)

    @property
    def headline(self) -> str:
        """One line: ``Resolved: Shop "Steam shop" — 3 orders need attention`` (the platform's title)."""
        what = (f'{self.alert.platform} "{self.alert.integration_name}"' if self.alert.subject != TENANT_SUBJECT
                else "Your WMS connection")
        prefix = {NoticeKind.OPENED: "Alert", NoticeKind.UPDATED: "Worse", NoticeKind.RESOLVED: "Resolved"}[self.kind]
        return f"{prefix}: {what} — {self.alert.summary}"


def console_url() -> str:
    """The console's address (template.yaml ``PublicApiBaseUrl`` + ``/console``), never a request's Host."""
    return settings().public_api_base_url.rstrip("/") + "/console"


def page_url(alert: Alert) -> str:
    if alert.subject == TENANT_SUBJECT:
        return f"{console_url()}/attention"
    if alert.customer_id:
        return f"{console_url()}/customers/{alert.customer_id}/integrations/{alert.subject}"
    return f"{console_url()}/tenant/integrations/{alert.subject}"
