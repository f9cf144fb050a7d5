"""RDS and Aurora stop/start schedules: the diagnoser, its plan operations and the sweep.

``DIAGNOSER`` answers intent ``rds_schedule`` (``/ops rds ...``); ``OPERATIONS`` are ``rds.stop``
and ``rds.start`` (``handlers.rds.operations``) and the schedule and override steps
``rds.schedule.upsert`` and ``rds.override.add`` (``handlers.rds.schedule_ops``), which write the
feature's tables through the store in ``ctx.ports``. ``persistence`` holds those tables and the
store over them; ``migrations/`` their revisions. ``JOBS`` is the schedule sweep
(``handlers.rds.sweep_job``); ``REPORT`` the weekly schedule report (``handlers.rds.report_kind``).
"""

from __future__ import annotations

import importlib
from typing import Any

from handlers.rds.signals import SIGNALS

# The feature's parts load on first use, so that reading its signals (the parser, ``chatops parse``)
# does not load its diagnosers and the AWS, Kubernetes and database clients they use.
_PARTS = frozenset({"DIAGNOSER", "FEATURE", "OPERATIONS"})


def __getattr__(name: str) -> Any:
    if name in _PARTS:
        return getattr(importlib.import_module("handlers.rds.feature"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SIGNALS", *sorted(_PARTS)]
