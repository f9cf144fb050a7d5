"""The explicit list of diagnosers and plan operations. Nothing is discovered by walking packages:
a module that fails to import fails loudly here, at start-up.
"""

from __future__ import annotations

from handlers import image_pull, irsa, pods, rds, sysctl
from handlers.base import CommandSpec, Diagnoser, Operation

DIAGNOSERS: tuple[Diagnoser, ...] = (
    pods.DIAGNOSER,
    irsa.DIAGNOSER,
    image_pull.DIAGNOSER,
    rds.DIAGNOSER,
    sysctl.DIAGNOSER,
)
OPERATIONS: tuple[Operation, ...] = (
    *pods.OPERATIONS,
    *irsa.OPERATIONS,
    *image_pull.OPERATIONS,
    *rds.OPERATIONS,
    *sysctl.OPERATIONS,
)


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


COMMANDS: tuple[tuple[Diagnoser, CommandSpec], ...] = tuple((d, c) for d in DIAGNOSERS for c in d.commands)


def commands() -> tuple[tuple[Diagnoser, CommandSpec], ...]:
    """Every diagnoser's ``/ops`` sub-commands, in registry order (read on every slash command)."""
    return COMMANDS
