"""Many clusters in many accounts, against moto over HTTP and the Kubernetes stand-in.

moto keeps each account's resources apart (credentials from ``AssumeRole`` act in the role's
account), so a cluster created in one account is invisible from another. It does not evaluate
trust policies or external ids, so what the provider *sends* to STS is captured through
botocore's public event hooks on the session handed to the provider.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import yaml

from bot import errors
from bot.services.clusters import (
    ClusterContexts,
    ca_cert_data,
    contexts_from_settings,
    load_clusters,
    parse_clusters,
    session_name,
)
from bot.services.contexts import SingleClusterContexts
from bot.services.failures import describe_failure
from bot.settings import Settings
from sandbox.aws import SANDBOX_REGION

PROD, STAGING = "111122223333", "444455556666"


def _doc(kube_url: str = "") -> dict:
    kube = {"endpoint": kube_url} if kube_url else {}
    return {
        "default": "prod",
        "channels": {"C_PROD": "prod", "C_STG": "staging"},
        "clusters": [
            {
                "name": "prod",
                "account_id": PROD,
                "region": SANDBOX_REGION,
                "role_arn": f"arn:aws:iam::{PROD}:role/chatops-target",
                "external_id": "ext-prod-42",
                "kube": kube,
            },
            {
                "name": "staging",
                "account_id": STAGING,
                "region": "ap-northeast-2",
                "role_arn": f"arn:aws:iam::{STAGING}:role/chatops-target",
                "external_id": "ext-stg-7",
                "kube": kube,
            },
        ],
    }


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sent(moto_sandbox):
    """A base session that records every AssumeRole request the provider makes.

    No moto reset (slow): these tests use accounts no other test touches, and names of their own.
    """
    calls: list[dict] = []
    session = boto3.Session()
    session.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: calls.append(dict(params)))
    return session, calls


def _provider(doc, session, clock=None) -> ClusterContexts:
    return ClusterContexts(
        parse_clusters(doc), Settings(), clock or Clock(), base_session=lambda: session, max_attempts=1
    )


def test_session_name_names_the_user_within_sts_rules():
    assert session_name("U012AB3CD") == "chatops-U012AB3CD"
    assert session_name("") == "chatops-bot"
    weird = session_name("dev kim/김개발:" + "x" * 80)
    assert len(weird) == 64 and weird.startswith("chatops-dev-kim-")
    assert all(c.isascii() and (c.isalnum() or c in "_+=,.@-") for c in weird)


def test_each_cluster_assumes_its_own_role_with_external_id_and_user_session(sent, kube_stand_in):
    session, calls = sent
    provider = _provider(_doc(kube_stand_in.url), session)
    prod = provider.get("prod", "U_DEV")
    staging = provider.get("staging", "U_OPS")
    assert [(c["RoleArn"], c["ExternalId"], c["RoleSessionName"]) for c in calls] == [
        (f"arn:aws:iam::{PROD}:role/chatops-target", "ext-prod-42", "chatops-U_DEV"),
        (f"arn:aws:iam::{STAGING}:role/chatops-target", "ext-stg-7", "chatops-U_OPS"),
    ]
    who = prod.aws.client("sts").get_caller_identity()
    assert who["Account"] == PROD and who["Arn"].endswith("assumed-role/chatops-target/chatops-U_DEV")
    assert staging.aws.client("sts").get_caller_identity()["Account"] == STAGING
    assert (prod.cluster_name, prod.account_id, prod.region) == ("prod", PROD, SANDBOX_REGION)
    assert (staging.account_id, staging.region) == (STAGING, "ap-northeast-2")
    # resources live in the account of the role: staging's cluster is not visible from prod
    staging.aws.client("eks").create_cluster(
        name="staging", roleArn=f"arn:aws:iam::{STAGING}:role/eks", resourcesVpcConfig={}
    )
    assert prod.aws.client("eks", "ap-northeast-2").list_clusters()["clusters"] == []


def test_contexts_are_cached_per_cluster_and_user_and_renewed_before_expiry(sent, kube_stand_in):
    session, calls = sent
    clock = Clock()
    provider = _provider(_doc(kube_stand_in.url), session, clock)
    first = provider.get("prod", "U_DEV")
    assert provider.get("prod", "U_DEV") is first
    assert provider.get("prod", "U_OPS") is not first
    assert len(calls) == 2
    clock.now = datetime.now(UTC) + timedelta(hours=2)  # past the STS credentials' expiry
    assert provider.get("prod", "U_DEV") is not first
    assert len(calls) == 3


def test_channels_pick_a_default_and_unknown_clusters_are_refused(sent):
    session, _ = sent
    provider = _provider(_doc(), session)
    assert provider.default_cluster("C_STG") == "staging"
    assert provider.default_cluster("C_ELSEWHERE") == "prod"
    assert provider.account_of("staging") == STAGING and provider.account_of("nope") == ""
    with pytest.raises(errors.UsageError) as info:
        provider.get("qa", "U_DEV")
    # the error can reach a thread everyone reads: it names no other cluster (approvers get the list privately)
    assert "qa" in str(info.value) and "prod" not in str(info.value) and "알 수 없는" in info.value.message_ko


def test_a_channel_may_map_to_several_clusters_its_first_the_default(sent):
    session, _ = sent
    doc = _doc()
    doc["channels"]["C_PLATFORM"] = ["staging", "prod"]
    provider = _provider(doc, session)
    assert provider.default_cluster("C_PLATFORM") == "staging"
    assert provider.clusters_for("C_PLATFORM") == ("staging", "prod")
    assert provider.clusters_for("C_STG") == ("staging",)
    assert provider.cluster_names() == ("prod", "staging")


def test_kubernetes_is_reached_with_an_sts_bearer_token(sent, kube_stand_in):
    session, _ = sent
    ctx = _provider(_doc(kube_stand_in.url), session).get("prod", "U_DEV")
    conf = ctx.kube.api_client.configuration
    token = conf.api_key["authorization"]
    assert token.startswith("k8s-aws-v1.")
    kube_stand_in.require_token(token)
    assert ctx.kube.core.list_namespaced_pod("default").items == []
    kube_stand_in.require_token("k8s-aws-v1.someone-else")
    with pytest.raises(errors.AccessDenied):
        ctx.kube.core.list_namespaced_pod("default")


def _kubeconfig(path, server: str, token: str) -> str:
    """A kubeconfig with two contexts; only ``staging-admin`` reaches ``server`` with ``token``."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "other",
        "clusters": [
            {"name": "stg", "cluster": {"server": server}},
            {"name": "elsewhere", "cluster": {"server": "http://127.0.0.1:9"}},
        ],
        "users": [{"name": "stg-admin", "user": {"token": token}}, {"name": "nobody", "user": {"token": "x"}}],
        "contexts": [
            {"name": "staging-admin", "context": {"cluster": "stg", "user": "stg-admin"}},
            {"name": "other", "context": {"cluster": "elsewhere", "user": "nobody"}},
        ],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return str(path)


def test_a_cluster_can_be_reached_through_a_kubeconfig_context(sent, kube_stand_in, tmp_path):
    session, _ = sent
    kube_stand_in.require_token("stg-token-1")
    doc = _doc()
    doc["clusters"][1]["kube"] = {
        "kubeconfig": _kubeconfig(tmp_path / "kubeconfig", kube_stand_in.url, "stg-token-1"),
        "kubeconfig_context": "staging-admin",
    }  # not the file's current context
    ctx = _provider(doc, session).get("staging", "U_DEV")
    assert ctx.kube.api_client.configuration.host == kube_stand_in.url
    assert ctx.kube.core.list_namespaced_pod("default").items == []  # the stand-in accepted the token
    assert ctx.account_id == STAGING and ctx.cluster_name == "staging"
    kube_stand_in.require_token("rotated")
    with pytest.raises(errors.AccessDenied):  # a refused token is our own error, not an ApiException
        ctx.kube.core.list_namespaced_pod("default")


def test_a_kubeconfig_naming_an_unknown_context_is_a_clear_error(sent, tmp_path):
    session, _ = sent
    doc = _doc()
    doc["clusters"][1]["kube"] = {
        "kubeconfig": _kubeconfig(tmp_path / "kubeconfig", "http://127.0.0.1:9", "t"),
        "kubeconfig_context": "stagign-admin",
    }
    with pytest.raises(errors.Misconfigured) as info:  # our own error, the library's chained as the cause
        _provider(doc, session).get("staging", "U_DEV")
    assert "stagign-admin" in str(info.value)
    assert "misconfigured" in describe_failure(info.value, "ref1")("en")


def test_without_an_endpoint_the_eks_endpoint_and_ca_come_from_describe_cluster(sent):
    session, _ = sent
    provider = _provider(_doc(), session)
    with pytest.raises(errors.NotFound):  # not created yet: told as our own error, naming the call
        provider.get("prod", "U_DEV")
    setup = _provider(_doc("http://127.0.0.1:9"), session).get("prod", "U_DEV")
    cluster = setup.aws.client("eks").create_cluster(
        name="prod", roleArn=f"arn:aws:iam::{PROD}:role/eks", resourcesVpcConfig={}
    )["cluster"]
    conf = provider.get("prod", "U_DEV").kube.api_client.configuration
    assert conf.host == cluster["endpoint"]
    assert conf.api_key_prefix["authorization"] == "Bearer"
    assert conf.ssl_ca_cert is None  # the CA is held in memory, never written to a file
    assert conf.ca_cert_data == base64.b64decode(cluster["certificateAuthority"]["data"])  # moto's: not PEM


def test_an_eks_pem_bundle_is_handed_to_urllib3_as_text():
    pem = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"
    assert ca_cert_data(base64.b64encode(pem.encode()).decode()) == pem
    assert ca_cert_data(base64.b64encode(b"\x30\x82").decode()) == b"\x30\x82"  # DER stays bytes
    assert ca_cert_data("") == b""


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["clusters"][0].update(account_id=111122223333.0), "12 digits"),
        (lambda d: d["clusters"][1].update(role_arn=f"arn:aws:iam::{PROD}:role/x"), "role in account"),
        (lambda d: d["channels"].update(C_X="qa"), "unknown cluster 'qa'"),
        (lambda d: d["clusters"].append(dict(d["clusters"][0])), "duplicate"),
        (lambda d: d["clusters"][0].pop("region"), "region is required"),
        (lambda d: d["clusters"][0].update(kube={"endpiont": "https://x"}), "unknown kube keys"),
    ],
)
def test_config_mistakes_are_reported_with_the_cluster_they_are_in(change, complaint):
    doc = _doc()
    change(doc)
    with pytest.raises(ValueError, match=complaint):
        parse_clusters(doc)


def test_settings_choose_the_provider(tmp_path):
    assert isinstance(contexts_from_settings(Settings()), SingleClusterContexts)
    path = tmp_path / "clusters.yaml"
    path.write_text(yaml.safe_dump(_doc()))
    provider = contexts_from_settings(Settings(clusters_file=str(path)))
    assert isinstance(provider, ClusterContexts)
    assert provider.config == load_clusters(str(path))
    assert provider.config.cluster("staging").kube.endpoint == ""
