"""``check-permission --context`` syntax for single and multivalued keys; ``check-trust`` audience."""

from __future__ import annotations

import io
import json

from handlers.irsa.cli import check_permission_main, check_trust_main, parse_context

PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.ap-northeast-1.amazonaws.com/id/ABC"
HOST = "oidc.eks.ap-northeast-1.amazonaws.com/id/ABC"


def test_context_syntax():
    assert parse_context(["a=1", "b=[]", "c=[x]", "d=[x, y]", "e=x=y"]) == {
        "a": "1",
        "b": [],
        "c": ["x"],
        "d": ["x", "y"],
        "e": "x=y",
    }
    assert parse_context(["a=1", "a=2"]) == {"a": ["1", "2"]}


def test_explicit_empty_multivalued_key_through_the_cli(tmp_path):
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:TagRole",
                "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}},
            }
        ]
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    base = ["--policy", str(path), "--action", "iam:TagRole", "--resource", "*", "--context"]
    for value, decision, code in (("aws:TagKeys=[]", "implicit_deny", 1), ("aws:TagKeys=[team]", "allowed", 0)):
        out = io.StringIO()
        assert check_permission_main([*base, value], out) == code
        assert json.loads(out.getvalue())["decision"] == decision


def test_help_documents_the_context_syntax():
    out = io.StringIO()
    check_permission_main(["--help"], out)
    assert "KEY=[]" in out.getvalue()


def test_missing_audience_is_missing_not_empty(tmp_path):
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringNotEqualsIfExists": {f"{HOST}:aud": "sts.amazonaws.com"},
                    "Null": {f"{HOST}:aud": "true"},
                },
            }
        ]
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    argv = ["--policy", str(path), "--subject", "system:serviceaccount:a:b", "--no-audience"]
    assert check_trust_main(argv, out) == 0
    assert json.loads(out.getvalue())["admitted"] is True
