"""After an image-pull fix: wait until the replacement pods are Running, or report why not.

Called by ``ImagePullDiagnoser.verify`` with ``plan.verify["watch"]`` (built by ``steps``):
per namespace and controller (or, after an image change, the workload's selector and the new
image), how many new pods must be ready. Polls every ``ctx.poll_seconds`` up to
``ctx.wait_seconds`` with one pods list per watched workload; stops early when every new pod
has settled and one of them is failing, and quotes that pod's latest kubelet event. Interface
endpoints the plan created are waited for first, within the same budget, until ``available``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Msg, Verification
from bot.korean import attach
from handlers import events as k8s_events
from handlers.image_pull.explain import clip
from handlers.image_pull.model import PULL_REASONS
from handlers.workloads import selector_string

STUCK = PULL_REASONS + ("CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError")


def _ready(pod: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _stuck(pod: Mapping[str, Any]) -> tuple[str, str] | None:
    status = pod.get("status") or {}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in STUCK:
            return waiting["reason"], waiting.get("message", "")
    return None


def _images(pod: Mapping[str, Any]) -> set[str]:
    spec = pod.get("spec") or {}
    return {c.get("image", "") for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}


def _candidates(ctx: ClusterContext, w: Mapping[str, Any]) -> list[dict[str, Any]]:
    selector = selector_string(w.get("selector"))
    kw = {"label_selector": selector} if selector else {}
    items = ctx.kube.to_dict(ctx.kube.core.list_namespaced_pod(w["namespace"], **kw)).get("items") or []
    old, ctrl = set(w.get("old_uids") or []), set(w.get("controller_uids") or [])
    out = []
    for pod in items:
        meta = pod.get("metadata") or {}
        if meta.get("uid") in old or meta.get("deletionTimestamp"):
            continue
        owners = {r.get("uid") for r in meta.get("ownerReferences") or []}
        if not selector and not owners & ctrl:
            continue
        if w.get("image") and w["image"] not in _images(pod):
            continue
        out.append(pod)
    return out


def _latest_event(ctx: ClusterContext, namespace: str, pod: str) -> str:
    events = (
        ctx.kube.to_dict(
            ctx.kube.core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={pod}")
        ).get("items")
        or []
    )
    events = [e for e in events if e.get("type") == "Warning"]
    events = k8s_events.by_time(events)
    return (events[-1].get("message") or "") if events else ""


def _state(ctx: ClusterContext, w: Mapping[str, Any]) -> tuple[str, list[str], tuple[str, str, str] | None]:
    """("ready" | "failed" | "pending", ready pod names, (pod, reason, message) of a failing one)."""
    pods = _candidates(ctx, w)
    ready = sorted(p["metadata"]["name"] for p in pods if _ready(p))
    if len(ready) >= int(w.get("count") or 1):
        return "ready", ready, None
    stuck = [(p["metadata"]["name"], *s) for p in pods if (s := _stuck(p))]
    if stuck and len(pods) >= int(w.get("count") or 1) and len(ready) + len(stuck) == len(pods):
        return "failed", ready, stuck[0]
    return "pending", ready, stuck[0] if stuck else None


def _endpoint_states(ctx: ClusterContext, wanted: list[Mapping[str, str]]) -> dict[str, str]:
    """service -> state of the plan's interface endpoints that exist (one describe per VPC)."""
    out: dict[str, str] = {}
    for vpc_id in sorted({w["vpc_id"] for w in wanted}):
        services = sorted({w["service"] for w in wanted if w["vpc_id"] == vpc_id})
        found = ctx.aws.client("ec2").describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": services}]
        )
        for ep in found.get("VpcEndpoints") or []:
            state = str(ep.get("State", "")).lower()
            if state not in ("deleted", "deleting"):
                out[ep["ServiceName"]] = state
    return out


def wait_for_endpoints(ctx: ClusterContext, wanted: list[Mapping[str, str]], deadline: float) -> tuple[bool, bool]:
    """(all the plan's endpoints available, some were still pending when first looked at).

    A new interface endpoint is ``pending`` before ``available`` (EC2 API Reference, VpcEndpoint
    State); pods that failed meanwhile are retried by the kubelet, so they are not judged yet."""
    waited = False
    while True:
        states = _endpoint_states(ctx, wanted)
        if all(s == "available" for s in states.values()):
            return True, waited
        if any(s in ("failed", "rejected") for s in states.values()) or time.monotonic() >= deadline:
            return False, waited
        waited = True
        time.sleep(ctx.poll_seconds)


def _failure_counts(ctx: ClusterContext, namespaces: set[str]) -> dict[tuple[str, str], int]:
    """(namespace, pod) -> how many pull failures the kubelet has reported so far."""
    out: dict[tuple[str, str], int] = {}
    for ns in sorted(namespaces):
        items = (
            ctx.kube.to_dict(ctx.kube.core.list_namespaced_event(ns, field_selector="reason=Failed")).get("items") or []
        )
        for ev in items:
            key = (ns, (ev.get("involvedObject") or {}).get("name", ""))
            out[key] = out.get(key, 0) + int(ev.get("count") or 1)
    return out


def wait_for_replacements(
    ctx: ClusterContext,
    watch: list[Mapping[str, Any]],
    deadline: float | None = None,
    *,
    retried: bool = False,
) -> Verification:
    """Wait for the new pods. ``retried``: the path only just opened (an endpoint was pending), so a
    pod counts as failing only once the kubelet has failed it again after that."""
    deadline = deadline if deadline is not None else time.monotonic() + ctx.wait_seconds
    started = time.monotonic()
    namespaces = {w["namespace"] for w in watch}
    baseline = _failure_counts(ctx, namespaces) if retried else {}
    while True:
        states = [(w, *_state(ctx, w)) for w in watch]
        if all(s == "ready" for _, s, _, _ in states):
            names = ", ".join(n for _, _, r, _ in states for n in r)
            secs = int(time.monotonic() - started)
            return Verification(
                ok=True,
                message=Msg(
                    f"new pod(s) Running and ready after {secs}s: {names}",
                    f"{secs}초 후 새 파드 Running, 준비 완료: {names}",
                ),
            )
        failing = [(w, f) for w, s, _, f in states if s == "failed" and f]
        if retried and failing:
            counts = _failure_counts(ctx, namespaces)
            failing = [
                (w, f)
                for w, f in failing
                if counts.get((w["namespace"], f[0]), 0) > baseline.get((w["namespace"], f[0]), 0)
            ]
        settled = all(s != "pending" for _, s, _, _ in states)
        if (failing and settled) or time.monotonic() >= deadline:
            bad = failing[0] if failing else next(((w, f) for w, s, _, f in states if s != "ready"), None)
            return _not_ready(ctx, bad, timed_out=not failing)
        time.sleep(ctx.poll_seconds)


def _not_ready(
    ctx: ClusterContext, bad: tuple[Mapping[str, Any], tuple[str, str, str] | None] | None, *, timed_out: bool
) -> Verification:
    if bad is None or bad[1] is None:
        owner = bad[0].get("owner", "") if bad else ""
        return Verification(
            ok=False,
            message=Msg(
                f"no ready replacement pod for {owner} within the wait",
                f"대기 시간 안에 {owner}의 새 파드가 준비되지 않았습니다",
            ),
            pending=True,
        )
    w, (pod, reason, message) = bad
    event = _latest_event(ctx, w["namespace"], pod) or message
    return Verification(
        ok=False,
        message=Msg(
            f"new pod {w['namespace']}/{pod} is still {reason}: {clip(event)}",
            f"새 파드 {w['namespace']}/{attach(pod, '가')} 여전히 {reason} 상태입니다: {clip(event)}",
        ),
        pending=timed_out,
    )
