"""The algorithm of a typical tag-driven stop Lambda, re-implemented to count its API calls. Benchmark only.

The Lambda described every instance and cluster, then called ``list_tags_for_resource`` once
per database and stopped the tagged ones (1 + N calls). ``count_calls`` runs it (without
stopping anything) beside our discovery on the same world and reports both call counts:
``seed_lambda_api_calls`` and ``rds_sweep_api_calls``. The product never uses this module.
"""

from __future__ import annotations

from bot.cloud.aws import Aws
from bot.cloud.counter import CallCounter
from handlers.rds.discovery import discover
from handlers.rds.model import TagRule


def seed_lambda_tagged(aws: Aws, rule: TagRule) -> list[str]:
    """Describe everything, then one tag lookup per database (the Lambda's 1 + N pattern)."""
    rds = aws.client("rds")
    found: list[str] = []
    arns = [
        c["DBClusterArn"] for page in rds.get_paginator("describe_db_clusters").paginate() for c in page["DBClusters"]
    ]
    arns += [
        i["DBInstanceArn"]
        for page in rds.get_paginator("describe_db_instances").paginate()
        for i in page["DBInstances"]
    ]
    for arn in arns:
        tags = rds.list_tags_for_resource(ResourceName=arn)["TagList"]
        if any(t["Key"] == rule.key and t["Value"] == rule.value for t in tags):
            found.append(arn)
    return found


def count_calls(aws: Aws, rule: TagRule | None = None) -> dict[str, int]:
    """API calls of the Lambda's algorithm and of our discovery over the same account."""
    rule = rule or TagRule()
    lam = Aws(session=aws.session, region=aws.region, counter=CallCounter())
    lambda_found = seed_lambda_tagged(lam, rule)
    ours = Aws(session=aws.session, region=aws.region, counter=CallCounter())
    inv = discover(ours, rule)
    return {
        "seed_lambda_api_calls": lam.counter.total(),
        "rds_sweep_api_calls": ours.counter.total(),
        "tagged_found_lambda": len(lambda_found),
        "tagged_found_sweep": sum(1 for d in inv.databases if d.tagged),
    }
