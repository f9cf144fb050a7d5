"""Sysctl and TCP keepalive requests: version-aware diagnosis and generated node configuration.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``.
Modules: ``knowledge`` (Kubernetes' sysctl rules by version), ``facts`` (records), ``keepalive``
(why and which values), ``advice`` (decisions), ``nodeconfig`` + ``eksctl_schema`` (generated
node configuration), ``collect`` (I/O), ``al2_eol`` (Amazon Linux 2 end of support), ``analyse``
(evidence -> diagnosis), ``operations`` (plan steps), ``diagnoser`` (the entry point).
"""

from __future__ import annotations

import importlib
from typing import Any

from handlers.sysctl.signals import SIGNALS

# The feature's parts load on first use, so that reading its signals (the parser, ``chatops parse``)
# does not load its diagnosers and the AWS, Kubernetes and database clients they use.
_PARTS = frozenset({"DIAGNOSER", "FEATURE", "OPERATIONS"})


def __getattr__(name: str) -> Any:
    if name in _PARTS:
        return getattr(importlib.import_module("handlers.sysctl.feature"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SIGNALS", *sorted(_PARTS)]
