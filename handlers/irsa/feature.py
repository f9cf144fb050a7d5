"""The irsa feature as the registry lists it: ``FEATURE`` and the parts it is made of
(imported by ``handlers.irsa`` on first use)."""

from handlers.base import Feature, PolicyRules
from handlers.irsa.diagnoser import DIAGNOSER
from handlers.irsa.grants import grant_violations
from handlers.irsa.guardrails import check_trust_change
from handlers.irsa.health import SECTION
from handlers.irsa.operations import OPERATIONS
from handlers.irsa.signals import SIGNALS
from handlers.irsa.tools import TOOLS

FEATURE = Feature(
    name="irsa",
    diagnosers=(DIAGNOSER,),
    operations=OPERATIONS,
    policy_rules=PolicyRules(trust_change=check_trust_change, permission=grant_violations),
    health=(SECTION,),
    signals=SIGNALS,
    tools=TOOLS,
)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
