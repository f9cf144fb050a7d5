"""The OpenAPI v3 documents of the Kubernetes stand-in, as much of them as kubectl reads.

``kubectl create``/``apply``/``replace`` (1.27 and later, ``--validate=strict`` by default) ask
``/openapi/v3`` whether the server does field validation itself: it fetches the group-version
document named in the root's ``paths`` (``serverRelativeURL``) and looks for a PATCH operation
whose ``x-kubernetes-group-version-kind`` is the object's kind and whose parameters include
``fieldValidation`` (``kubernetes/cli-runtime pkg/resource/query_param_verifier_v3.go``,
``supportsQueryParamV3``). When it finds one, it sends ``fieldValidation=Strict`` and lets the
server refuse unknown fields; without these documents it fails with "failed to download
openapi". Only paths and parameters are served; no schemas (``kubectl explain`` is not served).
"""

from __future__ import annotations

from typing import Any

from sandbox import kube_resources as kr

_QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force")


def _prefix(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def root() -> dict[str, Any]:
    """``/openapi/v3``: one entry per served group-version."""
    versions = {(r.group, r.version) for r in kr.RESOURCES}
    return {
        "paths": {
            _prefix(g, v): {"serverRelativeURL": f"/openapi/v3/{_prefix(g, v)}?hash=sandbox"}
            for g, v in sorted(versions)
        }
    }


def group_version(group: str, version: str) -> dict[str, Any] | None:
    """``/openapi/v3/api/v1`` or ``/openapi/v3/apis/{group}/{version}``: item paths with PATCH."""
    served = [r for r in kr.RESOURCES if (r.group, r.version) == (group, version)]
    if not served:
        return None
    params = [{"name": p, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for p in _QUERY_PARAMS]
    paths: dict[str, Any] = {}
    for r in served:
        scope = "/namespaces/{namespace}" if r.namespaced else ""
        gvk = {"group": r.group, "version": r.version, "kind": r.kind}
        operation = {
            "operationId": f"patch{r.kind}",
            "parameters": params,
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": gvk,
            "responses": {"200": {"description": "OK"}},
        }
        paths[f"/{_prefix(group, version)}{scope}/{r.plural}/{{name}}"] = {"patch": operation}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "unversioned"}, "paths": paths}


def serve(parts: list[str]) -> dict[str, Any] | None:
    """The document for a GET path (split on ``/``), or None when it is not an OpenAPI v3 path."""
    if parts[:2] != ["openapi", "v3"]:
        return None
    rest = parts[2:]
    if not rest:
        return root()
    if len(rest) == 2 and rest[0] == "api":
        return group_version("", rest[1])
    if len(rest) == 3 and rest[0] == "apis":
        return group_version(rest[1], rest[2])
    return None
