"""AWS throttling and 5xx between the bot and moto, while applying an approved plan.

The bot's ``Aws`` is built as in production (standard retry mode, 4 attempts) on a session whose
endpoint is ``FaultyAws``, a proxy in front of moto. A plan is approved through ``PlanService``,
which applies it synchronously. Expected: retried with backoff and applied; or, when the fault
outlasts the retries, the plan is failed, the steps already applied are undone, the thread says
what happened, and the audit has the rows.
"""

from __future__ import annotations

import json

import pytest

from bot.cloud.aws import Aws
from bot.domain import FixPlan, Msg, PlanStep, Risk
from bot.store.migrate import upgrade
from sandbox.aws import SANDBOX_REGION
from sandbox.runtime import OPS
from sandbox.slack_api import SlackStandIn
from tests.faults.aws_proxy import INTERNAL_FAILURE, THROTTLING, FaultyAws, ProxiedSession
from tests.faults.harness import Replica, add_people, make_settings, new_secret, store_plan, thread_texts
from tests.faults.ops import RoleDescription, RoleTag

ROLE = "faults-app"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def proxy(moto_sandbox):
    moto_sandbox.reset()
    p = FaultyAws(moto_sandbox.url)
    p.start()
    yield p
    p.stop()


@pytest.fixture
def stack(proxy, tmp_path, request):
    """A bot whose AWS calls go through the proxy; the role exists in moto (created directly).

    ``Aws`` has the product's default retries unless the test passes another ``max_attempts``
    (indirect parameter) to keep a long backoff short.
    """
    max_attempts = getattr(request, "param", 4)
    direct = Aws(region=SANDBOX_REGION, max_attempts=1)
    direct.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST), Description="before")
    slack = SlackStandIn()
    slack.start()
    add_people(slack)
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    upgrade(url)
    aws = Aws(
        session=ProxiedSession(proxy.url, region_name=SANDBOX_REGION),
        region=SANDBOX_REGION,
        max_attempts=max_attempts,
    )
    replica = Replica(make_settings(url, slack, new_secret()), aws=aws)
    for op in (RoleTag(), RoleDescription()):
        replica.services.operations[op.name] = op
    yield replica, slack, direct.client("iam")
    replica.stop()
    slack.stop()


def _tag_step(value: str | None = "platform") -> PlanStep:
    return PlanStep(
        RoleTag.name,
        {"role_name": ROLE, "key": "team"},
        {"value": None},
        {"value": value},
        Msg("Tag the role team=platform", "역할에 team=platform 태그"),
    )


def _description_step() -> PlanStep:
    return PlanStep(
        RoleDescription.name,
        {"role_name": ROLE},
        {"description": "before"},
        {"description": "after"},
        Msg("Describe the role", "역할 설명 변경"),
    )


def _plan(*steps: PlanStep) -> FixPlan:
    return FixPlan("faults", Msg("Change the role", "역할 변경"), steps, Risk.LOW, ROLE)


def _audit_kinds(replica: Replica, plan_id: int) -> list[str]:
    return [r.kind for r in replica.services.repo.audit_rows(plan_id=plan_id)]


def test_throttled_twice_is_retried_with_backoff_then_applied(stack, proxy):
    replica, slack, iam = stack
    retries = replica.services.context().aws.client("iam").meta.config.retries
    assert retries == {"mode": "standard", "total_max_attempts": 4}  # the product's Aws() default
    req, plan = store_plan(replica, _plan(_tag_step()))
    proxy.fail("TagRole", 2, THROTTLING)
    outcome = replica.bot.deps.plans.approve(plan.id, OPS)
    assert outcome.ok
    assert replica.services.repo.get_plan(plan.id).status == "applied"
    # retried by botocore's standard mode (jittered exponential backoff), not by the bot re-running steps
    assert [a.status for a in proxy.attempts("TagRole")] == [400, 400, 200]
    assert iam.list_role_tags(RoleName=ROLE)["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert _audit_kinds(replica, plan.id).count("applied") == 1
    assert any(t.startswith(f"✅ #{plan.id} ") for t in thread_texts(slack, req))


def test_server_errors_past_the_retries_fail_the_plan_and_undo_applied_steps(stack, proxy):
    replica, slack, iam = stack
    req, plan = store_plan(replica, _plan(_tag_step(), _description_step()))
    proxy.fail("UpdateRole", 10, INTERNAL_FAILURE)
    replica.bot.deps.plans.approve(plan.id, OPS)
    row = replica.services.repo.get_plan(plan.id)
    assert row.status == "failed"
    # Aws(max_attempts=4) is botocore's total_max_attempts: 4 attempts in all, then it gives up
    assert [a.status for a in proxy.attempts("UpdateRole")] == [500] * 4
    # nothing half-applied: the tag written by step 1 was removed again, the description never changed
    assert iam.list_role_tags(RoleName=ROLE)["Tags"] == []
    assert iam.get_role(RoleName=ROLE)["Role"]["Description"] == "before"
    assert row.result["rolled_back"] == [RoleTag.name]
    kinds = _audit_kinds(replica, plan.id)
    assert kinds.count("applied") == 1 and "reverted" in kinds and kinds[-1] == "failed"
    told = [t for t in thread_texts(slack, req) if t.startswith(f"❌ #{plan.id} ")]
    assert len(told) == 1
    assert "iam:UpdateRole" in told[0] and "Undid 1 step(s)" in told[0]


@pytest.mark.parametrize("stack", [2], indirect=True)
def test_throttling_that_never_ends_tells_the_user_and_changes_nothing(stack, proxy):
    replica, slack, iam = stack
    req, plan = store_plan(replica, _plan(_tag_step()))
    proxy.fail("TagRole", 10, THROTTLING)
    replica.bot.deps.plans.approve(plan.id, OPS)
    row = replica.services.repo.get_plan(plan.id)
    assert row.status == "failed"
    assert [a.status for a in proxy.attempts("TagRole")] == [400] * 2  # max_attempts=2 attempts in all
    assert iam.list_role_tags(RoleName=ROLE)["Tags"] == []
    failed = [r for r in replica.services.repo.audit_rows(plan_id=plan.id) if r.kind == "failed"]
    assert len(failed) == 1 and "Throttling" in failed[0].summary
    told = [t for t in thread_texts(slack, req) if t.startswith(f"❌ #{plan.id} ")]
    assert len(told) == 1 and "throttled even after retries" in told[0]
