"""The trust-policy evaluator against real trust policies (tests/fixtures/irsa, see SOURCES.md)."""

from __future__ import annotations

import pytest

from handlers.irsa.trust import evaluate_pod_identity_trust, evaluate_trust
from tests.irsa.helpers import HOST, PROVIDER, load

CLOUDON = "system:serviceaccount:cloudon:aws-load-balancer-controller"
KUBE_SYSTEM = "system:serviceaccount:kube-system:aws-load-balancer-controller"


def test_seed_policy_admits_listed_namespaces_but_not_cloudon():
    doc = load("trust_seed_before.json")
    assert evaluate_trust(doc, KUBE_SYSTEM, provider=PROVIDER).admitted
    verdict = evaluate_trust(doc, CLOUDON, provider=PROVIDER)
    assert not verdict.admitted and verdict.statement is None
    assert "does not include " + CLOUDON in verdict.reasons[0]
    assert verdict.statements[0].failed_claims() == ("sub",)


def test_notes_fix_admits_cloudon():
    verdict = evaluate_trust(load("trust_seed_notes_after.json"), CLOUDON, provider=PROVIDER)
    assert verdict.to_json() == {
        "admitted": True,
        "statement": 0,
        "reasons": ["statement 0 admits the subject"],
    }


def test_stringlike_wildcard_admits_namespace_and_stringequals_does_not():
    assert evaluate_trust(load("trust_stringlike_namespace.json"), CLOUDON, provider=PROVIDER).admitted
    verdict = evaluate_trust(load("trust_wildcard_stringequals.json"), CLOUDON, provider=PROVIDER)
    assert not verdict.admitted
    assert "StringEquals compares it literally" in verdict.reasons[0]
    other_ns = evaluate_trust(load("trust_stringlike_namespace.json"), KUBE_SYSTEM, provider=PROVIDER)
    assert not other_ns.admitted


def test_audience_typo_is_an_aud_failure():
    verdict = evaluate_trust(load("trust_aud_typo.json"), CLOUDON, provider=PROVIDER)
    assert not verdict.admitted
    assert verdict.statements[0].failed_claims() == ("aud",)
    assert evaluate_trust(load("trust_aud_typo.json"), CLOUDON, audience="sts.amazon.com", provider=PROVIDER).admitted


def test_other_clusters_provider_is_not_this_clusters():
    doc = load("trust_other_cluster.json")
    verdict = evaluate_trust(doc, CLOUDON, provider=PROVIDER)
    assert not verdict.admitted and not verdict.statements[0].principal_ok
    assert "not the cluster's provider" in verdict.reasons[0]
    # without a provider (check-trust without --provider) the statement's own provider is used
    assert evaluate_trust(doc, CLOUDON).admitted


def test_condition_keys_are_case_insensitive_values_are_not():
    doc = load("trust_seed_notes_after.json")
    cond = doc["Statement"][0]["Condition"]["StringEquals"]
    cond[f"{HOST.upper()}:SUB"] = cond.pop(f"{HOST}:sub")
    assert evaluate_trust(doc, CLOUDON, provider=PROVIDER).admitted
    assert not evaluate_trust(doc, CLOUDON.replace("cloudon", "CloudOn"), provider=PROVIDER).admitted


def test_explicit_deny_statement_wins():
    doc = load("trust_seed_notes_after.json")
    deny = dict(doc["Statement"][0], Effect="Deny")
    doc["Statement"].append(deny)
    verdict = evaluate_trust(doc, CLOUDON, provider=PROVIDER)
    assert not verdict.admitted and verdict.statement == 1


def test_missing_aud_is_admitted_with_a_warning():
    doc = load("trust_seed_notes_after.json")
    del doc["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:aud"]
    verdict = evaluate_trust(doc, CLOUDON, provider=PROVIDER)
    assert verdict.admitted and any("does not check the aud claim" in r for r in verdict.reasons)


def test_for_any_value_and_if_exists():
    doc = load("trust_seed_notes_after.json")
    doc["Statement"][0]["Condition"] = {
        "ForAnyValue:StringEquals": {f"{HOST}:sub": [KUBE_SYSTEM, CLOUDON]},
        "StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"},
    }
    assert evaluate_trust(doc, CLOUDON, provider=PROVIDER).admitted


def test_pod_identity_trust():
    doc = load("trust_pod_identity.json")
    assert evaluate_pod_identity_trust(doc, "cloudon", "aws-load-balancer-controller").admitted
    verdict = evaluate_pod_identity_trust(doc, "web", "aws-load-balancer-controller")
    assert not verdict.admitted and verdict.mechanism == "pod_identity"
    assert not evaluate_trust(doc, CLOUDON, provider=PROVIDER).admitted


def test_bad_subject_is_rejected():
    with pytest.raises(ValueError):
        evaluate_trust(load("trust_eks_docs.json"), "cloudon:aws-load-balancer-controller")
