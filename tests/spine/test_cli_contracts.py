"""The documented command lines, exactly as operators type them (options first), via the console entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "irsa"


def chatops(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_check_trust_and_check_permission_contracts():
    out = chatops(
        "check-trust",
        "--policy",
        str(FIXTURES / "trust_seed_before.json"),
        "--subject",
        "system:serviceaccount:cloudon:aws-load-balancer-controller",
    )
    result = json.loads(out.stdout)
    assert out.returncode == 1 and result["admitted"] is False and result["statement"] is None
    out = chatops(
        "check-trust",
        "--policy",
        str(FIXTURES / "trust_seed_notes_after.json"),
        "--subject",
        "system:serviceaccount:cloudon:aws-load-balancer-controller",
    )
    assert out.returncode == 0 and json.loads(out.stdout)["admitted"] is True
    lb = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/x/y"
    denied = chatops(
        "check-permission",
        "--policy",
        str(FIXTURES / "lbc_iam_policy.json"),
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        lb,
    )
    allowed = chatops(
        "check-permission",
        "--policy",
        str(FIXTURES / "lbc_iam_policy.json"),
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        lb,
        "--context",
        "aws:ResourceTag/elbv2.k8s.aws/cluster=prod",
    )
    assert denied.returncode == 1 and json.loads(denied.stdout)["decision"] == "implicit_deny"
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["decision"] == "allowed"


def test_parse_jsonl_and_dash():
    out = chatops("parse", "--jsonl", stdin="show pods in cloudon\ncloudon 네임스페이스 ingress 삭제가 안돼요\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["language"], r["intent"]) for r in lines] == [("en", "pods"), ("ko", "ingress_delete_denied")]
    out = chatops("parse", "-", stdin="get pods -A")
    assert json.loads(out.stdout)["entities"] == {"namespace": "*"}
