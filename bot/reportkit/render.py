"""Block Kit for reports, as plain dicts: a changed report lists new, changed, still failing and
resolved items; an unchanged one is a single line. Pure; shared by every report kind.

Slack's limits are kept here: section text under 3,000 characters, at most 50 blocks (items
beyond ``MAX_ITEMS`` are counted, not shown), button values tiny (an item's 12-character handle
or a plan id). The ``report_diagnose`` button is answered by ``bot.slack.listeners.reports``.

Item labels are plain text (pod names, plan titles, database ids) and are escaped here, unless a
builder made them with ``bot.mrkdwn.markup`` (approvals and audit mention people).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.blockkit import Block, button, context, header, section
from bot.domain import Msg
from bot.mrkdwn import as_mrkdwn, clip
from bot.reportkit.diff import Diff, Resolved
from bot.reportkit.model import Item

DIAGNOSE_ACTION = "report_diagnose"  # + "-<handle>": action ids must be unique in a message
MAX_ITEMS = 20


def when(moment: datetime | None, now: datetime) -> str:
    """A short local time: ``14:02`` today, ``11-24 09:00`` otherwise, with the age in brackets."""
    if moment is None:
        return "?"
    local = moment.astimezone(now.tzinfo)
    shown = f"{local:%H:%M}" if local.date() == now.date() else f"{local:%m-%d %H:%M}"
    return f"{shown} ({age(moment, now)})"


def age(moment: datetime, now: datetime) -> str:
    secs = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def item_blocks(item: Item, lang: str, now: datetime, mark: str) -> list[Block]:
    text = f"{mark} {as_mrkdwn(item.label, lang)} · {Msg('since', '시작')(lang)} {when(item.since, now)}"
    block = section(text)
    if item.ask:
        block["accessory"] = button(f"{DIAGNOSE_ACTION}-{item.short}", Msg("Diagnose", "진단")(lang), item.short[:64])
    blocks = [block]
    if item.plan_id is not None:
        blocks.append(decide_actions(item.plan_id, lang, f"report-plan-{item.plan_id}"))
    return blocks


def decide_actions(plan_id: int, lang: str, block_id: str) -> Block:
    """Approve/reject for one plan. The ``-<plan id>`` suffix keeps action ids unique when a message
    lists several plans; ``bot.slack.listeners.reports`` strips it so the spine's listeners decide."""
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            button(
                f"approve_plan-{plan_id}",
                Msg("Approve & apply", "승인 후 적용")(lang),
                str(plan_id),
                "primary",
            ),
            button(f"reject_plan-{plan_id}", Msg("Reject", "거절")(lang), str(plan_id), "danger"),
        ],
    }


def _resolved_line(r: Resolved, lang: str, now: datetime) -> str:
    since = f" ({Msg('open since', '발생')(lang)} {when(r.since, now)})" if r.since else ""
    return f"✅ ~{as_mrkdwn(r.label, lang)}~{since}"


def report_blocks(
    title: str,
    d: Diff,
    lang: str,
    now: datetime,
    sections: Mapping[str, Msg],
    intro: Sequence[Block] = (),
    *,
    show_resolved: bool = True,
    show_still: bool = True,
    all_clear: Msg | None = None,
) -> tuple[str, list[Block]]:
    """(fallback text, blocks) of a changed report: new first, then changed, still and resolved."""
    blocks: list[Block] = [header(title), *intro]
    lines = [title]
    groups = (
        (Msg("🆕 *New*", "🆕 *새로 발생*"), d.new, "🆕"),
        (Msg("🔁 *Changed*", "🔁 *변경됨*"), d.changed, "🔁"),
        (Msg("⏳ *Still open*", "⏳ *계속 진행 중*"), d.still if show_still else (), "⏳"),
    )
    shown = 0
    for heading, items, mark in groups:
        if not items:
            continue
        blocks.append(section(f"{heading(lang)} ({len(items)})"))
        for item in items:
            label = sections.get(item.section)
            prefix = f"{mark} _{label(lang)}_ ·" if label else mark
            lines.append(f"{prefix} {as_mrkdwn(item.label, lang)}")
            if shown < MAX_ITEMS:
                blocks.extend(item_blocks(item, lang, now, prefix))
            shown += 1
    if shown > MAX_ITEMS:
        blocks.append(context(Msg(f"… and {shown - MAX_ITEMS} more", f"… 외 {shown - MAX_ITEMS}건")(lang)))
    if show_resolved and d.resolved:
        resolved = [_resolved_line(r, lang, now) for r in d.resolved]
        lines.extend(resolved)
        blocks.append(
            section(
                f"{Msg('✅ *Resolved*', '✅ *해결됨*')(lang)} ({len(d.resolved)})\n" + "\n".join(resolved[:MAX_ITEMS])
            )
        )
    if not d.current and all_clear is not None:
        blocks.append(section(all_clear(lang)))
        lines.append(all_clear(lang))
    return clip("\n".join(lines), 3000), blocks[:50]


def unchanged_line(title: str, d: Diff, lang: str, now: datetime) -> str:
    """The whole report when nothing changed: one line, stable for as long as nothing changes."""
    open_items = d.current
    since = f"{d.changed_at.astimezone(now.tzinfo):%m-%d %H:%M}"
    if not open_items:
        return Msg(f"{title}: no change since {since}; all clear.", f"{title}: {since} 이후 변화 없음, 이상 없음.")(
            lang
        )
    oldest = open_items[0].since
    oldest_at = f"{oldest.astimezone(now.tzinfo):%m-%d %H:%M}" if oldest else "?"
    return Msg(
        f"{title}: no change since {since}; {len(open_items)} still open (oldest since {oldest_at}).",
        f"{title}: {since} 이후 변화 없음, {len(open_items)}건 계속 진행 중 (가장 오래된 것 {oldest_at}부터).",
    )(lang)
