"""Running a plan's steps against live state: one loop, used by ``ApplyService`` and by every test
that applies steps, so the tests compare states exactly as the bot does.

For each step in order: read the live state, refuse the plan as stale when it is not the step's
``before`` (compared as plain JSON, ``same_state``), tell the recorder the write is about to
happen, write, and tell the recorder what the operation read back. Nothing here touches the
database or Slack; the recorder is how the caller keeps its intent rows and audit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import PlanStep
from bot.services.core import same_state
from handlers.base import Operation


@dataclass(frozen=True)
class AppliedStep:
    index: int
    step: PlanStep
    observed: Any  # what the operation read back after its write


class StepRecorder(Protocol):
    def before_write(self, index: int, step: PlanStep) -> None: ...

    def write_failed(self, index: int, step: PlanStep, exc: Exception) -> None: ...

    def written(self, done: AppliedStep) -> None: ...


class NoRecord:
    """A recorder that keeps nothing (tests that only want the live effects)."""

    def before_write(self, index: int, step: PlanStep) -> None:
        pass

    def write_failed(self, index: int, step: PlanStep, exc: Exception) -> None:
        pass

    def written(self, done: AppliedStep) -> None:
        pass


class StepsInterrupted(Exception):
    """A step was stale or failed; ``applied`` are the steps written before it (to undo)."""

    def __init__(self, cause: Exception, applied: list[AppliedStep]):
        super().__init__(str(cause))
        self.cause = cause
        self.applied = applied


def apply_steps(
    ctx: ClusterContext,
    steps: Sequence[PlanStep],
    operation: Callable[[str], Operation],
    recorder: StepRecorder | None = None,
) -> list[AppliedStep]:
    """Apply ``steps`` in order; raise ``StepsInterrupted`` at the first one that cannot be applied
    (its cause: a ``StalePlan``, the read's or the write's error, or the recorder's)."""
    record = recorder or NoRecord()
    applied: list[AppliedStep] = []
    for index, step in enumerate(steps):
        try:
            op = operation(step.op)
            live = op.read(ctx, step.params)
            if not same_state(live, step.before):
                raise errors.StalePlan(index, step.before, live)
            record.before_write(index, step)
            try:
                observed = op.apply(ctx, step)
            except Exception as exc:
                record.write_failed(index, step, exc)
                raise
            done = AppliedStep(index, step, observed)
            applied.append(done)
            record.written(done)
        except Exception as exc:
            raise StepsInterrupted(exc, applied) from exc
    return applied


def check_fresh(ctx: ClusterContext, steps: Sequence[PlanStep], operation: Callable[[str], Operation]) -> None:
    """Raise ``StalePlan`` unless every step's live state is its ``before`` — or a step on the same
    object earlier in the plan writes what this one starts from."""
    for index, step in enumerate(steps):
        live = operation(step.op).read(ctx, step.params)
        if same_state(live, step.before):
            continue
        if any(s.op == step.op and dict(s.params) == dict(step.params) for s in steps[:index]):
            continue
        raise errors.StalePlan(index, step.before, live)


def revert_steps(
    applied: Sequence[AppliedStep], operation: Callable[[str], Operation]
) -> list[tuple[AppliedStep, PlanStep | None]]:
    """Each applied step with its undo, last first (None where the operation cannot undo it)."""
    return [(a, operation(a.step.op).revert(a.step, a.observed)) for a in reversed(applied)]
