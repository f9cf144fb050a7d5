"""Records of the report pipeline: an ``Item`` a report is about, a ``Chart``, and ``ReportContent``.

Pure frozen data. Builders (``bot.reports.health`` and friends) turn collected data into items;
``bot.reportkit.diff`` compares them with the previous run's state; ``ReportContent`` is what the
service posts and records (its ``content_hash`` decides whether anything is posted at all).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import Msg


@dataclass(frozen=True)
class Item:
    """One thing a report tracks from run to run (a failing group, a waiting plan, a change).

    ``key`` is its identity across runs; ``since`` when it started, if the data says so (else the
    first run that saw it); ``fields`` are compared to notice a change in an item that stays;
    ``ask`` is the request a "Diagnose" button starts (``{"intent", "entities"}``); ``plan_id``
    gives an approvals item the plan's own approve/reject buttons.
    """

    key: str
    section: str
    label: Msg
    since: datetime | None = None
    ask: Mapping[str, Any] | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    plan_id: int | None = None

    @property
    def short(self) -> str:
        """A tiny server-side handle for buttons (Slack button values must stay small)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:12]

    def __str__(self) -> str:
        return f"{self.section}:{self.key} {self.label.en}"


@dataclass(frozen=True)
class Chart:
    filename: str
    title: str
    png: bytes

    def __str__(self) -> str:
        return f"{self.filename} ({len(self.png)} bytes)"


@dataclass(frozen=True)
class ReportContent:
    """What one run produced. ``changed`` False means the one-line "nothing changed" form."""

    kind: str
    text: str
    blocks: tuple[Mapping[str, Any], ...]
    state: Mapping[str, Any]
    changed: bool
    charts: tuple[Chart, ...] = ()

    @property
    def content_hash(self) -> str:
        body = json.dumps(
            {"kind": self.kind, "text": self.text, "blocks": list(self.blocks)},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()

    def __str__(self) -> str:
        first = self.text.splitlines()[0] if self.text else ""
        return f"{self.kind} ({'changed' if self.changed else 'unchanged'}): {first}"
