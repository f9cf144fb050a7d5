"""Which API to call, or AWS's reason to refuse, decided from fixture describe output."""

from __future__ import annotations

import pytest

from handlers.rds.api import decide
from tests.rds.helpers import fixture_inventory


@pytest.fixture(scope="module")
def inv():
    return fixture_inventory()


def _decide(inv, name, action="stop"):
    return decide(inv, inv.find(name), action)


def test_aurora_member_is_redirected_to_its_cluster(inv):
    d = _decide(inv, "portal-rds-1")
    assert (d.outcome, d.api, d.kind, d.id, d.redirected) == (
        "call",
        "stop_db_cluster",
        "cluster",
        "portal",
        True,
    )
    start = decide(inv, inv.find("portal-rds-1"), "start")
    assert (start.outcome, start.id) == ("noop", "portal")


def test_standalone_instance_uses_instance_api(inv):
    d = _decide(inv, "billing-db")
    assert (d.outcome, d.api, d.kind) == ("call", "stop_db_instance", "instance")


@pytest.mark.parametrize(
    "name, code, aws_text",
    [
        ("reports-db-ro", "rds.refuse.read_replica", "Cannot stop or start a Read-Replica instance"),
        ("reports-db", "rds.refuse.replica_source", "has a read replica"),
        ("erp-mssql", "rds.refuse.sqlserver_multi_az", "Multi-AZ"),
        ("legacy-sls", "rds.refuse.serverless", "Aurora Serverless v1"),
        ("orders-dr-1", "rds.refuse.global_secondary", "global database"),
        ("search", "rds.refuse.member_state", "search-2 (modifying)"),
        ("etl-db", "rds.refuse.instance_state", "Instance etl-db is not in available state."),
    ],
)
def test_refusals_carry_the_aws_reason(inv, name, code, aws_text):
    d = _decide(inv, name)
    assert d.outcome == "refuse"
    assert d.code == code
    assert aws_text in d.aws_error or aws_text in d.reason.en
    assert d.source.startswith("https://docs.aws.amazon.com/")
    assert d.reason.ko and d.reason.ko != d.reason.en


def test_stopped_cluster_is_a_noop_for_stop_and_a_call_for_start(inv):
    assert _decide(inv, "paused").outcome == "noop"
    assert _decide(inv, "paused-1").outcome == "noop"
    start = _decide(inv, "paused-1", "start")
    assert (start.outcome, start.api, start.id) == ("call", "start_db_cluster", "paused")


def test_foreign_engines_are_not_in_the_inventory(inv):
    assert inv.find("graph") is None


def test_unknown_action_is_a_programming_error(inv):
    with pytest.raises(ValueError):
        _decide(inv, "billing-db", "reboot")
