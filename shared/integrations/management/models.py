"""The management API's request bodies and responses (openapi/management.yaml documents the same shapes).

Request models forbid unknown fields, so a misspelt field is a 400 naming it rather than silently ignored.
Responses never carry credential values: only ``credentialsSet`` / ``wmsCredentialsSet``.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Annotated, Any, TypeVar

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


class TenantSettingsUpdate(RequestModel):
    """Only the fields sent change; ``wmsCredentials`` left out keeps the stored ones."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(readable)] | None \
        = None
    wms_base_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    wms_credentials: WmsCredentialsIn | None = None
    weekly_price_cents: int | None = Field(default=None, ge=0, le=MAX_WEEKLY_PRICE_CENTS)
    self_managed_customer_ids: list[Identifier] | None = Field(default=None, max_length=10_000)

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
        )
