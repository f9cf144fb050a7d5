"""The parser with the bot's whole vocabulary: its own signals and every feature's, composed once.

``parse(text)`` is what the listeners, the ``/ops`` command reader and ``chatops parse`` call;
``VOCABULARY`` is what they hand ``bot.parsing`` (the parser itself knows no feature).
"""

from __future__ import annotations

from bot.parsing import ParseResult, Vocabulary
from bot.parsing import parse as parse_with
from bot.parsing.core_signals import SIGNALS as CORE
from handlers import registry

VOCABULARY = Vocabulary((CORE, *registry.signals()))


def parse(text: str) -> ParseResult:
    return parse_with(text, VOCABULARY)
