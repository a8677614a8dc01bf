"""The management API's request bodies and responses (openapi/management.yaml documents the same shapes).

Request models forbid unknown fields, so a misspelt field is a 400 naming it rather than silently ignored.
Responses never carry credential values: only ``credentialsSet`` / ``wmsCredentialsSet``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel

from ..core.addresses import wire_host
from ..core.integration_record import Integration, IntegrationStatus
from ..core.integration_types import STEPS, Notice
from ..core.step_models import HEADER_SAFE_PATTERN
from ..core.stores import Tenant
from ..core.timeutil import in_service_range
from . import catalog

#: Unicode categories no name a person reads may hold: controls (NUL, newlines, tabs), format characters (bidi
#: overrides such as U+202E, zero-width spaces and joiners), line and paragraph separators, surrogates, private use
#: and unassigned code points. Each can make a name look like another one, or break a log line or a CSV cell.
UNREADABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def readable(value: str) -> str:
    """``value`` if every character is one a person can see (spaces included); else a ``ValueError`` naming the
    first one that isn't."""
    for position, char in enumerate(value):
        if unicodedata.category(char) in UNREADABLE_CATEGORIES:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise ValueError(f"must hold only visible characters and spaces: {name.title()} (U+{ord(char):04X}) "
                             f"at position {position + 1}")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(readable)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
WEEK_PATTERN = r"^2[0-9]{3}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
#: The most a tenant may set as the weekly price (a typo guard: $10,000.00).
MAX_WEEKLY_PRICE_CENTS = 1_000_000


class RequestModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _null_is_no_value(cls, value: Any, info: ValidationInfo) -> Any:
        """An optional field is left out to keep what is stored; ``null`` is refused, naming the field, rather than
        read as "left out" (a client sending it to clear the value would be told it worked).

        After validation, not before: a field left out keeps its default without being validated, so a None here was
        sent; and a before (or wrap) validator makes pydantic's strict JSON mode refuse an ISO date-time string."""
        field = cls.model_fields[info.field_name] if info.field_name else None
        if value is None and field is not None and not field.is_required():
            raise ValueError("may be left out (to keep what is stored) but not null")
        return value


Model = TypeVar("Model", bound=BaseModel)


def from_request(model: type[Model], body: dict[str, Any]) -> Model:
    """A request body as ``model``, in pydantic's strict JSON mode: JSON's own types only, as the OpenAPI documents
    promise — never a number taken as a timestamp, ``"5"`` as an integer or ``1`` as ``true`` (lax mode's
    coercions). The body was read as JSON, so it is written back to JSON to be read strictly."""
    return model.model_validate_json(json.dumps(body), strict=True)


#: A moment from outside, with its zone, converted to UTC and within the years the service handles.
Moment = Annotated[AwareDatetime, AfterValidator(in_service_range)]


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


# --- requests ---------------------------------------------------------------------------------------------------


class CreateIntegration(RequestModel):
    """Step 1 (name) of a new integration, with its type."""

    type: Identifier
    name: Name


class BackfillRequest(RequestModel):
    """A past window to sync again: times with a zone (``2026-11-01T00:00:00Z``)."""

    from_: Moment = Field(alias="from")
    to: Moment


class RetryRequest(RequestModel):
    """The record to retry: a ``recordKey`` from the integration's sync-log list."""

    record: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class NameStep(RequestModel):
    name: Name


class WmsCredentialsIn(RequestModel):
    """CartonCloud's API client, sent as HTTP Basic: printable ASCII (anything else couldn't be sent)."""

    client_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                                pattern=HEADER_SAFE_PATTERN)]
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=HEADER_SAFE_PATTERN)]


# --- alerts (docs/alerts.md) ------------------------------------------------------------------------------------

#: At most this many addresses per list (the tenant's, or one customer's): an alert mail is for a team's few people,
#: a list of them is what a mailing list is for.
MAX_ALERT_EMAILS = 10
#: The longest a person may snooze an alert: a week (longer is forgetting it, which resolving does better).
MAX_SNOOZE_HOURS = 7 * 24
#: A condition's name as the checker gives it (``recordsNeedAttention``, ``budget.monthly``): letters, digits and
#: ``_ . -``, so it is one path segment.
CONDITION_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
#: A host name in its ``xn--`` form: letters, digits and hyphens in dot-separated labels.
#: Where plain http may carry a webhook: the local stack's own sandboxes, never a host on a network.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def ascii_host(hostname: str) -> str | None:
    """The host as it goes on the wire, or None if it is no host name (core.addresses)."""
    return wire_host(hostname)


def email_address(value: str) -> str:
    """A mail address SES can send to: ``local@domain`` with a dotted domain (an internationalised one in its
    ``xn--`` form); the domain is lower-cased, the local part kept as written (it may be case-sensitive)."""
    local, at, domain = value.rpartition("@")
    if not at or len(value) > 254 or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise ValueError("must be a mail address, e.g. ops@example-3pl.com")
    host = ascii_host(domain)
    if host is None or "." not in host or host.startswith("[") or host.replace(".", "").isdigit():
        raise ValueError("must be a mail address with a domain name, e.g. ops@example-3pl.com")
    return f"{local}@{host}"


def checked_webhook_url(value: str) -> str:
    """Where the tenant's alerts are posted: ``https://`` (plain http only to a loopback host, the local stack's
    sandboxes), a host name or address (IDNA), no credentials or fragment; ``""`` removes the webhook."""
    text = value.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    host = ascii_host(parts.hostname or "")
    if parts.scheme not in ("https", "http") or host is None or any(c.isspace() for c in text):
        raise ValueError("must be a web address starting with https://, e.g. https://hooks.example.com/alerts")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise ValueError("must start with https:// (alerts carry your integrations' names and errors)")
    if parts.username or parts.password or parts.fragment:
        raise ValueError("must not contain a user name, password or #fragment")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number") from None
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _unique_addresses(value: list[str] | None) -> list[str] | None:
    if value is not None and len({address.casefold() for address in value}) != len(value):
        raise ValueError("addresses must not repeat")
    return value


EmailAddress = Annotated[str, StringConstraints(min_length=3, max_length=254),
                         AfterValidator(email_address)]
EmailList = Annotated[list[EmailAddress], Field(max_length=MAX_ALERT_EMAILS), AfterValidator(_unique_addresses)]


class AlertThresholdsUpdate(RequestModel):
    """The thresholds sent change (each within :class:`AlertThresholds`'s bounds); the rest keep what is stored."""

    attention_hours: float | None = Field(default=None, gt=0, le=24 * 30)
    waiting_hours: float | None = Field(default=None, gt=0, le=24 * 30)
    poll_missed_intervals: int | None = Field(default=None, ge=2, le=1000)
    notification_silence_hours: float | None = Field(default=None, gt=0, le=24 * 30)
    budget_warning_percent: int | None = Field(default=None, ge=1, le=100)
    budget_critical_percent: int | None = Field(default=None, ge=1, le=100)
    platform_check_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    digest_after: int | None = Field(default=None, ge=1, le=100)


class AlertChannelsUpdate(RequestModel):
    """Where alerts go; the webhook's secret is generated (``POST …/settings/alert-webhook-secret``), never sent."""

    emails: EmailList | None = None
    webhook_url: Annotated[str, StringConstraints(max_length=2048), AfterValidator(checked_webhook_url)] | None = None
    customers_receive_alerts: bool | None = None


class AlertSettingsUpdate(RequestModel):
    thresholds: AlertThresholdsUpdate | None = None
    channels: AlertChannelsUpdate | None = None


class AlertContacts(RequestModel):
    """``PUT …/customers/{c}/alert-contacts``: where the customer's own integrations' alerts go (``[]``: nowhere)."""

    emails: EmailList


class SnoozeRequest(RequestModel):
    """Quiet an open alert for ``hours`` (1–168), or ``until`` a moment within 7 days: one of the two."""

    hours: int | None = Field(default=None, ge=1, le=MAX_SNOOZE_HOURS)
    until: Moment | None = None


class TenantSettingsUpdate(RequestModel):
    """Only the fields sent change; ``wmsCredentials`` left out keeps the stored ones."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(readable)] | None \
        = None
    wms_base_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    wms_credentials: WmsCredentialsIn | None = None
    weekly_price_cents: int | None = Field(default=None, ge=0, le=MAX_WEEKLY_PRICE_CENTS)
    self_managed_customer_ids: list[Identifier] | None = Field(default=None, max_length=10_000)
    #: Where alerts go and when a condition becomes one (docs/alerts.md): only the parts sent change.
    alerts: AlertSettingsUpdate | None = None

    @field_validator("self_managed_customer_ids")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("customer ids must not repeat")
        return value


class BillingRunRequest(RequestModel):
    week: Annotated[str, StringConstraints(pattern=WEEK_PATTERN)]


# --- responses --------------------------------------------------------------------------------------------------


class LivePeriodView(ResponseModel):
    start: datetime
    end: datetime | None = None


class IntegrationView(ResponseModel):
    integration_id: str
    tenant_id: str
    #: None for a tenant-level integration (``scope`` ``tenant``): it belongs to the tenant, not a customer.
    customer_id: str | None
    customer_name: str | None
    scope: str
    type: str
    name: str
    status: IntegrationStatus
    completed_steps: list[str]
    #: The next step to complete, ``finish`` when all are done but it isn't live, or None.
    next_step: str | None
    credentials_set: bool
    order_creation: dict[str, Any]
    fulfilment: dict[str, Any]
    live_periods: list[LivePeriodView]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int
    #: Set when deleting could not remove the platform's triggers (the integration is deleted regardless).
    stop_warning: str | None = None
    #: What a person should know about it as it is now, with what to do (its type's ``notices``).
    notices: list[Notice] = Field(default_factory=list)
    #: Values handed over once, by the answer that started the integration's triggers (a webhook URL carrying a
    #: token, a credential for a platform's widget); absent from every other answer.
    shown_once: dict[str, Any] | None = Field(default=None, exclude=True)
    #: The live check of the account (core.live_check) made when it was finished: in that answer only (every check
    #: is kept on the configuration log).
    live_check: dict[str, Any] | None = Field(default=None, exclude=True)

    def to_json(self) -> dict[str, Any]:
        dumped = self.model_dump(by_alias=True, mode="json")
        if self.shown_once:
            dumped["shownOnce"] = dict(self.shown_once)
        if self.live_check is not None:
            dumped["liveCheck"] = self.live_check
        return dumped

    @classmethod
    def of(cls, integration: Integration, *, stop_warning: str | None = None,
           shown_once: dict[str, Any] | None = None, live_check: dict[str, Any] | None = None) -> IntegrationView:
        done = integration.completed_step
        if integration.status is IntegrationStatus.DELETED:
            next_step = None
        elif done + 1 < len(STEPS):
            next_step = STEPS[done + 1]
        else:
            next_step = "finish" if integration.status is IntegrationStatus.DRAFT else None
        return cls(
            integration_id=integration.integration_id,
            tenant_id=integration.tenant_id,
            customer_id=None if integration.is_tenant_level else integration.customer_id,
            customer_name=None if integration.is_tenant_level else integration.customer_name,
            scope=integration.scope,
            type=integration.type,
            name=integration.name,
            status=integration.status,
            completed_steps=list(STEPS[: done + 1]),
            next_step=next_step,
            credentials_set=bool(integration.credentials),
            order_creation=integration.order_settings,
            fulfilment=integration.fulfilment_settings,
            live_periods=[LivePeriodView(start=p.start, end=p.end) for p in integration.live_periods],
            created_at=integration.created_at,
            updated_at=integration.updated_at,
            deleted_at=integration.deleted_at,
            version=integration.version,
            stop_warning=stop_warning,
            notices=_notices(integration),
            shown_once=shown_once or None, live_check=live_check,
        )


def _notices(integration: Integration) -> list[Notice]:
    if integration.status is not IntegrationStatus.LIVE:
        return []
    integration_type = catalog.get(integration.type)
    return integration_type.notices(integration) if integration_type is not None else []


class IntegrationList(ResponseModel):
    integrations: list[IntegrationView]


class CustomerView(ResponseModel):
    customer_id: str
    name: str
    live_integrations: int
    #: The green dot: whether the customer has any live integration.
    has_live_integrations: bool
    self_managed: bool


class CustomerList(ResponseModel):
    customers: list[CustomerView]


class TenantSettingsView(ResponseModel):
    tenant_id: str
    name: str
    wms_base_url: str
    wms_credentials_set: bool
    notification_secret_set: bool
    weekly_price_cents: int
    self_managed_customer_ids: list[str]
    #: Thresholds (each with its default until set) and channels; the webhook's secret only as ``webhookSecretSet``.
    alerts: dict[str, Any]

    @classmethod
    def of(cls, tenant: Tenant) -> TenantSettingsView:
        return cls(
            tenant_id=tenant.tenant_id,
            name=tenant.name,
            wms_base_url=tenant.wms_base_url,
            wms_credentials_set=bool(tenant.wms_credentials),
            notification_secret_set=bool(tenant.notification_secret),
            weekly_price_cents=tenant.weekly_price_cents,
            self_managed_customer_ids=list(tenant.self_managed_customer_ids),
            alerts=alert_settings_view(tenant),
        )


def alert_settings_view(tenant: Tenant) -> dict[str, Any]:
    """The tenant's alert settings as the API shows them: never the webhook's secret, only whether one is set."""
    channels = tenant.alerts.channels
    return {
        "thresholds": tenant.alerts.thresholds.model_dump(by_alias=True, mode="json"),
        "channels": {"emails": list(channels.emails), "webhookUrl": channels.webhook_url or None,
                     "webhookSecretSet": bool(channels.webhook_secret),
                     "customersReceiveAlerts": channels.customers_receive_alerts,
                     "customerEmails": {customer: list(emails)
                                        for customer, emails in channels.customer_emails.items()}},
    }

