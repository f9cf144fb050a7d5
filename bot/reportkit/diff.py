"""What changed since the previous run: new, changed, still failing (since when) and resolved items.

Pure. Builders call ``diff(items, previous_state, now)`` and store ``state_of(...)`` for the next
run. An item keeps the ``since`` it was first seen with (or the one its data gives), so "still
failing since Monday 09:00" survives any number of runs. The state is plain JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import Msg
from bot.mrkdwn import Mrkdwn
from bot.reportkit.model import Item


@dataclass(frozen=True)
class Resolved:
    """An item the previous run had and this one does not."""

    key: str
    section: str
    label: Msg
    since: datetime | None

    def __str__(self) -> str:
        return f"resolved {self.section}:{self.key}"


@dataclass(frozen=True)
class Diff:
    new: tuple[Item, ...]
    changed: tuple[Item, ...]
    still: tuple[Item, ...]
    resolved: tuple[Resolved, ...]
    first_run: bool
    changed_at: datetime

    @property
    def unchanged(self) -> bool:
        return not (self.first_run or self.new or self.changed or self.resolved)

    @property
    def current(self) -> tuple[Item, ...]:
        """Every item open now, oldest first."""
        items = (*self.new, *self.changed, *self.still)
        return tuple(sorted(items, key=lambda i: (i.since.isoformat() if i.since else "", i.key)))

    def __str__(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, {len(self.still)} still, {len(self.resolved)} resolved"
        )


def signature(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _msg(value: Any) -> Msg:
    """A stored label; one the bot built as markup (escaped when built, marked when stored) stays markup."""
    value = value if isinstance(value, Mapping) else {}
    kind = Mrkdwn if value.get("mrkdwn") is True else Msg
    return kind(str(value.get("en", "")), str(value.get("ko", value.get("en", ""))))


def diff(items: Sequence[Item], previous_state: Mapping[str, Any] | None, now: datetime) -> Diff:
    previous = dict((previous_state or {}).get("items") or {})
    new, changed, still = [], [], []
    for item in items:
        before = previous.pop(item.key, None)
        if before is None:
            new.append(replace(item, since=item.since or now))
            continue
        dated = replace(item, since=item.since or _when(before.get("since")) or now)
        (still if before.get("sig") == signature(item.fields) else changed).append(dated)
    resolved = tuple(
        Resolved(key, str(old.get("section", "")), _msg(old.get("label")), _when(old.get("since")))
        for key, old in sorted(previous.items())
    )
    first = previous_state is None
    moved = first or bool(new or changed or resolved)
    changed_at = now if moved else (_when((previous_state or {}).get("changed_at")) or now)
    return Diff(tuple(new), tuple(changed), tuple(still), resolved, first, changed_at)


def state_of(d: Diff, now: datetime, **extra: Any) -> dict[str, Any]:
    """The JSON the next run diffs against (``extra`` carries kind-specific history such as a series)."""
    items = {}
    for item in d.current:
        items[item.key] = {
            "section": item.section,
            "label": {"en": item.label.en, "ko": item.label.ko, "mrkdwn": isinstance(item.label, Mrkdwn)},
            "since": item.since.isoformat() if item.since else "",
            "sig": signature(item.fields),
            "h": item.short,
            "ask": dict(item.ask) if item.ask else None,
        }
    return {"v": 1, "at": now.isoformat(), "changed_at": d.changed_at.isoformat(), "items": items, **extra}
