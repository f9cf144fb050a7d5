"""A pasted encoded authorization failure message: decoded by STS (the sandbox's moto server answers
``DecodeAuthorizationMessage`` for the failures a world registers), read into findings, and, where
the bot may not decode it, the command a person can run instead."""

from __future__ import annotations

import json

import pytest

from bot.domain import Request
from bot.parsing.aws_errors import DECODE_HINT, parse_aws_error
from handlers.irsa import DIAGNOSER
from handlers.irsa.decoded import INVALID, parse_decoded
from sandbox import Sandbox, aws_sts_behaviour
from sandbox.aws import SANDBOX_ACCOUNT
from sandbox.runtime import DEV, REQUEST_CHANNEL
from sandbox.worlds.irsa import NAMESPACE, aws_world

ROLE = "orders-app"


# The decoded document of the IAM User Guide's example ("Use DecodeAuthorizationMessage with a
# CLI"), with this test's role and region: an explicit Deny by statement VisualEditor0.
def decoded_document(role_arn: str, *, explicit: bool = True) -> dict:
    session = role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/i-0abc"
    statements = [
        {
            "statementId": "VisualEditor0",
            "effect": "DENY",
            "principals": {"items": [{"value": "AROA123456789EXAMPLE"}]},
            "principalGroups": {"items": []},
            "actions": {"items": [{"value": "ec2:RunInstances"}]},
            "resources": {"items": [{"value": "*"}]},
            "conditions": {"items": []},
        }
    ]
    return {
        "allowed": False,
        "explicitDeny": explicit,
        "matchedStatements": {"items": statements if explicit else []},
        "failures": {"items": []},
        "context": {
            "principal": {"id": "AROA123456789EXAMPLE:i-0abc", "arn": session},
            "action": "RunInstances",
            "resource": f"arn:aws:ec2:ap-northeast-2:{SANDBOX_ACCOUNT}:instance/*",
            "conditions": {
                "items": [
                    {"key": "ec2:InstanceType", "values": {"items": [{"value": "m5.large"}]}},
                    {"key": "aws:Region", "values": {"items": [{"value": "ap-northeast-2"}]}},
                ]
            },
        },
    }


def paste(token: str) -> str:
    return (
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not "
        f"authorized to perform this operation. Encoded authorization failure message: {token}"
    )


@pytest.fixture
def role_arn(aws) -> str:
    aws_world(aws, [NAMESPACE], {"elbv2.k8s.aws/cluster": "prod"})  # the cluster and its OIDC provider
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    return aws.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def test_the_decoded_document_is_read_with_the_actions_service_prefix(role_arn) -> None:
    d = parse_decoded(json.dumps(decoded_document(role_arn)))
    assert (d.allowed, d.explicit_deny, d.action) == (False, True, "ec2:RunInstances")
    assert d.principal_arn.endswith(f":assumed-role/{ROLE}/i-0abc")
    assert [s.sid for s in d.denying] == ["VisualEditor0"]
    assert d.conditions[0] == ("ec2:InstanceType", ("m5.large",))
    with pytest.raises(ValueError):
        parse_decoded('{"allowed": false}')


def test_a_decoded_explicit_deny_names_the_statement_and_leads_to_the_role(cluster_ctx, role_arn) -> None:
    token = aws_sts_behaviour.encode_failure(SANDBOX_ACCOUNT, decoded_document(role_arn))
    request = Request("irsa_access_denied", {}, aws_error=parse_aws_error(paste(token)))

    d = DIAGNOSER.diagnose(cluster_ctx, request)

    found = next(f for f in d.findings if f.code == "irsa.decoded.denied")
    assert "may not ec2:RunInstances" in found.title.en and "VisualEditor0" in found.title.en
    assert "명시적 Deny" in found.title.ko
    assert found.data["explicit_deny"] is True and found.data["statements"] == ["VisualEditor0"]
    assert "ec2:InstanceType = m5.large" in [e.en for e in found.evidence]
    assert d.target == ROLE  # the text named no role: the decoded principal said where to look


def test_without_a_matching_statement_the_decoded_failure_says_nothing_allows_it(cluster_ctx, role_arn) -> None:
    token = aws_sts_behaviour.encode_failure(SANDBOX_ACCOUNT, decoded_document(role_arn, explicit=False))
    d = DIAGNOSER.diagnose(cluster_ctx, Request("irsa_access_denied", {}, aws_error=parse_aws_error(paste(token))))
    found = next(f for f in d.findings if f.code == "irsa.decoded.denied")
    assert found.title.en.endswith("no statement allows it") and found.data["explicit_deny"] is False


def test_when_the_bot_may_not_decode_it_the_finding_gives_the_command(cluster_ctx, role_arn) -> None:
    token = aws_sts_behaviour.encode_failure(SANDBOX_ACCOUNT, decoded_document(role_arn))
    aws_sts_behaviour.refuse_decoding(SANDBOX_ACCOUNT)
    request = Request("irsa_access_denied", {"name": ROLE}, aws_error=parse_aws_error(paste(token)))

    d = DIAGNOSER.diagnose(cluster_ctx, request)

    found = next(f for f in d.findings if f.code == "irsa.decoded.not_decoded")
    assert found.data == {"why": "denied"} and "sts:DecodeAuthorizationMessage" in found.title.en
    assert found.evidence[0].en == f"`{DECODE_HINT}`"
    assert not any(f.code == "irsa.decoded.denied" for f in d.findings)


def test_a_message_sts_cannot_decode_is_said_to_be_cut_off_or_expired(cluster_ctx, role_arn) -> None:
    request = Request("irsa_access_denied", {"name": ROLE}, aws_error=parse_aws_error(paste("AbCdEf-123_xyz")))
    d = DIAGNOSER.diagnose(cluster_ctx, request)
    found = next(f for f in d.findings if f.code == "irsa.decoded.not_decoded")
    assert found.data == {"why": INVALID} and "cut off or expired" in found.title.en


def test_a_paste_without_an_encoded_message_asks_sts_nothing(cluster_ctx, role_arn) -> None:
    text = f"User: arn:aws:sts::{SANDBOX_ACCOUNT}:assumed-role/{ROLE}/x is not authorized to perform: s3:GetObject"
    d = DIAGNOSER.diagnose(cluster_ctx, Request("irsa_access_denied", {}, aws_error=parse_aws_error(text)))
    assert not any(f.code.startswith("irsa.decoded.") for f in d.findings)


def test_in_slack_a_pasted_encoded_failure_is_decoded_and_the_role_it_names_is_checked(moto_sandbox) -> None:
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        aws_world(sb.aws, [NAMESPACE], {"elbv2.k8s.aws/cluster": "prod"})
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        iam = sb.aws.client("iam")
        arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        token = aws_sts_behaviour.encode_failure(SANDBOX_ACCOUNT, decoded_document(arn))

        sb.say(paste(token), user=DEV)
        req = sb.wait_request(lambda r: r.intent == "irsa_access_denied")

        assert req.state == "done"
        messages = sb.slack.thread(REQUEST_CHANNEL, req.thread_ts)
        thread = " ".join(m.text + json.dumps(m.blocks or [], ensure_ascii=False) for m in messages)
        # the text named no role: AWS's decoding said where to look, and the live policies say why
        assert f"No policy of {ROLE} allows ec2:RunInstances" in thread
        assert "AWS decoded the failure" in thread and "ec2:RunInstances" in thread and "VisualEditor0" in thread
