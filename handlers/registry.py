"""The explicit list of features, and the diagnosers, operations and commands they bring.

Nothing is discovered by walking packages: a feature that fails to import fails loudly here, at
start-up. The core reaches features only through this module and ``handlers.base``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.cloud.context import FeaturePorts
from handlers import image_pull, irsa, pods, rds, sysctl
from handlers.base import (
    CommandSpec,
    Diagnoser,
    Feature,
    Form,
    HealthSection,
    Job,
    Operation,
    PolicyRules,
    ReportKind,
    Wiring,
)

FEATURES: tuple[Feature, ...] = (pods.FEATURE, irsa.FEATURE, image_pull.FEATURE, rds.FEATURE, sysctl.FEATURE)
DIAGNOSERS: tuple[Diagnoser, ...] = tuple(d for f in FEATURES for d in f.diagnosers)
OPERATIONS: tuple[Operation, ...] = tuple(op for f in FEATURES for op in f.operations)
COMMANDS: tuple[tuple[Diagnoser, CommandSpec], ...] = tuple((d, c) for d in DIAGNOSERS for c in d.commands)


def diagnoser_for(intent: str) -> Diagnoser | None:
    for d in DIAGNOSERS:
        if intent in d.intents:
            return d
    return None


def diagnoser_named(name: str) -> Diagnoser | None:
    return next((d for d in DIAGNOSERS if d.name == name), None)


def operation(name: str) -> Operation:
    for op in OPERATIONS:
        if op.name == name:
            return op
    raise KeyError(f"unknown plan operation {name!r}")


def commands() -> tuple[tuple[Diagnoser, CommandSpec], ...]:
    """Every diagnoser's ``/ops`` sub-commands, in registry order (read on every slash command)."""
    return COMMANDS


def feature_settings() -> dict[str, Any]:
    """Each feature's settings, read from the environment, by feature name (may raise pydantic's
    ``ValidationError`` naming the variable that is not of its type)."""
    return {f.name: f.settings() for f in FEATURES if f.settings is not None}


def stores(sessions: Any) -> dict[str, object]:
    """Each feature's store over its tables, by feature name, built on the core's session factory."""
    return {f.name: f.store(sessions) for f in FEATURES if f.store is not None}


def ports(wiring: Wiring) -> tuple[object, ...]:
    """Each feature's port object, built from what the composition root offers (for ``ctx.ports``)."""
    return tuple(f.ports(wiring) for f in FEATURES if f.ports is not None)


def policy_rules() -> PolicyRules | None:
    """The rules for IAM policy documents, from the feature that brings them (None: no feature does,
    and the central guardrail then refuses every policy write)."""
    return next((f.policy_rules for f in FEATURES if f.policy_rules is not None), None)


def migration_packages() -> tuple[str, ...]:
    """The packages of the features' Alembic revisions (version locations beside the core's)."""
    return tuple(f.migrations for f in FEATURES if f.migrations)


def jobs() -> tuple[Job, ...]:
    """Every feature's scheduled work, in registry order."""
    return tuple(job for f in FEATURES for job in f.jobs)


def home_lines(ports: FeaturePorts, lang: str) -> list[str]:
    """The features' lines in App Home's list of schedules and reports, in registry order."""
    return [line for f in FEATURES if f.home_lines is not None for line in f.home_lines(ports, lang)]


def report_kinds() -> tuple[ReportKind, ...]:
    """The report kinds the features bring, in registry order."""
    return tuple(kind for f in FEATURES for kind in f.reports)


def health_sections() -> tuple[HealthSection, ...]:
    """The features' sections of the health report, in the order they run (by rank)."""
    return tuple(sorted((s for f in FEATURES for s in f.health), key=lambda s: s.rank))


def forms() -> tuple[Form, ...]:
    """Every feature's modals, in registry order."""
    return tuple(form for f in FEATURES for form in f.forms)


def form_opened_by(intent: str, entities: Mapping[str, str]) -> Form | None:
    """The modal a command's request opens instead of being filed, if any."""
    return next((form for form in forms() if form.opens(intent, entities)), None)


def form_named(callback_id: str) -> Form | None:
    return next((form for form in forms() if form.callback_id == callback_id), None)
