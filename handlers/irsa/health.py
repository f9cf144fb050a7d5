"""The health report's ``ingress`` section: ingresses stuck in deletion (a finalizer still set past
the report's grace), each with the request that diagnoses why the controller cannot delete it. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.cloud.kube_objects import kube_time
from bot.domain import Msg
from bot.reportkit.model import Item
from handlers.base import HealthFindings, HealthScan, HealthSection

RANK = 30


def ingress_items(
    scan: HealthScan, _collected: Any, _covered: frozenset[tuple[str, str]], now: datetime
) -> HealthFindings:
    grace = timedelta(minutes=scan.not_ready_minutes)
    items = []
    for ing in scan.ingresses:
        meta = ing.get("metadata") or {}
        deleting, finalizers = kube_time(meta.get("deletionTimestamp")), meta.get("finalizers") or []
        if deleting is None or not finalizers or now - deleting < grace:
            continue
        ns, name = meta.get("namespace", ""), meta.get("name", "")
        label = Msg(
            f"ingress {ns}/{name} stuck in deletion (finalizers: {', '.join(finalizers)})",
            f"ingress {ns}/{name} 삭제 대기 중 (finalizer: {', '.join(finalizers)})",
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
    return HealthFindings(tuple(items))


SECTION = HealthSection("ingress", Msg("ingress deletion", "ingress 삭제"), RANK, ingress_items)
