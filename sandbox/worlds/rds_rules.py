"""May this RDS database stop (or start)? The sandbox's own table, written from the RDS documentation.

Each row names what AWS refuses, the error code and message it answers with, and the page the rule
comes from. The RDS world reads it to decide end states; ``sandbox.aws_rds_behaviour`` reads it to
make the moto server refuse what AWS refuses. Facts come from DescribeDBClusters/DescribeDBInstances
(``facts_of_cluster`` / ``facts_of_instance``) or from moto's own objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

STOP_DB_CLUSTER_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBCluster.html"
MULTI_AZ_LIMITS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html"
)
AURORA_STOP = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html"
INSTANCE_STOP = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html"
STOP_DB_INSTANCE_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html"
AURORA_MEMBER_ERROR = "aws-solutions/instance-scheduler-on-aws issue #249 (CloudTrail errorMessage quoted)"


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one cluster or instance."""

    kind: str  # "cluster" | "instance"
    id: str
    engine: str
    status: str
    engine_mode: str = "provisioned"
    multi_az: bool = False
    cluster_id: str = ""  # an instance's DB cluster
    replica_of: str = ""
    replicas: tuple[str, ...] = ()
    global_cluster: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    actions: tuple[str, ...]
    applies: Callable[[Facts], bool]
    code: str
    message: str  # str.format(id=..., engine=..., status=...)
    source: str

    def error(self, f: Facts) -> tuple[str, str]:
        return self.code, self.message.format(id=f.id, engine=f.engine, status=f.status)


STOP, START = ("stop",), ("start",)
BOTH = ("stop", "start")

# Order matters: the first row that applies is the answer.
RULES: tuple[Rule, ...] = (
    # StopDBCluster/StartDBCluster: "This operation only applies to Aurora DB clusters." (API
    # reference and botocore rds service model 1.44.18); the Multi-AZ DB cluster limitations page
    # lists "Stopping and starting Multi-AZ DB clusters" among the unsupported features. The exact
    # error code AWS returns was not found; InvalidDBClusterStateFault is the StopDBCluster error
    # the API reference documents for a cluster the operation cannot act on.
    Rule(
        "multi_az_cluster",
        "cluster",
        BOTH,
        lambda f: not f.engine.startswith("aurora"),
        "InvalidDBClusterStateFault",
        "DbCluster {id} is a Multi-AZ DB cluster ({engine}); stopping and starting applies only to Aurora DB clusters.",
        f"{STOP_DB_CLUSTER_API} ; {MULTI_AZ_LIMITS}",
    ),
    # Aurora User Guide, stop/start limitations: Aurora Serverless v1 clusters and clusters in an
    # Aurora global database cannot be stopped (message wording not found; code per API reference).
    Rule(
        "serverless_v1",
        "cluster",
        BOTH,
        lambda f: f.engine_mode == "serverless",
        "InvalidDBClusterStateFault",
        "DbCluster {id} is Aurora Serverless v1; it cannot be stopped.",
        AURORA_STOP,
    ),
    Rule(
        "global_member",
        "cluster",
        BOTH,
        lambda f: bool(f.global_cluster),
        "InvalidDBClusterStateFault",
        "DbCluster {id} is part of a global database; it cannot be stopped.",
        AURORA_STOP,
    ),
    # The state message is AWS's own wording, as quoted from a real StopDBCluster answer.
    Rule(
        "cluster_not_available",
        "cluster",
        STOP,
        lambda f: f.status != "available",
        "InvalidDBClusterStateFault",
        "DbCluster {id} is in {status} state but expected it to be one of available.",
        AURORA_STOP,
    ),
    Rule(
        "cluster_not_stopped",
        "cluster",
        START,
        lambda f: f.status != "stopped",
        "InvalidDBClusterStateFault",
        "DbCluster {id} is in {status} state but expected it to be one of stopped.",
        AURORA_STOP,
    ),
    # StopDBInstance "doesn't apply to RDS Custom, Aurora MySQL, and Aurora PostgreSQL"; AWS answers
    # "aurora-postgresql DB instances are not eligible for stopping and starting." (CloudTrail).
    Rule(
        "instance_in_cluster",
        "instance",
        BOTH,
        lambda f: bool(f.cluster_id),
        "InvalidParameterCombination",
        "{engine} DB instances are not eligible for stopping and starting.",
        f"{STOP_DB_INSTANCE_API} ; {AURORA_MEMBER_ERROR}",
    ),
    # StopDBInstance/StartDBInstance: "This command doesn't apply to RDS Custom" (API reference;
    # error code and wording of the answer not found).
    Rule(
        "rds_custom",
        "instance",
        BOTH,
        lambda f: f.engine.startswith("custom-"),
        "InvalidParameterCombination",
        "StopDBInstance doesn't apply to RDS Custom ({engine}).",
        STOP_DB_INSTANCE_API,
    ),
    # "You can't stop a DB instance that has a read replica, or that is a read replica." (code and
    # wording of the answer not found).
    Rule(
        "read_replica",
        "instance",
        BOTH,
        lambda f: bool(f.replica_of),
        "InvalidDBInstanceState",
        "Cannot stop or start a Read-Replica instance {id}.",
        INSTANCE_STOP,
    ),
    Rule(
        "has_read_replica",
        "instance",
        STOP,
        lambda f: bool(f.replicas),
        "InvalidDBInstanceState",
        "Instance {id} has read replicas and cannot be stopped.",
        INSTANCE_STOP,
    ),
    # "You can't stop an Amazon RDS for SQL Server DB instance in a Multi-AZ configuration."
    Rule(
        "sqlserver_multi_az",
        "instance",
        STOP,
        lambda f: f.multi_az and f.engine.startswith("sqlserver"),
        "InvalidParameterCombination",
        "Instance {id} is SQL Server Multi-AZ and cannot be stopped.",
        INSTANCE_STOP,
    ),
    Rule(
        "instance_not_available",
        "instance",
        STOP,
        lambda f: f.status != "available",
        "InvalidDBInstanceState",
        "Instance {id} is not in available state.",
        INSTANCE_STOP,
    ),
    Rule(
        "instance_not_stopped",
        "instance",
        START,
        lambda f: f.status != "stopped",
        "InvalidDBInstanceState",
        "Instance {id} is not stopped, it cannot be started.",
        INSTANCE_STOP,
    ),
)

# What a database that AWS lets stop or start goes through: "stopping" then "stopped", "starting"
# then "available" (the statuses DescribeDBClusters/DescribeDBInstances report; AWS documents no
# duration, so how long each takes is the sandbox's choice).
TRANSITIONS = {"stop": ("stopping", "stopped"), "start": ("starting", "available")}


def refusal(f: Facts, action: str) -> Rule | None:
    """The first rule by which AWS refuses ``action`` on ``f``, or None when AWS accepts it."""
    return next((r for r in RULES if r.kind == f.kind and action in r.actions and r.applies(f)), None)


def end_state(f: Facts, action: str) -> str:
    """The status ``f`` settles in after ``action`` was asked: unchanged when AWS refuses."""
    return f.status if refusal(f, action) else TRANSITIONS[action][1]


def facts_of_cluster(c: Mapping[str, Any]) -> Facts:
    return Facts(
        "cluster",
        c["DBClusterIdentifier"],
        c.get("Engine", ""),
        c.get("Status", ""),
        c.get("EngineMode") or "provisioned",
        bool(c.get("MultiAZ")),
        "",
        c.get("ReplicationSourceIdentifier") or "",
        tuple(c.get("ReadReplicaIdentifiers") or ()),
        c.get("GlobalClusterIdentifier") or "",
    )


def facts_of_instance(i: Mapping[str, Any]) -> Facts:
    source = i.get("ReadReplicaSourceDBInstanceIdentifier") or i.get("ReadReplicaSourceDBClusterIdentifier")
    replicas = (*(i.get("ReadReplicaDBInstanceIdentifiers") or ()), *(i.get("ReadReplicaDBClusterIdentifiers") or ()))
    return Facts(
        "instance",
        i["DBInstanceIdentifier"],
        i.get("Engine", ""),
        i.get("DBInstanceStatus", ""),
        "provisioned",
        bool(i.get("MultiAZ")),
        i.get("DBClusterIdentifier") or "",
        source or "",
        tuple(replicas),
    )
