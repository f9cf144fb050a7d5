"""The health report's ``sysctl`` section: pods the kubelet rejected (``SysctlForbidden``), grouped
by controller, and workloads whose pods Pod Security refuses for their sysctls. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.cloud.kube_objects import controller_name, kube_time
from bot.domain import Msg
from bot.korean import attach
from bot.reportkit.model import Item
from handlers.base import HealthFindings, HealthScan, HealthSection

RANK = 20
# The Pod Security admission's refusal, e.g. `violates PodSecurity "baseline:latest": forbidden sysctls (a, b)`.
_PSA = re.compile(r"forbidden sysctls \(([^)]*)\)")
Obj = Mapping[str, Any]


def _rejected(pods: tuple[Obj, ...]) -> list[Item]:
    groups: dict[tuple[str, str], list[Obj]] = {}
    for pod in pods:
        if (pod.get("status") or {}).get("reason") == "SysctlForbidden":
            meta = pod.get("metadata") or {}
            owner = controller_name(pod) or f"Pod/{meta.get('name', '')}"
            groups.setdefault((meta.get("namespace", ""), owner), []).append(pod)
    items = []
    for (ns, owner), members in sorted(groups.items()):
        first = min(members, key=lambda p: (p.get("metadata") or {}).get("name", ""))
        name = first["metadata"]["name"]
        message = str((first.get("status") or {}).get("message", ""))[:160]
        label = Msg(
            f"{ns}/{owner}: {len(members)} pod(s) rejected by the kubelet (SysctlForbidden) {message}",
            f"{ns}/{owner}: 파드 {len(members)}개가 kubelet에서 거부됨 (SysctlForbidden) {message}",
        )
        stamps = [t for t in (kube_time((p.get("metadata") or {}).get("creationTimestamp")) for p in members) if t]
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
    return items


def _refused(events: tuple[Obj, ...]) -> list[Item]:
    items = []
    for ev in events:
        found = _PSA.search(str(ev.get("message") or ""))
        obj = ev.get("involvedObject") or {}
        if not found or not obj.get("name"):
            continue
        ns = obj.get("namespace") or (ev.get("metadata") or {}).get("namespace", "")
        target = f"{ns}/{obj.get('kind', 'ReplicaSet')}/{obj['name']}"
        label = Msg(
            f"{target}: Pod Security refuses pods with sysctls {found.group(1)}",
            f"{target}: Pod Security 가 sysctl {attach(found.group(1), '이')} 있는 파드를 거부합니다",
        )
        items.append(
            Item(
                f"sysctl-psa|{ns}|{obj['name']}",
                "sysctl",
                label,
                since=kube_time(ev.get("firstTimestamp") or ev.get("eventTime")),
                ask={"intent": "sysctl", "entities": {"namespace": ns, "pod": obj["name"]}},
            )
        )
    return items


def sysctl_items(
    scan: HealthScan, _collected: Any, _covered: frozenset[tuple[str, str]], _now: datetime
) -> HealthFindings:
    # Rejected pods are in phase Failed, which the not-ready section skips by itself.
    return HealthFindings((*_rejected(scan.pods), *_refused(scan.failed_create_events)))


SECTION = HealthSection("sysctl", Msg("sysctl", "sysctl"), RANK, sysctl_items)
