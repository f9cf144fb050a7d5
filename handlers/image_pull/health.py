"""The health report's ``image_pull`` section: failing pulls grouped exactly as the diagnoser groups
them (its own batched ``collect``). If AWS cannot be read, pulls are still grouped from Kubernetes
alone, without the node subnets; if Kubernetes refuses, the section is named as unavailable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg
from bot.reportkit.model import Item
from bot.reportkit.notes import unreadable
from handlers.base import HealthFindings, HealthScan, HealthSection
from handlers.image_pull.analyse import PullGroup, group_failures
from handlers.image_pull.collect import collect as collect_pulls
from handlers.image_pull.collect import collect_pods
from handlers.image_pull.model import Evidence

RANK = 10


def pull_groups(ctx: ClusterContext) -> tuple[tuple[PullGroup, ...], tuple[Msg, ...]]:
    try:
        evidence = collect_pulls(ctx, None)
    except errors.CloudError as exc:
        if exc.call.startswith("k8s:"):
            return (), (unreadable("image pulls", exc),)
        failing, seen = collect_pods(ctx, None)  # AWS unreadable: group without the subnets
        evidence = Evidence("*", ctx.region, ctx.account_id, tuple(failing), pods_seen=seen)
        return tuple(group_failures(evidence)), (unreadable("node subnets", exc),)
    return tuple(group_failures(evidence)), ()


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


def section_items(
    _scan: HealthScan, groups: Any, _covered: frozenset[tuple[str, str]], _now: datetime
) -> HealthFindings:
    groups = tuple(groups or ())
    return HealthFindings(tuple(pull_items(groups)), frozenset((p.namespace, p.name) for g in groups for p in g.pods))


SECTION = HealthSection("image_pull", Msg("image pull", "이미지 pull"), RANK, section_items, pull_groups)
