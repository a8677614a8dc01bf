"""Runtime settings, read once from the environment that template.yaml gives every function."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import ConfigurationError


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    tenants_table: str
    integrations_table: str
    sync_table: str
    cursors_table: str
    idempotency_table: str
    charges_table: str
    rate_budget_table: str
    wms_queue_url: str
    status_change_queue_url: str
    credentials_key_id: str
    max_receive_count: int
    idempotency_expiry_seconds: int
    wms_base_url: str
    #: Billing's index of live periods (issue 4) and the queue its weekly run fans out on.
    live_periods_table: str = ""
    billing_queue_url: str = ""
    #: Alerts (docs/alerts.md): their table, the queue their checks fan out on, the SES sender and template of their
    #: mails, and this deployment's public URL (the console pages the mails link to).
    alerts_table: str = ""
    alerts_queue_url: str = ""
    alert_mail_sender: str = ""
    alert_mail_template: str = ""
    public_api_base_url: str = ""
    #: Outbound HTTP retry pacing (core.http.HttpPolicy): the first backoff step, and the longest Retry-After slept
    #: through in-process before the item goes back to its queue instead.
    http_backoff_base_seconds: float = 0.5
    http_max_inline_wait_seconds: float = 10.0
    #: CartonCloud's outbound-order create limit per API client: at most this many in any window of this many
    #: seconds (documented as 30 a minute; one second of margin against clock skew between us and the WMS).
    wms_creates_per_window: int = 30
    wms_create_window_seconds: float = 61.0
    #: Every retry of a failed work item after this many seconds instead of the worker's backoff (the local stack's
    #: ``--fast-retry``; never set in a deployment).
    retry_delay_seconds: int | None = None
    #: Every ``*_QUEUE_URL`` variable template.yaml's Globals give (each connector's queue among them).
    queues: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            tenants_table=_env("TENANTS_TABLE"),
            integrations_table=_env("INTEGRATIONS_TABLE"),
            sync_table=_env("SYNC_TABLE"),
            cursors_table=_env("CURSORS_TABLE"),
            idempotency_table=_env("IDEMPOTENCY_TABLE"),
            charges_table=_env("CHARGES_TABLE"),
            rate_budget_table=_env("RATE_BUDGET_TABLE"),
            wms_queue_url=_env("WMS_QUEUE_URL"),
            status_change_queue_url=_env("STATUS_CHANGE_QUEUE_URL"),
            credentials_key_id=_env("CREDENTIALS_KEY_ID"),
            max_receive_count=int(_env("MAX_RECEIVE_COUNT", "5")),
            # Longer than any sender's retry window (Stripe 3 days, Standard Webhooks ~3.2 days): docs/architecture.md
            idempotency_expiry_seconds=int(_env("IDEMPOTENCY_EXPIRY_SECONDS", str(7 * 24 * 3600))),
            # The default WMS region for tenants that don't name one (CartonCloud "Environments": global).
            wms_base_url=_env("WMS_BASE_URL", "https://api.cartoncloud.com"),
            live_periods_table=_env("LIVE_PERIODS_TABLE"),
            billing_queue_url=_env("BILLING_QUEUE_URL"),
            alerts_table=_env("ALERTS_TABLE"),
            alerts_queue_url=_env("ALERTS_QUEUE_URL"),
            alert_mail_sender=_env("ALERT_MAIL_SENDER"),
            alert_mail_template=_env("ALERT_MAIL_TEMPLATE"),
            public_api_base_url=_env("PUBLIC_API_BASE_URL"),
            http_backoff_base_seconds=float(_env("HTTP_BACKOFF_BASE_SECONDS", "0.5")),
            http_max_inline_wait_seconds=float(_env("HTTP_MAX_INLINE_WAIT_SECONDS", "10")),
            wms_creates_per_window=int(_env("WMS_CREATES_PER_WINDOW", "30")),
            wms_create_window_seconds=float(_env("WMS_CREATE_WINDOW_SECONDS", "61")),
            retry_delay_seconds=int(_env("RETRY_DELAY_SECONDS")) if _env("RETRY_DELAY_SECONDS").strip() else None,
            queues={name: value for name, value in os.environ.items() if name.endswith("_QUEUE_URL") and value},
        )

    def queue_url(self, variable: str) -> str:
        """A queue's URL by its environment variable (``{KEY}_QUEUE_URL``), or a clear configuration error."""
        url = self.queues.get(variable)
        if not url:
            raise ConfigurationError(f"{variable} is not set (template.yaml Globals gives every function the URL of "
                                     "every work queue)")
        return url


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process. Tests call ``settings.cache_clear()`` after changing the environment."""
    return Settings.from_environment()
