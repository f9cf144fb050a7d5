"""The sandbox's imitation of the ECR pull-through cache API (``sandbox.aws_ecr_behaviour``).

Checked against the Amazon ECR API Reference (CreatePullThroughCacheRule,
DescribePullThroughCacheRules, DeletePullThroughCacheRule) and botocore's ``ecr`` model: the
shapes come back as botocore parses them, and errors carry the codes the reference lists.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sandbox.aws import SANDBOX_ACCOUNT, WorldAws


@pytest.fixture
def clients(moto_sandbox):
    moto_sandbox.reset()
    world = WorldAws()
    secret = world.client("secretsmanager").create_secret(
        Name="ecr-pullthroughcache/docker-hub", SecretString=json.dumps({"username": "u", "accessToken": "t"})
    )
    return world.client("ecr"), secret["ARN"]


def _code(exc: pytest.ExceptionInfo) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_describe_delete(clients):
    ecr, arn = clients
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub/", upstreamRegistryUrl="registry-1.docker.io", credentialArn=arn
    )
    assert created["ecrRepositoryPrefix"] == "docker-hub"  # "an assumed / applied to the end of the prefix"
    assert created["registryId"] == SANDBOX_ACCOUNT and created["upstreamRegistry"] == "docker-hub"
    assert created["credentialArn"] == arn and created["createdAt"] is not None
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    listed = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert {r["ecrRepositoryPrefix"]: r["upstreamRegistryUrl"] for r in listed} == {
        "docker-hub": "registry-1.docker.io",
        "quay": "quay.io",
    }
    one = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["quay"])["pullThroughCacheRules"]
    assert [r["ecrRepositoryPrefix"] for r in one] == ["quay"]
    page = ecr.describe_pull_through_cache_rules(maxResults=1)
    rest = ecr.describe_pull_through_cache_rules(maxResults=1, nextToken=page["nextToken"])
    assert [r["ecrRepositoryPrefix"] for r in page["pullThroughCacheRules"] + rest["pullThroughCacheRules"]] == [
        "docker-hub",
        "quay",
    ] and "nextToken" not in rest
    deleted = ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub")
    assert deleted["upstreamRegistryUrl"] == "registry-1.docker.io"
    with pytest.raises(ClientError) as gone:
        ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["docker-hub"])
    assert _code(gone) == ("PullThroughCacheRuleNotFoundException", 400)
    with pytest.raises(ClientError) as again:
        ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub")
    assert _code(again)[0] == "PullThroughCacheRuleNotFoundException"


def test_a_duplicate_prefix_is_refused_and_the_first_rule_kept(clients):
    ecr, arn = clients
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub", upstreamRegistryUrl="registry-1.docker.io", credentialArn=arn
    )
    with pytest.raises(ClientError) as dup:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub/", upstreamRegistryUrl="quay.io")
    assert _code(dup) == ("PullThroughCacheRuleAlreadyExistsException", 400)
    assert "already exists" in dup.value.response["Error"]["Message"]
    (rule,) = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule["upstreamRegistryUrl"] == "registry-1.docker.io"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ecrRepositoryPrefix": "Docker", "upstreamRegistryUrl": "quay.io"}, "InvalidParameterException"),
        (
            {"ecrRepositoryPrefix": "mine", "upstreamRegistryUrl": "registry.example.com"},
            "UnsupportedUpstreamRegistryException",
        ),
        (
            {"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io"},
            "InvalidParameterException",
        ),  # Docker Hub needs a Secrets Manager secret
        (
            {
                "ecrRepositoryPrefix": "docker-hub",
                "upstreamRegistryUrl": "registry-1.docker.io",
                "credentialArn": (
                    "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ecr-pullthroughcache/none-AbCdEf"
                ),
            },
            "SecretNotFoundException",
        ),
    ],
)
def test_refusals(clients, kwargs, code):
    ecr, _ = clients
    with pytest.raises(ClientError) as refused:
        ecr.create_pull_through_cache_rule(**kwargs)
    assert _code(refused)[0] == code
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


def test_reset_forgets_the_rules(moto_sandbox, clients):
    ecr, _ = clients
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="k8s", upstreamRegistryUrl="registry.k8s.io")
    moto_sandbox.reset()
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
