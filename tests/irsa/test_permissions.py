"""The identity-policy evaluator against the official load balancer controller policy and friends."""

from __future__ import annotations

from handlers.irsa.permissions import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    PolicySource,
    evaluate_permission,
    resource_tag_context,
)
from tests.irsa.helpers import load

LB = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/k8s-cloudon-x/50dc6c"
DELETE = "elasticloadbalancing:DeleteLoadBalancer"


def lbc() -> list[PolicySource]:
    return [PolicySource("AWSLoadBalancerControllerIAMPolicy", load("lbc_iam_policy.json"))]


def test_delete_allowed_on_a_load_balancer_tagged_for_the_cluster():
    verdict = evaluate_permission(lbc(), DELETE, LB, resource_tag_context({"elbv2.k8s.aws/cluster": "prod"}))
    assert verdict.decision == ALLOWED
    assert verdict.statement.policy == "AWSLoadBalancerControllerIAMPolicy" and verdict.statement.index == 10


def test_delete_denied_without_the_tag_and_the_near_miss_names_it():
    verdict = evaluate_permission(lbc(), DELETE, LB, resource_tag_context({"kubernetes.io/ingress-name": "x"}))
    assert verdict.decision == IMPLICIT_DENY
    assert verdict.reasons[0] == f"no identity-based policy allows the {DELETE} action on {LB}"
    assert [m.missing_resource_tags() for m in verdict.near_misses] == [{"elbv2.k8s.aws/cluster": ()}]


def test_actions_match_case_insensitively_and_with_wildcards():
    policy = [
        PolicySource(
            "p",
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "elasticloadbalancing:Delete*",
                        "Resource": "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*",
                    }
                ]
            },
        )
    ]
    assert evaluate_permission(policy, "ElasticLoadBalancing:deleteloadbalancer", LB).decision == ALLOWED
    assert evaluate_permission(policy, "elasticloadbalancing:CreateRule", LB).decision == IMPLICIT_DENY
    nlb = LB.replace("/app/", "/net/")
    assert evaluate_permission(policy, DELETE, nlb).decision == IMPLICIT_DENY


def test_explicit_deny_beats_allow():
    policies = lbc() + [PolicySource("deny-prod", load("policy_deny_prod_lb_delete.json"))]
    tags = resource_tag_context({"elbv2.k8s.aws/cluster": "prod", "env": "prod"})
    verdict = evaluate_permission(policies, DELETE, LB, tags)
    assert verdict.decision == EXPLICIT_DENY
    assert verdict.statement.sid == "DenyDeletingProdLoadBalancers"
    assert (
        evaluate_permission(
            policies, DELETE, LB, resource_tag_context({"elbv2.k8s.aws/cluster": "prod", "env": "dev"})
        ).decision
        == ALLOWED
    )


def test_permissions_boundary_must_allow_too():
    boundary = PolicySource("readonly", load("boundary_describe_only.json"), "boundary")
    tags = resource_tag_context({"elbv2.k8s.aws/cluster": "prod"})
    verdict = evaluate_permission(lbc(), DELETE, LB, tags, boundary)
    assert verdict.decision == IMPLICIT_DENY and verdict.boundary_blocks
    assert "no permissions boundary allows" in verdict.reasons[0]
    assert evaluate_permission(lbc(), "elasticloadbalancing:DescribeTags", LB, tags, boundary).decision == ALLOWED


def test_not_action_and_not_resource():
    power = [PolicySource("power", load("policy_notaction_all_but_iam.json"))]
    assert evaluate_permission(power, DELETE, LB).decision == ALLOWED
    assert evaluate_permission(power, "iam:CreateRole", "arn:aws:iam::1:role/x").decision == IMPLICIT_DENY
    not_res = [PolicySource("nr", {"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": LB}]})]
    assert evaluate_permission(not_res, DELETE, LB).decision == IMPLICIT_DENY
    assert evaluate_permission(not_res, DELETE, LB + "0").decision == ALLOWED


def test_json_shape_for_the_cli():
    out = evaluate_permission(lbc(), DELETE, LB, {"aws:ResourceTag/elbv2.k8s.aws/cluster": "prod"}).to_json()
    assert out["decision"] == "allowed"
    assert out["statement"] == {
        "policy": "AWSLoadBalancerControllerIAMPolicy",
        "index": 10,
        "sid": None,
        "kind": "identity",
    }
