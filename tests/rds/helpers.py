"""Shared helpers for the RDS tests: fixture loading, a settable clock, KST times, plan application."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import PlanStep
from handlers.rds.discovery import cluster_record, instance_record
from handlers.rds.model import Inventory
from tests.steps import run_steps

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rds"
KST = ZoneInfo("Asia/Seoul")


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_inventory(tag: tuple[str, str] = ("autostop", "yes")) -> Inventory:
    raw = load("describe_world.json")
    roles = raw.get("GlobalClusterRoles", {})
    dbs = [
        cluster_record(
            c,
            tagged=(tag[0], tag[1]) in {(t["Key"], t["Value"]) for t in c["TagList"]},
            global_role=roles.get(c["DBClusterArn"], ""),
        )
        for c in raw["DBClusters"]
        if c["Engine"] != "neptune"
    ]
    dbs += [
        instance_record(i, tagged=(tag[0], tag[1]) in {(t["Key"], t["Value"]) for t in i["TagList"]})
        for i in raw["DBInstances"]
    ]
    return Inventory.of(dbs)


def kst(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=KST).astimezone(UTC)


class Clock:
    """A settable clock: ``clock()`` returns ``now``; ``advance`` moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


def apply_step(op: Any, ctx: Any, step: PlanStep) -> Any:
    """What the services layer does: read -> compare with before -> apply; what ``op`` read back."""
    [done] = run_steps(ctx, [step], lambda name: op)
    return done.observed


def seed_read_replica(aws: Any) -> None:
    """A MySQL instance ``ledger-db`` with its read replica ``ledger-ro`` (neither can be stopped)."""
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="ledger-db",
        Engine="mysql",
        DBInstanceClass="db.t3.small",
        AllocatedStorage=20,
        MasterUsername="ledger",
        MasterUserPassword="sandbox-password-1",
    )
    rds.create_db_instance_read_replica(DBInstanceIdentifier="ledger-ro", SourceDBInstanceIdentifier="ledger-db")
