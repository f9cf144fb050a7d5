"""The collect step of the ``health`` report: the only I/O it does, against one cluster.

Called by ``bot.services.reports.ReportService``. One pod list, one ingress list and one event
list (``reason=FailedCreate``) for all namespaces, shared by every section, plus the reads of each
section that has its own (the image-pull section runs the diagnoser's batched ``collect``). A part
Kubernetes or AWS refuses is named as unavailable; the rest of the report is still built.
"""

from __future__ import annotations

from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg
from bot.reportkit.notes import unreadable
from bot.reports.health import HealthData
from handlers import registry


def _items(ctx: ClusterContext, call: Any, what: str, notes: list[Msg], **kwargs: Any) -> tuple[Any, ...]:
    try:
        return tuple(ctx.kube.to_dict(call(**kwargs)).get("items") or ())
    except errors.CloudError as exc:
        notes.append(unreadable(what, exc))
        return ()


def collect(ctx: ClusterContext, not_ready_minutes: int = 10) -> HealthData:
    notes: list[Msg] = []
    core = ctx.kube.core
    pods = _items(ctx, core.list_pod_for_all_namespaces, "pods", notes)
    ingresses = _items(ctx, ctx.kube.networking.list_ingress_for_all_namespaces, "ingresses", notes)
    events = _items(ctx, core.list_event_for_all_namespaces, "events", notes, field_selector="reason=FailedCreate")
    collected: dict[str, Any] = {}
    for section in registry.health_sections():
        if section.collect is not None:
            collected[section.key], unread = section.collect(ctx)
            notes += unread
    cluster = ctx.cluster_name or "cluster"
    return HealthData(cluster, pods, ingresses, events, collected, not_ready_minutes, tuple(notes))
