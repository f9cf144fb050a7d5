"""Second world: the load balancer lacks the ``elbv2.k8s.aws/cluster`` tag the official policy needs.

Also the AWS path of the permission verdict: ``iam:SimulatePrincipalPolicy`` through a
test-only moto extension (``moto_simulator``); the bot's own evaluator path is in the seed tests.
"""

from __future__ import annotations

import pytest

from bot.domain import Request
from handlers.irsa import DIAGNOSER
from handlers.irsa.plan import OP_TAG
from sandbox.worlds.irsa import seed_ingress_untagged_lb_world
from tests.irsa.helpers import revert_steps, run_plan, run_steps
from tests.irsa.moto_simulator import SimulatorStub

INGRESS = Request("ingress_delete_denied", {"namespace": "cloudon", "name": "cloudon-ingress"})


@pytest.fixture
def world(aws, kube_stand_in):
    return seed_ingress_untagged_lb_world(aws, kube_stand_in)


@pytest.fixture
def simulator():
    stub = SimulatorStub()
    stub.install()
    yield stub
    stub.uninstall()


def test_aws_simulator_then_tag_fix_revert_and_ingress_deleted(cluster_ctx, world, simulator, aws, kube_stand_in):
    simulator.decision = "explicitDeny"  # e.g. an SCP the bot cannot read: AWS's verdict wins
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    finding = next(f for f in d.findings if f.code.startswith("irsa.permission."))
    assert finding.code == "irsa.permission.explicit_deny"
    assert finding.data["source"] == "iam:SimulatePrincipalPolicy"
    assert any("AWS's verdict is used" in e.en for e in finding.evidence)
    assert d.plans == () and any(f.code == "irsa.plan.manual" for f in d.findings)
    (call,) = simulator.calls
    assert call["PolicySourceArn"] == world["role_arn"]
    assert call["ActionNames"] == ["elasticloadbalancing:DeleteLoadBalancer"]
    entries = {e["ContextKeyName"]: e["ContextKeyValues"] for e in call["ContextEntries"]}
    assert entries["aws:ResourceTag/kubernetes.io/ingress-name"] == ["cloudon-ingress"]

    simulator.decision = "implicitDeny"
    cluster_ctx.role_allow_patterns = ("nothing-*",)  # tagging a load balancer changes no role
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    assert "irsa.trust.ok" in d.codes() and "irsa.permission.tag_missing" in d.codes()
    assert d.headline.en.startswith(
        "Cause: AmazonEKSLoadBalancerControllerRole's policy allows elasticloadbalancing:DeleteLoadBalancer "
        "only on resources tagged elbv2.k8s.aws/cluster"
    )
    (plan,) = d.plans
    (step,) = plan.steps
    assert (step.op, step.before, step.after) == (
        OP_TAG,
        {"key": "elbv2.k8s.aws/cluster", "value": None},
        {"key": "elbv2.k8s.aws/cluster", "value": "prod"},
    )

    # apply and revert while the ingress is away and the fake controller paused (a pass that had already
    # read the ingress could otherwise delete the load balancer in between), then put it back
    with kube_stand_in.controllers_paused():
        ingress = kube_stand_in.get("Ingress", "cloudon", "cloudon-ingress")
        kube_stand_in.remove("Ingress", "cloudon", "cloudon-ingress")
        observed = run_plan(cluster_ctx, plan)
        assert observed == [step.after]
        run_steps(cluster_ctx, revert_steps(plan, observed))
        tags = aws.client("elbv2").describe_tags(ResourceArns=[world["lb_arn"]])["TagDescriptions"][0]["Tags"]
        assert "elbv2.k8s.aws/cluster" not in {t["Key"] for t in tags}
        kube_stand_in.put(ingress)

    run_plan(cluster_ctx, plan)
    verification = DIAGNOSER.verify(cluster_ctx, plan)
    assert verification.ok, verification.message.en
    assert aws.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
