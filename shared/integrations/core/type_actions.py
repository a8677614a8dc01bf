"""What a person can do with an integration of a type beyond its steps (export a CSV, rotate a URL, push a record):
each a real route of the connector's, described so a console needs no per-platform code."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

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
