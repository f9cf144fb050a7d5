"""``parse(text, vocabulary) -> ParseResult``: what the bot understood from one free-text request.

Called by the Slack listeners (free text in request channels and threads), by
``chatops parse`` (``bot.parsing.cli``) and by tests and benchmarks. Pure and offline: it
never touches AWS or Kubernetes. The JSON shape is the stable ``chatops parse`` contract (README).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.domain import Lang, Request
from bot.parsing import entities, intents
from bot.parsing import text as textmod
from bot.parsing.aws_errors import parse_aws_error
from bot.parsing.confidence import CONFIDENT
from bot.parsing.image_pull import classify_pull_error
from bot.parsing.vocabulary import Vocabulary


@dataclass(frozen=True)
class ParseResult:
    """Language, intent and entities of a request, and the AWS / pull errors pasted in it.

    ``entities`` holds only keys with a value (``entities.CORE_KEYS`` and the vocabulary's
    ``entity_keys``); all namespaces is ``{"namespace": "*"}``. ``aws_error`` is set whenever an
    AWS authorization error is in the text; ``image_pull`` exactly when the intent is
    ``image_pull`` (cause ``other`` when the text says nothing about why). ``confidence`` (0..1)
    says how sure the intent is; below ``bot.parsing.confidence.CONFIDENT`` (``confident`` is
    False) the bot asks instead of guessing.
    """

    language: str
    intent: str
    entities: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    aws_error: Mapping[str, str] | None = None
    image_pull: Mapping[str, str] | None = None
    confidence: float = 1.0

    @property
    def confident(self) -> bool:
        """False when the bot should ask which request this is instead of acting on ``intent``."""
        return self.confidence >= CONFIDENT

    def __str__(self) -> str:
        ents = " ".join(f"{k}={v}" for k, v in self.entities.items())
        return f"[{self.language}] {self.intent} {ents}".rstrip()

    def to_json(self) -> dict[str, Any]:
        """The ``chatops parse`` contract object (plain dicts, JSON-serialisable)."""
        return {
            "language": self.language,
            "intent": self.intent,
            "entities": dict(self.entities),
            "aws_error": dict(self.aws_error) if self.aws_error is not None else None,
            "image_pull": dict(self.image_pull) if self.image_pull is not None else None,
            "confidence": round(self.confidence, 2),
        }

    def to_request(self, text: str = "", user: str = "") -> Request:
        """The domain ``Request`` a diagnoser receives for this parse."""
        return Request(
            intent=self.intent,
            entities=dict(self.entities),
            text=text,
            lang=Lang(self.language),
            user=user,
            aws_error=self.aws_error,
            image_pull=self.image_pull,
        )


def language_of(text: str) -> str:
    """The language ``parse`` would find in ``text``, without the rest of the parse."""
    return textmod.language(textmod.clean(text if text is not None else ""))


def parse(text: str, vocabulary: Vocabulary) -> ParseResult:
    """Understand one message (Slack markup allowed) with ``vocabulary``'s signals. Never raises;
    looks at the first 20 KB only."""
    cleaned = textmod.clean(text if text is not None else "")
    language = textmod.language(cleaned)
    low = cleaned.lower()
    aws_error = parse_aws_error(cleaned)
    intent, sure = intents.read(low, aws_error, vocabulary)
    pull = classify_pull_error(cleaned) if intent == "image_pull" else None
    found = entities.extract(cleaned, intent, vocabulary, pull.image if pull else "", low)
    return ParseResult(
        language=language,
        intent=intent,
        entities=MappingProxyType(found),
        aws_error=MappingProxyType(aws_error) if aws_error is not None else None,
        image_pull=MappingProxyType(pull.to_json()) if pull else None,
        confidence=sure,
    )
