"""What an alert is: a condition of one integration (or of the tenant's WMS link) that a person must hear about.

A :class:`Condition` is checked by :mod:`.checker` on a schedule; while it holds it yields a :class:`Finding` (what
happened, in words a person reads, and what to do). One :class:`Alert` per ``(integration, condition)``: opened
once, updated while the finding changes, resolved by itself when the condition clears (docs/alerts.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field

from ..records import CamelModel

#: The alert subject of a tenant-wide condition (the WMS's notifications), where an integration id would be.
TENANT_SUBJECT = "TENANT"


class Level(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True)
class Finding:
    """A condition holds: what happened and what to do, as the mail, the webhook and the console say it."""

    summary: str
    what_to_do: str
    level: Level = Level.WARNING
    #: How many records (or per cent, for a budget) the condition counts: an update is sent when this grows past
    #: a level, never for every recount.
    count: int = 0


class AlertThresholds(CamelModel):
    """When a condition becomes an alert: tenant settings, each with the default a 3PL's ops team would pick."""

    #: A record needing attention for longer than this opens an alert (a day: "stuck for a day").
    attention_hours: float = Field(default=24, gt=0, le=24 * 30)
    #: A record waiting for a rate budget longer than this (a backlog that big needs a person: a raised limit).
    waiting_hours: float = Field(default=2, gt=0, le=24 * 30)
    #: The safety-net poll not run for this many of its intervals.
    poll_missed_intervals: int = Field(default=3, ge=2, le=1000)
    #: No WMS change notification for this many hours while the WMS poll sees orders change.
    notification_silence_hours: float = Field(default=6, gt=0, le=24 * 30)
    #: Shares of an upstream's budget (e.g. a monthly call allowance) that open a warning and a critical alert.
    budget_warning_percent: int = Field(default=80, ge=1, le=100)
    budget_critical_percent: int = Field(default=95, ge=1, le=100)
    #: Checks that call a platform (credentials re-tested, its webhooks) run at most this often per integration: a
    #: platform's request limit is for syncing (0: at every check, for a local stack or a test).
    platform_check_minutes: int = Field(default=60, ge=0, le=24 * 60)
    #: More than this many notices for one recipient in one check become one digest mail.
    digest_after: int = Field(default=3, ge=1, le=100)


class AlertChannels(CamelModel):
    """Where a tenant's alerts go: mail addresses, and a signed webhook (its secret sealed, never shown)."""

    emails: list[str] = Field(default_factory=list)
    webhook_url: str | None = None
    #: KMS ciphertext of ``{"secret"}``: the HMAC key the outbound webhook is signed with.
    webhook_secret: str | None = None
    #: Customer users who may self-manage get their own integrations' alerts at their customer's addresses.
    customers_receive_alerts: bool = False
    #: customer id → the addresses its own integrations' alerts go to (when the tenant allows it).
    customer_emails: dict[str, list[str]] = Field(default_factory=dict)


class AlertSettings(CamelModel):
    thresholds: AlertThresholds = Field(default_factory=AlertThresholds)
    channels: AlertChannels = Field(default_factory=AlertChannels)


class Alert(CamelModel):
    """The one alert of ``(subject, condition)``: its state now; its history is kept beside it (:mod:`.store`)."""

    tenant_id: str
    #: The integration's id, or :data:`TENANT_SUBJECT` for a tenant-wide condition.
    subject: str
    condition: str
    state: AlertState
    level: Level = Level.WARNING
    summary: str
    what_to_do: str
    count: int = 0
    customer_id: str | None = None
    #: The integration's name and platform title as a person knows them (kept for the mail and the overview).
    integration_name: str = ""
    platform: str = ""
    opened_at: str
    updated_at: str
    resolved_at: str | None = None
    #: How many times this (subject, condition) has opened, this one included.
    occurrence: int = 1
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    snoozed_until: str | None = None
    snoozed_by: str | None = None
    #: A notice ("opened", "updated", "resolved") written with the transition and not yet delivered.
    notice_due: str | None = None
    #: The channels that already took the due notice on an earlier try (one failed): not sent to again.
    notice_reached: list[str] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return alert_key(self.subject, self.condition)

    def snoozed(self, now: str) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude={"notice_due", "notice_reached"})


def alert_key(subject: str, condition: str) -> str:
    return f"ALERT#{subject}#{condition}"
