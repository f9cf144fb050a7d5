"""Frozen records for RDS and Aurora: what a database is, what the bot remembers doing to it.

Pure data with no I/O. ``handlers.rds.discovery`` builds an ``Inventory`` from AWS; ``api``,
``schedule``, ``sweep`` and ``report`` read it; ``bot.scheduler`` converts its database rows
into ``ActionRecord`` before handing them to the pure modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["cluster", "instance"]

# Statuses grouped by what they mean for a schedule. Anything else (modifying, backing-up,
# upgrading, ...) is "busy": running and billed, but not in a state AWS lets us stop.
RUNNING_STATUSES = frozenset({"available"})
STOPPED_STATUSES = frozenset({"stopped"})
STOPPING_STATUSES = frozenset({"stopping"})
STARTING_STATUSES = frozenset({"starting"})


@dataclass(frozen=True)
class TagRule:
    """The tag that adopts a database for scheduling (``autostop=yes`` by default)."""

    key: str = "autostop"
    value: str = "yes"

    @staticmethod
    def parse(text: str) -> TagRule:
        key, _, value = text.partition("=")
        return TagRule(key.strip() or "autostop", value.strip() or "yes")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


@dataclass(frozen=True)
class Database:
    """One RDS DB instance or Aurora/Multi-AZ DB cluster as DescribeDB* reports it.

    ``cluster_id`` is set on instances that are cluster members; ``members`` on clusters.
    ``replica_source``/``replicas`` describe read replication (instance or cluster level).
    ``global_role`` is "", "primary" or "secondary" for members of an Aurora global database.
    ``tagged`` says whether the adoption tag sits on this very resource.
    """

    kind: Kind
    id: str
    arn: str = ""
    engine: str = ""
    engine_mode: str = ""
    db_class: str = ""
    status: str = "available"
    cluster_id: str = ""
    members: tuple[str, ...] = ()
    replica_source: str = ""
    replicas: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    multi_az: bool = False
    global_role: str = ""
    tagged: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    @property
    def is_aurora(self) -> bool:
        return self.engine.startswith("aurora")

    @property
    def state(self) -> str:
        """running | stopped | stopping | starting | busy (see the status sets above)."""
        if self.status in RUNNING_STATUSES:
            return "running"
        if self.status in STOPPED_STATUSES:
            return "stopped"
        if self.status in STOPPING_STATUSES:
            return "stopping"
        if self.status in STARTING_STATUSES:
            return "starting"
        return "busy"

    def __str__(self) -> str:
        where = f" in cluster {self.cluster_id}" if self.cluster_id else ""
        return f"{self.kind} {self.id} ({self.engine} {self.db_class}, {self.status}){where}"


@dataclass(frozen=True)
class Inventory:
    """Every database discovery found, indexed by (kind, id)."""

    databases: tuple[Database, ...] = ()
    by_key: Mapping[tuple[str, str], Database] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(databases: Iterable[Database]) -> Inventory:
        dbs = tuple(sorted(databases, key=lambda d: (d.kind, d.id)))
        return Inventory(dbs, {d.key: d for d in dbs})

    def get(self, kind: str, ident: str) -> Database | None:
        return self.by_key.get((kind, ident))

    def find(self, name: str) -> Database | None:
        """A database by identifier or ARN; a cluster wins over an instance of the same name."""
        for db in self.databases:
            if db.arn and db.arn == name:
                return db
        return self.get("cluster", name) or self.get("instance", name)

    def members_of(self, cluster: Database) -> tuple[Database, ...]:
        found = [self.get("instance", m) for m in cluster.members]
        return tuple(d for d in found if d is not None)

    def cluster_of(self, instance: Database) -> Database | None:
        return self.get("cluster", instance.cluster_id) if instance.cluster_id else None

    def classes_of(self, db: Database) -> tuple[str, ...]:
        """Instance classes billed while ``db`` runs (a cluster bills each member)."""
        if db.kind == "cluster":
            classes = tuple(m.db_class for m in self.members_of(db) if m.db_class)
            return classes or ((db.db_class,) if db.db_class else ())
        return (db.db_class,) if db.db_class else ()


@dataclass(frozen=True)
class ActionRecord:
    """One row of the action log: a stop or start the bot did (or observed), and why.

    ``cause`` is ``schedule:<id>``, ``user:<slack id>`` or ``self_restart``; ``result`` is
    ``ok``, ``failed``, ``refused``, ``noop`` or ``observed`` (an AWS auto-start we noticed).
    """

    at: datetime
    target_kind: str
    target_id: str
    action: str
    cause: str
    result: str = "ok"
    detail: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.target_kind, self.target_id)

    def __str__(self) -> str:
        target = f"{self.target_kind}:{self.target_id}"
        return f"{self.at.isoformat()} {self.action} {target} ({self.cause}, {self.result})"
