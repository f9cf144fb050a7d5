"""``chatops check-trust`` / ``check-permission`` contracts, offline."""

from __future__ import annotations

import io
import json
import urllib.parse

from handlers.irsa.cli import check_permission_main, check_trust_main
from tests.irsa.helpers import FIXTURES, PROVIDER

CLOUDON = "system:serviceaccount:cloudon:aws-load-balancer-controller"
LB = "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/app/k8s-cloudon-x/1"


def run(main, *argv: str) -> tuple[int, dict]:
    out = io.StringIO()
    code = main(list(argv), out)
    return code, json.loads(out.getvalue())


def test_check_trust_contract():
    code, out = run(
        check_trust_main,
        "--policy",
        str(FIXTURES / "trust_seed_before.json"),
        "--subject",
        CLOUDON,
        "--provider",
        PROVIDER,
    )
    assert code == 1 and set(out) == {"admitted", "statement", "reasons"}  # answered: not admitted
    assert out["admitted"] is False and out["statement"] is None and CLOUDON in out["reasons"][0]
    code, out = run(check_trust_main, "--policy", str(FIXTURES / "trust_seed_notes_after.json"), "--subject", CLOUDON)
    assert (code, out["admitted"], out["statement"]) == (0, True, 0)


def test_check_trust_reads_get_role_output_and_url_encoded_documents(tmp_path):
    doc = json.loads((FIXTURES / "trust_seed_notes_after.json").read_text())
    (tmp_path / "role.json").write_text(json.dumps({"Role": {"RoleName": "x", "AssumeRolePolicyDocument": doc}}))
    (tmp_path / "enc.txt").write_text(urllib.parse.quote(json.dumps(doc)))
    for name in ("role.json", "enc.txt"):
        code, out = run(check_trust_main, "--policy", str(tmp_path / name), "--subject", CLOUDON)
        assert (code, out["admitted"]) == (0, True)


def test_check_trust_bad_input_is_exit_2():
    code, out = run(check_trust_main, "--policy", str(FIXTURES / "trust_eks_docs.json"), "--subject", "cloudon")
    assert code == 2 and "not a service account subject" in out["error"]
    code, out = run(check_trust_main, "--subject", CLOUDON)
    assert code == 2 and "--policy" in out["error"]


def test_check_permission_contract_with_context():
    lbc = str(FIXTURES / "lbc_iam_policy.json")
    code, out = run(
        check_permission_main,
        "--policy",
        lbc,
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        LB,
        "--context",
        "aws:ResourceTag/elbv2.k8s.aws/cluster=prod",
    )
    assert code == 0 and out["decision"] == "allowed" and out["statement"]["index"] == 10
    code, out = run(
        check_permission_main,
        "--policy",
        lbc,
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        LB,
    )
    assert (code, out["decision"], out["statement"]) == (1, "implicit_deny", None)
    code, out = run(
        check_permission_main,
        "--policy",
        lbc,
        "--policy",
        str(FIXTURES / "policy_deny_prod_lb_delete.json"),
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        LB,
        "--context",
        "aws:ResourceTag/elbv2.k8s.aws/cluster=prod",
        "--context",
        "aws:ResourceTag/env=prod",
    )
    assert (
        code == 1
        and out["decision"] == "explicit_deny"
        and out["statement"]["policy"] == "policy_deny_prod_lb_delete.json"
    )


def test_check_permission_bad_context_is_exit_2():
    code, out = run(
        check_permission_main,
        "--policy",
        str(FIXTURES / "lbc_iam_policy.json"),
        "--action",
        "s3:Get",
        "--resource",
        "*",
        "--context",
        "novalue",
    )
    assert code == 2 and "KEY=VALUE" in out["error"]
