"""How sure a parse is, and where the bot stops guessing and asks.

Every reading the parser makes (the intent of a request, the cause of a pull failure, the kind
of an AWS error) carries a confidence in [0, 1]. Below ``CONFIDENT`` the bot asks the person
which it is (the intent-choice buttons) instead of acting on a guess. The levels are coarse on
purpose: they say what kind of evidence the reading rests on, not a calibrated probability.
"""

from __future__ import annotations

CONFIDENT = 0.6

STRUCTURAL = 0.95  # an upstream format string or error code matched (kubelet, containerd, AWS)
PHRASE = 0.8  # a specific phrase a person or tool writes about exactly this
WEAK = 0.5  # a generic word that often goes with this reading but also with others
NOTHING = 0.3  # nothing points anywhere: the default reading
