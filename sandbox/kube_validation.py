"""Validation on write for the Kubernetes stand-in: the 422 Invalid answers of the apiserver.

``validate(res, obj, old)`` returns field errors the way ``k8s.io/apimachinery`` builds them
(``field.Error``: a path, a reason, the bad value, a detail) and ``invalid_error`` turns them
into the Status the apiserver sends (``apierrors.NewInvalid``: ``Pod "x" is invalid:
spec.containers: Required value``, ``details.causes``). The rules, each from upstream source:

* object names: ``kubernetes/kubernetes pkg/apis/core/validation/validation.go`` (namespaces and
  container names are DNS-1123 labels, services DNS-1035 labels, the rest DNS-1123 subdomains),
  messages from ``kubernetes/apimachinery pkg/util/validation/validation.go``;
* label keys and values and the 256 KiB annotation budget:
  ``kubernetes/apimachinery pkg/api/validation/objectmeta.go`` and
  ``pkg/apis/meta/v1/validation/validation.go``;
* a pod (or pod template) needs containers, each with a name and an image:
  ``kubernetes/kubernetes pkg/apis/core/validation/validation.go`` (validateContainers);
* namespace ``pod-security.kubernetes.io/*`` labels: ``kubernetes/kubernetes
  staging/src/k8s.io/pod-security-admission/api/helpers.go`` (``PolicyToEvaluate``), refused by
  ``admission/admission.go`` ``ValidateNamespace`` with ``invalidResponse`` (``NewInvalid``, 422).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sandbox.kube_resources import ApiError, Resource

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN = rf"{_LABEL}(\.{_LABEL})*"
_DNS1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_QNAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = rf"({_QNAME})?"
TOTAL_ANNOTATION_BYTES = 256 * 1024

MSG_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    f"validation is '{_LABEL}')"
)
MSG_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    f"validation is '{_SUBDOMAIN}')"
)
MSG_DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
    f"regex used for validation is '{_DNS1035}')"
)
MSG_QNAME = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
    f"is '{_QNAME}')"
)
MSG_LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    f"'12345', regex used for validation is '{_LABEL_VALUE}')"
)

# How each kind's metadata.name is checked: (regex, message, max length).
_NAME_RULES = {
    "label": (_LABEL, MSG_LABEL, 63),
    "subdomain": (_SUBDOMAIN, MSG_SUBDOMAIN, 253),
    "dns1035": (_DNS1035, MSG_DNS1035, 63),
}
NAME_RULE_BY_KIND = {"Namespace": "label", "Service": "dns1035"}  # every other kind: "subdomain"
POD_TEMPLATE_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job")
PSA_PREFIX = "pod-security.kubernetes.io/"
PSA_LEVELS = ("privileged", "baseline", "restricted")
_PSA_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")

REASONS = {
    "Required": "FieldValueRequired",
    "Invalid": "FieldValueInvalid",
    "TooLong": "FieldValueTooLong",
    "Duplicate": "FieldValueDuplicate",
}


@dataclass(frozen=True)
class FieldError:
    """One ``field.Error``: ``type`` is Required, Invalid, TooLong or Duplicate."""

    field: str
    type: str
    value: Any = None
    detail: str = ""

    def body(self) -> str:
        """``field.Error.ErrorBody``: ``Required value``, ``Invalid value: "x": detail``."""
        if self.type == "Required":
            text = "Required value"
        elif self.type == "TooLong":
            text = "Too long"
        else:
            text = f"{self.type} value: {json.dumps(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


def invalid_error(res: Resource, name: str, errors: list[FieldError]) -> ApiError:
    """``apierrors.NewInvalid``: ``Kind[.group] "name" is invalid: <errors>`` with the causes."""
    qualified = f"{res.kind}.{res.group}" if res.group else res.kind
    text = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(str(e) for e in errors) + "]"
    causes = [{"reason": REASONS[e.type], "message": e.body(), "field": e.field} for e in errors]
    details: dict[str, Any] = {"name": name, "kind": res.kind, "causes": causes}
    if res.group:
        details["group"] = res.group
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}', details)


def _name_errors(value: str, rule: str, field: str) -> list[FieldError]:
    regex, message, limit = _NAME_RULES[rule]
    errors = []
    if len(value) > limit:
        errors.append(FieldError(field, "Invalid", value, f"must be no more than {limit} characters"))
    if not re.fullmatch(regex, value):
        errors.append(FieldError(field, "Invalid", value, message))
    return errors


def _qualified_name_errors(key: str, field: str) -> list[FieldError]:
    prefix, _, name = key.rpartition("/") if "/" in key else ("", "", key)
    details = []
    if "/" in key:
        if key.count("/") > 1:
            details.append(
                "a qualified name "
                + MSG_QNAME.removeprefix("name part ")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )
        elif not prefix:
            details.append("prefix part must be non-empty")
        elif len(prefix) > 253 or not re.fullmatch(_SUBDOMAIN, prefix):
            details.append("prefix part " + MSG_SUBDOMAIN)
    if not name:
        details.append("name part must be non-empty")
    elif len(name) > 63:
        details.append("name part must be no more than 63 characters")
    elif not re.fullmatch(_QNAME, name):
        details.append(MSG_QNAME)
    return [FieldError(field, "Invalid", key, d) for d in details]


def _meta_errors(res: Resource, meta: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    name = meta.get("name") or ""
    if name:
        errors += _name_errors(name, NAME_RULE_BY_KIND.get(res.kind, "subdomain"), "metadata.name")
    for key, value in (meta.get("labels") or {}).items():
        errors += _qualified_name_errors(key, "metadata.labels")
        if len(value) > 63:
            errors.append(FieldError("metadata.labels", "Invalid", value, "must be no more than 63 characters"))
        if not re.fullmatch(_LABEL_VALUE, value):
            errors.append(FieldError("metadata.labels", "Invalid", value, MSG_LABEL_VALUE))
    annotations = meta.get("annotations") or {}
    for key in annotations:
        errors += _qualified_name_errors(key.lower(), "metadata.annotations")
    size = sum(len(k) + len(v or "") for k, v in annotations.items())
    if size > TOTAL_ANNOTATION_BYTES:
        errors.append(
            FieldError("metadata.annotations", "TooLong", None, f"must have at most {TOTAL_ANNOTATION_BYTES} bytes")
        )
    return errors


def _containers_errors(spec: dict[str, Any], path: str) -> list[FieldError]:
    containers = spec.get("containers") or []
    if not containers:
        return [FieldError(f"{path}.containers", "Required")]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(group) or []):
            where = f"{path}.{group}[{i}]"
            name = container.get("name") or ""
            if not name:
                errors.append(FieldError(f"{where}.name", "Required"))
            elif name in seen:
                errors.append(FieldError(f"{where}.name", "Duplicate", name))
            else:
                errors += _name_errors(name, "label", f"{where}.name")
                seen.add(name)
            if not container.get("image"):
                errors.append(FieldError(f"{where}.image", "Required"))
    return errors


def pod_security_errors(labels: dict[str, str]) -> list[FieldError]:
    """``PolicyToEvaluate``'s errors for the namespace labels, in its order."""
    errors = []
    for mode in ("enforce", "audit", "warn"):
        level_key, version_key = f"{PSA_PREFIX}{mode}", f"{PSA_PREFIX}{mode}-version"
        if level_key in labels and labels[level_key] not in PSA_LEVELS:
            errors.append(
                FieldError(
                    f"metadata.labels[{level_key}]",
                    "Invalid",
                    labels[level_key],
                    "must be one of " + ", ".join(PSA_LEVELS),
                )
            )
        version = labels.get(version_key)
        if version is not None and version != "latest" and not _PSA_VERSION.match(version):
            errors.append(
                FieldError(f"metadata.labels[{version_key}]", "Invalid", version, 'must be "latest" or "v1.x"')
            )
    return errors


def validate(res: Resource, obj: dict[str, Any]) -> list[FieldError]:
    """The apiserver's validation errors for ``obj`` (empty when it is valid)."""
    errors = _meta_errors(res, obj.get("metadata") or {})
    spec = obj.get("spec") or {}
    if res.kind == "Pod":
        errors += _containers_errors(spec, "spec")
    elif res.kind in POD_TEMPLATE_KINDS:
        template = spec.get("template") or {}
        errors += _meta_errors_template(template)
        errors += _containers_errors(template.get("spec") or {}, "spec.template.spec")
    return errors


def _meta_errors_template(template: dict[str, Any]) -> list[FieldError]:
    labels = (template.get("metadata") or {}).get("labels") or {}
    errors = []
    for key, value in labels.items():
        errors += [
            FieldError("spec.template.metadata.labels", e.type, e.value, e.detail)
            for e in _qualified_name_errors(key, "")
        ]
        if not re.fullmatch(_LABEL_VALUE, value) or len(value) > 63:
            errors.append(FieldError("spec.template.metadata.labels", "Invalid", value, MSG_LABEL_VALUE))
    return errors


def admit_namespace(res: Resource, new: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Pod Security admission on namespace writes: refuse invalid labels on create, and on update
    when the invalid labels differ from those already stored (``ValidateNamespace``)."""
    if res.kind != "Namespace":
        return
    errors = pod_security_errors((new.get("metadata") or {}).get("labels") or {})
    if not errors:
        return
    if old is not None and errors == pod_security_errors((old.get("metadata") or {}).get("labels") or {}):
        return
    raise invalid_error(res, (new.get("metadata") or {}).get("name", ""), errors)
