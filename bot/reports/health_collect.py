"""The collect step of the ``health`` report: the only I/O it does, against one cluster.

Called by ``bot.services.reports.ReportService``. One pod list, one ingress list and one event
list (``reason=FailedCreate``) for all namespaces, plus the image-pull diagnoser's own batched
``collect`` so failing pulls are grouped exactly as it groups them. If AWS cannot be read, pulls
are still grouped from Kubernetes alone; a section Kubernetes refuses is named as unavailable.
"""

from __future__ import annotations

from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg
from bot.korean import attach
from bot.reports.health import HealthData
from handlers.image_pull.analyse import PullGroup, group_failures
from handlers.image_pull.collect import collect as collect_pulls
from handlers.image_pull.collect import collect_pods
from handlers.image_pull.model import Evidence


def _unavailable(what: str, exc: errors.CloudError) -> Msg:
    return Msg(
        f"{what} could not be read: {exc.call} {exc.code}",
        f"{attach(what, '을')} 읽을 수 없습니다: {exc.call} {exc.code}",
    )


def _pull_groups(ctx: ClusterContext, notes: list[Msg]) -> tuple[PullGroup, ...]:
    try:
        evidence = collect_pulls(ctx, None)
    except errors.CloudError as exc:
        if exc.call.startswith("k8s:"):
            notes.append(_unavailable("image pulls", exc))
            return ()
        failing, seen = collect_pods(ctx, None)  # AWS unreadable: group without the subnets
        evidence = Evidence("*", ctx.region, ctx.account_id, tuple(failing), pods_seen=seen)
        notes.append(_unavailable("node subnets", exc))
    return tuple(group_failures(evidence))


def _items(ctx: ClusterContext, call: Any, what: str, notes: list[Msg], **kwargs: Any) -> tuple[Any, ...]:
    try:
        return tuple(ctx.kube.to_dict(call(**kwargs)).get("items") or ())
    except errors.CloudError as exc:
        notes.append(_unavailable(what, exc))
        return ()


def collect(ctx: ClusterContext, not_ready_minutes: int = 10) -> HealthData:
    notes: list[Msg] = []
    core = ctx.kube.core
    pods = _items(ctx, core.list_pod_for_all_namespaces, "pods", notes)
    ingresses = _items(ctx, ctx.kube.networking.list_ingress_for_all_namespaces, "ingresses", notes)
    events = _items(ctx, core.list_event_for_all_namespaces, "events", notes, field_selector="reason=FailedCreate")
    groups = _pull_groups(ctx, notes)
    return HealthData(ctx.cluster_name or "cluster", pods, ingresses, events, groups, not_ready_minutes, tuple(notes))
