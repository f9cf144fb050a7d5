"""The one step runner: stale steps refused, what was applied before a failure handed back, the
recorder told before and after each write."""

from __future__ import annotations

from typing import Any

import pytest

from bot import errors
from bot.domain import Msg, PlanStep, Risk
from bot.services.steps import AppliedStep, StepsInterrupted, apply_steps, check_fresh, revert_steps


class Cell:
    """An operation over a dict of named values: read the value, write ``after``, undo to ``before``."""

    name = "test.cell"
    min_risk = Risk.LOW
    reversible = True

    def __init__(self, values: dict[str, Any], broken: str = ""):
        self.values, self.broken = values, broken

    def read(self, ctx: Any, params: dict[str, Any]) -> Any:
        return self.values.get(params["key"])

    def apply(self, ctx: Any, step: PlanStep) -> Any:
        if step.params["key"] == self.broken:
            raise RuntimeError("write refused")
        self.values[step.params["key"]] = step.after
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed: Any) -> PlanStep:
        return PlanStep(self.name, dict(step.params), observed, step.before, Msg("undo", "undo"))


def step(key: str, before: Any, after: Any) -> PlanStep:
    return PlanStep(Cell.name, {"key": key}, before, after, Msg(f"set {key}", f"set {key}"))


class Log:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def before_write(self, index: int, step: PlanStep) -> None:
        self.events.append(("intent", index))

    def write_failed(self, index: int, step: PlanStep, exc: Exception) -> None:
        self.events.append(("failed", index))

    def written(self, done: AppliedStep) -> None:
        self.events.append(("applied", done.index))


def test_steps_apply_in_order_and_the_recorder_brackets_each_write() -> None:
    cell, log = Cell({"a": 1, "b": {"x": [1]}}), Log()
    done = apply_steps(None, [step("a", 1, 2), step("b", {"x": [1]}, None)], lambda _: cell, log)
    assert [(d.index, d.observed) for d in done] == [(0, 2), (1, None)]
    assert cell.values == {"a": 2, "b": None}
    assert log.events == [("intent", 0), ("applied", 0), ("intent", 1), ("applied", 1)]


def test_a_stale_step_stops_the_run_before_its_write_and_hands_back_what_was_applied() -> None:
    cell, log = Cell({"a": 1, "b": "changed meanwhile"}), Log()
    with pytest.raises(StepsInterrupted) as stopped:
        apply_steps(None, [step("a", 1, 2), step("b", "old", "new")], lambda _: cell, log)
    assert isinstance(stopped.value.cause, errors.StalePlan)
    assert [d.index for d in stopped.value.applied] == [0]
    assert cell.values["b"] == "changed meanwhile"
    assert log.events == [("intent", 0), ("applied", 0)]


def test_a_failed_write_is_recorded_and_the_applied_steps_can_be_undone() -> None:
    cell, log = Cell({"a": 1, "b": 1}, broken="b"), Log()
    with pytest.raises(StepsInterrupted) as stopped:
        apply_steps(None, [step("a", 1, 2), step("b", 1, 2)], lambda _: cell, log)
    assert isinstance(stopped.value.cause, RuntimeError) and str(stopped.value.cause) == "write refused"
    assert log.events == [("intent", 0), ("applied", 0), ("intent", 1), ("failed", 1)]
    [(_, undo)] = revert_steps(stopped.value.applied, lambda _: cell)
    assert undo is not None and (undo.before, undo.after) == (2, 1)


def test_states_compare_as_json_and_a_recorder_error_interrupts_too() -> None:
    cell = Cell({"a": (1, 2)})
    assert [d.observed for d in apply_steps(None, [step("a", [1, 2], 3)], lambda _: cell)] == [3]

    class Broken(Log):
        def written(self, done: AppliedStep) -> None:
            raise RuntimeError("database gone")

    with pytest.raises(StepsInterrupted) as stopped:
        apply_steps(None, [step("a", 3, 4)], lambda _: cell, Broken())
    assert isinstance(stopped.value.cause, RuntimeError) and [d.index for d in stopped.value.applied] == [0]


def test_freshness_allows_a_later_step_on_an_object_an_earlier_step_writes() -> None:
    cell = Cell({"a": 1})
    check_fresh(None, [step("a", 1, 2), step("a", 2, 3)], lambda _: cell)
    with pytest.raises(errors.StalePlan):
        check_fresh(None, [step("a", 5, 6)], lambda _: cell)
