"""Partitions: ARNs the bot builds and the STS host inside an EKS token follow the region's
partition (botocore's partition data and endpoint ruleset), not always ``aws``/``amazonaws.com``."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from botocore.credentials import Credentials

from bot import errors
from bot.eks_token import decode_token, make_token, sts_url
from handlers.irsa import aws_facts

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
ACCOUNT = "111122223333"
CASES = [
    ("cn-north-1", "aws-cn", "sts.cn-north-1.amazonaws.com.cn", "amazonaws.com.cn"),
    ("us-gov-west-1", "aws-us-gov", "sts.us-gov-west-1.amazonaws.com", "amazonaws.com"),
    ("ap-northeast-2", "aws", "sts.ap-northeast-2.amazonaws.com", "amazonaws.com"),
]


@pytest.mark.parametrize("region,partition,sts_host,suffix", CASES)
def test_eks_token_signs_for_the_partitions_sts_host(region, partition, sts_host, suffix, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # a test endpoint is never used
    assert urlsplit(sts_url(region)).netloc == sts_host
    url = decode_token(make_token(CREDS, "prod", region))
    assert urlsplit(url).netloc == sts_host and f"/{region}/sts/aws4_request" in unquote(url)


class _Iam:
    def __init__(self, providers):
        self.providers = providers

    def list_open_id_connect_providers(self):
        return {"OpenIDConnectProviderList": [{"Arn": a} for a in self.providers]}

    def get_open_id_connect_provider(self, OpenIDConnectProviderArn):
        return {"ClientIDList": ["sts.amazonaws.com"]}

    def get_role(self, RoleName):
        raise errors.NotFound("iam:GetRole", "NoSuchEntity", RoleName)


class _Eks:
    def __init__(self, issuer):
        self.issuer = issuer

    def describe_cluster(self, name):
        return {"cluster": {"identity": {"oidc": {"issuer": self.issuer}}}}


class _Aws:
    def __init__(self, region, issuer, providers):
        self.region = region
        self._clients = {"iam": _Iam(providers), "eks": _Eks(issuer)}

    def client(self, service, region=None):
        return self._clients[service]


class _Ctx:
    def __init__(self, aws):
        self.aws, self.cluster_name = aws, "prod"

    @property
    def region(self):
        return self.aws.region


@pytest.mark.parametrize("region,partition,sts_host,suffix", CASES)
def test_existing_oidc_provider_is_found_in_its_partition(region, partition, sts_host, suffix):
    host = f"oidc.eks.{region}.{suffix}/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    provider = f"arn:{partition}:iam::{ACCOUNT}:oidc-provider/{host}"
    ctx = _Ctx(_Aws(region, f"https://{host}", [provider]))
    oidc = aws_facts.oidc_facts(ctx, ACCOUNT)
    assert oidc.provider_exists and oidc.provider_arn == provider
    missing = aws_facts.role_facts(ctx, ACCOUNT, "AmazonEKSLoadBalancerControllerRole")
    assert missing.arn == f"arn:{partition}:iam::{ACCOUNT}:role/AmazonEKSLoadBalancerControllerRole"


@pytest.mark.parametrize("region,partition,sts_host,suffix", CASES)
def test_clusters_file_accepts_a_role_of_the_regions_partition(region, partition, sts_host, suffix):
    from bot.services.clusters import parse_clusters

    role = f"arn:{partition}:iam::{ACCOUNT}:role/chatops-target"
    doc = {"clusters": [{"name": "c1", "account_id": ACCOUNT, "region": region, "role_arn": role}]}
    assert parse_clusters(doc).clusters["c1"].role_arn == role
    other = "aws" if partition != "aws" else "aws-cn"
    wrong = {"clusters": [{**doc["clusters"][0], "role_arn": role.replace(f"arn:{partition}:", f"arn:{other}:")}]}
    with pytest.raises(ValueError, match="role_arn"):
        parse_clusters(wrong)
