"""``classify_pull_error`` over real kubelet / containerd / CRI-O messages, and ``registry_of``."""

from __future__ import annotations

import pytest

from bot.parsing.confidence import CONFIDENT
from bot.parsing.image_pull import CAUSES, PullClassification, classify_pull_error, registry_of
from bot.parsing.text import clean
from tests.parsing._fixtures import ids, load

ROWS = load("pull_errors.jsonl")


def test_fixture_is_sourced_and_covers_every_cause():
    assert len(ROWS) >= 40
    assert all(r["source"].startswith("https://") for r in ROWS)
    # tls, sandbox and unclear are covered by the corpus dev part (tests/parsing/test_corpus_dev.py)
    assert {r["cause"] for r in ROWS} | {"tls", "sandbox", "unclear"} == set(CAUSES)


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS, "source"))
def test_real_message(row):
    got = classify_pull_error(clean(row["message"]))
    assert got.cause == row["cause"], got.detail
    for key in ("registry_kind", "image", "registry"):
        if key in row:
            assert getattr(got, key) == row[key], key
    if got.cause not in ("other", "unclear"):
        assert got.detail and got.detail.lower() in clean(row["message"]).lower()


def test_ecr_account_and_region():
    got = classify_pull_error(
        'Failed to pull image "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/'
        'cloudwatch-agent:1.3": dial tcp 52.95.1.1:443: i/o timeout'
    )
    assert got == PullClassification(
        cause="network_unreachable",
        registry="602401143452.dkr.ecr.ap-northeast-1.amazonaws.com",
        registry_kind="ecr_private",
        image="602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/cloudwatch-agent:1.3",
        ecr_account="602401143452",
        ecr_region="ap-northeast-1",
        detail="i/o timeout",
        confidence=0.95,
    )


def test_starport_bucket_timeout_points_at_ecr_without_an_image():
    got = classify_pull_error(
        "error pulling image configuration: Get https://prod-ap-northeast-2-starport-"
        "layer-bucket.s3.ap-northeast-2.amazonaws.com/abc: dial tcp 52.219.1.1:443: i/o timeout"
    )
    assert (got.cause, got.ecr_region) == ("network_unreachable", "ap-northeast-2")


@pytest.mark.parametrize(
    "image, host, kind",
    [
        ("busybox", "docker.io", "docker_hub"),
        ("library/busybox:1.36", "docker.io", "docker_hub"),
        ("bitnami/redis:7", "docker.io", "docker_hub"),
        ("docker.io/library/nginx@sha256:abc", "docker.io", "docker_hub"),
        ("index.docker.io/jaegertracing/all-in-one", "docker.io", "docker_hub"),
        ("registry-1.docker.io/library/alpine", "docker.io", "docker_hub"),
        (
            "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/eks/pause:3.5",
            "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com",
            "ecr_private",
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1",
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
            "ecr_private",
        ),
        ("public.ecr.aws/eks-distro/kubernetes/pause:3.9", "public.ecr.aws", "ecr_public"),
        ("quay.io/prometheus/node-exporter:v1.8.0", "quay.io", "public_other"),
        ("ghcr.io/org/app:sha-1", "ghcr.io", "public_other"),
        ("registry.k8s.io/pause:3.9", "registry.k8s.io", "public_other"),
        ("harbor.example.com/team/app:1", "harbor.example.com", "private_other"),
        ("localhost:5000/app", "localhost:5000", "private_other"),
        ("localhost/app", "localhost", "private_other"),
        ("Docker.IO/library/busybox", "docker.io", "docker_hub"),
    ],
)
def test_registry_of(image, host, kind):
    assert registry_of(image) == (host, kind)


def test_message_without_a_pull_cause_is_unclear_and_not_confident():
    got = classify_pull_error("Back-off restarting failed container")
    assert got.cause == "unclear" and got.image == "" and got.registry == ""
    assert got.confidence < CONFIDENT


def test_a_repeated_message_gets_the_same_classification_and_long_logs_are_not_kept():
    from bot.parsing import image_pull

    message = clean(ROWS[0]["message"])
    first = classify_pull_error(message)
    hits = image_pull._classify_short.cache_info().hits
    assert classify_pull_error(message) == first == image_pull._classify(message)
    assert image_pull._classify_short.cache_info().hits == hits + 1
    long_log = message + " " + "x" * image_pull.CACHED_LENGTH
    size = image_pull._classify_short.cache_info().currsize
    assert classify_pull_error(long_log) == image_pull._classify(long_log)
    assert image_pull._classify_short.cache_info().currsize == size
