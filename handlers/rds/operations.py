"""Plan operations ``rds.stop`` and ``rds.start``: stop or start one cluster or instance.

``params`` are ``{"kind": "cluster"|"instance", "id": ...}`` naming the resource the API acts
on; the diagnoser has already turned an Aurora member into its cluster. ``apply`` re-reads the
target and asks ``handlers.rds.api.decide`` again, so a plan never calls StopDBInstance on an
Aurora member (moto would accept it, AWS refuses) and AWS's reasons are raised as
``bot.errors.InvalidRequest`` before any call. ``read`` returns ``{"state": ...}`` with the
normalised state (running, stopped, stopping, starting, busy), the shape of ``PlanStep.before``.
Driven by the services layer (plans) and ``handlers.rds.sweep_job`` (schedules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.aws import Aws
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from handlers.rds.api import ApiDecision, decide
from handlers.rds.discovery import describe_target
from handlers.rds.model import Inventory

STOP = "rds.stop"
START = "rds.start"
_EXPECT = {"stop": "stopped", "start": "running"}
_SETTLES_AS = {"stopping": "stopped", "starting": "running"}


def step_for(action: str, kind: str, ident: str, before_state: str, description: Msg) -> PlanStep:
    """The plan step that stops or starts ``kind/ident`` (an API target, never an Aurora member)."""
    return PlanStep(
        STOP if action == "stop" else START,
        {"kind": kind, "id": ident},
        {"state": before_state},
        {"state": _EXPECT[action]},
        description,
    )


def call(aws: Aws, decision: ApiDecision) -> str:
    """Make the AWS call ``decision`` names (only for outcome "call"); the status AWS answers with.

    AWS answers an accepted stop with ``stopping`` and a start with ``starting`` (the database is
    ``stopped``/``available`` minutes later), so the status is returned for the caller to report
    as it is, never as if the stop had finished.
    """
    rds = aws.client("rds")
    if decision.api == "stop_db_cluster":
        return rds.stop_db_cluster(DBClusterIdentifier=decision.id)["DBCluster"].get("Status", "")
    if decision.api == "start_db_cluster":
        return rds.start_db_cluster(DBClusterIdentifier=decision.id)["DBCluster"].get("Status", "")
    if decision.api == "stop_db_instance":
        return rds.stop_db_instance(DBInstanceIdentifier=decision.id)["DBInstance"].get("DBInstanceStatus", "")
    if decision.api == "start_db_instance":
        return rds.start_db_instance(DBInstanceIdentifier=decision.id)["DBInstance"].get("DBInstanceStatus", "")
    raise ValueError(f"not an API call: {decision}")


def refusal(decision: ApiDecision) -> errors.InvalidRequest:
    code, _, message = decision.aws_error.partition(": ")
    return errors.InvalidRequest(
        f"rds:{decision.action}", code or decision.code, f"{decision.reason.en} {message}".strip()
    )


class _StopStart:
    action = ""
    name = ""
    reversible = True

    def _inventory(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Inventory:
        return describe_target(ctx.aws, params["kind"], params["id"])

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        db = self._inventory(ctx, params).get(params["kind"], params["id"])
        return {"state": db.state if db else "missing"}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        inv = self._inventory(ctx, step.params)
        db = inv.get(step.params["kind"], step.params["id"])
        if db is None:
            raise errors.NotFound(f"rds:{self.action}", "DBNotFound", f"{step.params['id']} no longer exists")
        decision = decide(inv, db, self.action)
        if decision.redirected:
            raise errors.InvalidRequest(
                f"rds:{self.action}",
                "InvalidParameterCombination",
                f"{db.id} is a member of cluster {db.cluster_id}; the plan must "
                "act on the cluster (AWS refuses StopDBInstance/StartDBInstance "
                "on Aurora members)",
            )
        if decision.outcome == "refuse":
            raise refusal(decision)
        if decision.outcome == "call":
            call(ctx.aws, decision)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        back = "start" if self.action == "stop" else "stop"
        before = observed_after if isinstance(observed_after, dict) else dict(step.after)
        # AWS answers "stopping"/"starting"; the undo starts from where that ends (AWS refuses to
        # start a database that is still stopping), so a revert asked too early is reported stale.
        if before.get("state") in _SETTLES_AS:
            before = {"state": _SETTLES_AS[before["state"]]}
        kind, ident = step.params["kind"], step.params["id"]
        desc = (
            Msg(f"Start {kind} {ident} again", f"{ident} 다시 시작")
            if back == "start"
            else Msg(f"Stop {kind} {ident} again", f"{ident} 다시 중지")
        )
        return PlanStep(STOP if back == "stop" else START, dict(step.params), before, {"state": _EXPECT[back]}, desc)


class StopDatabase(_StopStart):
    """Operation ``rds.stop``: StopDBCluster or StopDBInstance, as ``api.decide`` picks."""

    action = "stop"
    name = STOP
    min_risk = Risk.MEDIUM


class StartDatabase(_StopStart):
    """Operation ``rds.start``: StartDBCluster or StartDBInstance, as ``api.decide`` picks."""

    action = "start"
    name = START
    min_risk = Risk.LOW


OPERATIONS = (StopDatabase(), StartDatabase())
