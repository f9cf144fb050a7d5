"""Error wordings the readers learnt from the corpus's dev part: each is read by what it says.

The texts are corpus dev items (``tests/fixtures/corpus/items.jsonl``, ids in the comments) or
hand-written variants of the same wording. The frozen test part is never read here.
"""

from __future__ import annotations

import pytest

from bot.parsing.aws_errors import parse_aws_error
from bot.parsing.confidence import CONFIDENT
from bot.parsing.image_pull import classify_pull_error
from bot.parsing.text import clean


@pytest.mark.parametrize(
    "text",
    [
        # ae-0137 (aceew/aws-lambda-env-vars#7)
        "Caught an error: AccessDeniedException: The ciphertext refers to a customer master key that does not "
        "exist, does not exist in this region, or you are not allowed to access.",
        # the same KMS wording through the Go SDK v2 (hand-written)
        "operation error KMS: Decrypt, https response error StatusCode: 400, RequestID: 1, api error "
        "AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not "
        "exist in this region, or you are not allowed to access.",
    ],
)
def test_kms_not_allowed_to_access_names_no_action_so_it_is_unclear(text):
    assert parse_aws_error(clean(text))["kind"] == "unclear"


def test_kms_denial_that_names_the_action_is_still_a_missing_permission():
    text = (
        "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/app/s is not authorized to "
        "perform: kms:Decrypt on resource: arn:aws:kms:eu-west-2:123456789012:key/k because no "
        "identity-based policy allows the kms:Decrypt action"
    )
    got = parse_aws_error(text)
    assert (got["kind"], got["action"], got["role"]) == ("permission_missing", "kms:Decrypt", "app")


def test_root_caller_refused_by_sts_is_not_a_policy_decision():
    # ae-0139 (kubernetes/kubectl#1243)
    text = (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed "
        "by root accounts."
    )
    assert parse_aws_error(text)["kind"] == "other"


@pytest.mark.parametrize("os_name", ["windows", "linux"])
def test_docker_foreign_os_image_is_a_platform_mismatch(os_name):
    # ip-0166 (giMini/NOAH#8); the "linux" form is the same moby message the other way round
    got = classify_pull_error(f'image operating system "{os_name}" cannot be used on this platform')
    assert got.cause == "platform"
    assert got.confidence >= CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        # ae-0181: Secrets Manager when KMS refuses it (botocore's wording)
        "An Error occured (AccessDeniedException) when calling the GetSecretValue operation: Access to KMS is "
        "not allowed.",
        # the same through the Go SDK v1 (hand-written)
        "AccessDeniedException: Access to KMS is not allowed\n\tstatus code: 400, request id: 1",
    ],
)
def test_a_dependency_that_refused_access_names_no_action_so_it_is_unclear(text):
    assert parse_aws_error(clean(text))["kind"] == "unclear"


def test_an_unknown_access_key_is_a_credentials_failure_not_a_policy_decision():
    # ae-0187's wording (S3's InvalidAccessKeyId), hand-trimmed
    text = "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n\tstatus code: 403"
    assert parse_aws_error(clean(text))["kind"] == "other"


@pytest.mark.parametrize(
    "text, cause",
    [
        # containerd CRI sandbox_run.go; the AWS VPC CNI's inner error (ip-0206's shape)
        (
            "Failed to create pod sandbox: rpc error: code = Unknown desc = "
            'failed to setup network for sandbox "3c9c": add cmd: failed to assign an IP address to container',
            "other",
        ),
        # ip-0246: go-containerregistry's refusal of a media type it does not read
        ('reading image "index.docker.io/library/ruby:2.1.2": unsupported MediaType: "x"', "other"),
        # ip-0226: a 503 with nginx's reason phrase
        (
            "Pulling app (registry.example.com/app:beta)... ERROR: received unexpected HTTP status: 503 Service "
            "Temporarily Unavailable",
            "network_unreachable",
        ),
    ],
)
def test_pull_failures_read_by_their_innermost_link(text, cause):
    assert classify_pull_error(clean(text)).cause == cause
