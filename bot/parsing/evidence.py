"""What a request is about, from three small families of signals: objects, actions and states.

Called by ``bot.parsing.intents`` only, for requests that pasted no error the parser reads by
structure. Pure. The families, their words and how they pair up come from the vocabulary
(``bot.parsing.vocabulary``): the parser's own share and each feature's. A request names an
**object** (a pod, an image, an Ingress, a role, a database, a kernel parameter, the bot) and
either an **action** on it (restart, list, show logs, delete, pull, stop on a schedule) or a
**state** it is in (pending, stuck, failing, denied). An intent is a pairing of the two, in
English and Korean alike:

* ``pods``: a pod with an inspect/restart/debug action or a pod state;
* ``image_pull``: an image or registry with a pull action or a failure, or a failed pull;
* ``ingress_delete_denied``: an Ingress or load balancer with a delete action *and* a state
  (stuck, failing, denied) -- a plain "remove the Ingress" is a task, not this symptom;
* ``irsa_access_denied``: a workload identity (IRSA, service account, pod role) with a failure or
  a denial -- without one it is a how-to, which is ``other``;
* ``rds_schedule``: a database with stop/start or a schedule;
* ``sysctl``: a kernel parameter;
* ``help``: the bot or its commands with a help word.

Korean words are matched as stems (``bot.parsing.morph``), so ``재시작해줘``, ``재시작 부탁드립니다``
and ``재시작이 안돼요`` all carry the restart action. Objects outside the bot's areas (namespaces,
nodes, secrets, EC2, Lambda, S3 bucket policies, the console, Terraform) make a confident ``other``
when nothing in the bot's areas pairs up. When two intents pair up and neither is known to take
precedence over the other, the reading is ``WEAK`` and the bot asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.parsing import morph
from bot.parsing.confidence import PHRASE, WEAK
from bot.parsing.text import has_hangul
from bot.parsing.vocabulary import Vocabulary

# Things the bot does not look after, and the namespace or cluster every request happens in: with
# nothing of the bot's areas named, these make a confident "other".
_FOREIGN = frozenset({"elsewhere", "context"})


def found(low: str, vocabulary: Vocabulary) -> frozenset[str]:
    """The family names present in a cleaned, lowercased message."""
    names = set(_word_families(low, vocabulary))
    names.update(name for phrase, name in vocabulary.always if phrase in low)
    if has_hangul(low):
        names.update(name for phrase, name in vocabulary.korean if phrase in low)
    return frozenset(names)


def _word_families(low: str, vocabulary: Vocabulary) -> Iterator[str]:
    """The families of the message's words, and those of the phrases a word gates."""
    families_of, gated_by = vocabulary.word_families.get, vocabulary.gated.get
    for w in morph.words(low):
        yield from families_of(w) or ()
        for phrase, name in gated_by(w) or ():
            if phrase in low:
                yield name


@dataclass(frozen=True)
class Reading:
    intent: str
    confidence: float
    pairs: tuple[str, ...]  # every intent whose object and action/state paired up
    task: bool = False  # "other" because an in-scope object is only being set up, with no failure


def pairs(f: frozenset[str], vocabulary: Vocabulary) -> list[str]:
    """The intents whose object pairs with an action or a state in the families ``f``, by rank."""
    return [p.intent for p in vocabulary.pairings if p.pairs(f)]


def beats(a: str, b: str, vocabulary: Vocabulary) -> bool:
    """True when a request that pairs up as both ``a`` and ``b`` is about ``a``."""
    return (a, b) in vocabulary.beats


def read(low: str, vocabulary: Vocabulary, f: frozenset[str] | None = None) -> Reading | None:
    """The intent the families point to, or None when nothing pairs up and no foreign object is named."""
    f = found(low, vocabulary) if f is None else f
    got = pairs(f, vocabulary)
    if not got:
        if "setup" in f and f & vocabulary.needs_state_objects:
            return Reading("other", PHRASE, (), task=True)
        if f & _FOREIGN and not f & vocabulary.in_scope:
            return Reading("other", PHRASE, ())  # only things the bot does not look after
        return None
    for best in got:
        if all(o == best or (best, o) in vocabulary.beats for o in got):
            pairing = vocabulary.pairing_of[best]
            sure = pairing.settle(f, vocabulary) if pairing.settle is not None else PHRASE
            return Reading(best, sure, tuple(got))
    return Reading(got[0], WEAK, tuple(got))  # two readings, neither known to win: ask
