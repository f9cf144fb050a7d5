"""Decide what a request is about, from the errors pasted in it, phrases, and signal families.

Called by ``bot.parsing.parse`` only. Pure. Pasted errors and error codes decide first. Then the
vocabulary's phrase rules (``bot.parsing.vocabulary``, from the parser and each feature) are
checked by rank (a pasted pull error wins over
the word "pod"; a denied ingress delete wins over a generic access-denied), and its reading is
checked against the object/action/state families of ``bot.parsing.evidence``: agreement stands,
a known precedence decides a disagreement, and any other disagreement is asked (``WEAK``).

Signals are mostly literal phrases looked up in the lowercased text (``in`` is far faster than
a regular expression with many alternatives); the few that need a pattern are gated on a
literal first. That keeps ``chatops parse --jsonl`` well above 10,000 messages a second.
"""

from __future__ import annotations

from bot.parsing import evidence
from bot.parsing.confidence import NOTHING, PHRASE, STRUCTURAL, WEAK
from bot.parsing.vocabulary import AwsError, Vocabulary


def read(low: str, aws_error: AwsError, vocabulary: Vocabulary) -> tuple[str, float]:
    """The intent and how sure it is (``bot.parsing.confidence``).

    Pasted errors and error codes decide first (``STRUCTURAL``). Otherwise the phrase rules and
    the signal families of ``bot.parsing.evidence`` are both read: when they agree the reading
    stands; when the families pair up a different intent, the one known to take precedence wins;
    when neither is known to, or a phrase reading lacks the state its intent needs, the bot asks.
    """
    if not low.strip():
        return "other", NOTHING
    intent, sure = _phrases(low, aws_error, vocabulary)
    if sure >= STRUCTURAL:
        return intent, sure
    needs_state = vocabulary.needs_state
    found = evidence.found(low, vocabulary)
    families = evidence.read(low, vocabulary, found)
    if families is None or (families.task and intent not in needs_state and sure >= PHRASE):
        if intent in needs_state and sure >= PHRASE and aws_error is None:
            return intent, WEAK
        return intent, sure
    if sure < PHRASE or intent == "other":  # the phrase rules found nothing specific
        return families.intent, families.confidence
    return _settle(intent, sure, families, aws_error, vocabulary)


def _settle(
    intent: str, sure: float, families: evidence.Reading, aws_error: AwsError, vocabulary: Vocabulary
) -> tuple[str, float]:
    """A specific phrase reading against the families' reading of the same message."""
    needs_state = vocabulary.needs_state
    if intent == families.intent:
        return intent, min(sure, families.confidence)
    if intent in families.pairs:
        return intent, sure if families.confidence >= PHRASE else WEAK
    if not families.pairs:  # a set-up task, or only objects the bot does not look after
        if intent in needs_state and aws_error is None:
            return ("other", PHRASE) if families.task else (intent, WEAK)
        return intent, sure
    if evidence.beats(families.intent, intent, vocabulary) and families.confidence >= PHRASE:
        return families.intent, PHRASE
    if evidence.beats(intent, families.intent, vocabulary):
        return intent, sure
    return intent, WEAK  # the phrase and the families disagree and neither is known to win: ask


def _phrases(low: str, aws_error: AwsError, vocabulary: Vocabulary) -> tuple[str, float]:
    """The reading of the phrase rules alone: the first by rank that answers."""
    for read_rule in vocabulary.rule_reads:
        reading = read_rule(low, aws_error)
        if reading is not None:
            return reading
    if aws_error is not None or any(w in low for w in vocabulary.domain_words):
        return "other", WEAK  # it is about the bot's areas, but no rule says which: ask
    return "other", PHRASE
