"""The Kubernetes stand-in's vocabulary: which resources it serves and how it reports errors.

Pure data, no I/O. ``RESOURCES`` is the table every other ``kube_*`` module works from
(group, version, plural, kind, namespaced); ``ApiError`` carries a Kubernetes ``Status``
object so ``kube_routes`` can answer the way a kube-apiserver does and the official client
raises ``ApiException`` with the right status. Discovery documents (``/api``, ``/apis``,
``/apis/{group}/{version}``) are built from the same table.

Error texts follow the apiserver's wording as seen in real reports, for example
``pods "x" not found`` (https://github.com/kubernetes/kubernetes/issues/129177) and
``Operation cannot be fulfilled on pods "x": the object has been modified; ...``
(https://github.com/humio/humio-operator/pull/805).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One served resource type, for example ``apps/v1 deployments`` (kind ``Deployment``)."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """How the apiserver names the resource in messages: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def __str__(self) -> str:
        return f"{self.api_version} {self.plural}"


RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "namespaces", "Namespace", namespaced=False),
    Resource("", "v1", "nodes", "Node", namespaced=False),
    Resource("", "v1", "pods", "Pod", namespaced=True),
    Resource("", "v1", "events", "Event", namespaced=True),
    Resource("", "v1", "services", "Service", namespaced=True),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", namespaced=True),
    Resource("", "v1", "configmaps", "ConfigMap", namespaced=True),
    Resource("", "v1", "secrets", "Secret", namespaced=True),
    Resource("apps", "v1", "deployments", "Deployment", namespaced=True),
    Resource("apps", "v1", "replicasets", "ReplicaSet", namespaced=True),
    Resource("apps", "v1", "daemonsets", "DaemonSet", namespaced=True),
    Resource("apps", "v1", "statefulsets", "StatefulSet", namespaced=True),
    Resource("batch", "v1", "jobs", "Job", namespaced=True),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress", namespaced=True),
    Resource("networking.k8s.io", "v1", "ingressclasses", "IngressClass", namespaced=False),
    Resource("coordination.k8s.io", "v1", "leases", "Lease", namespaced=True),
)

_BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND = {r.kind: r for r in RESOURCES}

# Subresources answered per plural; "status" reads and writes the whole object.
SUBRESOURCES: dict[str, tuple[str, ...]] = {
    "pods": ("status", "log", "eviction"),
    "deployments": ("status",),
    "replicasets": ("status",),
    "daemonsets": ("status",),
    "statefulsets": ("status",),
    "jobs": ("status",),
    "ingresses": ("status",),
    "nodes": ("status",),
    "namespaces": ("status",),
    "services": ("status",),
}


def by_path(group: str, version: str, plural: str) -> Resource | None:
    return _BY_PATH.get((group, version, plural))


def by_kind(kind: str) -> Resource:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"the Kubernetes stand-in does not serve kind {kind!r}") from None


def group_versions() -> dict[str, list[str]]:
    """Named API groups (not the core group) and their versions."""
    groups: dict[str, list[str]] = {}
    for r in RESOURCES:
        if r.group and r.version not in groups.setdefault(r.group, []):
            groups[r.group].append(r.version)
    return groups


class ApiError(Exception):
    """A failed request, carried as the ``Status`` object the apiserver would send."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(res: Resource, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": res.plural}
    if res.group:
        details["group"] = res.group
    return details


def not_found(res: Resource, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found', _details(res, name))


def already_exists(res: Resource, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{res.qualified} "{name}" already exists', _details(res, name))


def conflict(res: Resource, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        _details(res, name),
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(user: str, verb: str, res: Resource, resource: str, namespace: str | None, name: str = "") -> ApiError:
    """403 worded like the RBAC authorizer: who, which verb, which resource, where."""
    subject = f'{res.qualified} "{name}"' if name else res.qualified
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "{res.group}" {where}'
    )
    return ApiError(403, "Forbidden", message, _details(res, name))


def resource_list(group: str, version: str) -> dict[str, Any]:
    """``/api/v1`` or ``/apis/{group}/{version}``: the APIResourceList for discovery."""
    entries = []
    for r in RESOURCES:
        if (r.group, r.version) != (group, version):
            continue
        entries.append(
            {
                "name": r.plural,
                "singularName": r.kind.lower(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update"],
            }
        )
        for sub in SUBRESOURCES.get(r.plural, ()):
            verbs = {"status": ["get", "patch", "update"], "log": ["get"], "eviction": ["create"]}[sub]
            entries.append(
                {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": verbs,
                }
            )
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": entries}


def api_group(group: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in group_versions()[group]]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": versions,
        "preferredVersion": versions[0],
    }


def api_group_list() -> dict[str, Any]:
    groups = [{k: v for k, v in api_group(g).items() if k not in ("kind", "apiVersion")} for g in group_versions()]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def core_versions() -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}],
    }


def version_info(git_version: str) -> dict[str, str]:
    """``/version`` for a git version such as ``v1.30.4-eks-a737599`` (EKS reports minor ``30+``)."""
    core, _, suffix = git_version.lstrip("v").partition("-")
    parts = core.split(".")
    major = parts[0] if parts else ""
    minor = parts[1] if len(parts) > 1 else ""
    return {
        "major": major,
        "minor": minor + ("+" if suffix else ""),
        "gitVersion": git_version,
        "gitCommit": "0" * 40,
        "gitTreeState": "clean",
        "buildDate": "2024-08-01T00:00:00Z",
        "goVersion": "go1.22.5",
        "compiler": "gc",
        "platform": "linux/amd64",
    }
