"""IAM/OIDC (IRSA) diagnoser: why an ingress will not delete, why a service account's pods get
AccessDenied, and the smallest fix for the broken link.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``; ``handlers.irsa.cli`` serves
``chatops check-trust`` / ``check-permission``; its ``PolicyRules`` (``guardrails.check_trust_change``
and ``grants.grant_violations``) judge the policy writes of every feature's plans centrally.
Module map: ``collect`` (+ ``kube_facts``, ``aws_facts``) does I/O; ``trust``, ``permissions``,
``conditions``, ``analyse`` (+ ``analyse_iam``), ``trust_edit``, ``plan`` and ``guardrails`` are
pure; ``operations`` applies plan steps.
"""

from __future__ import annotations

import importlib
from typing import Any

from handlers.irsa.signals import SIGNALS
from handlers.irsa.tools import TOOLS

# The feature's parts load on first use, so that reading its signals (the parser, ``chatops parse``)
# does not load its diagnosers and the AWS, Kubernetes and database clients they use.
_PARTS = frozenset({"DIAGNOSER", "FEATURE", "OPERATIONS"})


def __getattr__(name: str) -> Any:
    if name in _PARTS:
        return getattr(importlib.import_module("handlers.irsa.feature"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SIGNALS", "TOOLS", *sorted(_PARTS)]
