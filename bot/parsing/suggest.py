""" "Did you mean ...": the known word nearest to a mistyped one. Pure (difflib, no I/O).

Used by the ``/ops`` command parser (``bot.services.commands``) when the first word names no
command.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

CUTOFF = 0.6  # difflib's ratio: "psds" ~ "pods" 0.75, "frobnicate" ~ anything < 0.4


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """The known word closest to ``word``, or "" when none is close enough."""
    word = (word or "").lower()[:40]
    names = sorted({k.lower() for k in known if k})
    if not word or word in names:
        return ""
    found = get_close_matches(word, names, n=1, cutoff=CUTOFF)
    return found[0] if found else ""
