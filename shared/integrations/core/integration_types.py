"""Integration types: what each platform contributes to the management frame.

The management API (configure in steps, reconfigure, delete) knows no platform. Each platform package defines one
:class:`IntegrationType` subclass, named by its connector's declaration (core.connectors); the management service
finds types through the connectors. The steps follow the product's screens:

1. *name* — common to every type;
2. *authentication* — ``credentials_model`` (every field is secret: sealed with KMS, never returned), checked with
   a real platform call in :meth:`IntegrationType.check_credentials`;
3. *order creation* — ``order_settings_model``;
4. *fulfilment* — ``fulfilment_settings_model``;

then *finish*, which makes the integration live and calls :meth:`IntegrationType.start` (register webhooks,
schedules…). Delete calls :meth:`IntegrationType.stop`. Reconfiguring a live integration calls ``start`` again
with the new settings (it must be idempotent: re-register, don't duplicate).

Two things a type may add (docs/writing-a-connector.md "Tenant-level types and actions"):

- ``scope``: most integrations belong to one customer (``"customer"``); a platform that serves the whole 3PL (a
  TMS serving every customer) is ``"tenant"``: only tenant admins configure it, under ``/tenants/{t}/integrations``;
- ``actions``: what else a person can do with an integration of the type (export a CSV, rotate a URL, push a
  record), each a real route of the connector's, described as :class:`TypeAction` so a console needs no
  per-platform code.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from .crypto import Credentials
from .errors import PermanentError
from .records import CamelModel
from .stores.tenants import Tenant

if TYPE_CHECKING:
    from .live_check import Finding

STEPS = ("name", "authentication", "orderCreation", "fulfilment")

#: Who an integration belongs to: one customer of the tenant, or the tenant itself (a platform serving every customer).
Scope = Literal["customer", "tenant"]
CUSTOMER_SCOPE: Scope = "customer"
TENANT_SCOPE: Scope = "tenant"
#: ``start`` may return this key among its facts: values handed to the person finishing (a webhook URL carrying a
#: token, a credential for a widget). The frame answers them once, in that response, and never stores them.
SHOWN_ONCE = "shownOnce"


#: JSON Schema marker of a step field holding a WMS warehouse id. The management frame checks every field so marked
#: (nested models and lists included) against the warehouses the integration's customer may use in the WMS.
WMS_WAREHOUSE_MARKER = "x-wms-warehouse"

#: A WMS warehouse id the customer must be able to use (checked by the frame before a step is accepted).
WarehouseId = Annotated[str, Field(min_length=1, max_length=64, json_schema_extra={WMS_WAREHOUSE_MARKER: True})]


#: A credential sent in an HTTP header or Basic auth: printable ASCII without spaces, as platforms issue them (any
#: other character can't be sent at all, so it is refused as a 400 naming the field, not failed on at send time).
HEADER_SAFE_PATTERN = r"^[!-~]+$"


def header_safe(max_length: int, description: str = "") -> Any:
    """A ``Field`` for a credential that travels in a header."""
    return Field(min_length=1, max_length=max_length, pattern=HEADER_SAFE_PATTERN, repr=False,
                 description=description or None)


class StepModel(BaseModel):
    """A convenient base for a type's step models: camelCase fields, and unknown fields refused (a typo is a 400
    naming the field, not a setting silently ignored)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              defer_build=True)


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


@dataclass(frozen=True)
class IntegrationContext:
    """Everything a type's hooks may use. ``credentials`` are already decrypted (``Credentials.reveal`` to send)."""

    tenant: Tenant
    integration: Integration
    credentials: Credentials
    #: The public base URL of this deployment's API (webhook delivery URLs are built from it).
    api_base_url: str


class CredentialsRejected(PermanentError):
    """The platform refused the credentials, or they can't be used (read-only key, plain permalinks…).

    ``field`` names the step-2 field to fix (the API answers 400 with it); ``resolution`` says how.
    """

    http_status = 400
    http_title = "Credentials rejected"

    def __init__(self, message: str, *, field: str, resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field


class SettingsRejected(PermanentError):
    """A step's settings are valid in shape but not usable (e.g. a warehouse the customer can't use)."""

    http_status = 400
    http_title = "Settings rejected"

    def __init__(self, message: str, *, field: str, resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field


class PlatformNotAvailable(PermanentError):
    """This platform's credential check or triggers are not built yet: refuse rather than pretend.

    ``field`` names what can't be accepted yet (a step-2 field, or ``status`` when finishing).
    """

    http_status = 422
    http_title = "Not available yet"

    def __init__(self, message: str, *, field: str, resolution: str) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field


ActionContentType = Literal["application/json", "text/csv"]
_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")


class _ActionModel(BaseModel):
    # Built on first use, not at import: only the management API and the types that declare actions read them.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True,
                              defer_build=True)


class ActionRequest(_ActionModel):
    content_type: ActionContentType
    #: JSON Schema of the body (a JSON body); a CSV body describes its columns in the action's description.
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")


class ActionResponse(_ActionModel):
    #: ``text/csv`` answers are downloads.
    content_type: ActionContentType


class TypeAction(_ActionModel):
    """Something a person can do with one integration of a type, served by a real route of its connector.

    ``path`` is relative to the integration's own URL (``/tenants/{t}/integrations/{i}/`` for a tenant-level one,
    ``/tenants/{t}/customers/{c}/integrations/{i}/`` otherwise); its ``{placeholders}`` are exactly the properties of
    ``parameters`` (a JSON Schema object), and nothing else is sent in the URL.
    """

    key: str = Field(pattern=r"^[a-z][a-zA-Z0-9-]*$")
    title: str
    description: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str = Field(pattern=r"^[a-z][a-zA-Z0-9{}/.-]*$")
    parameters: dict[str, Any] | None = None
    request: ActionRequest | None = None
    response: ActionResponse
    #: The action only makes sense once the integration is live (before that its route answers 409).
    requires_live: bool = True

    @model_validator(mode="after")
    def _placeholders_are_the_parameters(self) -> TypeAction:
        named = set(_PLACEHOLDER.findall(self.path))
        declared = set((self.parameters or {}).get("properties", {}))
        if named != declared:
            raise ValueError(f"action {self.key}: path placeholders {sorted(named)} must be exactly the parameters' "
                             f"properties {sorted(declared)}")
        return self

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class Notice(CamelModel):
    """Something a person should know about an integration (shown with it, and in the answer of the step that caused
    it), and what to do about it."""

    message: str
    resolution: str | None = None


class IntegrationType(ABC):
    key: ClassVar[str]
    title: ClassVar[str]
    credentials_model: ClassVar[type[BaseModel]]
    order_settings_model: ClassVar[type[BaseModel]]
    fulfilment_settings_model: ClassVar[type[BaseModel]]
    #: ``platform_state`` entries holding sealed secrets of the integration's own (a webhook signing secret): the
    #: frame deletes them with the integration.
    state_secrets: ClassVar[tuple[str, ...]] = ()
    #: ``"customer"``: one customer's integration; ``"tenant"``: the tenant's own (tenant admins only, one per
    #: platform account per tenant, no customer).
    scope: ClassVar[Scope] = CUSTOMER_SCOPE
    #: What a person can do with an integration of this type beyond the steps (the connector serves each route).
    actions: ClassVar[tuple[TypeAction, ...]] = ()

    @abstractmethod
    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        """Make a real call with these credentials. Return facts to keep in ``platform_state``; raise
        :class:`CredentialsRejected` naming the field when they don't work — an unreachable host included: a setup
        step is interactive, so it is never "retried automatically"."""

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        """Which platform account these credentials reach (a store URL, an API id, an organisation id), from the
        credentials and what :meth:`check_credentials` returned. The frame allows one live integration per
        account per customer — per tenant for a tenant-level type (a second is refused with 409 naming the first).
        None: no such limit."""
        return None

    def check_settings(self, context: IntegrationContext, step: str, settings: BaseModel) -> None:  # noqa: B027
        """Check a step's settings against the platform or the WMS; raise :class:`SettingsRejected`."""

    @abstractmethod
    def start(self, context: IntegrationContext) -> dict[str, Any]:
        """Make the integration live: register webhooks etc. Idempotent. Returns ``platform_state`` updates, and
        under :data:`SHOWN_ONCE` any values to show the person once (never stored)."""

    def notices(self, integration: Integration) -> list[Notice]:
        """What a person should know about this integration as it is now, shown with it (e.g. it runs on polling
        alone because the platform had no webhook subscription left), each with what to do."""
        return []

    @abstractmethod
    def stop(self, context: IntegrationContext) -> None:
        """Stop its triggers now (remove webhooks). Must tolerate what is already gone."""

    def check_live(self, credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
        """Probe the account read-only against the connector's declared assumptions (core.live_check): a
        :class:`~integrations.core.live_check.Finding` per assumption it can settle (``confirmed``/``refuted``);
        what it leaves out is reported "not checkable". ``platform_state`` is what the integration keeps (empty
        from the command line). Never write to the account here."""
        return []

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The type and the fields each step asks for (JSON Schema of each step's model)."""
        return {
            "type": cls.key,
            "title": cls.title,
            "scope": cls.scope,
            "actions": [action.to_json() for action in cls.actions],
            "steps": [
                {"step": "name", "fields": {"type": "object", "required": ["name"],
                                            "properties": {"name": {"type": "string", "minLength": 1,
                                                                    "maxLength": 100}}}},
                {"step": "authentication", "fields": cls.credentials_model.model_json_schema(by_alias=True)},
                {"step": "orderCreation", "fields": cls.order_settings_model.model_json_schema(by_alias=True)},
                {"step": "fulfilment", "fields": cls.fulfilment_settings_model.model_json_schema(by_alias=True)},
            ],
        }
