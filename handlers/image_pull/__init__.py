"""Pods stuck in ErrImagePull / ImagePullBackOff: diagnose down to the subnet and fix.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``. Modules: ``collect`` (batched
I/O), ``network`` + ``rules`` (pure VPC path analysis), ``analyse`` + ``explain`` (grouping and
words), ``plan`` + ``plan_network`` + ``steps`` (fix plans), ``operations_vpc`` +
``operations_registry`` + ``operations_workloads`` (apply/read/revert), ``verify`` (wait for
replacements), ``diagnoser``.
"""

from __future__ import annotations

import importlib
from typing import Any

from handlers.image_pull.signals import SIGNALS

# The feature's parts load on first use, so that reading its signals (the parser, ``chatops parse``)
# does not load its diagnosers and the AWS, Kubernetes and database clients they use.
_PARTS = frozenset({"DIAGNOSER", "FEATURE", "OPERATIONS", "ImagePullDiagnoser", "triage_call_counts"})


def __getattr__(name: str) -> Any:
    if name in _PARTS:
        return getattr(importlib.import_module("handlers.image_pull.feature"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SIGNALS", *sorted(_PARTS)]
