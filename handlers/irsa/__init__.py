"""IAM/OIDC (IRSA) diagnoser: why an ingress will not delete, why a service account's pods get
AccessDenied, and the smallest fix for the broken link.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``; ``handlers.irsa.cli`` serves
``chatops check-trust`` / ``check-permission``; its ``PolicyRules`` (``guardrails.check_trust_change``
and ``grants.grant_violations``) judge the policy writes of every feature's plans centrally.
Module map: ``collect`` (+ ``kube_facts``, ``aws_facts``) does I/O; ``trust``, ``permissions``,
``conditions``, ``analyse`` (+ ``analyse_iam``), ``trust_edit``, ``plan`` and ``guardrails`` are
pure; ``operations`` applies plan steps.
"""

from handlers.base import Feature, PolicyRules
from handlers.irsa.diagnoser import DIAGNOSER
from handlers.irsa.grants import grant_violations
from handlers.irsa.guardrails import check_trust_change
from handlers.irsa.health import SECTION
from handlers.irsa.operations import OPERATIONS

FEATURE = Feature(
    name="irsa",
    diagnosers=(DIAGNOSER,),
    operations=OPERATIONS,
    policy_rules=PolicyRules(trust_change=check_trust_change, permission=grant_violations),
    health=(SECTION,),
)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
