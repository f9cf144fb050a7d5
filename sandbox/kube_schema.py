"""Decoding a request body the way the apiserver does: field types and unknown fields.

The field names and types come from the official client's generated models
(``kubernetes.client.models``: ``openapi_types`` and ``attribute_map``, generated from the
Kubernetes OpenAPI), not from a hand-kept list. ``decode`` walks a body against its kind:

* a value of the wrong JSON type is a 400 BadRequest worded like the apiserver's JSON decoder
  (``Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go
  struct field PodSpec.spec.containers of type []v1.Container``);
* an unknown field is dropped and reported (``unknown field "spec.foo"``), which the routes send
  as a ``Warning: 299`` header (field validation ``Warn``, the default since Kubernetes 1.27), or
  a 400 ``strict decoding error`` under ``fieldValidation=Strict``
  (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).
"""

from __future__ import annotations

import re
from typing import Any

from kubernetes.client import models

from sandbox.kube_resources import ApiError, Resource

# Maps whose values are resource.Quantity: JSON numbers decode too ("cpu": 1).
QUANTITY_MAPS = frozenset({"limits", "requests", "capacity", "allocatable", "hard", "used", "overhead"})
_GO_SCALARS = {
    "str": "string",
    "int": "int32",
    "bool": "bool",
    "float": "float64",
    "datetime": "v1.Time",
    "date": "v1.Time",
}


def model_for(kind: str) -> type | None:
    """The generated model class of a served kind (``V1Pod``; events are ``CoreV1Event``)."""
    return getattr(models, f"V1{kind}", None) or getattr(models, f"CoreV1{kind}", None)


def _model(type_name: str) -> type | None:
    return getattr(models, type_name, None)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_type(type_name: str) -> str:
    if m := re.fullmatch(r"List\[(.+)\]", type_name):
        return "[]" + _go_type(m[1])
    if m := re.fullmatch(r"Dict\[str, (.+)\]", type_name):
        return "map[string]" + _go_type(m[1])
    if type_name in _GO_SCALARS:
        return _GO_SCALARS[type_name]
    return "v1." + re.sub(r"^(Core)?V\d+(beta\d+|alpha\d+)?", "", type_name)


def _is_scalar(value: Any, type_name: str) -> bool:
    """Whether ``value`` decodes as the scalar ``type_name``; a float with no fraction is an int."""
    return {
        "str": isinstance(value, str),
        "datetime": isinstance(value, str),
        "date": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int)
        and not isinstance(value, bool)
        or isinstance(value, float)
        and value.is_integer(),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[type_name]


class Decoder:
    """One body's decoding: collects unknown fields, raises on the first wrong type."""

    def __init__(self, res: Resource):
        self.res = res
        self.unknown: list[str] = []

    def _mismatch(self, value: Any, struct: str, path: str, type_name: str) -> ApiError:
        kind = self.res.kind
        return ApiError(
            400,
            "BadRequest",
            f'{kind} in version "{self.res.version}" cannot be handled as a {kind}: json: '
            f"cannot unmarshal {_json_type(value)} into Go struct field {struct}.{path} "
            f"of type {_go_type(type_name)}",
        )

    def value(self, value: Any, type_name: str, path: str, struct: str, field: str) -> Any:
        """``value`` decoded as ``type_name``; unknown fields inside are dropped."""
        if value is None or type_name == "object":
            return value
        if m := re.fullmatch(r"List\[(.+)\]", type_name):
            return self._list(value, type_name, m[1], path, struct, field)
        if m := re.fullmatch(r"Dict\[str, (.+)\]", type_name):
            return self._map(value, type_name, m[1], path, struct, field)
        if type_name in _GO_SCALARS:
            if not _is_scalar(value, type_name):
                raise self._mismatch(value, struct, path, type_name)
            return value
        model = _model(type_name)
        if model is None:
            return value
        if not isinstance(value, dict):
            raise self._mismatch(value, struct, path, type_name)
        return self.object(value, model, path)

    def _list(self, value: Any, type_name: str, item_type: str, path: str, struct: str, field: str) -> list[Any]:
        """``value`` decoded as ``List[item_type]``."""
        if not isinstance(value, list):
            raise self._mismatch(value, struct, path, type_name)
        return [self.value(v, item_type, f"{path}[{i}]", struct, field) for i, v in enumerate(value)]

    def _map(self, value: Any, type_name: str, inner: str, path: str, struct: str, field: str) -> dict[str, Any]:
        """``value`` decoded as ``Dict[str, inner]``; the quantity maps keep their values as sent."""
        if not isinstance(value, dict):
            raise self._mismatch(value, struct, path, type_name)
        if inner == "str" and field in QUANTITY_MAPS:
            inner = "object"
        return {k: self.value(v, inner, path, struct, field) for k, v in value.items()}

    def object(self, obj: dict[str, Any], model: type, path: str) -> dict[str, Any]:
        by_json = {json_name: model.openapi_types[py] for py, json_name in model.attribute_map.items()}
        struct = re.sub(r"^(Core)?V\d+(beta\d+|alpha\d+)?", "", model.__name__)
        kept: dict[str, Any] = {}
        for key, value in obj.items():
            child = f"{path}.{key}" if path else key
            if key not in by_json:
                self.unknown.append(f'unknown field "{child}"')
                continue
            kept[key] = self.value(value, by_json[key], child, struct, key)
        return kept


def decode(res: Resource, body: dict[str, Any], *, strict: bool = False) -> tuple[dict[str, Any], list[str]]:
    """The body as the apiserver keeps it and the warnings to send; raises ApiError 400."""
    model = model_for(res.kind)
    if model is None:
        return body, []
    decoder = Decoder(res)
    kept = decoder.object(body, model, "")
    if strict and decoder.unknown:
        raise ApiError(
            400,
            "BadRequest",
            f'{res.kind} in version "{res.version}" cannot be handled as a '
            f"{res.kind}: strict decoding error: {', '.join(decoder.unknown)}",
        )
    return kept, decoder.unknown
