"""The smallest trust-policy edit, and the guardrail every trust edit passes."""

from __future__ import annotations

import copy

import pytest

from handlers.irsa.guardrails import check_trust_change, role_refusal
from handlers.irsa.trust import evaluate_trust
from handlers.irsa.trust_edit import add_audience, add_subjects
from tests.irsa.helpers import HOST, PROVIDER, load

CLOUDON = "system:serviceaccount:cloudon:aws-load-balancer-controller"


def test_adds_exactly_one_subject_to_the_existing_list():
    before = load("trust_seed_before.json")
    after = add_subjects(before, PROVIDER, [CLOUDON])
    subs = after["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:sub"]
    assert subs == before["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:sub"] + [CLOUDON]
    assert after["Statement"][0]["Principal"] == before["Statement"][0]["Principal"]
    assert evaluate_trust(after, CLOUDON, provider=PROVIDER).admitted
    assert check_trust_change(before, after) == []
    assert before == load("trust_seed_before.json")  # the input is not mutated


def test_a_single_string_becomes_a_list_and_the_operator_is_kept():
    before = load("trust_eks_docs.json")
    after = add_subjects(before, PROVIDER, [CLOUDON])
    assert after["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:sub"] == [
        "system:serviceaccount:default:my-service-account",
        CLOUDON,
    ]
    like = add_subjects(
        load("trust_stringlike_namespace.json"),
        PROVIDER,
        ["system:serviceaccount:web:aws-load-balancer-controller"],
    )
    assert list(like["Statement"][0]["Condition"]) == ["StringLike"]


def test_no_edit_without_a_statement_for_this_provider_or_with_wildcards():
    assert add_subjects(load("trust_other_cluster.json"), PROVIDER, [CLOUDON]) is None
    with pytest.raises(ValueError):
        add_subjects(load("trust_seed_before.json"), PROVIDER, ["system:serviceaccount:cloudon:*"])


def test_audience_fix_then_subject():
    doc = add_audience(load("trust_aud_typo.json"), PROVIDER, CLOUDON)
    assert doc["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:aud"] == [
        "sts.amazon.com",
        "sts.amazonaws.com",
    ]
    assert evaluate_trust(doc, CLOUDON, provider=PROVIDER).admitted


def test_guardrail_refuses_widening_changes():
    before = load("trust_seed_before.json")
    wild = copy.deepcopy(before)
    wild["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:sub"].append("system:serviceaccount:*:*")
    assert any("wildcard subject" in r for r in check_trust_change(before, wild))
    principal = copy.deepcopy(before)
    principal["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::999999999999:root"}
    assert any("adds principal" in r for r in check_trust_change(before, principal))
    extra = copy.deepcopy(before)
    extra["Statement"].append(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    reasons = check_trust_change(before, extra)
    assert "adds 1 statement(s)" in reasons and any("ec2.amazonaws.com" in r for r in reasons)
    like = copy.deepcopy(before)
    cond = like["Statement"][0]["Condition"]
    cond["StringLike"] = {f"{HOST}:sub": cond["StringEquals"].pop(f"{HOST}:sub")}
    assert any("removed" in r for r in check_trust_change(before, like))
    dropped = copy.deepcopy(before)
    del dropped["Statement"][0]["Condition"]
    assert any("removed" in r for r in check_trust_change(before, dropped))


def test_guardrail_accepts_the_revert_of_an_added_subject():
    before = load("trust_seed_before.json")
    after = add_subjects(before, PROVIDER, [CLOUDON])
    assert check_trust_change(after, before) == []


def test_role_allow_list():
    assert role_refusal("AmazonEKSLoadBalancerControllerRole", ["AmazonEKS*"]) == ""
    assert "outside the allowed role patterns" in role_refusal("OrgAdmin", ["AmazonEKS*", "eks-*"])
