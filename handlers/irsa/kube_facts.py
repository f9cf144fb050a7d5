"""The Kubernetes half of IRSA evidence: the ingress, the controller's errors, service accounts.

Called by ``collect`` only. Talks to the cluster through ``ctx.kube`` (``bot.cloud.kube``), so
every failure arrives as a ``bot.errors.CloudError``. A bounded number of calls: one read per
object, one list per kind and namespace, one log read per controller pod (at most two).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.parsing.aws_errors import parse_aws_error
from handlers import events as k8s_events
from handlers.irsa.evidence import (
    GROUP_ANNOTATION,
    RESTARTED_AT,
    ROLE_ANNOTATION,
    ControllerError,
    ControllerFacts,
    IngressFacts,
    ServiceAccountFacts,
    Workload,
)
from handlers.workloads import list_workloads, read_workload, selector_string

IDENTITY_ENV = ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
LOG_TAIL_LINES = 500
MAX_GROUP_MEMBERS = 5


def _parse_ts(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None


def read_ingress(ctx: ClusterContext, namespace: str, name: str) -> IngressFacts:
    try:
        obj = ctx.kube.to_dict(ctx.kube.networking.read_namespaced_ingress(name, namespace))
    except errors.NotFound:
        return IngressFacts(namespace, name, exists=False)
    return ingress_facts(obj, ctx.clock())


def ingress_facts(obj: dict[str, Any], now: datetime) -> IngressFacts:
    meta = obj.get("metadata") or {}
    lb = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [{}]
    deleting = _parse_ts(meta.get("deletionTimestamp"))
    return IngressFacts(
        meta.get("namespace", ""),
        meta["name"],
        exists=True,
        deletion_timestamp=meta.get("deletionTimestamp") or "",
        finalizers=tuple(meta.get("finalizers") or ()),
        hostname=lb[0].get("hostname", "") or "",
        stuck_seconds=(now - deleting).total_seconds() if deleting else 0.0,
        group=((meta.get("annotations") or {}).get(GROUP_ANNOTATION) or "").strip(),
    )


def find_stuck_ingress(ctx: ClusterContext, namespace: str) -> str:
    """The name of the one ingress being deleted in ``namespace`` (empty if none or several)."""
    items = ctx.kube.to_dict(ctx.kube.networking.list_namespaced_ingress(namespace))["items"]
    stuck = [i["metadata"]["name"] for i in items if i["metadata"].get("deletionTimestamp")]
    return stuck[0] if len(stuck) == 1 else ""


def error_from_text(source: str, text: str) -> ControllerError | None:
    """The AWS authorization error in one event message or log line (``bot.parsing``'s reader)."""
    parsed = parse_aws_error(text)
    if parsed is None:
        return None
    extra = {k: v for k, v in parsed.items() if k not in ("kind", "role", "action", "resource")}
    return ControllerError(
        source,
        text.strip(),
        parsed["kind"],
        parsed.get("role", ""),
        parsed.get("action", ""),
        parsed.get("resource", ""),
        extra,
    )


def ingress_event_errors(ctx: ClusterContext, namespace: str, name: str, label: str = "event") -> list[ControllerError]:
    """AWS errors in the ingress's events, newest first."""
    events = ctx.kube.to_dict(
        ctx.kube.core.list_namespaced_event(
            namespace, field_selector=f"involvedObject.kind=Ingress,involvedObject.name={name}"
        )
    )["items"]
    events.sort(key=k8s_events.last_seen, reverse=True)
    found = [error_from_text(f"{label} {e.get('reason', '')}", e.get("message") or "") for e in events]
    return [f for f in found if f is not None]


def group_member_event_errors(ctx: ClusterContext, group: str, exclude: str) -> list[ControllerError]:
    """AWS errors in the events of the group's active members (the controller records events
    only on those), at most ``MAX_GROUP_MEMBERS`` of them; ``exclude`` is ``NS/NAME``."""
    items = ctx.kube.to_dict(ctx.kube.networking.list_ingress_for_all_namespaces())["items"]
    members = [
        i["metadata"]
        for i in items
        if ((i["metadata"].get("annotations") or {}).get(GROUP_ANNOTATION) or "").strip() == group
        and not i["metadata"].get("deletionTimestamp")
        and f"{i['metadata'].get('namespace', '')}/{i['metadata']['name']}" != exclude
    ]
    found: list[ControllerError] = []
    for meta in members[:MAX_GROUP_MEMBERS]:
        ns, name = meta.get("namespace", ""), meta["name"]
        found += ingress_event_errors(ctx, ns, name, f"event on {ns}/{name} (IngressGroup {group})")
    return found


def _owner_uid(obj: dict[str, Any], kind: str) -> str:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            return str(ref.get("uid", ""))
    return ""


def lb_controller(ctx: ClusterContext) -> tuple[ControllerFacts, list[dict[str, Any]]]:
    """The controller configured for this cluster and its pods, identified by ownership, not labels.

    A pod counts only if its controlling owner is a ReplicaSet whose controlling owner is the
    configured Deployment (uids compared): a pod anyone labels like the controller, in any
    namespace, is not the controller. Calls: one read, one ReplicaSet list, one pod list.
    """
    namespace, _, name = ctx.lb_controller.partition("/")
    try:
        deployment = read_workload(ctx, "Deployment", namespace, name)
    except errors.NotFound:
        return ControllerFacts(namespace, name, exists=False), []
    uid = (deployment.get("metadata") or {}).get("uid", "")
    replica_sets = {
        (rs.get("metadata") or {}).get("uid", "")
        for rs in list_workloads(ctx, "ReplicaSet", namespace)
        if uid and _owner_uid(rs, "Deployment") == uid
    }
    selector = selector_string((deployment.get("spec") or {}).get("selector"))
    listed = ctx.kube.to_dict(ctx.kube.core.list_namespaced_pod(namespace, label_selector=selector))["items"]
    pods = [
        p
        for p in listed
        if _owner_uid(p, "ReplicaSet") in replica_sets - {""} and not p["metadata"].get("deletionTimestamp")
    ]
    accounts = sorted({(p.get("spec") or {}).get("serviceAccountName") or "default" for p in pods})
    return ControllerFacts(
        namespace, name, exists=True, pods=tuple(p["metadata"]["name"] for p in pods), service_accounts=tuple(accounts)
    ), pods


def _log_names(line: str, namespace: str, name: str, group: str) -> bool:
    """Is this controller log line about the ingress (or its group)?

    The ingress reconciler's request is the group id (aws-load-balancer-controller
    ``pkg/ingress/group.go``): an explicit group's name with an empty namespace, or the ingress
    itself for an implicit group; controller-runtime logs it as ``"namespace"`` / ``"name"``
    (``pkg/controller/controller.go``). Lines that are not JSON are matched by the name.
    """
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if isinstance(record, dict) and "name" in record:
        if group:
            return record.get("name") == group and not record.get("namespace")
        return record.get("name") == name and record.get("namespace", namespace) == namespace
    return bool(name) and name in line


def controller_log_errors(
    ctx: ClusterContext, pods: list[dict[str, Any]], ingress_name: str, namespace: str = "", group: str = ""
) -> list[ControllerError]:
    """AWS errors about ``ingress_name`` (or its IngressGroup) in the controller pods' recent logs."""
    found: list[ControllerError] = []
    for pod in pods[:2]:
        meta = pod["metadata"]
        text = ctx.kube.core.read_namespaced_pod_log(meta["name"], meta["namespace"], tail_lines=LOG_TAIL_LINES)
        source = f"log {meta['namespace']}/{meta['name']}" + (f" (IngressGroup {group})" if group else "")
        for line in reversed(str(text or "").splitlines()):
            if not _log_names(line, namespace, ingress_name, group):
                continue
            err = error_from_text(source, line)
            if err is not None:
                found.append(err)
    return found


def _has_identity(pod: dict[str, Any], role_arn: str) -> bool:
    for container in (pod.get("spec") or {}).get("containers") or []:
        env = {e.get("name"): e.get("value") for e in container.get("env") or []}
        if all(k in env for k in IDENTITY_ENV) and (not role_arn or env.get("AWS_ROLE_ARN") == role_arn):
            return True
    return False


def _workloads(ctx: ClusterContext, namespace: str, sa: str) -> tuple[Workload, ...]:
    found = []
    for kind, lister in (
        ("Deployment", ctx.kube.apps.list_namespaced_deployment),
        ("StatefulSet", ctx.kube.apps.list_namespaced_stateful_set),
        ("DaemonSet", ctx.kube.apps.list_namespaced_daemon_set),
    ):
        for obj in ctx.kube.to_dict(lister(namespace))["items"]:
            template = (obj.get("spec") or {}).get("template") or {}
            spec = template.get("spec") or {}
            if (spec.get("serviceAccountName") or spec.get("serviceAccount") or "default") != sa:
                continue
            annotations = (template.get("metadata") or {}).get("annotations") or {}
            found.append(Workload(kind, namespace, obj["metadata"]["name"], annotations.get(RESTARTED_AT, "")))
    return tuple(found)


def service_account_facts(
    ctx: ClusterContext, namespace: str, name: str, pod_identity_role: str = ""
) -> ServiceAccountFacts:
    try:
        sa = ctx.kube.to_dict(ctx.kube.core.read_namespaced_service_account(name, namespace))
    except errors.NotFound:
        return ServiceAccountFacts(namespace, name, exists=False)
    role_arn = ((sa.get("metadata") or {}).get("annotations") or {}).get(ROLE_ANNOTATION, "")
    pods = ctx.kube.to_dict(
        ctx.kube.core.list_namespaced_pod(namespace, field_selector=f"spec.serviceAccountName={name}")
    )["items"]
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    missing = tuple(p["metadata"]["name"] for p in live if role_arn and not _has_identity(p, role_arn))
    return ServiceAccountFacts(
        namespace,
        name,
        exists=True,
        role_arn=role_arn,
        workloads=_workloads(ctx, namespace, name),
        pods=len(live),
        pods_without_identity=missing,
        pod_identity_role=pod_identity_role,
    )


def service_accounts_using(ctx: ClusterContext, role_name: str) -> list[tuple[str, str]]:
    """(namespace, name) of every service account annotated with ``role_name`` (one list call)."""
    items = ctx.kube.to_dict(ctx.kube.core.list_service_account_for_all_namespaces())["items"]
    out = []
    for sa in items:
        arn = ((sa.get("metadata") or {}).get("annotations") or {}).get(ROLE_ANNOTATION, "")
        if arn and arn.rsplit("/", 1)[-1] == role_name:
            out.append((sa["metadata"]["namespace"], sa["metadata"]["name"]))
    return out
