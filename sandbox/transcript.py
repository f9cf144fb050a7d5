"""Turns what the Slack stand-in recorded into threads a person can read (for the demo)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


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


def as_shown(text: str) -> str:
    """Mrkdwn as Slack shows it: the escaped ``&``, ``<`` and ``>`` appear as themselves."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def print_threads(console: Console, messages: list[Any], people: dict[str, str], title: str) -> None:
    """Print each thread in a channel: the parent first, then its replies, with who said it."""
    parents = [m for m in messages if not m.thread_ts or m.thread_ts == m.ts]
    for parent in parents:
        replies = [m for m in messages if m.thread_ts == parent.ts and m.ts != parent.ts]
        body = Text()
        for m in [parent, *replies]:
            who = people.get(getattr(m, "user", "") or "", "bot")
            body.append(f"{who:>9}  ", style="bold cyan" if who != "bot" else "bold green")
            text = as_shown(blocks_to_text(m.blocks, m.text))
            indent = "\n" + " " * 11
            body.append(text.replace("\n", indent) + "\n")
        console.print(Panel(body, title=title, expand=True))


def print_audit(console: Console, rows: list[Any]) -> None:
    table = Table(title="Audit log", show_lines=False)
    for col in ("id", "at (UTC)", "kind", "actor", "plan", "summary"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.at.strftime("%H:%M:%S"), r.kind, r.actor, str(r.plan_id or ""), r.summary[:90])
    console.print(table)
