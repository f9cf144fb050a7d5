"""rds.stop / rds.start against moto: the right API, AWS's refusals before any call, revert."""

from __future__ import annotations

import pytest

from bot import errors
from bot.domain import Msg
from handlers.rds.discovery import describe_target
from handlers.rds.operations import START, STOP, StartDatabase, StopDatabase, step_for
from sandbox.worlds.rds import tick
from tests.rds.helpers import apply_step, seed_read_replica


def _status(aws, kind, ident):
    return describe_target(aws, kind, ident).get(kind, ident).status


def test_stop_and_revert_a_cluster(rds_ctx):
    step = step_for("stop", "cluster", "portal", "running", Msg.same("stop portal"))
    assert (step.op, step.before, step.after) == (STOP, {"state": "running"}, {"state": "stopped"})
    rds_ctx.aws.counter.reset()
    after = apply_step(StopDatabase(), rds_ctx, step)
    assert after == {"state": "stopping"}  # what AWS answers; stopped only minutes later
    calls = rds_ctx.aws.counter.snapshot()
    assert calls.get("rds:StopDbCluster") == 1 and "rds:StopDbInstance" not in calls
    back = StopDatabase().revert(step, after)
    # the undo starts from where the stop ends: asked while still stopping, it is a stale plan
    assert (back.op, back.before, back.after) == (START, {"state": "stopped"}, {"state": "running"})
    assert StartDatabase().read(rds_ctx, back.params) == {"state": "stopping"} != back.before
    tick()
    assert apply_step(StartDatabase(), rds_ctx, back) == {"state": "starting"}
    tick()
    assert _status(rds_ctx.aws, "cluster", "portal") == "available"


def test_a_step_naming_an_aurora_member_is_refused_without_calling_aws(rds_ctx):
    step = step_for("stop", "instance", "portal-rds-1", "running", Msg.same("stop member"))
    rds_ctx.aws.counter.reset()
    with pytest.raises(errors.InvalidRequest) as err:
        StopDatabase().apply(rds_ctx, step)
    assert err.value.code == "InvalidParameterCombination"
    assert not any(k.startswith("rds:Stop") for k in rds_ctx.aws.counter.snapshot())
    assert _status(rds_ctx.aws, "instance", "portal-rds-1") == "available"


def test_stop_instance_and_noop_when_already_stopped(rds_ctx):
    step = step_for("stop", "instance", "billing-db", "running", Msg.same("stop billing"))
    assert apply_step(StopDatabase(), rds_ctx, step) == {"state": "stopping"}
    rds_ctx.aws.counter.reset()
    assert StopDatabase().apply(rds_ctx, step) == {"state": "stopping"}  # no-op while stopping
    tick()
    assert StopDatabase().apply(rds_ctx, step) == {"state": "stopped"}  # no-op, not an error
    assert "rds:StopDbInstance" not in rds_ctx.aws.counter.snapshot()
    rds_ctx.aws.client("rds").start_db_instance(DBInstanceIdentifier="billing-db")  # leave the world as found
    tick()


def test_read_replica_is_refused_with_aws_reason(rds_ctx):
    seed_read_replica(rds_ctx.aws)
    for ident in ("ledger-ro", "ledger-db"):
        step = step_for("stop", "instance", ident, "running", Msg.same("stop"))
        with pytest.raises(errors.InvalidRequest) as err:
            StopDatabase().apply(rds_ctx, step)
        assert "read replica" in str(err.value).lower() or "read-replica" in str(err.value).lower()
    assert _status(rds_ctx.aws, "instance", "ledger-db") == "available"
