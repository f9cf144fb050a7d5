"""The ``health`` report: a cluster digest that only speaks about what changed.

Pure. ``bot.reports.health_collect`` reads the cluster and hands over ``HealthData``; ``problems``
asks each feature's section (``Feature.health``, in rank order: image pulls grouped as the image-pull
diagnoser groups them, pods the kubelet rejected for sysctls or Pod Security refused, ingresses stuck
in deletion, pods not ready for more than N minutes) for its items; ``build`` diffs them with the
previous run and draws the week's failing-pod count. Every item carries the request its "Diagnose"
button starts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import blockkit
from bot.domain import Msg
from bot.mrkdwn import as_mrkdwn
from bot.reportkit import charts, render
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Item, ReportContent
from handlers import registry
from handlers.base import HealthScan

KIND = "health"
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class HealthData:
    """What ``health_collect`` read: the scan every section shares, what each section with its own
    reads collected (by section key), and the parts that could not be read, and why."""

    cluster: str
    pods: tuple[Obj, ...] = ()
    ingresses: tuple[Obj, ...] = ()
    failed_create_events: tuple[Obj, ...] = ()
    collected: Mapping[str, Any] = field(default_factory=dict)
    not_ready_minutes: int = 10
    unavailable: tuple[Msg, ...] = field(default_factory=tuple)

    @property
    def scan(self) -> HealthScan:
        return HealthScan(self.pods, self.ingresses, self.failed_create_events, self.not_ready_minutes)

    def __str__(self) -> str:
        return f"health {self.cluster}: {len(self.pods)} pods, sections collected: {', '.join(self.collected)}"


def sections() -> dict[str, Msg]:
    """Each section's title, by key, in the order the report shows them."""
    return {s.key: s.title for s in registry.health_sections()}


def problems(data: HealthData, now: datetime) -> list[Item]:
    items: list[Item] = []
    covered: frozenset[tuple[str, str]] = frozenset()
    scan = data.scan
    for section in registry.health_sections():
        found = section.items(scan, data.collected.get(section.key), covered, now)
        items += found.items
        covered |= found.pods
    return items


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
    notes = [blockkit.context("⚠️ " + as_mrkdwn(m, lang)) for m in data.unavailable]
    if d.unchanged and not data.unavailable:
        return ReportContent(KIND, render.unchanged_line(title, d, lang, now), (), state, changed=False)
    drawn = charts.available()
    if not drawn:
        notes.append(blockkit.context(charts.NOT_AVAILABLE(lang)))
    all_clear = Msg(
        "✅ All clear: no failing pods, stuck ingresses or rejected sysctls.",
        "✅ 이상 없음: 실패 중인 파드, 삭제 대기 ingress, 거부된 sysctl 이 없습니다.",
    )
    text, blocks = render.report_blocks(
        f"{title} · {now:%Y-%m-%d %H:%M}", d, lang, now, sections(), notes, all_clear=all_clear
    )
    if not drawn:
        return ReportContent(KIND, text, tuple(blocks), state, changed=True)
    chart = charts.series_chart(
        [(datetime.fromisoformat(t), n) for t, n in series],
        f"Failing pods over the week ({data.cluster})",
        f"health-{now:%Y%m%d-%H%M}.png",
    )
    return ReportContent(KIND, text, tuple(blocks), state, changed=True, charts=(chart,))
