"""The IRSA worlds' own IAM rules (``sandbox.worlds.iam_rules``), checked on the controller's
official policy and on trust policies written as the EKS and IAM documentation shows them."""

from __future__ import annotations

from sandbox.worlds import iam_rules
from tests.irsa.helpers import HOST, PROVIDER, load

LB = "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/app/k8s-a/0a1b2c3d4e5f6a7b"
TAGGED = iam_rules.resource_tag_context({"elbv2.k8s.aws/cluster": "prod"})
SUBJECT = "system:serviceaccount:cloudon:aws-load-balancer-controller"


def test_lbc_policy_needs_the_cluster_tag_to_delete():
    policy = load("lbc_iam_policy.json")
    for action in ("elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup"):
        assert iam_rules.decide([policy], action, LB, TAGGED) == iam_rules.ALLOW
        assert iam_rules.decide([policy], action, LB, {}) == iam_rules.DENY  # Null "false": tag must exist
    # action names are case-insensitive; an action no statement lists is implicitly denied
    assert iam_rules.decide([policy], "ElasticLoadBalancing:deleteloadbalancer", LB, TAGGED) == iam_rules.ALLOW
    assert iam_rules.decide([policy], "iam:CreateRole", "*", TAGGED) == iam_rules.DENY


def test_explicit_deny_wins_over_allow():
    docs = [load("lbc_iam_policy.json"), load("policy_deny_prod_lb_delete.json")]
    prod = {**TAGGED, "aws:ResourceTag/env": "prod"}
    assert iam_rules.decide(docs, "elasticloadbalancing:DeleteLoadBalancer", LB, prod) == iam_rules.DENY
    assert iam_rules.decide(docs, "elasticloadbalancing:DeleteLoadBalancer", LB, TAGGED) == iam_rules.ALLOW


def test_resource_wildcards():
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "elasticloadbalancing:Delete*",
                "Resource": "arn:aws:elasticloadbalancing:*:111122223333:loadbalancer/app/k8s-?/*",
            }
        ]
    }
    assert iam_rules.decide([doc], "elasticloadbalancing:DeleteLoadBalancer", LB, {}) == iam_rules.ALLOW
    other = LB.replace("111122223333", "444455556666")
    assert iam_rules.decide([doc], "elasticloadbalancing:DeleteLoadBalancer", other, {}) == iam_rules.DENY


def test_web_identity_trust_sub_and_aud():
    host = HOST
    admitted = iam_rules.web_identity_admitted
    eks_docs = load("trust_eks_docs.json")  # the EKS User Guide's example
    assert admitted(eks_docs, PROVIDER, host, "system:serviceaccount:default:my-service-account", "sts.amazonaws.com")
    assert not admitted(eks_docs, PROVIDER, host, SUBJECT, "sts.amazonaws.com")
    like = load("trust_stringlike_namespace.json")
    assert admitted(like, PROVIDER, host, SUBJECT, "sts.amazonaws.com")
    assert not admitted(like, PROVIDER, host, "system:serviceaccount:web:x", "sts.amazonaws.com")
    assert not admitted(like, PROVIDER, host, SUBJECT, "other-audience")
    other_provider = PROVIDER.replace("EXAMPLED539", "ANOTHER0539")
    assert not admitted(like, other_provider, host, SUBJECT, "sts.amazonaws.com")
    exact = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{host}:sub": [SUBJECT], f"{host}:aud": "sts.amazonaws.com"}},
            }
        ]
    }
    assert admitted(exact, PROVIDER, host, SUBJECT, "sts.amazonaws.com")
    assert not admitted(exact, PROVIDER, host, SUBJECT.replace("cloudon", "kube-system"), "sts.amazonaws.com")
    # StringEquals takes "*" literally
    star = {
        "Statement": [
            {**exact["Statement"][0], "Condition": {"StringEquals": {f"{host}:sub": "system:serviceaccount:cloudon:*"}}}
        ]
    }
    assert not admitted(star, PROVIDER, host, SUBJECT, "sts.amazonaws.com")
