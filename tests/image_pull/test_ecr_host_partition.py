"""Private registry hosts follow the region's partition (botocore's partition data)."""

from __future__ import annotations

import pytest

from handlers.image_pull.images import ecr_host, pull_through_image


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("ap-northeast-1", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"),
        ("cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"),
    ],
)
def test_the_registry_host_ends_in_the_partitions_dns_suffix(region, host):
    assert ecr_host("123456789012", region) == host


def test_a_pull_through_image_in_china_uses_the_china_suffix():
    image = pull_through_image("docker.io/library/nginx:1.27", "123456789012", "cn-northwest-1")
    assert image.startswith("123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/")
