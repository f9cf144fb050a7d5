"""Everyday pod commands (``commands``: ``/ops pods``, ``/ops events``, ``/ops restart``) and the
health report's catch-all section of pods not ready for too long (``health``)."""

from __future__ import annotations

import importlib
from typing import Any

from handlers.pods.signals import SIGNALS

# The feature's parts load on first use, so that reading its signals (the parser, ``chatops parse``)
# does not load its diagnosers and the AWS, Kubernetes and database clients they use.
_PARTS = frozenset({"DELETE_POD", "DIAGNOSER", "FEATURE", "OPERATIONS", "DeletePod", "PodsDiagnoser"})


def __getattr__(name: str) -> Any:
    if name in _PARTS:
        return getattr(importlib.import_module("handlers.pods.feature"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SIGNALS", *sorted(_PARTS)]
