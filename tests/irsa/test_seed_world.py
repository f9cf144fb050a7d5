"""The seed case end to end against moto and the Kubernetes stand-in (no Slack, no database).

diagnose -> apply the plan's steps like the services layer (read, compare, apply) -> verify ->
revert. The fake load balancer controller in the world only lets go of the ingress once the
live trust policy admits its service account and its policy allows the delete. Each test seeds
a fresh world (moto's EC2/EKS start-up dominates the time), so related checks share a test.
"""

from __future__ import annotations

import json

import pytest

from bot import errors
from bot.domain import Request, Severity
from handlers.irsa import DIAGNOSER
from handlers.irsa.plan import OP_TRUST
from sandbox.worlds.irsa import controller_may_delete, seed_ingress_trust_world
from tests.irsa.helpers import revert_steps, run_plan, run_steps

INGRESS = Request("ingress_delete_denied", {"namespace": "cloudon", "name": "cloudon-ingress"})


@pytest.fixture
def world(aws, kube_stand_in):
    return seed_ingress_trust_world(aws, kube_stand_in)


def test_diagnosis_guardrails_and_stale_plan(cluster_ctx, world, aws):
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    codes = d.codes()
    assert codes[:2] == ["irsa.ingress.stuck", "irsa.controller.aws_error"]
    assert {"irsa.sa.ok", "irsa.oidc.ok", "irsa.trust.sub_missing", "irsa.permission.ok"} <= set(codes)
    assert d.headline.en == (
        f"Cause: Role AmazonEKSLoadBalancerControllerRole's trust policy does not admit {world['subject']}"
    )
    assert "신뢰 정책이" in d.headline.ko and d.worst == Severity.ERROR
    stuck = next(f for f in d.findings if f.code == "irsa.ingress.stuck")
    assert "ingress.k8s.aws/resources" in stuck.evidence[1].en and "3d" in stuck.title.en
    error = next(f for f in d.findings if f.code == "irsa.controller.aws_error")
    assert (error.data["action"], error.data["resource"]) == (
        "elasticloadbalancing:DeleteLoadBalancer",
        world["lb_arn"],
    )
    perm = next(f for f in d.findings if f.code == "irsa.permission.ok")
    assert perm.data["source"] == "bot's policy evaluator"  # moto does not implement SimulatePrincipalPolicy
    assert any("not available" in e.en for e in perm.evidence)
    (plan,) = d.plans
    (step,) = plan.steps
    assert step.op == OP_TRUST and step.params == {"role_name": "AmazonEKSLoadBalancerControllerRole"}
    key = f"{world['issuer'].removeprefix('https://')}:sub"
    subs_before = step.before["Statement"][0]["Condition"]["StringEquals"][key]
    assert step.after["Statement"][0]["Condition"]["StringEquals"][key] == subs_before + [world["subject"]]
    assert not controller_may_delete(aws, world)  # the world's controller agrees it is stuck

    # nothing applied yet: verification reports what still blocks the ingress
    cluster_ctx.wait_seconds = 0.3
    verification = DIAGNOSER.verify(cluster_ctx, plan)
    assert not verification.ok and "trust policy does not admit" in verification.message.en

    # a role outside the allow-list: the finding stays, the plan is refused, and apply refuses too
    cluster_ctx.role_allow_patterns = ("eks-app-*",)
    refused = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    assert refused.plans == () and "irsa.trust.sub_missing" in refused.codes()
    reason = next(f for f in refused.findings if f.code == "irsa.plan.refused")
    assert "outside the allowed role patterns" in reason.evidence[0].en
    with pytest.raises(errors.GuardrailRefused):
        run_plan(cluster_ctx, plan)

    # the trust policy changed between proposal and approval: the plan is stale
    cluster_ctx.role_allow_patterns = ("*",)
    changed = json.loads(json.dumps(step.before))
    changed["Statement"][0]["Condition"]["StringEquals"]["x:aud"] = "sts.amazonaws.com"
    aws.client("iam").update_assume_role_policy(RoleName=world["role_name"], PolicyDocument=json.dumps(changed))
    with pytest.raises(errors.StalePlan):
        run_plan(cluster_ctx, plan)


def test_apply_verify_and_revert(cluster_ctx, world, aws):
    (plan,) = DIAGNOSER.diagnose(cluster_ctx, INGRESS).plans
    observed = run_plan(cluster_ctx, plan)
    assert observed[0] == plan.steps[0].after
    verification = DIAGNOSER.verify(cluster_ctx, plan)
    assert verification.ok, verification.message.en
    assert "deleted" in verification.message.en and "삭제 완료" in verification.message.ko
    assert aws.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    run_steps(cluster_ctx, revert_steps(plan, observed))
    role = aws.client("iam").get_role(RoleName=world["role_name"])["Role"]
    assert role["AssumeRolePolicyDocument"] == plan.steps[0].before
