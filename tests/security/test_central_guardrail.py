"""The central guardrail against plans no diagnoser should ever propose ("fake diagnoser" plans).

Each plan is stored as ``RequestService`` stores proposals and approved through ``PlanService``;
``ApplyService`` must refuse it before anything is written, audit the refusal and tell the thread,
on SQLite and PostgreSQL. The controls (a grant exactly as the official controller policy words
it, a trust edit whose ``Statement`` is a single object) are applied.
"""

from __future__ import annotations

import json

import pytest

from bot.cloud.aws import Aws
from bot.domain import FixPlan, Msg, PlanStep, Risk
from bot.services.guardrails import plan_violations
from bot.store.migrate import upgrade
from handlers.irsa.grants import LB_CONTROLLER, reference_grant
from handlers.irsa.names import OP_SA_ROLE, OP_STATEMENT
from sandbox.aws import SANDBOX_ACCOUNT, SANDBOX_REGION
from sandbox.runtime import OPS, OPS2
from sandbox.slack_api import SlackStandIn
from tests.faults.harness import Replica, add_people, make_settings, new_secret, store_plan, thread_texts
from tests.faults.ops import TrustPolicy

ROLE = "AmazonEKSLoadBalancerControllerRole"
ISSUER = "oidc.eks.ap-northeast-1.amazonaws.com/id/5C3B2A1D0E9F8A7B6C5D4E3F2A1B0C9D"
PROVIDER = f"arn:aws:iam::{SANDBOX_ACCOUNT}:oidc-provider/{ISSUER}"
KUBE_SYSTEM = "system:serviceaccount:kube-system:aws-load-balancer-controller"
SINGLE = {  # a valid trust policy whose Statement is one object, not a list
    "Version": "2012-10-17",
    "Statement": {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER}:sub": KUBE_SYSTEM, f"{ISSUER}:aud": "sts.amazonaws.com"}},
    },
}


def _grant(action: str, resource: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, moto_sandbox, tmp_path):
    moto_sandbox.reset()
    iam = Aws(region=SANDBOX_REGION, max_attempts=1).client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(SINGLE))
    slack = SlackStandIn()
    slack.start()
    add_people(slack)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'guard.db'}"
        upgrade(url)
        replica = Replica(make_settings(url, slack, new_secret()))
        cleanup = None
    else:
        from tests.pg import fresh_database

        cleanup = fresh_database()
        url = cleanup.__enter__()
        upgrade(url)
        replica = Replica(make_settings(url, slack, new_secret()))
    op = TrustPolicy()
    replica.services.operations[op.name] = op
    yield replica, slack, iam, op
    replica.stop()
    slack.stop()
    if cleanup is not None:
        cleanup.__exit__(None, None, None)


def _one_step(op: str, params: dict, before, after) -> FixPlan:
    step = PlanStep(op, params, before, after, Msg("A change", "변경"), Risk.HIGH)
    return FixPlan("faults", Msg("A fake diagnoser's plan", "가짜 진단기의 계획"), (step,), Risk.HIGH, ROLE)


def _approve(replica, plan) -> None:
    """Two approvers, as a high-risk plan needs."""
    replica.bot.deps.plans.approve(plan.id, OPS)
    if replica.services.repo.get_plan(plan.id).status == "proposed":
        replica.bot.deps.plans.approve(plan.id, OPS2)


def _refused(replica, slack, req, plan, reason: str) -> None:
    _approve(replica, plan)
    assert replica.services.repo.get_plan(plan.id).status == "failed"
    failed = [r for r in replica.services.repo.audit_rows(plan_id=plan.id) if r.kind == "failed"]
    assert len(failed) == 1 and reason in failed[0].summary, [r.summary for r in failed]
    told = [t for t in thread_texts(slack, req) if t.startswith(f"❌ #{plan.id} ")]
    assert len(told) == 1 and "Refused by a guardrail" in told[0]


@pytest.mark.parametrize(
    "action,resource,reason",
    [
        ("s3:*", "arn:aws:s3:::*", "wildcard action"),
        ("secretsmanager:GetSecretValue", "*", "never grants"),
        ("iam:*", "*", "wildcard action"),
        ("elasticloadbalancing:DeleteLoadBalancer", "*", "beyond every reference policy"),
    ],
)
def test_a_grant_beyond_the_reference_is_never_written(stack, action, resource, reason):
    replica, slack, iam, _ = stack
    plan_in = _one_step(OP_STATEMENT, {"role_name": ROLE, "policy_name": "chatops-x"}, None, _grant(action, resource))
    req, plan = store_plan(replica, plan_in)
    _refused(replica, slack, req, plan, reason)
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []


def test_the_reference_grant_itself_is_applied(stack):
    replica, _slack, iam, _ = stack
    doc = reference_grant(LB_CONTROLLER, "aws", "elasticloadbalancing:DeleteLoadBalancer")
    req, plan = store_plan(
        replica, _one_step(OP_STATEMENT, {"role_name": ROLE, "policy_name": "chatops-lbc"}, None, doc)
    )
    _approve(replica, plan)
    assert replica.services.repo.get_plan(plan.id).status == "applied"
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["chatops-lbc"]


def test_a_role_arn_outside_the_allow_list_in_an_annotation_is_refused(stack):
    replica, slack, _iam, _ = stack
    admin = f"arn:aws:iam::{SANDBOX_ACCOUNT}:role/OrganizationAdmin"
    params = {"namespace": "devns", "name": "app", "workloads": []}
    req, plan = store_plan(
        replica,
        _one_step(OP_SA_ROLE, params, {"role_arn": None, "restarted_at": {}}, {"role_arn": admin, "restarted_at": {}}),
    )
    _refused(replica, slack, req, plan, "role OrganizationAdmin is outside the allowed patterns")


def test_a_single_object_statement_is_read_and_a_new_audience_refused(stack):
    replica, slack, iam, op = stack
    odd = json.loads(json.dumps(SINGLE))
    odd["Statement"]["Condition"]["StringEquals"][f"{ISSUER}:aud"] = ["sts.amazonaws.com", "evil.example"]
    req, plan = store_plan(replica, _one_step(TrustPolicy.name, {"role_name": ROLE}, SINGLE, odd))
    _refused(replica, slack, req, plan, "audience(s) ['evil.example'] added")
    assert op.applied == [] and iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == SINGLE


def test_a_single_object_statement_gets_its_exact_subject(stack):
    replica, _slack, iam, op = stack
    after = json.loads(json.dumps(SINGLE))
    after["Statement"]["Condition"]["StringEquals"][f"{ISSUER}:sub"] = [
        KUBE_SYSTEM,
        "system:serviceaccount:cloudon:aws-load-balancer-controller",
    ]
    req, plan = store_plan(replica, _one_step(TrustPolicy.name, {"role_name": ROLE}, SINGLE, after))
    _approve(replica, plan)
    assert replica.services.repo.get_plan(plan.id).status == "applied" and len(op.applied) == 1


def test_attaching_a_managed_policy_other_than_the_ecr_node_ones_is_refused():
    for arn, allowed in (
        ("arn:aws:iam::aws:policy/AdministratorAccess", False),
        (f"arn:aws:iam::{SANDBOX_ACCOUNT}:policy/AmazonEC2ContainerRegistryReadOnly", False),
        ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", True),
    ):
        step = PlanStep(
            "iam.role_policy_attachment",
            {"role": "eks-node-role", "policy_arn": arn},
            {"attached": False},
            {"attached": True},
            Msg("attach", "연결"),
            Risk.HIGH,
        )
        problems = plan_violations(FixPlan("image_pull", Msg("x", "x"), (step,)), ("eks-*",))
        assert (problems == []) is allowed, (arn, problems)
