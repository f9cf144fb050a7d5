"""The bot's own IAM policy (``deploy/iam-policy.json``): linted with parliament (PyPI), one
statement per capability, and every AWS call the product code makes allowed by a statement
(calls found by reading the source, see ``source_scan``)."""

from __future__ import annotations

import fnmatch
import json

from parliament import analyze_policy_string

from tests.production.source_scan import ROOT, aws_calls, product_sources

POLICY = ROOT / "deploy" / "iam-policy.json"
# "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity).
NEEDS_NO_PERMISSION = {"sts:GetCallerIdentity"}
# Allowed although no boto3 call names it: tagging on creation (CreateVpcEndpoint's TagSpecifications)
# is authorised as ec2:CreateTags (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
IMPLIED = {"ec2:CreateTags"}
ESCALATING = {"iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy"}
_SEVERITY = {"LOW": 0, "MEDIUM": 1, "HIGH": 2, "CRITICAL": 3}


def _policy() -> dict:
    return json.loads(POLICY.read_text())


def _findings(text: str, *, community: bool = False) -> list:
    import parliament

    policy = analyze_policy_string(text, include_community_auditors=community)
    out = []
    for finding in policy.findings:
        conf = parliament.config.get(finding.issue) or _community_config().get(finding.issue, {})
        out.append((finding.issue, conf.get("severity", "CRITICAL"), finding.detail, finding.location))
    return out


def _community_config() -> dict:
    import os

    import parliament
    import yaml

    path = os.path.join(os.path.dirname(parliament.__file__), "community_auditors", "config_override.yaml")
    with open(path) as fh:
        return yaml.safe_load(fh)


def _statements(effect: str = "Allow") -> list[dict]:
    return [s for s in _policy()["Statement"] if s["Effect"] == effect]


def _actions(statement: dict) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else value


def test_parliament_finds_nothing_above_low():
    assert [f for f in _findings(POLICY.read_text()) if _SEVERITY[f[1]] > 0] == []


def test_parliament_does_flag_a_broken_copy():
    """The linter really runs: a misspelt action and a mismatched resource are reported."""
    doc = _policy()
    doc["Statement"][0]["Action"] = ["sts:AssumeRoel"]
    doc["Statement"][1]["Resource"] = ["arn:aws:s3:::bucket"]
    issues = {f[0] for f in _findings(json.dumps(doc))}
    assert {"UNKNOWN_ACTION", "RESOURCE_MISMATCH"} <= issues


def test_one_statement_per_capability():
    sids = [s["Sid"] for s in _policy()["Statement"]]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() and sid[0].isupper() for sid in sids)
    seen: dict[str, str] = {}
    for statement in _statements():
        for action in _actions(statement):
            assert action not in seen, f"{action} in both {seen.get(action)} and {statement['Sid']}"
            assert "*" not in action, f"wildcard action {action} in {statement['Sid']}"
            seen[action] = statement["Sid"]


def _code_actions() -> set[str]:
    paths = product_sources("handlers", "bot/services", "bot/scheduler") + [ROOT / "bot" / "eks_token.py"]
    return {call.action for call in aws_calls(paths)}


def test_every_aws_call_in_the_code_is_allowed_by_a_statement():
    code = _code_actions()
    assert {"iam:UpdateAssumeRolePolicy", "sts:AssumeRole", "eks:DescribeCluster", "ec2:CreateRoute"} <= code
    allowed = {a for s in _statements() for a in _actions(s)}
    missing = {a for a in code - NEEDS_NO_PERMISSION if not any(fnmatch.fnmatchcase(a, p) for p in allowed)}
    assert missing == set()
    unused = allowed - code - IMPLIED
    assert unused == set(), "allowed but never called"


def test_the_bot_cannot_loosen_the_roles_it_assumes():
    """Community auditors flag escalation (edit a role's trust or policies, then assume it); the Deny
    statement closes it: every role the bot may assume is out of reach of those edits."""
    found = _findings(POLICY.read_text(), community=True)
    flagged = {f[3]["type"] for f in found if f[0] == "PRIVILEGE_ESCALATION"}
    assert flagged == {"UpdateRolePolicyToAssumeIt", "PutRolePolicy", "AttachRolePolicy"}
    assumable = [r for s in _statements() if "sts:AssumeRole" in _actions(s) for r in s["Resource"]]
    denies = _statements("Deny")
    for action in ESCALATING:
        guards = [r for s in denies if action in _actions(s) for r in s["Resource"]]
        for role in assumable:
            assert any(fnmatch.fnmatchcase(role, guard) for guard in guards), (action, role)
