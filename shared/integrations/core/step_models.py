"""The building blocks of a type's step models (core.integration_types): camelCase fields that refuse unknown ones,
credentials that travel in a header, and WMS warehouse ids the frame checks, found in a step's values by
:func:`warehouse_values`."""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

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


def warehouse_values(model: BaseModel) -> Iterator[tuple[str, str]]:
    """``(field path, value)`` for every :data:`WarehouseId` value of ``model``, read from its fields' declarations
    (nested models, lists and maps included, paths by alias: ``warehouseMappings[1].warehouseId``), in field order."""
    yield from _warehouse_values(model, None, "")


def _warehouse_values(value: Any, annotation: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            key = info.serialization_alias or info.alias or name
            field_path = f"{path}.{key}" if path else key
            field_value = getattr(value, name)
            if _marked(info) and isinstance(field_value, str):
                yield field_path, field_value
            else:
                yield from _warehouse_values(field_value, info.annotation, field_path)
    elif isinstance(value, str):
        if _declares_warehouse(annotation):
            yield path, value
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _warehouse_values(item, _element_type(annotation, of=list), f"{path}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _warehouse_values(item, _element_type(annotation, of=dict), f"{path}.{key}" if path else key)


def _marked(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get(WMS_WAREHOUSE_MARKER) is True


def _declares_warehouse(annotation: Any) -> bool:
    """Whether a type is :data:`WarehouseId`, or a union with it (``WarehouseId | None``)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return any(isinstance(meta, FieldInfo) and _marked(meta) for meta in annotation.__metadata__) \
            or _declares_warehouse(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_declares_warehouse(option) for option in get_args(annotation))
    return False


def _element_type(annotation: Any, *, of: type) -> Any:
    """The type of a list's items or a map's values, through ``Annotated`` and unions (None if not declared)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _element_type(get_args(annotation)[0], of=of)
    if origin in (Union, types.UnionType):
        found = (_element_type(option, of=of) for option in get_args(annotation))
        return next((element for element in found if element is not None), None)
    args = get_args(annotation)
    if of is list and origin in (list, tuple) and args:
        return args[0]
    if of is dict and origin is dict and len(args) == 2:
        return args[1]
    return None
