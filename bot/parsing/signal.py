"""``Signal``: literal phrases, plus a pattern tried only when a gate phrase is present.

Used by the vocabulary's phrase rules (the parser's and the features'). Literal lookups (``in``)
are far faster than a regular expression with many alternatives, so most messages cost a few
substring checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    """Literal phrases (any one suffices), plus an optional pattern tried only if a gate phrase is present."""

    phrases: tuple[str, ...]
    pattern: re.Pattern[str] | None = None
    gates: tuple[str, ...] = ()

    def __call__(self, low: str) -> bool:
        for phrase in self.phrases:
            if phrase in low:
                return True
        if self.pattern is not None and any(g in low for g in self.gates):
            return self.pattern.search(low) is not None
        return False
