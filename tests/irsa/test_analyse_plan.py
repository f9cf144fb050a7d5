"""analyse + plan_fix from hand-built evidence and fixture policies (pure, no cloud)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import errors
from handlers.irsa import DIAGNOSER
from handlers.irsa.analyse import analyse
from handlers.irsa.evidence import (
    ControllerError,
    Evidence,
    IngressFacts,
    LoadBalancerFacts,
    OidcFacts,
    RoleFacts,
    ServiceAccountFacts,
    Simulation,
    Workload,
)
from handlers.irsa.kube_facts import error_from_text
from handlers.irsa.permissions import PolicySource
from handlers.irsa.plan import OP_TRUST, plan_fix
from tests.irsa.helpers import ACCOUNT, PROVIDER, errors_fixture, load

NOW = datetime(2026, 11, 24, tzinfo=UTC)
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/AmazonEKSLoadBalancerControllerRole"
LB = f"arn:aws:elasticloadbalancing:ap-northeast-1:{ACCOUNT}:loadbalancer/app/k8s-cloudon-x/1"


def evidence(trust: str = "trust_seed_before.json", sa: ServiceAccountFacts | None = None, **changes) -> Evidence:
    sa = sa or ServiceAccountFacts(
        "cloudon",
        "aws-load-balancer-controller",
        exists=True,
        role_arn=ROLE_ARN,
        workloads=(Workload("Deployment", "cloudon", "aws-load-balancer-controller"),),
        pods=1,
    )
    base = dict(
        target="cloudon/cloudon-ingress",
        cluster="prod",
        account=ACCOUNT,
        ingress=IngressFacts(
            "cloudon",
            "cloudon-ingress",
            exists=True,
            deletion_timestamp="2026-11-21T00:00:00Z",
            finalizers=("ingress.k8s.aws/resources",),
            hostname="x.elb.amazonaws.com",
            stuck_seconds=3 * 86400,
        ),
        service_accounts=(sa,),
        oidc=OidcFacts(
            "https://" + PROVIDER.split("oidc-provider/")[1],
            PROVIDER,
            provider_exists=True,
            client_ids=("sts.amazonaws.com",),
        ),
        role=RoleFacts(
            "AmazonEKSLoadBalancerControllerRole",
            ROLE_ARN,
            exists=True,
            trust=load(trust),
            policies=(PolicySource("AWSLoadBalancerControllerIAMPolicy", load("lbc_iam_policy.json")),),
        ),
        load_balancer=LoadBalancerFacts(
            LB, "k8s-cloudon-x", "x.elb.amazonaws.com", exists=True, tags={"elbv2.k8s.aws/cluster": "prod"}
        ),
        action="elasticloadbalancing:DeleteLoadBalancer",
        resource=LB,
        simulation=Simulation(available=False, note="the IAM endpoint does not implement it"),
    )
    base.update(changes)
    return Evidence(**base)


def fix(ev: Evidence, patterns=("*",)):
    analysis = analyse(ev)
    plans, extra = plan_fix(ev, analysis, patterns, NOW, "prod")
    return analysis, plans, [f.code for f in extra]


def test_seed_evidence_gives_one_trust_step_and_a_bilingual_headline():
    analysis, (plan,), extra = fix(evidence())
    assert analysis.codes()[0] == "irsa.ingress.stuck" and "irsa.trust.sub_missing" in analysis.codes()
    assert analysis.headline.ko.startswith("원인: AmazonEKSLoadBalancerControllerRole의 신뢰 정책이")
    assert [s.op for s in plan.steps] == [OP_TRUST] and extra == []
    assert plan.steps[0].description.ko.startswith("AmazonEKSLoadBalancerControllerRole 신뢰 정책에 주체 추가")


def test_wildcard_under_string_equals_is_called_out_and_fixed_exactly():
    analysis, (plan,), _ = fix(evidence("trust_wildcard_stringequals.json"))
    assert "irsa.trust.wildcard_literal" in analysis.codes()
    subs = list(plan.steps[0].after["Statement"][0]["Condition"]["StringEquals"].values())[0]
    assert subs == [
        "system:serviceaccount:cloudon:*",
        "system:serviceaccount:cloudon:aws-load-balancer-controller",
    ]


def test_audience_typo_gets_the_audience_added():
    analysis, (plan,), _ = fix(evidence("trust_aud_typo.json"))
    assert "irsa.trust.aud_mismatch" in analysis.codes()
    assert "sts.amazonaws.com" in str(plan.steps[0].after)


def test_other_clusters_provider_is_left_to_a_human():
    analysis, plans, extra = fix(evidence("trust_other_cluster.json"))
    assert "irsa.trust.provider_mismatch" in analysis.codes()
    assert plans == () and extra == ["irsa.plan.manual"]


def test_explicit_deny_and_boundary_are_manual():
    deny = PolicySource("deny", load("policy_deny_prod_lb_delete.json"))
    ev = evidence(
        "trust_seed_notes_after.json",
        load_balancer=LoadBalancerFacts(
            LB, "x", "x", exists=True, tags={"elbv2.k8s.aws/cluster": "prod", "env": "prod"}
        ),
    )
    ev = Evidence(
        **{
            **ev.__dict__,
            "role": RoleFacts(
                ev.role.name, ev.role.arn, exists=True, trust=ev.role.trust, policies=ev.role.policies + (deny,)
            ),
        }
    )
    analysis, plans, extra = fix(ev)
    assert "irsa.permission.explicit_deny" in analysis.codes() and plans == () and extra == ["irsa.plan.manual"]
    boundary = PolicySource("readonly", load("boundary_describe_only.json"), "boundary")
    ev = evidence("trust_seed_notes_after.json")
    ev = Evidence(
        **{
            **ev.__dict__,
            "role": RoleFacts(
                ev.role.name,
                ev.role.arn,
                exists=True,
                trust=ev.role.trust,
                policies=ev.role.policies,
                boundary=boundary,
            ),
        }
    )
    analysis, plans, _ = fix(ev)
    assert "irsa.permission.boundary_denies" in analysis.codes() and plans == ()


def test_pod_identity_service_account_is_judged_against_the_pod_identity_trust():
    sa = ServiceAccountFacts(
        "cloudon",
        "aws-load-balancer-controller",
        exists=True,
        role_arn="",
        workloads=(),
        pods=1,
        pods_without_identity=(),
        pod_identity_role=ROLE_ARN,
    )
    analysis, _, _ = fix(evidence("trust_pod_identity.json", sa=sa))
    assert "irsa.sa.pod_identity" in analysis.codes() and "irsa.trust.ok" in analysis.codes()


def test_refusal_keeps_the_finding_and_drops_only_role_steps():
    analysis, plans, extra = fix(evidence(), patterns=("eks-app-*",))
    assert plans == () and extra == ["irsa.plan.refused"] and "irsa.trust.sub_missing" in analysis.codes()


def test_real_error_lines_become_controller_findings():
    for row in errors_fixture():
        err = error_from_text("log x", row["text"])
        assert err is not None and err.kind == row["kind"], row["source"]
    ev = evidence(
        errors=(
            ControllerError(
                "event FailedCleanup",
                errors_fixture()[0]["text"],
                "permission_missing",
                "AmazonEKSLoadBalancerControllerRole",
                "elasticloadbalancing:DeleteLoadBalancer",
                LB,
            ),
        )
    )
    assert analyse(ev).codes()[:2] == ["irsa.ingress.stuck", "irsa.controller.aws_error"]


@pytest.mark.parametrize(
    "name,args,entities",
    [
        ("ingress", ["cloudon/cloudon-ingress"], {"namespace": "cloudon", "name": "cloudon-ingress"}),
        (
            "irsa",
            ["cloudon/aws-load-balancer-controller"],
            {"namespace": "cloudon", "service_account": "aws-load-balancer-controller"},
        ),
        (
            "iam",
            ["arn:aws:iam::1:role/eks/AmazonEKSLoadBalancerControllerRole"],
            {"name": "AmazonEKSLoadBalancerControllerRole"},
        ),
    ],
)
def test_commands_parse(name, args, entities):
    spec = next(c for c in DIAGNOSER.commands if c.name == name)
    assert spec.parse(args) == entities


@pytest.mark.parametrize(
    "name,args", [("ingress", ["cloudon"]), ("irsa", []), ("iam", ["a", "b"]), ("iam", ["bad role!"])]
)
def test_commands_reject_bad_input(name, args):
    spec = next(c for c in DIAGNOSER.commands if c.name == name)
    with pytest.raises(errors.UsageError):
        spec.parse(args)


def test_the_verdict_source_reads_in_korean_in_a_korean_thread():
    from handlers.irsa.analyse_iam import OWN_EVALUATOR, SOURCE_KO

    assert "bot's" not in SOURCE_KO[OWN_EVALUATOR] and "평가기" in SOURCE_KO[OWN_EVALUATOR]
