"""The signals the parser reads a request's intent with, composed from what each feature brings.

Pure. A ``Signals`` is one contributor's share: **families** (words that stand for an object, an
action or a state: ``"pod"``, ``"restart"``, ``"failing"``), multi-word phrases and Korean
substrings that stand for a family, **pairings** (an intent, the families that make it, and the
intents it takes precedence over), and **phrase rules** (literal and pattern signals with a rank:
the lowest-ranked rule that answers gives the phrase reading). The parser's own share
(``bot.parsing.core_signals``: help, "other", and the shared actions and states such as delete,
failing, stuck, denied) and each feature's (``Feature.signals``) make one ``Vocabulary``, built once
by the composition root; ``bot.parsing.parse(text, vocabulary)`` reads with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.parsing import morph

Reading = tuple[str, float]
AwsError = Mapping[str, Any] | None


@dataclass(frozen=True)
class PhraseRule:
    """``read(low, aws_error)``: an (intent, confidence) reading, or None to let later rules try."""

    rank: int
    read: Callable[[str, AwsError], Reading | None]


@dataclass(frozen=True)
class Pairing:
    """An intent the families can pair up to.

    ``pairs(f)`` says whether the families ``f`` found make this intent; pairings are tried by
    ``rank``. ``beats`` are the intents a request that pairs up as both is *not* about.
    ``needs_state``: a phrase reading of this intent needs its pairing (an Ingress only to be
    removed is a task, not the symptom). ``settle(f, vocabulary)``, when given, is how sure a reading
    that won is, from everything found (default: a phrase's confidence).
    """

    intent: str
    rank: int
    pairs: Callable[[frozenset[str]], bool]
    beats: frozenset[str] = frozenset()
    needs_state: bool = False
    settle: Callable[[frozenset[str], Vocabulary], float] | None = None


@dataclass(frozen=True)
class EntityText:
    """A request's text as entity extractors read it: cleaned, lowercased, its head (natural phrasing
    is read from the start of a message, before any pasted log) and the intent it was read as."""

    text: str
    low: str
    head: str
    intent: str


@dataclass(frozen=True)
class EntityRule:
    """``extract(text, found)`` adds the entities ``keys`` names to ``found`` (the core's, and those
    of lower-ranked rules, already there); it may drop one it shows to be something else."""

    rank: int
    keys: tuple[str, ...]
    extract: Callable[[EntityText, dict[str, str]], None]


@dataclass(frozen=True)
class Signals:
    """One contributor's share of the vocabulary (see the module's docstring).

    ``in_scope``: families of objects (or actions) of its area, so that one unpaired makes the
    reading unsure rather than "other". ``other_topics``: its objects that a pod reading does not
    account for. ``needs_state_objects``: its objects whose set-up, with no failure, is a how-to.
    ``domain_words``: substrings that place a message in its area (an "other" with one is asked).
    ``entities``: the extractors of the entities only its requests name (a database, a sysctl).
    """

    families: Mapping[str, frozenset[str]] = field(default_factory=dict)
    phrases: tuple[tuple[str, str], ...] = ()
    korean: tuple[tuple[str, str], ...] = ()
    pairings: tuple[Pairing, ...] = ()
    rules: tuple[PhraseRule, ...] = ()
    in_scope: frozenset[str] = frozenset()
    other_topics: frozenset[str] = frozenset()
    needs_state_objects: frozenset[str] = frozenset()
    domain_words: tuple[str, ...] = ()
    entities: tuple[EntityRule, ...] = ()


class Vocabulary:
    """Every contributor's signals, composed for fast lookup (built once, read by every parse)."""

    def __init__(self, shares: Iterable[Signals]):
        shares = tuple(shares)
        self.word_families: dict[str, tuple[str, ...]] = {}
        for share in shares:
            for name, words in share.families.items():
                for w in words:
                    self.word_families[w] = (*self.word_families.get(w, ()), name)
        # Multi-word phrases, tried only when their last word is in the message ("load balancer"
        # needs "balancer"); phrases whose last word is not a plain word ("net.ipv4.") are always tried.
        self.gated: dict[str, tuple[tuple[str, str], ...]] = {}
        self.always: list[tuple[str, str]] = []
        for phrase, name in (p for share in shares for p in share.phrases):
            last = phrase.split()[-1]
            if morph.words(last) == {last}:
                self.gated[last] = (*self.gated.get(last, ()), (phrase, name))
            else:
                self.always.append((phrase, name))
        self.korean = tuple(k for share in shares for k in share.korean)
        self.pairings = tuple(sorted((p for share in shares for p in share.pairings), key=lambda p: p.rank))
        self.pairing_of = {p.intent: p for p in self.pairings}
        self.beats = frozenset((p.intent, other) for p in self.pairings for other in p.beats)
        self.needs_state = frozenset(p.intent for p in self.pairings if p.needs_state)
        rules = sorted((r for share in shares for r in share.rules), key=lambda r: r.rank)
        self.rule_reads = tuple(r.read for r in rules)  # what every parse calls, in rank order
        self.in_scope = frozenset().union(*(s.in_scope for s in shares))
        self.other_topics = frozenset().union(*(s.other_topics for s in shares))
        self.needs_state_objects = frozenset().union(*(s.needs_state_objects for s in shares))
        self.domain_words = tuple(w for share in shares for w in share.domain_words)
        self.intents = (*(p.intent for p in self.pairings), "other")
        self.entity_rules = tuple(sorted((e for share in shares for e in share.entities), key=lambda e: e.rank))
        self.entity_keys = tuple(k for rule in self.entity_rules for k in rule.keys)
