"""The ``health`` report: a cluster digest that only speaks about what changed.

Pure. ``bot.reports.health_collect`` reads the cluster and hands over ``HealthData``; ``problems``
turns pods, ingresses and events into items (image-pull groups exactly as the image-pull diagnoser
groups them, pods the kubelet rejected for sysctls or Pod Security refused, ingresses stuck in
deletion, pods not ready for more than N minutes); ``build`` diffs them with the previous run and
draws the week's failing-pod count. Every item carries the request its "Diagnose" button starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain import Msg
from bot.korean import attach
from bot.mrkdwn import as_mrkdwn
from bot.reportkit import charts, render
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Item, ReportContent
from handlers.image_pull.analyse import PullGroup
from handlers.pods import pod_ready, pod_status_word

KIND = "health"
SECTIONS = {
    "image_pull": Msg("image pull", "이미지 pull"),
    "sysctl": Msg("sysctl", "sysctl"),
    "ingress": Msg("ingress deletion", "ingress 삭제"),
    "not_ready": Msg("not ready", "준비 안 됨"),
}
_PSA = re.compile(r"forbidden sysctls \(([^)]*)\)")
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class HealthData:
    """What ``health_collect`` read. ``unavailable`` names sections that could not be read, and why."""

    cluster: str
    pods: tuple[Obj, ...] = ()
    ingresses: tuple[Obj, ...] = ()
    failed_create_events: tuple[Obj, ...] = ()
    pull_groups: tuple[PullGroup, ...] = ()
    not_ready_minutes: int = 10
    unavailable: tuple[Msg, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"health {self.cluster}: {len(self.pods)} pods, {len(self.pull_groups)} pull groups"


def _ts(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _ref(ns: str, name: str) -> str:
    return f"{ns}/{name}"


def _controller(pod: Obj) -> str:
    refs = (pod.get("metadata") or {}).get("ownerReferences") or []
    ref = next((r for r in refs if r.get("controller")), None)
    return f"{ref['kind']}/{ref['name']}" if ref else ""


def pull_items(groups: Sequence[PullGroup]) -> list[Item]:
    items = []
    for g in groups:
        namespaces = sorted({p.namespace for p in g.pods})
        ns = namespaces[0] if len(namespaces) == 1 else "*"
        pods = len({(p.namespace, p.name) for p in g.pods})
        where = f" in {g.subnet_id}" if g.subnet_id else ""
        label = Msg(
            f"`{g.image}`: {pods} pod(s) in {', '.join(namespaces)} cannot pull ({g.code or g.cause}){where}",
            f"`{g.image}`: {', '.join(namespaces)}의 파드 {pods}개 이미지 pull 실패 ({g.code or g.cause}){where}",
        )
        items.append(
            Item(
                f"pull|{g.image}|{g.cause}|{g.subnet_id}",
                "image_pull",
                label,
                ask={"intent": "image_pull", "entities": {"namespace": ns, "image": g.image}},
                fields={"pods": pods, "code": g.code},
            )
        )
    return items


def sysctl_items(pods: Sequence[Obj], events: Sequence[Obj]) -> list[Item]:
    """Pods the kubelet rejected (``SysctlForbidden``), grouped by controller; Pod Security refusals."""
    groups: dict[tuple[str, str], list[Obj]] = {}
    for pod in pods:
        if (pod.get("status") or {}).get("reason") == "SysctlForbidden":
            meta = pod.get("metadata") or {}
            owner = _controller(pod) or f"Pod/{meta.get('name', '')}"
            groups.setdefault((meta.get("namespace", ""), owner), []).append(pod)
    items = []
    for (ns, owner), members in sorted(groups.items()):
        first = min(members, key=lambda p: (p.get("metadata") or {}).get("name", ""))
        name = first["metadata"]["name"]
        message = str((first.get("status") or {}).get("message", ""))[:160]
        label = Msg(
            f"{_ref(ns, owner)}: {len(members)} pod(s) rejected by the kubelet (SysctlForbidden) {message}",
            f"{_ref(ns, owner)}: 파드 {len(members)}개가 kubelet에서 거부됨 (SysctlForbidden) {message}",
        )
        stamps = [t for t in (_ts((p.get("metadata") or {}).get("creationTimestamp")) for p in members) if t]
        items.append(
            Item(
                f"sysctl|{ns}|{owner}",
                "sysctl",
                label,
                since=min(stamps, default=None),
                ask={"intent": "sysctl", "entities": {"namespace": ns, "pod": name}},
                fields={"pods": len(members)},
            )
        )
    for ev in events:
        found = _PSA.search(str(ev.get("message") or ""))
        obj = ev.get("involvedObject") or {}
        if not found or not obj.get("name"):
            continue
        ns = obj.get("namespace") or (ev.get("metadata") or {}).get("namespace", "")
        target = _ref(ns, f"{obj.get('kind', 'ReplicaSet')}/{obj['name']}")
        label = Msg(
            f"{target}: Pod Security refuses pods with sysctls {found.group(1)}",
            f"{target}: Pod Security 가 sysctl {attach(found.group(1), '이')} 있는 파드를 거부합니다",
        )
        items.append(
            Item(
                f"sysctl-psa|{ns}|{obj['name']}",
                "sysctl",
                label,
                since=_ts(ev.get("firstTimestamp") or ev.get("eventTime")),
                ask={"intent": "sysctl", "entities": {"namespace": ns, "pod": obj["name"]}},
            )
        )
    return items


def ingress_items(ingresses: Sequence[Obj], now: datetime, grace: timedelta) -> list[Item]:
    items = []
    for ing in ingresses:
        meta = ing.get("metadata") or {}
        deleting, finalizers = _ts(meta.get("deletionTimestamp")), meta.get("finalizers") or []
        if deleting is None or not finalizers or now - deleting < grace:
            continue
        ns, name = meta.get("namespace", ""), meta.get("name", "")
        label = Msg(
            f"ingress {_ref(ns, name)} stuck in deletion (finalizers: {', '.join(finalizers)})",
            f"ingress {_ref(ns, name)} 삭제 대기 중 (finalizer: {', '.join(finalizers)})",
        )
        items.append(
            Item(
                f"ingress|{ns}|{name}",
                "ingress",
                label,
                since=deleting,
                ask={"intent": "ingress_delete_denied", "entities": {"namespace": ns, "name": name}},
            )
        )
    return items


def not_ready_since(pod: Obj) -> datetime | None:
    status = pod.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    return _ts(
        ready.get("lastTransitionTime")
        or status.get("startTime")
        or (pod.get("metadata") or {}).get("creationTimestamp")
    )


def not_ready_items(pods: Sequence[Obj], skip: set[tuple[str, str]], now: datetime, grace: timedelta) -> list[Item]:
    items = []
    for pod in pods:
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        ns, name = meta.get("namespace", ""), meta.get("name", "")
        if (ns, name) in skip or pod_ready(pod) or status.get("phase") in ("Succeeded", "Failed"):
            continue
        since = not_ready_since(pod)
        if since is None or now - since < grace:
            continue
        word = pod_status_word(pod)
        label = Msg(f"pod {_ref(ns, name)} not ready ({word})", f"파드 {_ref(ns, name)} 준비 안 됨 ({word})")
        items.append(
            Item(
                f"notready|{ns}|{name}",
                "not_ready",
                label,
                since=since,
                ask={"intent": "pod_events", "entities": {"namespace": ns, "pod": name}},
                fields={"status": word},
            )
        )
    return items


def problems(data: HealthData, now: datetime) -> list[Item]:
    grace = timedelta(minutes=data.not_ready_minutes)
    pulling = {(p.namespace, p.name) for g in data.pull_groups for p in g.pods}
    return [
        *pull_items(data.pull_groups),
        *sysctl_items(data.pods, data.failed_create_events),
        *ingress_items(data.ingresses, now, grace),
        *not_ready_items(data.pods, pulling, now, grace),
    ]


def failing_pods(data: HealthData, items: Sequence[Item]) -> int:
    """The chart's figure: pods in trouble now (a pull group counts its pods)."""
    return sum(int(i.fields.get("pods", 1)) for i in items)


def build(data: HealthData, previous_state: Mapping[str, Any] | None, now: datetime, lang: str) -> ReportContent:
    items = problems(data, now)
    d = diff(items, previous_state, now)
    week_ago = now - timedelta(days=7)
    series = [p for p in (previous_state or {}).get("series") or [] if datetime.fromisoformat(p[0]) >= week_ago]
    series.append([now.isoformat(), failing_pods(data, items)])
    state = state_of(d, now, series=series)
    title = Msg(f"Cluster health · {data.cluster}", f"클러스터 상태 · {data.cluster}")(lang)
    notes = [render.context("⚠️ " + as_mrkdwn(m, lang)) for m in data.unavailable]
    if d.unchanged and not data.unavailable:
        return ReportContent(KIND, render.unchanged_line(title, d, lang, now), (), state, False)
    drawn = charts.available()
    if not drawn:
        notes.append(render.context(charts.NOT_AVAILABLE(lang)))
    all_clear = Msg(
        "✅ All clear: no failing pods, stuck ingresses or rejected sysctls.",
        "✅ 이상 없음: 실패 중인 파드, 삭제 대기 ingress, 거부된 sysctl 이 없습니다.",
    )
    text, blocks = render.report_blocks(
        f"{title} · {now:%Y-%m-%d %H:%M}", d, lang, now, SECTIONS, notes, all_clear=all_clear
    )
    if not drawn:
        return ReportContent(KIND, text, tuple(blocks), state, True)
    chart = charts.series_chart(
        [(datetime.fromisoformat(t), n) for t, n in series],
        f"Failing pods over the week ({data.cluster})",
        f"health-{now:%Y%m%d-%H%M}.png",
    )
    return ReportContent(KIND, text, tuple(blocks), state, True, (chart,))
