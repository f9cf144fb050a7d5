"""Discovery against moto counts O(pages) calls; the Lambda's algorithm counts 1 + N."""

from __future__ import annotations

from bot.cloud.aws import Aws
from bot.cloud.counter import CallCounter
from handlers.rds.discovery import describe_target, discover
from handlers.rds.lambda_baseline import count_calls
from handlers.rds.model import TagRule
from sandbox.worlds.rds import seed_many_databases


def test_world_is_discovered_with_the_member_tag(rds_world):
    aws, facts = rds_world
    counted = Aws(region=aws.region, max_attempts=1, counter=CallCounter())
    inv = discover(counted)
    portal, member = inv.get("cluster", "portal"), inv.get("instance", "portal-rds-1")
    assert (portal.engine, portal.members, portal.tagged) == ("aurora-mysql", ("portal-rds-1",), False)
    assert (member.cluster_id, member.db_class, member.tagged) == ("portal", "db.r6g.large", True)
    assert inv.get("instance", "billing-db").engine == "postgres"
    assert facts["member_arn"] == member.arn
    assert counted.counter.snapshot() == {
        "tagging:GetResources": 1,
        "rds:DescribeDbClusters": 1,
        "rds:DescribeDbInstances": 1,
    }


def test_custom_tag_rule_and_single_target_lookup(rds_world):
    aws, facts = rds_world
    aws.client("rds").add_tags_to_resource(
        ResourceName=facts["instance_arn"], Tags=[{"Key": "schedule", "Value": "office-hours"}]
    )
    assert discover(aws, TagRule("autostop", "yes")).get("instance", "billing-db").tagged is False
    assert discover(aws, TagRule.parse("schedule=office-hours")).get("instance", "billing-db").tagged is True
    one = describe_target(aws, "instance", "portal-rds-1")
    assert sorted(d.key for d in one.databases) == [("cluster", "portal"), ("instance", "portal-rds-1")]


def test_thousand_tagged_databases_cost_a_handful_of_calls(rds_world):
    aws, _ = rds_world
    assert seed_many_databases(aws, 1000) == {"databases": 1000, "tagged": 900}
    counts = count_calls(aws)
    # 1,003 databases: O(pages), i.e. a few calls per 100 databases (moto's tagging API returns
    # about 50 resources per page where AWS returns 100), never one call per database.
    pages = -(-1003 // 100)
    assert counts["rds_sweep_api_calls"] <= 3 * pages + 2, counts
    assert counts["seed_lambda_api_calls"] >= 1003, counts
    assert counts["tagged_found_sweep"] == counts["tagged_found_lambda"] == 901
