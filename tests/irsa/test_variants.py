"""Variants of the seed world: other broken links, other entry points, and their fixes."""

from __future__ import annotations

import pytest

from bot import errors
from bot.domain import Request, Risk
from handlers.irsa import DIAGNOSER
from handlers.irsa.plan import OP_OIDC, OP_RESTART, OP_SA_ROLE, OP_STATEMENT, OP_TRUST
from sandbox.worlds.irsa import seed_ingress_trust_world
from tests.irsa.helpers import operation, revert_steps, run_plan, run_steps

INGRESS = Request("ingress_delete_denied", {"namespace": "cloudon", "name": "cloudon-ingress"})
SA = Request("irsa_access_denied", {"namespace": "cloudon", "service_account": "aws-load-balancer-controller"})


@pytest.fixture
def world(aws, kube_stand_in):
    return seed_ingress_trust_world(aws, kube_stand_in)


def _ops(plan) -> list[str]:
    return [s.op for s in plan.steps]


def test_missing_oidc_provider_and_trust_are_separate_high_risk_plans_then_reverted(cluster_ctx, world, aws):
    iam = aws.client("iam")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=world["provider_arn"])
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    assert d.headline.en.startswith("Cause: No IAM OIDC provider exists for the cluster's issuer")
    assert {"irsa.oidc.provider_missing", "irsa.trust.sub_missing"} <= set(d.codes())
    oidc, trust = d.plans
    assert (_ops(oidc), _ops(trust)) == ([OP_OIDC], [OP_TRUST])
    assert {oidc.risk, trust.risk} == {Risk.HIGH}
    assert "cloudon" in trust.title.en and "not trusted before" in trust.title.en
    assert oidc.steps[0].params == {"url": world["issuer"], "client_ids": ["sts.amazonaws.com"]}
    observed = run_plan(cluster_ctx, oidc)
    assert observed[0] == {"exists": True, "client_ids": ["sts.amazonaws.com"]}
    observed_trust = run_plan(cluster_ctx, trust)
    assert DIAGNOSER.verify(cluster_ctx, trust).ok
    run_steps(cluster_ctx, revert_steps(trust, observed_trust) + revert_steps(oidc, observed))
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_service_account_links_restart_and_annotation(cluster_ctx, world, kube_stand_in):
    pod = kube_stand_in.list("Pod", "cloudon")[0]
    pod["spec"]["containers"][0]["env"] = []
    kube_stand_in.put(pod)
    # annotated, but the pod started before the annotation: a restart of its deployment (cannot be
    # undone) in a plan of its own, apart from the trust change
    d = DIAGNOSER.diagnose(cluster_ctx, SA)
    assert d.codes()[0] == "irsa.sa.pods_without_identity"
    assert sorted(_ops(p) for p in d.plans) == sorted([[OP_RESTART], [OP_TRUST]])
    restart = next(p for p in d.plans if _ops(p) == [OP_RESTART])
    assert restart.risk == Risk.MEDIUM
    assert operation(OP_RESTART).revert(restart.steps[0], None) is None and not operation(OP_RESTART).reversible

    sa = kube_stand_in.get("ServiceAccount", "cloudon", "aws-load-balancer-controller")
    sa["metadata"]["annotations"] = {}
    kube_stand_in.put(sa)
    # the role is only known from the pasted error: the bot does not annotate with a role whose trust
    # policy does not admit the account; it proposes the trust change first
    request = Request(
        "irsa_access_denied",
        SA.entities,
        aws_error={"kind": "permission_missing", "role": world["role_name"], "action": "", "resource": ""},
    )
    d = DIAGNOSER.diagnose(cluster_ctx, request)
    assert "irsa.sa.annotation_missing" in d.codes() and "irsa.trust.sub_missing" in d.codes()
    (trust,) = d.plans
    assert _ops(trust) == [OP_TRUST]
    assert any("will not annotate" in f.title.en for f in d.findings if f.code == "irsa.plan.manual")
    run_plan(cluster_ctx, trust)
    # now the role trusts the account (and others): annotating it is a high-risk plan of its own
    (plan,) = DIAGNOSER.diagnose(cluster_ctx, request).plans
    assert _ops(plan) == [OP_SA_ROLE] and plan.risk == Risk.HIGH and "cloudon" in plan.title.en
    sa_step = plan.steps[0]
    assert sa_step.before == {
        "role_arn": None,
        "restarted_at": {"Deployment/aws-load-balancer-controller": None},
    }
    assert sa_step.after["role_arn"] == world["role_arn"]
    observed = run_plan(cluster_ctx, plan)
    assert observed[0]["role_arn"] == world["role_arn"]
    verification = DIAGNOSER.verify(cluster_ctx, plan)  # waits for nothing: re-runs the diagnosis
    assert verification.ok, verification.message.en
    pods = kube_stand_in.list("Pod", "cloudon")
    assert [e["name"] for e in pods[0]["spec"]["containers"][0]["env"]] == [
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ]
    undo = revert_steps(plan, observed)
    assert undo[0].op == OP_SA_ROLE and undo[0].after["role_arn"] is None
    run_steps(cluster_ctx, undo)
    assert (
        kube_stand_in.get("ServiceAccount", "cloudon", "aws-load-balancer-controller")["metadata"]
        .get("annotations", {})
        .get("eks.amazonaws.com/role-arn")
        is None
    )


def test_entry_points_pasted_error_narrow_statement_and_usage_errors(cluster_ctx, world, aws, kube_stand_in):
    by_role = DIAGNOSER.diagnose(cluster_ctx, Request("irsa_access_denied", {"name": world["role_name"]}))
    assert "irsa.trust.sub_missing" in by_role.codes() and by_role.target == world["role_name"]
    for event in kube_stand_in.list("Event", "cloudon"):  # no event: the controller's log line is read
        kube_stand_in.remove("Event", "cloudon", event["metadata"]["name"])
    only_ns = DIAGNOSER.diagnose(cluster_ctx, Request("ingress_delete_denied", {"namespace": "cloudon"}))
    assert only_ns.target == "cloudon/cloudon-ingress"
    error = next(f for f in only_ns.findings if f.code == "irsa.controller.aws_error")
    assert error.evidence[0].en.startswith("log cloudon/aws-load-balancer-controller-")
    assert error.data["resource"] == world["lb_arn"]
    with pytest.raises(errors.UsageError):
        DIAGNOSER.diagnose(cluster_ctx, Request("ingress_delete_denied", {"namespace": "web"}))

    # a pasted AccessDenied for the controller's role whose policy grants nothing: the grant is the
    # official controller policy's own statement for that action, not the pasted resource
    aws.client("iam").detach_role_policy(RoleName=world["role_name"], PolicyArn=world["policy_arn"])
    error = {
        "kind": "permission_missing",
        "role": world["role_name"],
        "action": "elasticloadbalancing:DeleteLoadBalancer",
        "resource": world["lb_arn"],
    }
    request = Request("irsa_access_denied", {}, aws_error=error)
    d = DIAGNOSER.diagnose(cluster_ctx, request)
    assert d.target == world["role_name"] and "irsa.permission.missing" in d.codes()
    plan = next(p for p in d.plans if _ops(p) == [OP_STATEMENT])
    assert plan.risk == Risk.HIGH
    statement = plan.steps[0]
    assert statement.before is None
    assert statement.params["policy_name"] == "chatops-aws-load-balancer-controller-DeleteLoadBalancer"
    assert statement.after["Statement"] == [
        {
            "Sid": "ChatOpsReference0",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:DeleteLoadBalancer"],
            "Resource": "*",
            "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
        }
    ]
    observed = run_plan(cluster_ctx, plan)
    assert "irsa.permission.ok" in DIAGNOSER.diagnose(cluster_ctx, request).codes()
    run_steps(cluster_ctx, revert_steps(plan, observed))
    assert aws.client("iam").list_role_policies(RoleName=world["role_name"])["PolicyNames"] == []

    kube_stand_in.remove("Ingress", "cloudon", "cloudon-ingress")
    gone = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    assert gone.codes() == ["irsa.ingress.gone"] and gone.plans == ()
