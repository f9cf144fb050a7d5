"""Block Kit's building blocks as plain dictionaries, within Slack's limits. No I/O, no clients.

Slack's limits (Block Kit reference): a section's or a context element's text at most 3,000
characters, at most 50 blocks in a message, a header's text at most 150 characters and a button's
text at most 75. Slack also refuses a message whose blocks hold about 13,000 characters of text in
all, with ``msg_blocks_too_long``, a limit it does not document (reported in
https://github.com/slackapi/bolt-js/issues/2509 and #2867); ``BLOCK_TEXT_BUDGET`` keeps well under
it. Text that does not fit one section is split over several (``text_sections``), never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.mrkdwn import clip, escape

SECTION_LIMIT = 2900
MAX_BLOCKS = 50
BLOCK_TEXT_BUDGET = 8000  # well under the ~13,000 characters at which Slack answers msg_blocks_too_long
Block = dict[str, Any]


def section(text: str) -> Block:
    """A mrkdwn section; ``text`` is mrkdwn already (escape what is not the bot's own)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def _pieces(line: str, limit: int) -> list[str]:
    """``line`` in pieces of at most ``limit`` characters, none ending inside an entity."""
    out = []
    while len(line) > limit:
        piece = clip(line, limit)
        out.append(piece)
        line = line[len(piece) :]
    out.append(line)
    return out


def _chunks(text: str, limit: int) -> list[str]:
    """``text`` split at line ends into chunks of at most ``limit`` characters; long lines are wrapped."""
    chunks, current = [], ""
    for whole in text.splitlines():
        for line in _pieces(whole, limit - 1):
            if current and len(current) + len(line) + 1 > limit:
                chunks.append(current)
                current = ""
            current += line + "\n"
    if current or not chunks:
        chunks.append(current)
    return [c.rstrip("\n") for c in chunks]


def text_sections(text: str, limit: int = SECTION_LIMIT) -> list[Block]:
    """Mrkdwn ``text`` over as many sections as it needs: nothing is cut off."""
    return [section(c) for c in _chunks(text, limit)]


def code_sections(body: str, limit: int = SECTION_LIMIT - 10) -> list[Block]:
    """A code block split over as many sections as needed (each within Slack's limit).

    ``body`` is mrkdwn already: Slack parses ``<...>`` inside code blocks too, so escape it first.
    """
    return [section(f"```{c.rstrip()}```") for c in _chunks(body, limit)]


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def table_text(rows: Sequence[Sequence[str]], max_rows: int = 60) -> str:
    """Rows as an aligned text table, mrkdwn-ready: laid out on the raw text, then every cell escaped."""
    if not rows:
        return ""
    shown = list(rows[: max_rows + 1])
    widths = [max(len(str(r[i])) for r in shown) for i in range(len(shown[0]))]
    lines = [
        "  ".join(escape(str(c).ljust(min(w, 60))[:60]) for c, w in zip(r, widths, strict=False)).rstrip()
        for r in shown
    ]
    if len(rows) > max_rows + 1:
        lines.append(f"… {len(rows) - max_rows - 1} more")
    return "\n".join(lines)


def blocks_text(value: Any) -> int:
    """Characters of text in a block tree (every ``text`` string), as the cumulative limit counts them."""
    if isinstance(value, list):
        return sum(blocks_text(v) for v in value)
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(blocks_text(v) for v in value.values() if isinstance(v, dict | list))
    return 0


def fits(blocks: list[Block], spare_blocks: int = 0, spare_text: int = 0) -> bool:
    return len(blocks) + spare_blocks <= MAX_BLOCKS and blocks_text(blocks) + spare_text <= BLOCK_TEXT_BUDGET


def button(
    action_id: str, text: str, value: str | int, style: str | None = None, confirm: Block | None = None
) -> Block:
    """A button; ``style`` is "primary" or "danger", ``confirm`` a confirmation dialog object."""
    block: Block = {
        "type": "button",
        "action_id": action_id,
        "value": str(value),
        "text": {"type": "plain_text", "text": text[:75]},
    }
    if style:
        block["style"] = style
    if confirm:
        block["confirm"] = confirm
    return block
