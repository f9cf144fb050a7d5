"""The sandbox's moto answers RDS stops and starts as AWS does: refusals from the world's table,
"stopping"/"starting" first, and the end state only when the world ticks or its clock says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from sandbox import aws_rds_behaviour
from sandbox.worlds.rds import seed_multi_az_cluster, seed_rds_world, tick
from tests.rds.helpers import seed_read_replica


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def world(moto_sandbox):
    from sandbox.aws import WorldAws

    moto_sandbox.reset()
    aws = WorldAws()
    seed_rds_world(aws)
    seed_multi_az_cluster(aws)
    seed_read_replica(aws)
    yield aws
    aws_rds_behaviour.use_clock(None)


def _code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def _cluster(aws, ident):
    return aws.client("rds").describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]["Status"]


def _instance(aws, ident):
    return aws.client("rds").describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]["DBInstanceStatus"]


def test_aws_refusals_moto_would_accept(world):
    rds = world.client("rds")
    assert _code(rds.stop_db_cluster, DBClusterIdentifier="orders-db") == "InvalidDBClusterStateFault"
    assert _code(rds.stop_db_instance, DBInstanceIdentifier="portal-rds-1") == "InvalidParameterCombination"
    assert _code(rds.stop_db_instance, DBInstanceIdentifier="ledger-db") == "InvalidDBInstanceState"
    assert _code(rds.stop_db_instance, DBInstanceIdentifier="ledger-ro") == "InvalidDBInstanceState"
    assert _cluster(world, "orders-db") == "available" and _instance(world, "ledger-db") == "available"


def test_stop_and_start_pass_through_stopping_and_starting(world):
    rds = world.client("rds")
    assert rds.stop_db_cluster(DBClusterIdentifier="portal")["DBCluster"]["Status"] == "stopping"
    assert _cluster(world, "portal") == "stopping" and _instance(world, "portal-rds-1") == "stopping"
    assert _code(rds.stop_db_cluster, DBClusterIdentifier="portal") == "InvalidDBClusterStateFault"
    tick()
    assert _cluster(world, "portal") == "stopped" and _instance(world, "portal-rds-1") == "stopped"
    assert rds.start_db_cluster(DBClusterIdentifier="portal")["DBCluster"]["Status"] == "starting"
    tick()
    assert _cluster(world, "portal") == "available"


def test_the_sandbox_clock_ends_transitions(world):
    clock = Clock()
    aws_rds_behaviour.use_clock(clock)
    rds = world.client("rds")
    rds.stop_db_instance(DBInstanceIdentifier="billing-db")
    clock.now += aws_rds_behaviour.TAKES - timedelta(seconds=1)
    assert _instance(world, "billing-db") == "stopping"
    clock.now += timedelta(seconds=1)
    assert _instance(world, "billing-db") == "stopped"
    rds.start_db_instance(DBInstanceIdentifier="billing-db")
    assert _instance(world, "billing-db") == "starting"
    clock.now += aws_rds_behaviour.TAKES
    assert _instance(world, "billing-db") == "available"
    aws_rds_behaviour.use_clock(None)
