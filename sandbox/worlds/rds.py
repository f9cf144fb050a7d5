"""The RDS world of scenario 3: Aurora cluster ``portal`` and standalone postgres ``billing-db``.

As teams often do, the ``autostop=yes`` tag sits on the Aurora MEMBER ``portal-rds-1`` (where it
does not work), not on the cluster. ``seed_multi_az_cluster`` adds ``orders-db``, an RDS for
PostgreSQL Multi-AZ DB cluster, which AWS cannot stop. ``simulate_self_restart`` imitates AWS
starting a database stopped for 7 days; ``seed_many_databases`` builds the 1,000-database world of
the benchmark. ``may_stop`` and ``expected_after`` answer from the world's own table
(``sandbox.worlds.rds_rules``), and ``tick`` ends the stops and starts in progress.
Called by the demo scenarios, the benchmark and tests (AWS is moto, reached through plain boto3
clients: anything with ``client(service)`` and ``region``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from sandbox import aws_rds_behaviour
from sandbox.worlds.rds_rules import Facts, Rule, end_state, facts_of_cluster, facts_of_instance, refusal


class Aws(Protocol):
    region: str

    def client(self, service: str) -> Any: ...


PASSWORD = "sandbox-password-1"  # moto only; never a real credential


def seed_rds_world(
    aws: Aws,
    kube: Any = None,
    tag_key: str = "autostop",
    tag_value: str = "yes",
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """Seed the world; ``clock`` (the sandbox clock) then decides when stops and starts end."""
    aws_rds_behaviour.use_clock(clock)
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
    """What AWS does 7 days after a stop: the database starts itself and is available again.

    "You can stop a DB cluster for up to seven days. If you don't manually start your DB cluster
    after seven days, your DB cluster is automatically started" (Aurora User Guide,
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html).
    """
    aws.client("rds").start_db_cluster(DBClusterIdentifier=cluster_id)
    tick()


def tick() -> int:
    """Let every stop and start in progress finish (``stopping`` -> ``stopped`` and so on)."""
    return aws_rds_behaviour.settle()


def seed_multi_az_cluster(
    aws: Aws,
    ident: str = "orders-db",
    tag_key: str = "autostop",
    tag_value: str = "yes",
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """An RDS for PostgreSQL Multi-AZ DB cluster (one writer, two readable standbys).

    A Multi-AZ DB cluster is created by CreateDBCluster with a non-Aurora engine and
    ``DBClusterInstanceClass``, Provisioned IOPS storage (``io1``) and ``Iops``
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/create-multi-az-db-cluster.html).
    """
    aws_rds_behaviour.use_clock(clock)
    cluster = aws.client("rds").create_db_cluster(
        DBClusterIdentifier=ident,
        Engine="postgres",
        EngineVersion="16.3",
        DBClusterInstanceClass="db.m6gd.large",
        StorageType="io1",
        AllocatedStorage=100,
        Iops=1000,
        MasterUsername="orders",
        MasterUserPassword=PASSWORD,
        Tags=[{"Key": "team", "Value": "orders"}, {"Key": tag_key, "Value": tag_value}],
    )["DBCluster"]
    return {
        "cluster": ident,
        "cluster_arn": cluster["DBClusterArn"],
        "engine": cluster["Engine"],
        "class": "db.m6gd.large",
        "region": aws.region,
    }


def facts(aws: Aws, kind: str, ident: str) -> Facts:
    rds = aws.client("rds")
    if kind == "cluster":
        return facts_of_cluster(rds.describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0])
    return facts_of_instance(rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0])


def may_stop(aws: Aws, kind: str, ident: str) -> Rule | None:
    """None when AWS lets ``kind/ident`` stop now; otherwise the table's row that forbids it."""
    return refusal(facts(aws, kind, ident), "stop")


def expected_after(aws: Aws, kind: str, ident: str, action: str = "stop") -> str:
    """The status the world's table says ``kind/ident`` ends in after ``action`` is asked."""
    return end_state(facts(aws, kind, ident), action)


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
    aws_rds_behaviour.use_clock(None)
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
