"""IAM/OIDC (IRSA) diagnoser: why an ingress will not delete, why a service account's pods get
AccessDenied, and the smallest fix for the broken link.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``; ``handlers.irsa.cli`` serves
``chatops check-trust`` / ``check-permission``; ``handlers.irsa.guardrails.check_trust_change``
is also called centrally for every plan. Module map: ``collect`` (+ ``kube_facts``,
``aws_facts``) does I/O; ``trust``, ``permissions``, ``conditions``, ``analyse``
(+ ``analyse_iam``), ``trust_edit``, ``plan`` and ``guardrails`` are pure; ``operations``
applies plan steps.
"""

from handlers.base import Feature
from handlers.irsa.diagnoser import DIAGNOSER
from handlers.irsa.operations import OPERATIONS

FEATURE = Feature(name="irsa", diagnosers=(DIAGNOSER,), operations=OPERATIONS)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
