"""The building blocks of a type's step models (core.integration_types): camelCase fields that refuse unknown ones,
credentials that travel in a header, and WMS warehouse ids the frame checks, found in a step's values by
:func:`warehouse_values`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

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
