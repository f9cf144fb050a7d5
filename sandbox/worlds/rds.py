"""The RDS world of scenario 3: Aurora cluster ``portal`` and standalone postgres ``billing-db``.

As teams often do, the ``autostop=yes`` tag sits on the Aurora MEMBER ``portal-rds-1`` (where it
does not work), not on the cluster. ``simulate_self_restart`` imitates AWS starting a database
stopped for 7 days; ``seed_many_databases`` builds the 1,000-database world of the benchmark.
Called by the demo scenario, the benchmark and tests (AWS is moto, reached through ``Aws``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.cloud.aws import Aws

PASSWORD = "sandbox-password-1"  # moto only; never a real credential


def seed_rds_world(
    aws: Aws, kube: Any = None, tag_key: str = "autostop", tag_value: str = "yes"
) -> dict[str, Any]:
    rds = aws.client("rds")
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="portal",
        Engine="aurora-mysql",
        EngineVersion="8.0.mysql_aurora.3.05.2",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        Tags=[{"Key": "team", "Value": "portal"}],
    )["DBCluster"]
    member = rds.create_db_instance(
        DBInstanceIdentifier="portal-rds-1",
        DBClusterIdentifier="portal",
        Engine="aurora-mysql",
        DBInstanceClass="db.r6g.large",
        Tags=[{"Key": tag_key, "Value": tag_value}],
    )["DBInstance"]
    billing = rds.create_db_instance(
        DBInstanceIdentifier="billing-db",
        Engine="postgres",
        EngineVersion="16.3",
        DBInstanceClass="db.t3.medium",
        AllocatedStorage=20,
        MasterUsername="billing",
        MasterUserPassword=PASSWORD,
        Tags=[{"Key": "team", "Value": "billing"}],
    )["DBInstance"]
    return {
        "cluster": "portal",
        "cluster_arn": cluster["DBClusterArn"],
        "member": "portal-rds-1",
        "member_arn": member["DBInstanceArn"],
        "member_class": "db.r6g.large",
        "instance": "billing-db",
        "instance_arn": billing["DBInstanceArn"],
        "instance_class": "db.t3.medium",
        "tag": f"{tag_key}={tag_value}",
        "region": aws.region,
    }


def simulate_self_restart(aws: Aws, cluster_id: str) -> None:
    """What AWS does 7 days after a stop: the database starts itself (StartDBCluster here)."""
    aws.client("rds").start_db_cluster(DBClusterIdentifier=cluster_id)


def seed_many_databases(
    aws: Aws,
    n: int = 1000,
    tag_key: str = "autostop",
    tag_value: str = "yes",
    untagged_every: int = 10,
    workers: int = 8,
) -> dict[str, int]:
    """``n`` small standalone instances; all but every ``untagged_every``-th carry the tag.

    moto keeps one automated snapshot per created instance and refuses new instances past its
    snapshot quota (1,000 by default), so the quota of the in-process moto server is raised first.
    """
    if int(os.environ.get("MOTO_RDS_SNAPSHOT_LIMIT", "1000")) < 2 * n + 100:
        os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = str(2 * n + 100)
    rds = aws.client("rds")

    def create(i: int) -> bool:
        tags = [{"Key": "bench", "Value": "yes"}]
        tagged = untagged_every <= 0 or i % untagged_every != 0
        if tagged:
            tags.append({"Key": tag_key, "Value": tag_value})
        rds.create_db_instance(
            DBInstanceIdentifier=f"bench-db-{i:04d}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="bench",
            MasterUserPassword=PASSWORD,
            Tags=tags,
        )
        return tagged

    with ThreadPoolExecutor(max_workers=workers) as pool:
        tagged = sum(pool.map(create, range(n)))
    return {"databases": n, "tagged": tagged}
