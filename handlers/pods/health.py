"""The health report's ``not_ready`` section: pods not ready for longer than the report's grace,
except those an earlier section already speaks for (a pod that cannot pull its image, say). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.cloud.kube_objects import kube_time
from bot.domain import Msg
from bot.reportkit.model import Item
from handlers.base import HealthFindings, HealthScan, HealthSection
from handlers.pods.commands import pod_ready, pod_status_word

RANK = 90  # the catch-all: runs after every section about a particular failure


def not_ready_since(pod: Mapping[str, Any]) -> datetime | None:
    status = pod.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    return kube_time(
        ready.get("lastTransitionTime")
        or status.get("startTime")
        or (pod.get("metadata") or {}).get("creationTimestamp")
    )


def not_ready_items(
    scan: HealthScan, _collected: Any, covered: frozenset[tuple[str, str]], now: datetime
) -> HealthFindings:
    grace = timedelta(minutes=scan.not_ready_minutes)
    items, spoken_for = [], set()
    for pod in scan.pods:
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        ns, name = meta.get("namespace", ""), meta.get("name", "")
        if (ns, name) in covered or pod_ready(pod) or status.get("phase") in ("Succeeded", "Failed"):
            continue
        since = not_ready_since(pod)
        if since is None or now - since < grace:
            continue
        word = pod_status_word(pod)
        spoken_for.add((ns, name))
        label = Msg(f"pod {ns}/{name} not ready ({word})", f"파드 {ns}/{name} 준비 안 됨 ({word})")
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
    return HealthFindings(tuple(items), frozenset(spoken_for))


SECTION = HealthSection("not_ready", Msg("not ready", "준비 안 됨"), RANK, not_ready_items)
