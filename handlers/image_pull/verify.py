"""After an image-pull fix: wait until the replacement pods are Running, or report why not.

Called by ``ImagePullDiagnoser.verify`` with ``plan.verify["watch"]`` (built by ``steps``):
per namespace and controller (or, after an image change, the workload's selector and the new
image), how many new pods must be ready. Polls every ``ctx.poll_seconds`` up to
``ctx.wait_seconds`` with one pods list per watched workload; stops early when every new pod
has settled and one of them is failing, and quotes that pod's latest kubelet event.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Msg, Verification
from handlers.image_pull.explain import clip
from handlers.image_pull.model import PULL_REASONS

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
    selector = ",".join(f"{k}={v}" for k, v in sorted((w.get("selector") or {}).items()))
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
    events.sort(key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")
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


def wait_for_replacements(ctx: ClusterContext, watch: list[Mapping[str, Any]]) -> Verification:
    deadline = time.monotonic() + ctx.wait_seconds
    started = time.monotonic()
    while True:
        states = [(w, *_state(ctx, w)) for w in watch]
        if all(s == "ready" for _, s, _, _ in states):
            names = ", ".join(n for _, _, r, _ in states for n in r)
            secs = int(time.monotonic() - started)
            return Verification(
                True,
                Msg(
                    f"new pod(s) Running and ready after {secs}s: {names}",
                    f"{secs}초 후 새 파드 Running, 준비 완료: {names}",
                ),
            )
        failing = [(w, f) for w, s, _, f in states if s == "failed" and f]
        settled = all(s != "pending" for _, s, _, _ in states)
        if (failing and settled) or time.monotonic() >= deadline:
            bad = failing[0] if failing else next(((w, f) for w, s, _, f in states if s != "ready"), None)
            return _not_ready(ctx, bad, timed_out=not failing)
        time.sleep(ctx.poll_seconds)


def _not_ready(
    ctx: ClusterContext, bad: tuple[Mapping[str, Any], tuple[str, str, str] | None] | None, timed_out: bool
) -> Verification:
    if bad is None or bad[1] is None:
        owner = bad[0].get("owner", "") if bad else ""
        return Verification(
            False,
            Msg(
                f"no ready replacement pod for {owner} within the wait",
                f"대기 시간 안에 {owner} 의 새 파드가 준비되지 않았습니다",
            ),
            pending=True,
        )
    w, (pod, reason, message) = bad
    event = _latest_event(ctx, w["namespace"], pod) or message
    return Verification(
        False,
        Msg(
            f"new pod {w['namespace']}/{pod} is still {reason}: {clip(event)}",
            f"새 파드 {w['namespace']}/{pod} 가 여전히 {reason} 상태입니다: {clip(event)}",
        ),
        pending=timed_out,
    )
