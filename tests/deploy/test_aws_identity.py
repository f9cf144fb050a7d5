"""The bot's own AWS identity in ``deploy/aws/``: the CloudFormation templates lint clean
(cfn-lint, offline), carry exactly ``deploy/iam-policy.json``, and the trust policies they create
admit the bot and nothing else, as the bot's own offline evaluators judge them
(``chatops check-trust`` for the IRSA trust, the condition evaluator for the external id)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint, lint_file
from cfnlint.decode.decode import decode_str

from bot.cloud.partition import dns_suffix, partition_for_region
from handlers.irsa.conditions import action_like, evaluate_conditions, normalise_context
from handlers.irsa.iam_validate import check_document
from handlers.irsa.permissions import EXPLICIT_DENY, PolicySource, evaluate_permission
from tests.deploy import chart
from tests.deploy.cfn import (
    AWS_DIR,
    POLICY,
    ROOT,
    conditions_of,
    expand_foreach,
    load,
    parameters,
    policy_as_yaml,
    resolve,
    sub_variables,
)

BOT = AWS_DIR / "chatops-bot.cfn.yaml"
TARGET = AWS_DIR / "chatops-target.cfn.yaml"
TEMPLATES = (BOT, TARGET)
TERRAFORM = AWS_DIR / "terraform"
# Regions of each partition, so the templates are linted against aws, aws-cn and aws-us-gov.
REGIONS = ["us-east-1", "ap-northeast-2", "cn-north-1", "us-gov-west-1"]
PSEUDO = {"AWS::Partition", "AWS::AccountId"}  # the only pseudo parameters the ARNs may use

ACCOUNT = "111122223333"  # the bot's account in these tests
TARGET_ACCOUNT = "444455556666"
ISSUER = "oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
BOT_SUBJECT = "system:serviceaccount:chatops:chatops-bot"
BOT_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/chatops-bot"
EXTERNAL_IDS = ["chatops-prod-7f3a", "chatops-staging-19c2"]
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: a managed policy
# holds up to 6,144 characters, a role's inline policies together 10,240; whitespace not counted.
MANAGED_POLICY_LIMIT = 6144
ROLE_INLINE_LIMIT = 10240


def _pseudo(partition: str = "aws", account: str = ACCOUNT) -> dict[str, str]:
    return {
        "AWS::Partition": partition,
        "AWS::AccountId": account,
        "AWS::Region": "ap-northeast-2",
        "AWS::NoValue": None,
    }


def _role(template: dict, logical_id: str) -> dict:
    resource = template["Resources"][logical_id]
    assert resource["Type"] == "AWS::IAM::Role"
    return resource["Properties"]


def _policy_json() -> dict:
    return json.loads(POLICY.read_text(encoding="utf-8"))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    return []


def _subs(value) -> list[str]:
    """Every ``Fn::Sub`` string in a decoded template fragment."""
    if isinstance(value, list):
        return [s for v in value for s in _subs(v)]
    if not isinstance(value, dict):
        return []
    out = []
    for k, v in value.items():
        if k == "Fn::Sub":
            out.append(v if isinstance(v, str) else v[0])
        else:
            out += _subs(v)
    return out


# ---------------------------------------------------------------------------------------- cfn-lint


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_finds_nothing(template: Path):
    matches = lint_file(template, ManualArgs(include_checks=["I"], regions=REGIONS))
    assert [str(m) for m in matches] == []


def test_cfn_lint_would_catch_a_misspelt_property():
    """The lint is live: the same template with a property name the resource lacks is refused."""
    text = TARGET.read_text(encoding="utf-8").replace("KubernetesGroups:", "KubernetesGroup:")
    assert any(m.rule.id == "E3002" for m in lint(text, regions=REGIONS))


# ---------------------------------------------------------------------------- one source of policy


@pytest.mark.parametrize(
    ("template", "logical_id"), [(BOT, "BotRole"), (TARGET, "TargetRole")], ids=["chatops-bot", "chatops-target"]
)
def test_inline_policy_equals_iam_policy_json(template: Path, logical_id: str):
    policies = _role(load(template), logical_id)["Policies"]
    assert len(policies) == 1, "one inline policy: deploy/iam-policy.json"
    rendered = resolve(policies[0]["PolicyDocument"], _pseudo())
    assert rendered == _policy_json(), (
        f"{template.name} no longer holds deploy/iam-policy.json: print the block with "
        "`python -m tests.deploy.cfn 12` and paste it under PolicyDocument"
    )


@pytest.mark.parametrize(
    ("template", "logical_id"), [(BOT, "BotRole"), (TARGET, "TargetRole")], ids=["chatops-bot", "chatops-target"]
)
def test_inline_policy_follows_the_partition(template: Path, logical_id: str):
    document = _role(load(template), logical_id)["Policies"][0]["PolicyDocument"]
    assert all(sub_variables(s) <= PSEUDO for s in _subs(document))
    in_china = json.dumps(resolve(document, _pseudo("aws-cn")))
    assert "arn:aws:" not in in_china and in_china.count("arn:aws-cn:") == json.dumps(_policy_json()).count("arn:aws:")


@pytest.mark.parametrize("region", ["us-east-1", "cn-north-1", "us-gov-west-1"])
def test_the_bot_may_manage_the_oidc_provider_of_a_cluster_in_each_partition(region: str):
    """EKS issuers are ``oidc.eks.REGION.<partition DNS suffix>/id/ID`` (``amazonaws.com.cn`` in
    China), so the provider statement must match each partition's host, not only amazonaws.com."""
    partition = partition_for_region(region)
    document = _role(load(BOT), "BotRole")["Policies"][0]["PolicyDocument"]
    policy = [PolicySource("chatops-bot", resolve(document, _pseudo(partition)))]
    provider = (
        f"arn:{partition}:iam::{ACCOUNT}:oidc-provider/"
        f"oidc.eks.{region}.{dns_suffix(region)}/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    )
    for action in ("iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider"):
        assert evaluate_permission(policy, action, provider).decision == "allowed", (action, provider)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_arn_names_the_partition_or_an_account_literally(template: Path):
    """ARNs are built from AWS::Partition and AWS::AccountId (or the bot's account parameter),
    never with a literal "aws" partition or a 12-digit account id."""
    strings = _strings(load(template))
    assert [s for s in strings if re.search(r"arn:aws:|\b\d{12}\b", s)] == []
    used = set().union(*(sub_variables(s) for s in _subs(load(template))))
    assert {v for v in used if v.startswith("AWS::")} <= PSEUDO


def test_the_policy_fits_a_managed_policy_and_the_role_inline_quota():
    """eksctl attaches iam-policy.json as a managed policy; the templates inline it (in the
    longest partition name, aws-us-gov)."""
    assert len(json.dumps(_policy_json(), separators=(",", ":"))) <= MANAGED_POLICY_LIMIT
    document = _role(load(BOT), "BotRole")["Policies"][0]["PolicyDocument"]
    gov = resolve(document, _pseudo("aws-us-gov"))
    assert len(json.dumps(gov, separators=(",", ":"))) <= ROLE_INLINE_LIMIT


# ------------------------------------------------------------------------- the bot's IRSA trust


def _deployed_service_account() -> dict[str, str]:
    """What the chart deploys by default: its service account's name, and the namespace its values name."""
    data = yaml.safe_load((ROOT / "deploy" / "chart" / "values.yaml").read_text(encoding="utf-8")) or {}
    found = {"name": data["serviceAccount"]["name"]}
    for key in ("namespace", "namespaceOverride"):
        if isinstance(data.get(key), str) and data[key]:
            found["namespace"] = data[key]
    return found


def test_defaults_are_the_deployed_service_account_and_role():
    template = load(BOT)
    deployed = _deployed_service_account()
    given = {
        "name": template["Parameters"]["ServiceAccountName"]["Default"],
        "namespace": template["Parameters"]["Namespace"]["Default"],
    }
    assert {k: given[k] for k in deployed} == deployed
    assert f"system:serviceaccount:{given['namespace']}:{given['name']}" == BOT_SUBJECT


def _bot_trust(tmp_path: Path, **given: str) -> Path:
    """The trust policy the bot template creates, for the chart's defaults and an example issuer."""
    template = load(BOT)
    variables = {**_pseudo(), **parameters(template, OidcProvider=ISSUER, **given)}
    rendered = resolve(_role(template, "BotRole")["AssumeRolePolicyDocument"], variables)
    document = json.loads(rendered) if isinstance(rendered, str) else rendered
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _check_trust(policy: Path, *args: str) -> dict:
    """``chatops check-trust`` (the bot's own command, through its entry module)."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check-trust", "--policy", str(policy), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    # 2 is bad input; an answer exits 0 (or, where the exit status is the answer, 1 when refused)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    verdict = json.loads(proc.stdout)
    assert "error" not in verdict and (proc.returncode == 0 or not verdict["admitted"]), verdict
    return verdict


def test_rendered_trust_is_the_documented_irsa_trust(tmp_path: Path):
    statements = check_document(json.loads(_bot_trust(tmp_path).read_text()), name="trust", trust=True)
    assert len(statements) == 1
    (stmt,) = statements
    assert stmt["Effect"] == "Allow" and stmt["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert stmt["Principal"] == {"Federated": PROVIDER_ARN}
    assert stmt["Condition"] == {"StringEquals": {f"{ISSUER}:sub": BOT_SUBJECT, f"{ISSUER}:aud": "sts.amazonaws.com"}}


def test_check_trust_admits_the_bots_service_account(tmp_path: Path):
    verdict = _check_trust(_bot_trust(tmp_path), "--subject", BOT_SUBJECT, "--provider", PROVIDER_ARN)
    assert verdict["admitted"] is True, verdict
    assert not any("aud" in r for r in verdict["reasons"]), verdict  # the aud claim is checked


@pytest.mark.parametrize(
    "subject",
    [
        "system:serviceaccount:chatops:default",  # another service account, same namespace
        "system:serviceaccount:kube-system:chatops-bot",  # the same name in another namespace
        "system:serviceaccount:chatops:chatops-bot-x",
    ],
)
def test_check_trust_refuses_other_service_accounts(tmp_path: Path, subject: str):
    verdict = _check_trust(_bot_trust(tmp_path), "--subject", subject, "--provider", PROVIDER_ARN)
    assert verdict["admitted"] is False, verdict
    assert any(":sub" in r for r in verdict["reasons"]), verdict


@pytest.mark.parametrize(
    "audience",
    [["--audience", "sts.amazonaws.com.cn"], ["--audience", "vault"], ["--no-audience"]],
    ids=["other-aud", "vault", "no-aud"],
)
def test_check_trust_refuses_a_wrong_audience(tmp_path: Path, audience: list[str]):
    verdict = _check_trust(_bot_trust(tmp_path), "--subject", BOT_SUBJECT, "--provider", PROVIDER_ARN, *audience)
    assert verdict["admitted"] is False, verdict
    assert any(":aud" in r for r in verdict["reasons"]), verdict


def test_check_trust_refuses_another_clusters_provider(tmp_path: Path):
    other = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/0THERC1USTER"
    verdict = _check_trust(_bot_trust(tmp_path), "--subject", BOT_SUBJECT, "--provider", other)
    assert verdict["admitted"] is False, verdict


def test_trust_follows_the_namespace_and_service_account_parameters(tmp_path: Path):
    path = _bot_trust(tmp_path, Namespace="ops", ServiceAccountName="bot")
    assert _check_trust(path, "--subject", "system:serviceaccount:ops:bot")["admitted"] is True
    assert _check_trust(path, "--subject", BOT_SUBJECT)["admitted"] is False


# ------------------------------------------------------------------ chatops-target in other accounts


def _target(create_role: str = "true", clusters: str = "prod,prod-eu_2") -> tuple[dict, dict, dict[str, bool]]:
    template = load(TARGET)
    variables = {
        **_pseudo(account=TARGET_ACCOUNT),
        **parameters(
            template,
            BotAccountId=ACCOUNT,
            ExternalIds=",".join(EXTERNAL_IDS),
            ClusterNames=clusters,
            CreateRole=create_role,
        ),
    }
    variables["TargetRole.Arn"] = f"arn:aws:iam::{TARGET_ACCOUNT}:role/{_role(template, 'TargetRole')['RoleName']}"
    return template, variables, conditions_of(template, variables)


def _target_trust() -> dict:
    template, variables, conditions = _target()
    return resolve(_role(template, "TargetRole")["AssumeRolePolicyDocument"], variables, conditions)


def _assume_role_admitted(trust: dict, caller: str, external_id: str | None) -> bool:
    """Would ``sts:AssumeRole`` by ``caller`` (a role ARN) with this external id be admitted?

    Statements are checked with the bot's own validator and condition evaluator; a principal
    matches only by its exact ARN (the trust names no wildcard, as the test below checks)."""
    context = normalise_context({"sts:ExternalId": external_id})
    allowed = False
    for stmt in check_document(trust, name="target trust", trust=True):
        principals = stmt.get("Principal", {}).get("AWS", [])
        principals = [principals] if isinstance(principals, str) else principals
        applies = (
            caller in principals
            and action_like(stmt["Action"], "sts:AssumeRole")
            and evaluate_conditions(stmt.get("Condition"), context).ok
        )
        if applies and stmt["Effect"] == "Deny":
            return False
        allowed = allowed or (applies and stmt["Effect"] == "Allow")
    return allowed


def test_target_trust_names_only_the_bots_role():
    trust = _target_trust()
    assert [s["Principal"] for s in trust["Statement"]] == [{"AWS": BOT_ROLE_ARN}]
    assert all(s["Effect"] == "Allow" and s["Action"] == "sts:AssumeRole" for s in trust["Statement"])
    assert "*" not in json.dumps(trust)


@pytest.mark.parametrize("external_id", EXTERNAL_IDS)
def test_target_trust_admits_the_bot_with_a_clusters_external_id(external_id: str):
    assert _assume_role_admitted(_target_trust(), BOT_ROLE_ARN, external_id)


@pytest.mark.parametrize(
    ("caller", "external_id"),
    [
        (BOT_ROLE_ARN, None),  # no external id
        (BOT_ROLE_ARN, "chatops-prod"),  # a wrong one
        (BOT_ROLE_ARN, "CHATOPS-PROD-7F3A"),  # StringEquals is case-sensitive
        (f"arn:aws:iam::{ACCOUNT}:role/admin", EXTERNAL_IDS[0]),  # another role of the bot's account
        (f"arn:aws:iam::{ACCOUNT}:root", EXTERNAL_IDS[0]),  # the bot's account itself
        (f"arn:aws:iam::{TARGET_ACCOUNT}:role/chatops-bot", EXTERNAL_IDS[0]),  # a chatops-bot elsewhere
    ],
)
def test_target_trust_refuses_anyone_else(caller: str, external_id: str | None):
    assert not _assume_role_admitted(_target_trust(), caller, external_id)


def test_the_bots_policy_may_assume_the_target_role_but_change_neither_role():
    """The two sides agree: iam-policy.json lets chatops-bot assume chatops-target, and its Deny
    keeps it from widening either role (the bot's own permission evaluator)."""
    template, variables, _ = _target()
    policy = [PolicySource("iam-policy.json", _policy_json())]
    target_arn = variables["TargetRole.Arn"]
    assert evaluate_permission(policy, "sts:AssumeRole", target_arn).decision == "allowed"
    for arn in (target_arn, BOT_ROLE_ARN):
        for action in ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy"):
            assert evaluate_permission(policy, action, arn).decision == EXPLICIT_DENY, (action, arn)


def _rbac_groups() -> set[str]:
    """Kubernetes groups the chart's bindings name when it is installed for another cluster (rbacOnly)."""
    docs = chart.render(sets=("rbacOnly=true",))
    return {
        subject["name"]
        for doc in docs
        if doc.get("kind") in ("ClusterRoleBinding", "RoleBinding")
        for subject in doc.get("subjects") or ()
        if subject.get("kind") == "Group"
    }


@pytest.mark.parametrize("create_role", ["true", "false"])
def test_each_cluster_gets_an_access_entry_for_the_target_role(create_role: str):
    template, variables, conditions = _target(create_role)
    resources = expand_foreach(template["Resources"], variables)
    entries = {
        k: resolve(v["Properties"], variables, conditions)
        for k, v in resources.items()
        if v["Type"] == "AWS::EKS::AccessEntry"
    }
    assert set(entries) == {"AccessEntryprod", "AccessEntryprodeu2"}
    assert sorted(e["ClusterName"] for e in entries.values()) == ["prod", "prod-eu_2"]
    expected_arn = f"arn:aws:iam::{TARGET_ACCOUNT}:role/chatops-target"
    for entry in entries.values():
        assert entry["PrincipalArn"] == expected_arn
        assert entry["Type"] == "STANDARD" and entry["KubernetesGroups"] == ["eks-chatops-bot"]
    assert ("TargetRole" in resources) and (template["Resources"]["TargetRole"]["Condition"] == "CreatesRole")
    assert conditions["CreatesRole"] is (create_role == "true")


def test_the_access_entry_group_is_bound_by_the_deployments_rbac():
    template, variables, conditions = _target()
    resources = expand_foreach(template["Resources"], variables)
    groups = {
        g
        for v in resources.values()
        if v["Type"] == "AWS::EKS::AccessEntry"
        for g in v["Properties"]["KubernetesGroups"]
    }
    assert groups and groups <= _rbac_groups(), (groups, _rbac_groups())


# ---------------------------------------------------------------------------------------- terraform


def test_terraform_module_is_formatted():
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH: `terraform fmt -check` of deploy/aws/terraform did not run")
    proc = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_terraform_module_reads_the_one_policy_file():
    """The module attaches the JSON file itself (no copy) and builds the same IRSA trust."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(TERRAFORM.glob("*.tf")))
    assert re.search(r'file\("\$\{path\.module\}/\.\./\.\./iam-policy\.json"\)', text)
    assert (TERRAFORM / ".." / ".." / "iam-policy.json").resolve() == POLICY.resolve()
    for fragment in (
        '"sts:AssumeRoleWithWebIdentity"',
        ':sub"',
        ':aud"',
        '"sts.amazonaws.com"',
        "system:serviceaccount:${var.namespace}:${var.service_account}",
        "data.aws_partition.current.partition",
        "data.aws_caller_identity.current.account_id",
    ):
        assert fragment in text, fragment
    # the only "arn:aws:" is the one the module rewrites to the current partition
    assert [line.strip() for line in re.findall(r".*arn:aws:.*", text)] == [r'"\"arn:aws:",']
    assert r'"\"arn:${data.aws_partition.current.partition}:",' in text


# ------------------------------------------------------------------------- the paste tool and docs


@pytest.mark.parametrize(
    "document",
    [
        "iam-policy.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}
            ],
        },
    ],
    ids=["iam-policy.json", "policy-variable"],
)
def test_printed_block_renders_back_to_the_policy(document):
    """``python -m tests.deploy.cfn`` prints a block that CloudFormation reads back as the same
    policy (a policy variable such as ${aws:username} is escaped, not substituted)."""
    doc = _policy_json() if document == "iam-policy.json" else document
    text = "Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
    decoded = json.loads(json.dumps(decode_str(text + policy_as_yaml(doc, 8))[0]))
    assert resolve(decoded["Resources"]["R"]["Properties"]["PolicyDocument"], _pseudo()) == doc


def _readme_deploy_commands() -> list[tuple[str, dict[str, str]]]:
    """(template file, parameter overrides) of each ``aws cloudformation deploy`` in deploy/aws/README.md."""
    text = (AWS_DIR / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for command in re.findall(r"aws cloudformation deploy [^\n]*", text):
        template = re.search(r"--template-file (\S+)", command).group(1)
        overrides = command.split("--parameter-overrides", 1)[1] if "--parameter-overrides" in command else ""
        out.append((template, dict(re.findall(r"(\w+)=(\S+)", overrides))))
    return out


def test_readme_commands_give_each_template_its_required_parameters():
    commands = _readme_deploy_commands()
    assert {t for t, _ in commands} == {f"deploy/aws/{p.name}" for p in TEMPLATES}
    for template_file, overrides in commands:
        params = load(ROOT / template_file)["Parameters"]
        assert set(overrides) <= set(params), template_file
        assert {n for n, spec in params.items() if "Default" not in spec} <= set(overrides), template_file
