"""Patch documents for the Kubernetes stand-in: JSON patch, JSON merge patch, strategic merge patch.

Called by ``kube_verbs.patch``. RFC 6902 (JSON patch) is applied by the ``jsonpatch`` library,
RFC 7386 (JSON merge patch) by ``json-merge-patch``. Strategic merge patch
(https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md)
is built here: it walks the object with the field types of the official client's models
(``kubernetes.client.models``) and merges a list by its patch merge key where the Kubernetes
types declare one (``MERGE_KEYS``, each row from the ``patchStrategy``/``patchMergeKey`` struct
tags, which the OpenAPI publishes as ``x-kubernetes-patch-strategy`` /
``x-kubernetes-patch-merge-key``); every other list is replaced whole. Directives read:
``$patch: replace|delete`` (maps and list items), ``$retainKeys``, ``$deleteFromPrimitiveList/<f>``,
``$setElementOrder/<f>`` (accepted, order not applied). Apply patches (server-side apply) are
served as strategic merge patches: no field ownership.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import json_merge_patch
import jsonpatch
import jsonpointer
from kubernetes.client import models

from sandbox.kube_schema import model_for


class PatchError(ValueError):
    """The patch could not be applied; the message says which operation failed."""


_CORE = "kubernetes/api core/v1/types.go @ v0.32.0"
_APPS = "kubernetes/api apps/v1/types.go @ v0.32.0"
_META = "kubernetes/apimachinery pkg/apis/meta/v1/types.go @ v0.32.0"
# (model, json field) -> (strategy, merge key or "" for a list of scalars), with the file of the tag.
MERGE_KEYS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("V1PodSpec", "containers"): ("merge", "name", _CORE),
    ("V1PodSpec", "initContainers"): ("merge", "name", _CORE),
    ("V1PodSpec", "ephemeralContainers"): ("merge", "name", _CORE),
    ("V1PodSpec", "volumes"): ("merge,retainKeys", "name", _CORE),
    ("V1PodSpec", "imagePullSecrets"): ("merge", "name", _CORE),
    ("V1PodSpec", "hostAliases"): ("merge", "ip", _CORE),
    ("V1PodSpec", "topologySpreadConstraints"): ("merge", "topologyKey", _CORE),
    ("V1PodSpec", "resourceClaims"): ("merge,retainKeys", "name", _CORE),
    ("V1Container", "env"): ("merge", "name", _CORE),
    ("V1Container", "ports"): ("merge", "containerPort", _CORE),
    ("V1Container", "volumeMounts"): ("merge", "mountPath", _CORE),
    ("V1Container", "volumeDevices"): ("merge", "devicePath", _CORE),
    ("V1EphemeralContainer", "env"): ("merge", "name", _CORE),
    ("V1EphemeralContainer", "ports"): ("merge", "containerPort", _CORE),
    ("V1EphemeralContainer", "volumeMounts"): ("merge", "mountPath", _CORE),
    ("V1PodStatus", "conditions"): ("merge", "type", _CORE),
    ("V1NodeStatus", "conditions"): ("merge", "type", _CORE),
    ("V1NodeStatus", "addresses"): ("merge", "type", _CORE),
    ("V1ServiceSpec", "ports"): ("merge", "port", _CORE),
    ("V1ObjectMeta", "finalizers"): ("merge", "", _META),
    ("V1ObjectMeta", "ownerReferences"): ("merge", "uid", _META),
    ("V1DeploymentStatus", "conditions"): ("merge", "type", _APPS),
    ("V1DaemonSetStatus", "conditions"): ("merge", "type", _APPS),
    ("V1ReplicaSetStatus", "conditions"): ("merge", "type", _APPS),
    ("V1StatefulSetStatus", "conditions"): ("merge", "type", _APPS),
    ("V1DeploymentSpec", "strategy"): ("retainKeys", "", _APPS),
}
_DIRECTIVE_PREFIXES = ("$setElementOrder/", "$deleteFromPrimitiveList/")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 on a copy of ``target``: objects merge recursively, ``null`` removes a key."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    return json_merge_patch.merge(copy.deepcopy(target) if isinstance(target, dict) else {}, copy.deepcopy(patch))


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 applied to a copy of ``target``; all operations succeed or none do."""
    if not isinstance(operations, list):
        raise PatchError("a JSON patch must be a list of operations")
    try:
        return jsonpatch.JsonPatch(operations).apply(target)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, KeyError, TypeError) as exc:
        raise PatchError(str(exc)) from exc


def strategic_merge_patch(kind: str, target: dict[str, Any], patch: Any) -> dict[str, Any]:
    """A strategic merge patch applied to a copy of ``target`` of ``kind``."""
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    model = model_for(kind)
    merged = _merge_map(copy.deepcopy(target), copy.deepcopy(patch), model.__name__ if model else None)
    if merged is None:
        raise PatchError("the patch deleted the whole object")
    return merged


def _field_type(model_name: str | None, key: str) -> str | None:
    model = getattr(models, model_name, None) if model_name else None
    if model is None:
        return None
    for py, json_name in model.attribute_map.items():
        if json_name == key:
            return model.openapi_types[py]
    return None


def _inner(type_name: str | None, container: str) -> str | None:
    if type_name and (m := re.fullmatch(rf"{container}\[(?:str, )?(.+)\]", type_name)):
        return m[1]
    return None


def _merge_map(target: Any, patch: dict[str, Any], model_name: str | None) -> Any:
    directive = patch.pop("$patch", None)
    if directive == "delete":
        return None
    if directive == "replace":
        return _strip(patch)
    if directive is not None:
        raise PatchError(f"Unknown patch type: {directive}")
    result = dict(target) if isinstance(target, dict) else {}
    retain = patch.pop("$retainKeys", None)
    _apply_list_directives(result, patch)
    _merge_fields(result, patch, model_name)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _apply_list_directives(result: dict[str, Any], patch: dict[str, Any]) -> None:
    """Take the ``$...`` list directives out of ``patch``, applying ``$deleteFromPrimitiveList`` to ``result``."""
    for key in [k for k in patch if k.startswith(_DIRECTIVE_PREFIXES)]:
        values = patch.pop(key)
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = [v for v in result[field] if v not in (values or [])]


def _merge_fields(result: dict[str, Any], patch: dict[str, Any], model_name: str | None) -> None:
    """Merge each field of ``patch`` into ``result``; a null (or a merge to nothing) removes the field."""
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
            continue
        type_name = _field_type(model_name, key)
        merged = _merge_value(result.get(key), value, model_name, key, type_name)
        if merged is None:
            result.pop(key, None)
        else:
            result[key] = merged


def _merge_value(old: Any, value: Any, model_name: str | None, key: str, type_name: str | None) -> Any:
    if isinstance(value, dict):
        if type_name and type_name.startswith("Dict["):
            child = _inner(type_name, "Dict")
            return _merge_map(old, value, child if child and hasattr(models, child) else None)
        return _merge_map(old, value, type_name if type_name and hasattr(models, type_name) else None)
    if isinstance(value, list):
        strategy, merge_key, _ = MERGE_KEYS.get((model_name or "", key), ("replace", "", ""))
        item_type = _inner(type_name, "List")
        if "merge" in strategy.split(",") and isinstance(old, list):
            return _merge_list(old, value, merge_key, item_type)
        return [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "replace")]
    return value


def _merge_list(old: list[Any], patch: list[Any], merge_key: str, item_type: str | None) -> list[Any]:
    if any(isinstance(v, dict) and v.get("$patch") == "replace" for v in patch):
        return [_strip(v) for v in patch if not (isinstance(v, dict) and v.get("$patch") == "replace")]
    if not merge_key:  # a list of scalars merged as a set, in order
        return list(old) + [v for v in patch if v not in old]
    result = list(old)
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}")
        index = next(
            (i for i, o in enumerate(result) if isinstance(o, dict) and o.get(merge_key) == item[merge_key]), None
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
            continue
        model = item_type if item_type and hasattr(models, item_type) else None
        if index is None:
            result.append(_strip(item))
        else:
            result[index] = _merge_map(result[index], dict(item), model)
    return result


def _strip(value: Any) -> Any:
    """A patch value without directives, as stored when nothing is there to merge with."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value
