"""Finding RDS instances and Aurora/Multi-AZ clusters in O(pages) API calls.

One paginated Resource Groups Tagging API ``get_resources`` for ``rds:cluster`` and ``rds:db``
filtered by the adoption tag, plus paginated ``describe_db_clusters`` and
``describe_db_instances`` (and ``describe_global_clusters`` only when some cluster belongs to a
global database). Never one ``list_tags_for_resource`` per database, which is what the Lambda in
a tag-per-database Lambda does (see ``lambda_baseline``). Called by the diagnoser, the operations and the sweep job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.cloud.aws import Aws
from bot.errors import NotFound
from handlers.rds.model import Database, Inventory, TagRule

PAGE = 100  # the maximum MaxRecords / ResourcesPerPage these APIs accept
# DescribeDBClusters/Instances also return DocumentDB and Neptune resources: not ours to schedule.
_FOREIGN_ENGINES = ("docdb", "neptune")


def _tags(raw: Iterable[Mapping[str, str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((t["Key"], t.get("Value", "")) for t in raw or ()))


def _ours(engine: str) -> bool:
    return not engine.startswith(_FOREIGN_ENGINES)


def cluster_record(c: Mapping[str, Any], *, tagged: bool = False, global_role: str = "") -> Database:
    return Database(
        kind="cluster",
        id=c["DBClusterIdentifier"],
        arn=c.get("DBClusterArn", ""),
        engine=c.get("Engine", ""),
        engine_mode=c.get("EngineMode", "") or "provisioned",
        db_class=c.get("DBClusterInstanceClass", "") or "",
        status=c.get("Status", ""),
        members=tuple(sorted(m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers") or ())),
        replica_source=c.get("ReplicationSourceIdentifier", "") or "",
        replicas=tuple(sorted(c.get("ReadReplicaIdentifiers") or ())),
        tags=_tags(c.get("TagList")),
        multi_az=bool(c.get("MultiAZ")),
        global_role=global_role,
        tagged=tagged,
    )


def instance_record(i: Mapping[str, Any], *, tagged: bool = False) -> Database:
    source = i.get("ReadReplicaSourceDBInstanceIdentifier") or i.get("ReadReplicaSourceDBClusterIdentifier") or ""
    replicas = [
        *(i.get("ReadReplicaDBInstanceIdentifiers") or ()),
        *(i.get("ReadReplicaDBClusterIdentifiers") or ()),
    ]
    return Database(
        kind="instance",
        id=i["DBInstanceIdentifier"],
        arn=i.get("DBInstanceArn", ""),
        engine=i.get("Engine", ""),
        db_class=i.get("DBInstanceClass", ""),
        status=i.get("DBInstanceStatus", ""),
        cluster_id=i.get("DBClusterIdentifier", "") or "",
        replica_source=source,
        replicas=tuple(sorted(replicas)),
        tags=_tags(i.get("TagList")),
        multi_az=bool(i.get("MultiAZ")),
        tagged=tagged,
    )


def tagged_arns(aws: Aws, rule: TagRule) -> set[str]:
    """ARNs of RDS clusters and instances carrying ``rule`` (one call per 100 resources)."""
    pages = (
        aws.client("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(
            ResourceTypeFilters=["rds:cluster", "rds:db"],
            TagFilters=[{"Key": rule.key, "Values": [rule.value]}],
            ResourcesPerPage=PAGE,
        )
    )
    return {r["ResourceARN"] for page in pages for r in page.get("ResourceTagMappingList", ())}


def _global_roles(aws: Aws) -> dict[str, str]:
    roles: dict[str, str] = {}
    for page in aws.client("rds").get_paginator("describe_global_clusters").paginate(MaxRecords=PAGE):
        for g in page.get("GlobalClusters", ()):
            for m in g.get("GlobalClusterMembers", ()):
                roles[m["DBClusterArn"]] = "primary" if m.get("IsWriter") else "secondary"
    return roles


def discover(aws: Aws, rule: TagRule | None = None) -> Inventory:
    """Every RDS database in the region, with ``tagged`` set from the tagging API."""
    rds = aws.client("rds")
    tagged = tagged_arns(aws, rule or TagRule())
    clusters = [
        c
        for page in rds.get_paginator("describe_db_clusters").paginate(MaxRecords=PAGE)
        for c in page.get("DBClusters", ())
        if _ours(c.get("Engine", ""))
    ]
    roles = _global_roles(aws) if any(c.get("GlobalClusterIdentifier") for c in clusters) else {}
    dbs = [
        cluster_record(c, tagged=c.get("DBClusterArn") in tagged, global_role=roles.get(c.get("DBClusterArn", ""), ""))
        for c in clusters
    ]
    for page in rds.get_paginator("describe_db_instances").paginate(MaxRecords=PAGE):
        dbs += [
            instance_record(i, tagged=i.get("DBInstanceArn") in tagged)
            for i in page.get("DBInstances", ())
            if _ours(i.get("Engine", ""))
        ]
    return Inventory.of(dbs)


def _has_tag(raw: Mapping[str, Any], rule: TagRule) -> bool:
    return (rule.key, rule.value) in _tags(raw.get("TagList"))


def describe_target(aws: Aws, kind: str, ident: str, rule: TagRule | None = None) -> Inventory:
    """Just one database and what its stop/start depends on (its cluster and members): 1-3 calls.

    Raises ``bot.errors.NotFound`` when it does not exist.
    """
    rule = rule or TagRule()
    rds = aws.client("rds")
    dbs: list[Database] = []
    cluster_id = ident if kind == "cluster" else ""
    if kind == "instance":
        inst = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        dbs.append(instance_record(inst, tagged=_has_tag(inst, rule)))
        cluster_id = inst.get("DBClusterIdentifier") or ""
    if cluster_id:
        c = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
        role = "member" if c.get("GlobalClusterIdentifier") else ""
        if role:
            role = _global_roles(aws).get(c.get("DBClusterArn", ""), "member")
        dbs.append(cluster_record(c, tagged=_has_tag(c, rule), global_role=role))
        members = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster_id]}])
        known = {d.key for d in dbs}
        dbs += [
            instance_record(i, tagged=_has_tag(i, rule))
            for i in members["DBInstances"]
            if ("instance", i["DBInstanceIdentifier"]) not in known
        ]
    return Inventory.of(dbs)


def find_database(aws: Aws, name: str, rule: TagRule | None = None) -> Inventory:
    """``describe_target`` for a name that may be a cluster or an instance (cluster first)."""
    try:
        return describe_target(aws, "cluster", name, rule)
    except NotFound:
        return describe_target(aws, "instance", name, rule)
