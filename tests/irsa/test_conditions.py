"""Condition operators, one rule of the IAM User Guide per test."""

from __future__ import annotations

from handlers.irsa.conditions import evaluate_conditions, glob_match, normalise_context


def test_glob_is_only_star_and_question_mark():
    assert glob_match("a*c", "abbbc") and glob_match("a?c", "abc") and not glob_match("a?c", "abbc")
    assert not glob_match("a[b]c", "abc") and glob_match("a[b]c", "a[b]c")


def test_negated_operators_with_missing_keys_are_true():
    block = {"StringNotEquals": {"aws:PrincipalTag/team": "x"}}
    assert evaluate_conditions(block, {}).ok
    assert not evaluate_conditions({"StringEquals": {"aws:PrincipalTag/team": "x"}}, {}).ok


def test_null_bool_numeric_date_ip():
    ctx = normalise_context(
        {
            "aws:SecureTransport": "true",
            "aws:MultiFactorAuthAge": "30",
            "aws:CurrentTime": "2026-11-24T00:00:00Z",
            "aws:SourceIp": "10.0.1.5",
        }
    )
    assert evaluate_conditions({"Null": {"aws:TokenIssueTime": "true"}}, ctx).ok
    assert evaluate_conditions({"Bool": {"aws:SecureTransport": "true"}}, ctx).ok
    assert evaluate_conditions({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, ctx).ok
    assert not evaluate_conditions({"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, ctx).ok
    assert evaluate_conditions({"IpAddress": {"aws:SourceIp": "10.0.0.0/16"}}, ctx).ok
    assert evaluate_conditions({"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, ctx).ok


def test_for_all_values_is_vacuously_true_and_for_any_value_is_not():
    assert evaluate_conditions({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {}).ok
    assert not evaluate_conditions({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {}).ok
    ctx = normalise_context({"aws:TagKeys": ["a", "c"]})
    assert not evaluate_conditions({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, ctx).ok
    assert evaluate_conditions({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, ctx).ok


def test_arn_like_matches_per_segment():
    arn = "arn:aws:iam::123456789012:role/team/app"
    ctx = normalise_context({"aws:PrincipalArn": arn})
    assert evaluate_conditions({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/team/*"}}, ctx).ok
    assert not evaluate_conditions({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, ctx).ok


def test_unresolved_policy_variables_and_bad_binary_values_fail_with_a_note():
    ctx = normalise_context({"aws:PrincipalTag/team": "x"})
    result = evaluate_conditions({"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}, ctx)
    assert not result.ok and "no value" in result.failed[0].note
    result = evaluate_conditions({"BinaryEquals": {"aws:PrincipalTag/team": "eA=="}}, ctx)
    assert not result.ok and "cannot compare" in result.failed[0].note
