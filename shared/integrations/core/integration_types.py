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

The integration as stored is :mod:`.integration_record`; what step models are made of, :mod:`.step_models`; the
actions' descriptions, :mod:`.type_actions`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from .crypto import Credentials
from .errors import PermanentError
from .integration_record import CUSTOMER_SCOPE, Integration, Scope
from .records import CamelModel
from .stores.tenants import Tenant
from .type_actions import TypeAction

if TYPE_CHECKING:
    from .live_check import Finding

STEPS = ("name", "authentication", "orderCreation", "fulfilment")

#: ``start`` may return this key among its facts: values handed to the person finishing (a webhook URL carrying a
#: token, a credential for a widget). The frame answers them once, in that response, and never stores them.
SHOWN_ONCE = "shownOnce"


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
