"""Read, patch and list Kubernetes workloads by kind: one table instead of one per diagnoser.

Called by the diagnosers that touch workloads: ``handlers.image_pull.operations_workloads`` (a
container's image), ``handlers.image_pull.collect`` (the owners of failing pods),
``handlers.sysctl.operations`` (pod-template sysctls), ``handlers.sysctl.collect`` (the owner
walk Pod -> ReplicaSet -> Deployment) and ``handlers.irsa.operations`` (rollout restart).

Calls go through ``ctx.kube`` (``bot.cloud.kube.Kube``), so they raise ``bot.errors`` and are
counted. The Kubernetes method names are written out in full on purpose:
``tests/production/source_scan.py`` reads them to check that the RBAC in ``deploy/`` covers
exactly what the bot calls, so only the methods some caller uses are listed here.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any

from bot.cloud.context import ClusterContext

TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})  # a pod template the bot may patch
OWNER_KINDS = TEMPLATE_KINDS | {"ReplicaSet"}  # what a pod's controller can be, for the owner walks

# kind -> (API group of ``ctx.kube``, reader)
_READERS = {
    "Deployment": ("apps", "read_namespaced_deployment"),
    "StatefulSet": ("apps", "read_namespaced_stateful_set"),
    "DaemonSet": ("apps", "read_namespaced_daemon_set"),
    "ReplicaSet": ("apps", "read_namespaced_replica_set"),
    "Pod": ("core", "read_namespaced_pod"),
}
# kind -> (API group, patcher)
_PATCHERS = {
    "Deployment": ("apps", "patch_namespaced_deployment"),
    "StatefulSet": ("apps", "patch_namespaced_stateful_set"),
    "DaemonSet": ("apps", "patch_namespaced_daemon_set"),
    "Pod": ("core", "patch_namespaced_pod"),
}
# kind -> (lister in one namespace, lister across all namespaces); all in ``apps``
_LISTERS = {
    "ReplicaSet": ("list_namespaced_replica_set", "list_replica_set_for_all_namespaces"),
    "Deployment": ("list_namespaced_deployment", "list_deployment_for_all_namespaces"),
    "DaemonSet": ("list_namespaced_daemon_set", "list_daemon_set_for_all_namespaces"),
    "StatefulSet": ("list_namespaced_stateful_set", "list_stateful_set_for_all_namespaces"),
}


def _method(table: dict[str, tuple[str, str]], kind: str, only: Collection[str] | None) -> tuple[str, str]:
    if only is not None and kind not in only:
        raise KeyError(kind)
    return table[kind]


def read_workload(
    ctx: ClusterContext, kind: str, namespace: str, name: str, only: Collection[str] | None = None
) -> dict[str, Any]:
    """The object as a dict. ``KeyError`` for a kind without a reader, or not in ``only``."""
    group, method = _method(_READERS, kind, only)
    return ctx.kube.to_dict(getattr(getattr(ctx.kube, group), method)(name, namespace))


def patch_workload(
    ctx: ClusterContext,
    kind: str,
    namespace: str,
    name: str,
    body: Any,
    content_type: str | None = None,
    only: Collection[str] | None = None,
) -> Any:
    """Patch the object and return the client's answer as is.

    A list ``body`` is a JSON patch, a dict a strategic merge patch unless ``content_type`` says
    otherwise (``application/merge-patch+json``). ``KeyError`` for a kind without a patcher, or
    not in ``only``.
    """
    group, method = _method(_PATCHERS, kind, only)
    patch = getattr(getattr(ctx.kube, group), method)
    if content_type is None:
        return patch(name, namespace, body)
    return patch(name, namespace, body, _content_type=content_type)


def list_workloads(ctx: ClusterContext, kind: str, namespace: str | None) -> list[dict[str, Any]]:
    """The items of one kind in ``namespace``, or in every namespace when it is empty or None."""
    in_namespace, everywhere = _LISTERS[kind]
    result = getattr(ctx.kube.apps, in_namespace)(namespace) if namespace else getattr(ctx.kube.apps, everywhere)()
    return ctx.kube.to_dict(result).get("items") or []


def pod_selector(workload: Mapping[str, Any] | None) -> dict[str, Any]:
    """The workload's ``spec.selector`` (a LabelSelector, ``matchExpressions`` kept) as plain data."""
    selector = ((workload or {}).get("spec") or {}).get("selector") or {}
    return copy.deepcopy(dict(selector))


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """A ``LabelSelector`` (``matchLabels`` and ``matchExpressions``) as the API's selector string.

    Operators ``In``, ``NotIn``, ``Exists`` and ``DoesNotExist`` as in the Kubernetes API reference
    (meta/v1 LabelSelectorRequirement); the terms are ANDed, as the apiserver does. A plain label
    map (how plans stored before kept a selector) is read as ``matchLabels``.
    """
    selector = dict(selector or {})
    if any(key not in ("matchLabels", "matchExpressions") for key in selector):
        selector = {"matchLabels": selector}
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), list(expr.get("values") or [])
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(key)
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
        else:
            raise ValueError(f"unknown label selector operator {op!r}")
    return ",".join(terms)
