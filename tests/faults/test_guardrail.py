"""Whatever a diagnoser proposes, the central guardrail refuses to widen a trust policy.

A "fake diagnoser" plan (stored as ``RequestService`` stores proposed plans) replaces the load
balancer controller role's trust policy in moto. Approving it goes through ``PlanService`` and
``ApplyService``: a wildcard subject, a wildcard principal or a new principal is refused before
anything is written; adding exactly one service-account subject is applied (the control).
"""

from __future__ import annotations

import copy
import json

import pytest

from bot.cloud.aws import Aws
from bot.domain import FixPlan, Msg, PlanStep, Risk
from bot.store.migrate import upgrade
from sandbox.aws import SANDBOX_ACCOUNT, SANDBOX_REGION
from sandbox.runtime import OPS
from sandbox.slack_api import SlackStandIn
from tests.faults.harness import Replica, add_people, make_settings, new_secret, store_plan, thread_texts
from tests.faults.ops import TrustPolicy

ROLE = "AmazonEKSLoadBalancerControllerRole"
ISSUER = "oidc.eks.ap-northeast-1.amazonaws.com/id/5C3B2A1D0E9F8A7B6C5D4E3F2A1B0C9D"
PROVIDER = f"arn:aws:iam::{SANDBOX_ACCOUNT}:oidc-provider/{ISSUER}"
KUBE_SYSTEM = "system:serviceaccount:kube-system:aws-load-balancer-controller"
CLOUDON = "system:serviceaccount:cloudon:aws-load-balancer-controller"
BEFORE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{ISSUER}:sub": [KUBE_SYSTEM], f"{ISSUER}:aud": "sts.amazonaws.com"}},
        }
    ],
}


def _with(change) -> dict:
    doc = copy.deepcopy(BEFORE)
    change(doc)
    return doc


def _subjects(doc: dict, op: str, subjects: list[str]) -> None:
    cond = doc["Statement"][0]["Condition"]
    cond.setdefault(op, {})[f"{ISSUER}:sub"] = subjects
    if op != "StringEquals":
        del cond["StringEquals"][f"{ISSUER}:sub"]


WIDENINGS = {  # name: (trust policy after the change, what the refusal must say)
    "any namespace": (
        _with(lambda d: _subjects(d, "StringLike", ["system:serviceaccount:*:aws-load-balancer-controller"])),
        "wildcard subject",
    ),
    "any service account in cloudon": (
        _with(lambda d: _subjects(d, "StringLike", [KUBE_SYSTEM, "system:serviceaccount:cloudon:*"])),
        "wildcard subject",
    ),
    "wildcard principal": (
        _with(
            lambda d: d["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
        ),
        "wildcard principal",
    ),
    "another account": (
        _with(
            lambda d: d["Statement"].append(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        ),
        "adds principal(s) ['AWS:arn:aws:iam::999999999999:root']",
    ),
}


@pytest.fixture
def stack(moto_sandbox, tmp_path):
    moto_sandbox.reset()
    iam = Aws(region=SANDBOX_REGION, max_attempts=1).client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(BEFORE))
    slack = SlackStandIn()
    slack.start()
    add_people(slack)
    url = f"sqlite:///{tmp_path / 'guard.db'}"
    upgrade(url)
    replica = Replica(make_settings(url, slack, new_secret()))
    op = TrustPolicy()
    replica.services.operations[op.name] = op
    yield replica, slack, iam, op
    replica.stop()
    slack.stop()


def _plan(after: dict) -> FixPlan:
    step = PlanStep(
        TrustPolicy.name,
        {"role_name": ROLE},
        BEFORE,
        after,
        Msg("Admit a subject in the trust policy", "신뢰 정책에 주체 추가"),
    )
    return FixPlan("faults", Msg("Widen trust", "신뢰 확대"), (step,), Risk.MEDIUM, ROLE)


@pytest.mark.parametrize("name", sorted(WIDENINGS))
def test_widening_trust_is_refused_before_anything_is_written(stack, name):
    replica, slack, iam, op = stack
    after, reason = WIDENINGS[name]
    req, plan = store_plan(replica, _plan(after))
    replica.bot.deps.plans.approve(plan.id, OPS)
    assert replica.services.repo.get_plan(plan.id).status == "failed"
    assert op.applied == []
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == BEFORE
    failed = [r for r in replica.services.repo.audit_rows(plan_id=plan.id) if r.kind == "failed"]
    assert len(failed) == 1 and reason in failed[0].summary, [r.summary for r in failed]
    told = [t for t in thread_texts(slack, req) if t.startswith(f"❌ #{plan.id} ")]
    assert len(told) == 1 and "Refused by a guardrail" in told[0] and reason in told[0]


def test_adding_exactly_one_subject_is_applied(stack):
    replica, slack, iam, op = stack
    after = _with(lambda d: _subjects(d, "StringEquals", [KUBE_SYSTEM, CLOUDON]))
    req, plan = store_plan(replica, _plan(after))
    replica.bot.deps.plans.approve(plan.id, OPS)
    assert replica.services.repo.get_plan(plan.id).status == "applied"
    assert len(op.applied) == 1
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == after
