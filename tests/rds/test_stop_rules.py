"""Stop/start rules checked against the API reference without moto: RDS Custom instances, and an
instance of a Multi-AZ DB cluster (acted on through its cluster, which AWS cannot stop)."""

from __future__ import annotations

from handlers.rds.api import decide
from handlers.rds.model import Database, Inventory
from sandbox.worlds.rds_rules import Facts, refusal


def test_rds_custom_instance_is_refused():
    db = Database("instance", "erp-custom", engine="custom-oracle-ee", db_class="db.m5.xlarge")
    for action in ("stop", "start"):
        decision = decide(Inventory.of([db]), db, action)
        assert decision.outcome == "refuse" and decision.code == "rds.refuse.rds_custom"
        assert "RDS Custom" in decision.reason.en and "RDS Custom" in decision.reason.ko
    assert refusal(Facts("instance", "erp-custom", "custom-oracle-ee", "available"), "stop").id == "rds_custom"


def test_instance_of_a_multi_az_db_cluster_is_refused_through_its_cluster():
    cluster = Database(
        "cluster", "orders-db", engine="postgres", db_class="db.m6gd.large", members=("orders-db-instance-1",)
    )
    member = Database(
        "instance", "orders-db-instance-1", engine="postgres", db_class="db.m6gd.large", cluster_id="orders-db"
    )
    decision = decide(Inventory.of([cluster, member]), member, "stop")
    assert decision.redirected and decision.key == ("cluster", "orders-db")
    assert decision.outcome == "refuse" and decision.code == "rds.refuse.multi_az_cluster"


def test_aurora_cluster_still_stops():
    cluster = Database("cluster", "portal", engine="aurora-postgresql", members=("portal-1",))
    member = Database("instance", "portal-1", engine="aurora-postgresql", cluster_id="portal")
    decision = decide(Inventory.of([cluster, member]), member, "stop")
    assert (decision.outcome, decision.api) == ("call", "stop_db_cluster")
    assert refusal(Facts("cluster", "portal", "aurora-postgresql", "available"), "stop") is None
