"""Turns what the Slack stand-in recorded into threads a person can read (for the demo).

What Slack would show, compacted for reading: mentions and channel links as names (``<@U_OPS>``
is ``@ops-lee``), uploaded files by name and size (or their first line when they are text), and
each outcome once. The bot states a thread's outcome in three places: the status line of the
thread's first message, the plan message (updated in place) and the final reply. The transcript
keeps a line where it is said last and drops its earlier copies, and keeps the first line of
every message (its headline) whatever it says.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_MARKUP = re.compile(r"<([^<>]*)>")
_ICON = re.compile(r"^[\s\u2000-\u2bff\u2e00-\u2fff\U0001f000-\U0001faff\ufe0f\u200d]+")
_PLAN_REF = re.compile(r"^#\d+\s+")
AUDIT_SUMMARY_WIDTH = 120
STATUS_ICONS = ("✅", "❌", "⚠️", "🚫", "⏳", "↩️", "⌛", "ℹ️", "🟡")


def blocks_to_text(blocks: list[dict[str, Any]] | None, fallback: str) -> str:
    if not blocks:
        return fallback or ""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            lines.append(block.get("text", {}).get("text", ""))
        elif kind == "context":
            lines.append("  " + " ".join(e.get("text", "") for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append("  " + "  ".join(f"[{e.get('text', {}).get('text', '')}]" for e in block.get("elements", [])))
    return "\n".join(lines)


def as_shown(text: str, people: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None) -> str:
    """Mrkdwn as Slack shows it: ``<@U…>`` as ``@name``, ``<#C…>`` as ``#channel``, ``<!here>`` as
    ``@here``, ``<url|label>`` as its label, and the escaped ``&``, ``<`` and ``>`` as themselves
    ("Formatting text for app surfaces": https://docs.slack.dev/messaging/formatting-message-text)."""
    people, channels = people or {}, channels or {}

    def show(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + people.get(target[1:], label or target[1:])
        if target.startswith("#"):
            return "#" + channels.get(target[1:], label or target[1:])
        if target.startswith("!"):
            return label or "@" + target[1:].split("^")[0]
        return label or target

    return _MARKUP.sub(show, text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _size(length: int | None) -> str:
    if length is None:
        return "size unknown"
    if length < 1024:
        return f"{length} B"
    return f"{length / 1024:.1f} KB" if length < 1024 * 1024 else f"{length / 1024 / 1024:.1f} MB"


def file_lines(message: Any, uploads: Mapping[str, Any]) -> list[str]:
    """One line per file the message carries: 📎 its name and title, then its first line or size."""
    lines = []
    for file_id in getattr(message, "files", ()) or ():
        upload = uploads.get(file_id)
        if upload is None:
            lines.append(f"📎 file {file_id}")
            continue
        title = f" “{upload.title}”" if upload.title and upload.title != upload.filename else ""
        head = getattr(upload, "first_line", "")
        lines.append(f"📎 {upload.filename}{title} ({f'“{head}”, ' if head else ''}{_size(upload.length)})")
    return lines


def _key(line: str) -> str:
    """A line reduced to what it says: no status icon, ``#N`` plan reference, bold or spacing."""
    core = _PLAN_REF.sub("", _ICON.sub("", line.strip()))
    return re.sub(r"\s+", " ", core.replace("*", "")).strip()


def _outside_code(lines: list[str]) -> list[bool]:
    """For each line, True when it is outside a ``` code block (code lines are never dropped)."""
    flags, inside = [], False
    for line in lines:
        opens = line.count("```") % 2 == 1
        flags.append(not inside and "```" not in line)
        inside = inside != opens
    return flags


def thread_bodies(
    messages: list[Any],
    people: Mapping[str, str],
    uploads: Mapping[str, Any],
    channels: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(who, text) for each message of one thread, each outcome line shown once (where it is said last)."""
    shown = []
    for m in messages:
        text = as_shown(blocks_to_text(m.blocks, m.text), people, channels)
        lines = [*(text.split("\n") if text else []), *file_lines(m, uploads)]
        shown.append((people.get(getattr(m, "user", "") or "", "bot"), lines))
    later: set[str] = set()
    out: list[tuple[str, str]] = []
    status = next((i for i, (who, _) in enumerate(shown) if who == "bot"), 0)  # the thread's status message
    for index in range(len(shown) - 1, -1, -1):
        who, lines = shown[index]
        outside = _outside_code(lines)
        # an outcome line: a line of the status message below its headline, or a line that opens with a
        # status icon; never a headline, code, a context or button line (indented) or a step
        droppable = [
            i > 0
            and outside[i]
            and not line[:1].isspace()
            and bool(_key(line))
            and (index == status or line.startswith(STATUS_ICONS))
            for i, line in enumerate(lines)
        ]
        kept = [line for i, line in enumerate(lines) if not (droppable[i] and _key(line) in later)]
        later.update(_key(line) for i, line in enumerate(lines) if outside[i] and _key(line))
        out.append((who, "\n".join(kept)))
    return list(reversed(out))


def print_threads(
    console: Console,
    messages: list[Any],
    people: dict[str, str],
    title: str,
    uploads: list[Any] | None = None,
    channels: Mapping[str, str] | None = None,
) -> None:
    """Print each thread in a channel: the parent first, then its replies, with who said it."""
    by_id = {u.file_id: u for u in uploads or ()}
    parents = [m for m in messages if not m.thread_ts or m.thread_ts == m.ts]
    for parent in parents:
        replies = [m for m in messages if m.thread_ts == parent.ts and m.ts != parent.ts]
        body = Text()
        for who, text in thread_bodies([parent, *replies], people, by_id, channels):
            body.append(f"{who:>9}  ", style="bold cyan" if who != "bot" else "bold green")
            indent = "\n" + " " * 11
            body.append(text.replace("\n", indent) + "\n")
        console.print(Panel(body, title=title, expand=True))


def shorten(text: str, width: int = AUDIT_SUMMARY_WIDTH) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``width``."""
    short = textwrap.shorten(text, width=width, placeholder=" …", break_long_words=False)
    return short if short.strip(" …") else text[: width - 1] + "…"  # a first word longer than width


def print_audit(console: Console, rows: list[Any]) -> None:
    table = Table(title="Audit log", show_lines=False)
    for col in ("id", "at (UTC)", "kind", "actor", "plan", "summary"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.at.strftime("%H:%M:%S"), r.kind, r.actor, str(r.plan_id or ""), shorten(r.summary))
    console.print(table)
