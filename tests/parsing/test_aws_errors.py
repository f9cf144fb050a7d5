"""``parse_aws_error`` over real AWS authorization errors collected from public issues (with sources)."""

from __future__ import annotations

import pytest

from bot.parsing.aws_errors import parse_aws_error
from bot.parsing.text import clean
from tests.parsing._fixtures import ids, load

ROWS = load("aws_errors.jsonl")


def test_fixture_is_sourced_and_covers_every_kind():
    assert len(ROWS) >= 30
    assert all(r["source"].startswith("https://") for r in ROWS)
    kinds = {r["expect"]["kind"] for r in ROWS}
    assert kinds | {"other"} == {
        "permission_missing",
        "explicit_deny",
        "trust_policy",
        "oidc_provider_missing",
        "token_audience",
        "other",
    }


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS, "source"))
def test_real_message(row):
    got = parse_aws_error(clean(row["message"]))
    assert got is not None
    for key, value in row["expect"].items():
        assert got.get(key, "") == value, key


@pytest.mark.parametrize(
    "text, source",
    [
        (
            "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: s3:GetObject on resource: "
            "arn:aws:s3:::b/k with an explicit deny in an identity-based policy",
            "identity",
        ),
        ("... with an explicit deny in a permissions boundary: arn:aws:iam::1:policy/b", "boundary"),
        ("AccessDenied ... with an explicit deny in a resource-based policy", "resource"),
        ("AccessDenied ... with an explicit deny in a session policy", "session"),
        ("AccessDenied ... with an explicit deny in a service control policy", "scp"),
    ],
)
def test_deny_source(text, source):
    got = parse_aws_error(text)
    assert got["kind"] == "explicit_deny" and got["deny_source"] == source


def test_role_arn_with_path_gives_the_last_segment():
    text = (
        "Error calling AssumeRole for role arn:aws:iam::123456789012:role/service-role/eks/AppRole\n"
        "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    )
    got = parse_aws_error(text)
    assert got["kind"] == "trust_policy"
    assert (got["role"], got["account"]) == ("AppRole", "123456789012")


def test_passrole_resource_is_not_mistaken_for_the_caller():
    text = (
        "User: arn:aws:sts::1:assumed-role/karpenter/123 is not authorized to perform: iam:PassRole on "
        "resource: arn:aws:iam::1:role/KarpenterNodeRole because no identity-based policy allows the "
        "iam:PassRole action"
    )
    assert parse_aws_error(text)["role"] == "karpenter"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "all good",
        "pull access denied for nginx",
        "403 Forbidden",
        "Error from server (Forbidden): pods is forbidden",
    ],
)
def test_no_aws_error(text):
    assert parse_aws_error(text) is None


def test_every_trigger_passes_the_cheap_gates():
    from bot.parsing.aws_errors import _GATES, _TRIGGERS

    assert all(any(g in t for g in _GATES) for t in _TRIGGERS)
