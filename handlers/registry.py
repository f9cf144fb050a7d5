"""The explicit list of features, and the diagnosers, operations and commands they bring.

Nothing is discovered by walking packages: ``PACKAGES`` names them. A feature's package loads its
parts when they are first read (``FEATURES`` and what derives from it are built then), so a process
that only reads text loads the features' signals alone; the composition root reads every feature
while it builds the bot, so a feature that fails to import fails the bot's start, loudly. The core
reaches features only through this module and ``handlers.base``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from bot.cloud.context import FeaturePorts
from bot.domain import Msg
from bot.parsing.vocabulary import Signals
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
    Tool,
    Wiring,
)

PACKAGES = (pods, irsa, image_pull, rds, sysctl)


@cache
def _features() -> tuple[Feature, ...]:
    return tuple(package.FEATURE for package in PACKAGES)


@cache
def _diagnosers() -> tuple[Diagnoser, ...]:
    return tuple(d for f in _features() for d in f.diagnosers)


@cache
def _operations() -> tuple[Operation, ...]:
    return tuple(op for f in _features() for op in f.operations)


@cache
def _commands() -> tuple[tuple[Diagnoser, CommandSpec], ...]:
    return tuple((d, c) for d in _diagnosers() for c in d.commands)


# FEATURES, DIAGNOSERS, OPERATIONS and COMMANDS, built when first read: a process that only parses
# text (``chatops parse``) reads the features' signals and loads nothing else of them.
_LAZY = {"FEATURES": _features, "DIAGNOSERS": _diagnosers, "OPERATIONS": _operations, "COMMANDS": _commands}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reset() -> None:
    """Forget what was built from ``PACKAGES``, so the next read builds it again from the list as it
    is then. A test or a deployment that lists one more package sets ``PACKAGES`` to
    ``PACKAGES + (package,)`` before the bot is built, calls this, and calls it again when it puts
    the list back. What the core composed at import time from the packages' signals (the parser's
    ``VOCABULARY``) and report kinds (``KINDS``) is not rebuilt."""
    for build in (_features, _diagnosers, _operations, _commands):
        build.cache_clear()


def diagnoser_for(intent: str) -> Diagnoser | None:
    for d in _diagnosers():
        if intent in d.intents:
            return d
    return None


def diagnoser_named(name: str) -> Diagnoser | None:
    return next((d for d in _diagnosers() if d.name == name), None)


def intent_choices() -> list[tuple[str, Msg]]:
    """Each diagnoser's first intent with its label: what the bot offers when it asks what a request
    meant."""
    return [(d.intents[0], d.intent_labels.get(d.intents[0], Msg.same(d.intents[0]))) for d in _diagnosers()]


def operation(name: str) -> Operation:
    for op in _operations():
        if op.name == name:
            return op
    raise KeyError(f"unknown plan operation {name!r}")


def commands() -> tuple[tuple[Diagnoser, CommandSpec], ...]:
    """Every diagnoser's ``/ops`` sub-commands, in registry order (read on every slash command)."""
    return _commands()


def feature_settings() -> dict[str, Any]:
    """Each feature's settings, read from the environment, by feature name (may raise pydantic's
    ``ValidationError`` naming the variable that is not of its type)."""
    return {f.name: f.settings() for f in _features() if f.settings is not None}


def stores(sessions: Any) -> dict[str, object]:
    """Each feature's store over its tables, by feature name, built on the core's session factory."""
    return {f.name: f.store(sessions) for f in _features() if f.store is not None}


def ports(wiring: Wiring) -> tuple[object, ...]:
    """Each feature's port object, built from what the composition root offers (for ``ctx.ports``)."""
    return tuple(f.ports(wiring) for f in _features() if f.ports is not None)


def policy_rules() -> PolicyRules | None:
    """The rules for IAM policy documents, from the feature that brings them (None: no feature does,
    and the central guardrail then refuses every policy write)."""
    return next((f.policy_rules for f in _features() if f.policy_rules is not None), None)


def migration_packages() -> tuple[str, ...]:
    """The packages of the features' Alembic revisions (version locations beside the core's)."""
    return tuple(f.migrations for f in _features() if f.migrations)


def jobs() -> tuple[Job, ...]:
    """Every feature's scheduled work, in registry order."""
    return tuple(job for f in _features() for job in f.jobs)


def home_lines(ports: FeaturePorts, lang: str) -> list[str]:
    """The features' lines in App Home's list of schedules and reports, in registry order."""
    return [line for f in _features() if f.home_lines is not None for line in f.home_lines(ports, lang)]


def report_kinds() -> tuple[ReportKind, ...]:
    """The report kinds the features bring, in registry order."""
    return tuple(kind for f in _features() for kind in f.reports)


def health_sections() -> tuple[HealthSection, ...]:
    """The features' sections of the health report, in the order they run (by rank)."""
    return tuple(sorted((s for f in _features() for s in f.health), key=lambda s: s.rank))


def forms() -> tuple[Form, ...]:
    """Every feature's modals, in registry order."""
    return tuple(form for f in _features() for form in f.forms)


def form_opened_by(intent: str, entities: Mapping[str, str]) -> Form | None:
    """The modal a command's request opens instead of being filed, if any."""
    return next((form for form in forms() if form.opens(intent, entities)), None)


def form_named(callback_id: str) -> Form | None:
    return next((form for form in forms() if form.callback_id == callback_id), None)


def signals() -> tuple[Signals, ...]:
    """The features' shares of the parser's vocabulary, in registry order, read from their packages
    without loading the rest of them (each ``Feature.signals`` is the same object)."""
    return tuple(package.SIGNALS for package in PACKAGES)


def tools() -> tuple[Tool, ...]:
    """The features' ``chatops`` sub-commands, read from their packages without loading the rest of
    them (each ``Feature.tools`` is the same tuple)."""
    return tuple(tool for package in PACKAGES for tool in getattr(package, "TOOLS", ()))
