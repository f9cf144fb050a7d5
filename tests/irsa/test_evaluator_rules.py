"""The offline IAM evaluator against the IAM User Guide, one documented rule per test."""

from __future__ import annotations

import pytest

from handlers.irsa.conditions import arn_like, evaluate_conditions, normalise_context
from handlers.irsa.permissions import ALLOWED, IMPLICIT_DENY, PolicySource, action_matches, evaluate_permission


def cond(block, ctx):
    return evaluate_conditions(block, normalise_context(ctx)).ok


def allow(stmt_extra, action="s3:GetObject", resource="arn:aws:s3:::b/k", ctx=None):
    stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **stmt_extra}
    return evaluate_permission([PolicySource("p", {"Statement": [stmt]})], action, resource, ctx).decision


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "expected"),
    [
        ("DateLessThan", "2026-01-01", "2025-12-31T23:59:59Z", True),
        ("DateLessThan", "2026-01-01T00:00:00+09:00", "2025-12-31T14:59:59Z", True),
        ("DateLessThan", "2026-01-01T00:00:00+09:00", "2025-12-31T15:00:00Z", False),
        ("DateEquals", "2026-01-01T09:00:00+09:00", "2026-01-01T00:00:00Z", True),
        ("DateEquals", "1767225600", "2026-01-01T00:00:00Z", True),
        ("DateGreaterThanEquals", "2026-01-01", "1767225600", True),
        ("DateNotEquals", "2026-01-01", "2026-01-01T00:00:00Z", False),
    ],
)
def test_dates_compare_in_utc(operator, policy, request_value, expected):
    assert cond({operator: {"aws:CurrentTime": policy}}, {"aws:CurrentTime": request_value}) is expected


def test_unparseable_date_is_a_non_match_not_a_crash():
    assert not cond({"DateLessThan": {"aws:CurrentTime": "not-a-date"}}, {"aws:CurrentTime": "2026-01-01"})
    assert not cond({"DateLessThan": {"aws:CurrentTime": "2026-01-01"}}, {"aws:CurrentTime": "yesterday"})


def test_date_if_exists_is_true_when_the_key_is_missing():
    assert cond({"DateLessThanIfExists": {"aws:TokenIssueTime": "2026-01-01"}}, {})
    assert not cond({"DateLessThan": {"aws:TokenIssueTime": "2026-01-01"}}, {})


# -- numbers ------------------------------------------------------------------------------------


def test_numeric_values_as_strings_numbers_and_decimals():
    ctx = {"aws:MultiFactorAuthAge": "3600"}
    assert cond({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}, ctx)
    assert cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600.5"}}, ctx)
    assert cond({"NumericEquals": {"aws:MultiFactorAuthAge": "3600.0"}}, ctx)
    assert not cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "abc"}}, ctx)
    assert not cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "nan"}}, ctx)


# -- actions ------------------------------------------------------------------------------------


def test_action_wildcards_only_in_the_action_name_and_case_insensitive():
    assert action_matches("s3:Get*", "s3:GetObject")
    assert action_matches("S3:getobj?ct", "s3:GetObject")
    assert action_matches("*", "s3:GetObject")
    assert not action_matches("s*:GetObject", "s3:GetObject")
    assert not action_matches("s?:GetObject", "s3:GetObject")
    assert not action_matches("s3*", "s3:GetObject")


# -- ARNs ---------------------------------------------------------------------------------------


def test_question_mark_never_matches_a_colon_in_the_first_segments():
    assert not arn_like("arn:aws:s3?::b", "arn:aws:s3:::b")
    assert not arn_like("arn:aws?iam::1:role/x", "arn:aws:iam::1:role/x")
    assert arn_like("arn:aws:iam::?:role/x", "arn:aws:iam::1:role/x")


def test_star_is_per_segment_unless_it_ends_the_pattern():
    assert not arn_like("arn:aws:iam::*role/x", "arn:aws:iam::1:role/x")
    assert arn_like("arn:aws:s3:*", "arn:aws:s3:::bucket/key")
    assert arn_like("arn:aws:lambda:*:*:function:*", "arn:aws:lambda:us-east-1:1:function:f:alias")
    assert arn_like("arn:aws:s3:::b*", "arn:aws:s3:::b/x:y")


# -- policy variables ---------------------------------------------------------------------------


def test_variables_in_resource_and_conditions():
    ctx = {"aws:username": "alice", "aws:PrincipalTag/team": "red"}
    res = {"Resource": "arn:aws:s3:::home/${aws:username}/*"}
    assert allow(res, resource="arn:aws:s3:::home/alice/x", ctx=ctx) == ALLOWED
    assert allow(res, resource="arn:aws:s3:::home/bob/x", ctx=ctx) == IMPLICIT_DENY
    c = {"Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}
    assert allow(c, ctx={**ctx, "aws:ResourceTag/team": "red"}) == ALLOWED
    assert allow(c, ctx={**ctx, "aws:ResourceTag/team": "blue"}) == IMPLICIT_DENY


def test_not_resource_takes_variables():
    stmt = {"NotResource": "arn:aws:s3:::home/${aws:username}/*"}
    doc = {"Statement": [{"Effect": "Allow", "Action": "s3:*", **stmt}]}
    ctx = {"aws:username": "alice"}
    v = evaluate_permission([PolicySource("p", doc)], "s3:GetObject", "arn:aws:s3:::home/alice/x", ctx)
    assert v.decision == IMPLICIT_DENY


def test_missing_variable_does_not_match_unless_defaulted():
    res = {"Resource": "arn:aws:s3:::home/${aws:username}/*"}
    assert allow(res, resource="arn:aws:s3:::home//x") == IMPLICIT_DENY
    assert allow(res, resource="arn:aws:s3:::home/${aws:username}/x") == IMPLICIT_DENY
    dflt = {"Condition": {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}"}}}
    assert allow(dflt, ctx={"s3:prefix": "none"}) == ALLOWED
    assert allow(dflt, ctx={"s3:prefix": "red", "aws:PrincipalTag/team": "red"}) == ALLOWED
    assert allow(dflt, ctx={"s3:prefix": "none", "aws:PrincipalTag/team": "red"}) == IMPLICIT_DENY


def test_escapes_are_literal_characters():
    like = {"Condition": {"StringLike": {"s3:prefix": "a${*}b${?}${$}"}}}
    assert allow(like, ctx={"s3:prefix": "a*b?$"}) == ALLOWED
    assert allow(like, ctx={"s3:prefix": "axxbc$"}) == IMPLICIT_DENY
    res = {"Resource": "arn:aws:s3:::b/${*}"}
    assert allow(res, resource="arn:aws:s3:::b/*") == ALLOWED
    assert allow(res, resource="arn:aws:s3:::b/x") == IMPLICIT_DENY


def test_multivalued_key_is_not_a_variable():
    c = {"Condition": {"StringEquals": {"s3:prefix": "${aws:TagKeys}"}}}
    assert allow(c, ctx={"s3:prefix": "a", "aws:TagKeys": ["a"]}) == IMPLICIT_DENY


# -- missing and empty keys ---------------------------------------------------------------------


def test_missing_key_per_operator():
    assert cond({"StringNotEquals": {"k": "x"}}, {})
    assert cond({"StringNotLikeIfExists": {"k": "x"}}, {})
    assert cond({"Null": {"k": "true"}}, {})
    assert not cond({"Null": {"k": "false"}}, {})
    assert cond({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": []})
    assert not cond({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": []})
    assert cond({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a"]})
    assert not cond({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]})
