"""Which AWS partition a region is in, its DNS suffix, and the regional STS endpoint.

ARNs start with ``arn:PARTITION:`` (``aws``, ``aws-cn``, ``aws-us-gov``, ...) and service hosts end
in the partition's DNS suffix (``amazonaws.com``, ``amazonaws.com.cn``). Both come from botocore's
own partition data (``botocore/data/partitions.json``, the same file the endpoint rulesets use) and
the STS endpoint from botocore's endpoint ruleset for ``sts`` in that region, never from a
hard-coded ``aws`` / ``amazonaws.com``. A region botocore does not know is treated as ``aws``.
Pure apart from reading botocore's bundled data (cached per region).
"""

from __future__ import annotations

from functools import lru_cache

import botocore.session
from botocore.config import Config
from botocore.exceptions import UnknownRegionError

DEFAULT_PARTITION = "aws"


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@lru_cache(maxsize=64)
def partition_for_region(region: str) -> str:
    """``cn-north-1`` -> ``aws-cn``, ``us-gov-west-1`` -> ``aws-us-gov``, else ``aws``."""
    try:
        return _session().get_partition_for_region(region) or DEFAULT_PARTITION
    except (UnknownRegionError, ValueError):
        return DEFAULT_PARTITION


@lru_cache(maxsize=16)
def dns_suffix(region: str) -> str:
    """The partition's DNS suffix: ``amazonaws.com.cn`` for the China regions."""
    partition = partition_for_region(region)
    data = _session().get_component("data_loader").load_data("partitions")
    for entry in data.get("partitions", []):
        if entry.get("id") == partition:
            return entry.get("outputs", {}).get("dnsSuffix") or "amazonaws.com"
    return "amazonaws.com"


@lru_cache(maxsize=64)
def sts_endpoint(region: str) -> str:
    """The regional STS endpoint botocore resolves for ``region`` (``https://sts.REGION.SUFFIX``).

    Configured endpoint overrides (``AWS_ENDPOINT_URL``, a test server) are ignored on purpose:
    the URL is replayed by the EKS API server, which only ever calls the real STS.
    """
    try:
        client = _session().create_client(
            "sts",
            region_name=region,
            aws_access_key_id="unused",
            aws_secret_access_key="unused",
            config=Config(ignore_configured_endpoint_urls=True),
        )
        return str(client.meta.endpoint_url).rstrip("/")
    except (UnknownRegionError, ValueError):
        return f"https://sts.{region}.{dns_suffix(region)}"
