"""Malformed policy documents are refused with the evaluator's own error, and exit 2 from the CLI."""

from __future__ import annotations

import io
import json

import pytest

from handlers.irsa.cli import check_permission_main, check_trust_main
from handlers.irsa.iam_validate import PolicyError
from handlers.irsa.permissions import PolicySource, evaluate_permission
from handlers.irsa.trust import evaluate_trust

GOOD = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
SUBJECT = "system:serviceaccount:ns:sa"

MALFORMED = [
    ({**GOOD, "Condition": "StringEquals"}, "Condition"),
    ({**GOOD, "Condition": {"StringEquals": "x"}}, "StringEquals"),
    ({**GOOD, "Condition": {"StringEqualz": {"k": "v"}}}, "StringEqualz"),
    ({**GOOD, "Condition": {"ForSomeValues:StringEquals": {"k": "v"}}}, "ForSomeValues"),
    ({**GOOD, "Action": {"s3": "GetObject"}}, "Action"),
    ({**GOOD, "Resource": 5}, "Resource"),
    ({k: v for k, v in GOOD.items() if k != "Effect"}, "Effect"),
    ({**GOOD, "Effect": "allow"}, "Effect"),
    ({**GOOD, "NotAction": "s3:PutObject"}, "NotAction"),
    ({**GOOD, "NotResource": "arn:aws:s3:::x"}, "NotResource"),
    ({**GOOD, "Condition": {"StringEquals": {"k": {"a": 1}}}}, "k"),
]


@pytest.mark.parametrize(("stmt", "word"), MALFORMED)
def test_evaluator_refuses_malformed_statements(stmt, word):
    with pytest.raises(PolicyError, match=word):
        evaluate_permission([PolicySource("p", {"Statement": [stmt]})], "s3:GetObject", "arn:aws:s3:::b")


def test_statement_must_be_an_object_or_a_list_of_objects():
    for doc in ({"Statement": "x"}, {"Statement": ["x"]}, {"Statement": 3}):
        with pytest.raises(PolicyError, match="Statement"):
            evaluate_permission([PolicySource("p", doc)], "s3:GetObject", "arn:aws:s3:::b")


@pytest.mark.parametrize(("stmt", "word"), MALFORMED[:4])
def test_cli_exit_2_with_a_message(tmp_path, stmt, word):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"Statement": [stmt]}))
    out = io.StringIO()
    code = check_permission_main(["--policy", str(path), "--action", "s3:GetObject", "--resource", "*"], out)
    assert code == 2 and word in json.loads(out.getvalue())["error"]
    out = io.StringIO()
    assert check_trust_main(["--policy", str(path), "--subject", SUBJECT], out) == 2


def test_trust_refuses_malformed_conditions():
    doc = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Condition": []}]}
    with pytest.raises(PolicyError):
        evaluate_trust(doc, SUBJECT)
