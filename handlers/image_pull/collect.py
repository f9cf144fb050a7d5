"""Gather the evidence for image-pull failures, in batches: never one call per pod.

Called by ``handlers.image_pull.diagnoser`` (and ``triage_call_counts`` for ``make bench``).
The Kubernetes part is here, the AWS part in ``collect_aws``. Kubernetes: one pods list
(namespace or all namespaces), one list of ``reason=Failed`` events, one nodes list, and at
most one list each of ReplicaSets, Deployments, DaemonSets and StatefulSets when failing pods
have owners. AWS: see ``collect_aws``; IAM, ECR and Secrets Manager only when a failure cause
needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.cloud.context import ClusterContext
from bot.parsing.image_pull import PullClassification, classify_pull_error
from handlers import events as k8s_events
from handlers.image_pull.collect_aws import (
    describe_nodes,
    describe_repos,
    describe_roles,
    describe_vpcs,
    provider_instance_ids,
    ptc_rules,
    ptc_secrets,
)
from handlers.image_pull.images import split_image
from handlers.image_pull.model import PULL_REASONS, Evidence, FailingPod, Owner
from handlers.workloads import OWNER_KINDS, list_workloads, pod_selector

Obj = dict[str, Any]


# ---- Kubernetes -----------------------------------------------------------------------------------


def _list(ctx: ClusterContext, api: Any, kind: str, namespace: str | None, **kw: Any) -> list[Obj]:
    # raw JSON, not client models: deserialising thousands of pods costs more than the request
    if namespace:
        return api.json(f"list_namespaced_{kind}", namespace, **kw).get("items") or []
    return api.json(f"list_{kind}_for_all_namespaces", **kw).get("items") or []


PullMessages = dict[tuple[str, str], list[tuple[str, str, str]]]


def _failed_messages(events: Iterable[Obj]) -> PullMessages:
    """Per (namespace, pod): the pull-failure messages, newest first, as (when, container, message).

    A combined event (``(combined from similar events): ...``) is read for the message it wraps;
    the kubelet's ``Error: ErrImagePull`` / ``Error: ImagePullBackOff`` say nothing of the cause
    and are skipped, combined or not. Times come from ``handlers.events.last_seen`` (both shapes).
    """
    found: PullMessages = {}
    for ev in events:
        msg = k8s_events.message(ev)
        obj = ev.get("involvedObject") or {}
        if obj.get("kind", "Pod") != "Pod" or "pull" not in msg.lower() or msg.startswith("Error: "):
            continue
        key = (obj.get("namespace") or (ev.get("metadata") or {}).get("namespace", ""), obj.get("name", ""))
        found.setdefault(key, []).append((k8s_events.last_seen(ev), k8s_events.container(ev), msg))
    for listed in found.values():
        listed.sort(key=lambda m: m[0], reverse=True)
    return found


def _message_for(messages: PullMessages, key: tuple[str, str], container: str, image: str, waiting: str) -> str:
    """The newest message naming ``image``, else the newest about ``container``, else the kubelet's own.

    A combined event keeps the first occurrence's container, so the image named in the message
    decides before the ``fieldPath`` does.
    """
    listed = messages.get(key) or []
    for _, _, msg in listed:
        if image and f'"{image}"' in msg:
            return msg
    for _, where, msg in listed:
        if where == container:
            return msg
    if waiting and not waiting.startswith("Back-off"):
        return waiting
    return next((msg for _, where, msg in listed if not where), waiting)


def _irsa(pod: Obj) -> bool:
    spec = pod.get("spec") or {}
    if any(v.get("name") == "aws-iam-token" for v in spec.get("volumes") or []):
        return True
    return any(e.get("name") == "AWS_ROLE_ARN" for c in spec.get("containers") or [] for e in c.get("env") or [])


def failing_containers(pod: Obj, messages: PullMessages) -> list[FailingPod]:
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    status = pod.get("status") or {}
    ref = next((r for r in meta.get("ownerReferences") or [] if r.get("controller")), None)
    found = []
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") not in PULL_REASONS:
            continue
        key = (meta.get("namespace", ""), meta.get("name", ""))
        image = next(
            (
                c.get("image", "")
                for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
                if c.get("name") == cs.get("name")
            ),
            cs.get("image", ""),
        )
        message = _message_for(messages, key, cs.get("name", ""), image, waiting.get("message") or "")
        owner = Owner(ref["kind"], ref["name"], ref.get("uid", "")) if ref else None
        found.append(
            FailingPod(
                key[0],
                key[1],
                meta.get("uid", ""),
                spec.get("nodeName") or "",
                cs.get("name", ""),
                image,
                waiting["reason"],
                message,
                owner,
                (ref or {}).get("uid", ""),
                _irsa(pod),
            )
        )
    return found


def _resolve_owners(ctx: ClusterContext, pods: list[FailingPod], namespace: str | None) -> list[FailingPod]:
    """Follow ReplicaSet -> Deployment and record selectors and update strategies (one list per kind)."""
    kinds = {p.owner.kind for p in pods if p.owner}
    if not kinds:
        return pods
    wanted = set(kinds) | ({"Deployment"} if "ReplicaSet" in kinds else set())
    objs: dict[tuple[str, str, str], Obj] = {}
    for kind in sorted(wanted & OWNER_KINDS):
        for item in list_workloads(ctx, kind, namespace):
            m = item.get("metadata") or {}
            objs[(kind, m.get("namespace", ""), m.get("name", ""))] = item
    out = []
    for pod in pods:
        owner = pod.owner
        obj = objs.get((owner.kind, pod.namespace, owner.name)) if owner else None
        if owner and owner.kind == "ReplicaSet" and obj is not None:
            top = next(
                (r for r in obj["metadata"].get("ownerReferences") or [] if r.get("kind") == "Deployment"),
                None,
            )
            if top:
                owner = Owner("Deployment", top["name"], top.get("uid", ""))
                obj = objs.get(("Deployment", pod.namespace, top["name"]))
        if owner and obj is not None:
            spec = obj.get("spec") or {}
            strategy = (spec.get("strategy") or spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
            owner = Owner(
                owner.kind,
                owner.name,
                owner.uid or obj["metadata"].get("uid", ""),
                pod_selector(obj),
                strategy,
            )
        out.append(
            FailingPod(
                pod.namespace,
                pod.name,
                pod.uid,
                pod.node,
                pod.container,
                pod.image,
                pod.reason,
                pod.message,
                owner,
                pod.controller_uid,
                pod.irsa,
            )
        )
    return out


def collect_pods(ctx: ClusterContext, namespace: str | None, pod: str = "") -> tuple[list[FailingPod], int]:
    """(failing containers, pods looked at). ``namespace`` None means all namespaces."""
    field = f"metadata.name={pod}" if pod else None
    pods = _list(ctx, ctx.kube.core, "pod", namespace, **({"field_selector": field} if field else {}))
    ev_field = f"involvedObject.name={pod},reason=Failed" if pod else "reason=Failed"
    events = _list(ctx, ctx.kube.core, "event", namespace, field_selector=ev_field)
    messages = _failed_messages(events)
    failing = [f for p in pods for f in failing_containers(p, messages)]
    return _resolve_owners(ctx, failing, namespace), len(pods)


# ---- all together -----------------------------------------------------------------------------------


def collect(
    ctx: ClusterContext,
    namespace: str | None,
    pod: str = "",
    classify: Callable[[str], PullClassification] = classify_pull_error,
) -> Evidence:
    failing, seen = collect_pods(ctx, namespace, pod)
    scope = f"{namespace}/{pod}" if pod else (namespace or "*")
    if not failing:
        return Evidence(scope, ctx.region, ctx.account_id, (), pods_seen=seen)
    node_names = {p.node for p in failing} - {""}
    listed = ctx.kube.to_dict(ctx.kube.core.list_node()).get("items") or [] if node_names else []
    nodes = describe_nodes(ctx.aws, node_names, provider_ids=provider_instance_ids(listed))
    causes = {p.image: classify(p.message or p.reason) for p in failing}
    network = {"network_unreachable", "dns", "rate_limited", "other"}
    vpcs = (
        describe_vpcs(ctx.aws, {n.vpc_id for n in nodes.values()})
        if any(c.cause in network for c in causes.values())
        else {}
    )
    roles = (
        describe_roles(ctx.aws, {n.instance_profile_arn for n in nodes.values()})
        if any(c.cause == "auth" and c.registry_kind == "ecr_private" for c in causes.values())
        else {}
    )
    own = {
        split_image(img).repository
        for img, c in causes.items()
        if c.cause == "not_found"
        and c.registry_kind == "ecr_private"
        and c.ecr_account == ctx.account_id
        and (c.ecr_region or ctx.region) == ctx.region
    }
    repos = describe_repos(ctx.aws, own) if own else {}
    public = any(
        c.registry_kind in ("docker_hub", "ecr_public", "public_other")
        and c.cause in ("rate_limited", "network_unreachable", "dns")
        for c in causes.values()
    )
    secrets = ptc_secrets(ctx.aws) if public else ()
    rules = ptc_rules(ctx.aws) if public else {}
    return Evidence(scope, ctx.region, ctx.account_id, tuple(failing), nodes, vpcs, roles, repos, secrets, rules, seen)
