"""Slack mrkdwn, safely: text from people and clusters is escaped; markup the bot builds is marked.

In every mrkdwn text (code blocks included) Slack reads ``&``, ``<`` and ``>`` as control
characters: ``<@U123>`` mentions someone, ``<!channel>`` notifies a whole channel,
``<https://x|label>`` is a link that shows only its label. Text the bot did not write itself (a
pod or image name, a Kubernetes event message that any namespace owner can write, a pasted error,
an exception's text, a table cell) must reach Slack escaped, so it shows as typed and does nothing.

The rule has two halves:

* A ``Msg`` is plain text. The Slack renderer escapes it (``as_mrkdwn``), whatever it contains:
  diagnosers, handlers and services never escape anything themselves.
* ``Mrkdwn`` (a ``Msg``) is markup the bot built, made only by ``markup()``: its two templates are
  the bot's own words, and every value put into them is escaped, except the pieces built here
  (``mention``, ``usergroup``, ``channel``), which are checked against Slack's id syntax first.

Escaping follows Slack's "Formatting text for app surfaces": ``&`` -> ``&amp;``, ``<`` -> ``&lt;``,
``>`` -> ``&gt;``, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.domain import Msg
from bot.korean import fill

_USER = re.compile(r"[UW][A-Z0-9_]{2,20}")
_GROUP = re.compile(r"S[A-Z0-9_]{2,20}")
_CHANNEL = re.compile(r"[CGD][A-Z0-9_]{2,20}")
_PARTIAL_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")


def escape(text: str) -> str:
    """``text`` as Slack shows it literally in mrkdwn: only ``&``, ``<`` and ``>`` are replaced."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Markup(str):
    """A piece of mrkdwn the bot built (a mention, a channel link): put into ``markup()`` as it is."""

    __slots__ = ()


def mention(user_id: str) -> Markup:
    """``<@U123>`` for a Slack user id (the sandbox's have underscores); anything else as escaped text."""
    return Markup(f"<@{user_id}>") if _USER.fullmatch(user_id or "") else Markup(escape(user_id))


def usergroup(group_id: str) -> Markup:
    """``<!subteam^S123>`` for a user group id; anything else as escaped text."""
    return Markup(f"<!subteam^{group_id}>") if _GROUP.fullmatch(group_id or "") else Markup(escape(group_id))


def channel(channel_id: str) -> Markup:
    """``<#C123>`` for a channel id; anything else as escaped text."""
    return Markup(f"<#{channel_id}>") if _CHANNEL.fullmatch(channel_id or "") else Markup(escape(channel_id))


def join(separator: str, parts: Iterable[Any]) -> Markup:
    """The parts joined by ``separator`` (the bot's own), each escaped unless it is ``Markup``."""
    return Markup(escape(separator).join(_safe(p) for p in parts))


def _safe(value: Any) -> str:
    return value if isinstance(value, Markup) else escape(str(value))


@dataclass(frozen=True)
class Mrkdwn(Msg):
    """A sentence in both languages that is already mrkdwn (built by ``markup``): sent as it is."""

    def format(self, **kwargs: Any) -> Mrkdwn:
        safe = {k: Markup(_safe(v)) for k, v in kwargs.items()}
        return Mrkdwn(self.en.format(**safe), fill(self.ko, **safe))


def markup(en: str, ko: str, **values: Any) -> Mrkdwn:
    """``Mrkdwn`` from two templates (``str.format`` fields) and values, each value escaped unless ``Markup``.

    A Korean field may name its particle as its format (``{id:를}``, see ``bot.korean``).

    ``markup("{who} approved plan #{id}.", "{who} 님이 계획 #{id:를} 승인했습니다.", who=mention(user), id=7)``
    """
    safe = {k: _safe(v) for k, v in values.items()}
    return Mrkdwn(en.format(**safe), fill(ko, **safe))


def as_mrkdwn(msg: Msg, lang: str) -> str:
    """The text of ``msg`` in ``lang`` ready for a mrkdwn field: escaped unless the bot built it as markup."""
    text = msg(lang)
    return text if isinstance(msg, Mrkdwn) else escape(text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters without leaving half an ``&amp;`` at the end."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    tail = _PARTIAL_ENTITY.search(cut[-4:])
    return cut[: len(cut) - len(tail.group(0))] if tail else cut
