"""List queries for the Kubernetes stand-in: label selectors, field selectors, pagination.

Pure functions, called by ``kube_store`` when it answers a list. Selectors are parsed the way
the apiserver reads them (``app=web,tier!=db``, ``env in (a,b)``, ``!legacy``;
``status.phase=Running,spec.nodeName!=``); a malformed selector or an unsupported field label
raises ``ApiError`` 400 like the real server. Continue tokens are opaque base64 JSON holding
the last key returned.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from sandbox.kube_resources import ApiError, bad_request

Obj = dict[str, Any]
Predicate = Callable[[Obj], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?|"
_SET_RE = re.compile(rf"^\s*(?P<key>{_KEY})\s+(?P<op>in|notin)\s+\((?P<values>[^)]*)\)\s*$")
_CMP_RE = re.compile(rf"^\s*(?P<key>{_KEY})\s*(?P<op>==|!=|=)\s*(?P<value>{_VALUE})\s*$")
_EXISTS_RE = re.compile(rf"^\s*(?P<neg>!?)\s*(?P<key>{_KEY})\s*$")

# Field labels the apiserver supports per kind, mapped to the dotted path in the object.
_COMMON_FIELDS = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"}
_KIND_FIELDS: dict[str, dict[str, str]] = {
    "Pod": {
        "spec.nodeName": "spec.nodeName",
        "status.phase": "status.phase",
        "spec.restartPolicy": "spec.restartPolicy",
        "spec.schedulerName": "spec.schedulerName",
        "spec.serviceAccountName": "spec.serviceAccountName",
        "status.podIP": "status.podIP",
        "status.nominatedNodeName": "status.nominatedNodeName",
    },
    "Event": {
        f"involvedObject.{k}": f"involvedObject.{k}"
        for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
    }
    | {"reason": "reason", "type": "type", "source": "source.component", "reportingComponent": "reportingComponent"},
    "Node": {"spec.unschedulable": "spec.unschedulable"},
    "Namespace": {"status.phase": "status.phase"},
    "Secret": {"type": "type"},
    "ReplicaSet": {"status.replicas": "status.replicas"},
    "Job": {"status.successful": "status.successful"},
}


def _split_terms(selector: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    terms, depth, current = [], 0, []
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(ch)
    terms.append("".join(current))
    return [t for t in terms if t.strip()]


def _label_term(term: str) -> Predicate:
    if m := _SET_RE.match(term):
        key, values = m["key"], {v.strip() for v in m["values"].split(",")}
        if m["op"] == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _CMP_RE.match(term):
        key, value = m["key"], m["value"]
        if m["op"] == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS_RE.match(term):
        key = m["key"]
        if m["neg"]:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise bad_request(f"unable to parse requirement: {term.strip()!r}")


def label_selector(selector: str | None) -> Predicate:
    """A predicate on objects for a label selector; empty or None matches everything."""
    tests = [_label_term(t) for t in _split_terms(selector or "")]

    def match(obj: Obj) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(test(labels) for test in tests)

    return match


def field_value(obj: Obj, path: str) -> str:
    """The value at a dotted path as the apiserver compares it (missing -> "", bools lowercase)."""
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_selector(selector: str | None, kind: str) -> Predicate:
    """A predicate for a field selector (``=``, ``==``, ``!=``) over the labels ``kind`` supports."""
    supported = _COMMON_FIELDS | _KIND_FIELDS.get(kind, {})
    tests: list[tuple[str, bool, str]] = []
    for term in _split_terms(selector or ""):
        m = re.match(r"^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$", term)
        if not m:
            raise bad_request(f"invalid selector: '{selector}'; can't understand '{term.strip()}'")
        label, op, value = m.groups()
        if label not in supported:
            raise bad_request(f"field label not supported: {label}")
        tests.append((supported[label], op == "!=", value))

    def match(obj: Obj) -> bool:
        return all(
            (field_value(obj, path) != value) if negate else (field_value(obj, path) == value)
            for path, negate, value in tests
        )

    return match


def encode_continue(last_key: tuple[str, str], resource_version: str) -> str:
    raw = json.dumps({"rv": resource_version, "start": list(last_key)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        namespace, name = data["start"]
        return str(namespace), str(name)
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ApiError(400, "BadRequest", f"continue key is not valid: {exc}") from exc


def paginate(
    items: list[Obj], limit: int | None, token: str | None, resource_version: str
) -> tuple[list[Obj], dict[str, Any]]:
    """One page of ``items`` (sorted by namespace/name) and the list metadata to send with it."""

    def key(o: Obj) -> tuple[str, str]:
        meta = o.get("metadata") or {}
        return meta.get("namespace") or "", meta.get("name") or ""

    ordered = sorted(items, key=key)
    if token:
        start = decode_continue(token)
        ordered = [o for o in ordered if key(o) > start]
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if limit and limit > 0 and len(ordered) > limit:
        page = ordered[:limit]
        meta["continue"] = encode_continue(key(page[-1]), resource_version)
        meta["remainingItemCount"] = len(ordered) - limit
        return page, meta
    return ordered, meta
