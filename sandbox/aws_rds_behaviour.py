"""Where moto's RDS is more lenient than AWS, make the in-process moto server answer as AWS does.

moto stops and starts instantly and accepts StopDBCluster on any cluster and StopDBInstance on an
Aurora member or on the source of a read replica. Here, on the sandbox's moto server:

- Stop/Start DBCluster/DBInstance first ask ``sandbox.worlds.rds_rules``; a refusal is answered
  with that row's error code and message, and nothing changes.
- An accepted call leaves the database ``stopping`` (or ``starting``), members of a cluster with
  it; it becomes ``stopped`` (or ``available``) when ``settle()`` is called (the world's tick) or,
  once a clock was given with ``use_clock``, when that clock has passed ``TAKES`` since the call.
  Describe calls settle what is due first. Nothing here sleeps or reads the wall clock.

``install()`` patches moto's ``RDSBackend`` class once per process; ``MotoSandbox.start`` calls it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.worlds.rds_rules import TRANSITIONS, Facts, refusal

TAKES = timedelta(minutes=5)  # sandbox time a stop or start takes when a clock drives it

_lock = threading.RLock()
_clock: Callable[[], datetime] | None = None
_installed = False


@dataclass
class _Pending:
    objects: tuple[Any, ...]
    final: str
    due: datetime | None


_pending: list[_Pending] = []


def use_clock(clock: Callable[[], datetime] | None) -> None:
    """Let ``clock`` (the sandbox clock) decide when transitions end; None: only ``settle()`` does."""
    global _clock
    with _lock:
        _clock = clock


def settle(*, everything: bool = True) -> int:
    """End transitions: all of them (the world's tick), or only those the clock says are due."""
    with _lock:
        now = _clock() if _clock is not None else None
        done = [p for p in _pending if everything or (now is not None and p.due is not None and now >= p.due)]
        for p in done:
            for obj in p.objects:
                obj.status = p.final
            _pending.remove(p)
        return len(done)


def pending() -> int:
    with _lock:
        return len(_pending)


def cluster_facts(c: Any) -> Facts:
    return Facts(
        "cluster",
        c.db_cluster_identifier,
        c.engine or "",
        c.status,
        c.engine_mode or "provisioned",
        bool(c.multi_az),
        "",
        c.replication_source_identifier or "",
        tuple(c.read_replica_identifiers or ()),
        c.global_cluster_identifier or "",
    )


def instance_facts(i: Any) -> Facts:
    return Facts(
        "instance",
        i.db_instance_identifier,
        i.engine or "",
        i.status,
        "provisioned",
        bool(i.multi_az),
        getattr(i, "db_cluster_identifier", None) or "",
        i.source_db_instance_identifier or "",
        tuple(i.replicas or ()),
    )


def _check(facts: Facts, action: str) -> None:
    from moto.rds.exceptions import RDSClientError

    rule = refusal(facts, action)
    if rule is not None:
        raise RDSClientError(*rule.error(facts))


def _begin(objects: tuple[Any, ...], action: str) -> None:
    during, final = TRANSITIONS[action]
    with _lock:
        for obj in objects:
            obj.status = during
        due = _clock() + TAKES if _clock is not None else None
        _pending.append(_Pending(objects, final, due))


def _members(backend: Any, cluster_id: str) -> tuple[Any, ...]:
    return tuple(i for i in backend.databases.values() if getattr(i, "db_cluster_identifier", None) == cluster_id)


def install() -> None:
    """Patch moto's RDS backend (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.rds.models import RDSBackend

        original = {
            name: getattr(RDSBackend, name)
            for name in (
                "stop_db_cluster",
                "start_db_cluster",
                "stop_db_instance",
                "start_db_instance",
                "describe_db_clusters",
                "describe_db_instances",
            )
        }

        def cluster_call(action: str) -> Callable[..., Any]:
            def call(self: Any, cluster_identifier: str) -> Any:
                settle(everything=False)
                cluster = self.clusters.get(cluster_identifier)
                if cluster is None:
                    return original[f"{action}_db_cluster"](self, cluster_identifier)
                _check(cluster_facts(cluster), action)
                original[f"{action}_db_cluster"](self, cluster_identifier)
                _begin((cluster, *_members(self, cluster.db_cluster_identifier)), action)
                return cluster

            return call

        def instance_call(action: str) -> Callable[..., Any]:
            def call(self: Any, db_instance_identifier: str, *args: Any) -> Any:
                settle(everything=False)
                found = self.databases.get(db_instance_identifier)
                if found is None:
                    return original[f"{action}_db_instance"](self, db_instance_identifier, *args)
                _check(instance_facts(found), action)
                original[f"{action}_db_instance"](self, db_instance_identifier, *args)
                _begin((found,), action)
                return found

            return call

        def describing(name: str) -> Callable[..., Any]:
            def call(self: Any, *args: Any, **kwargs: Any) -> Any:
                settle(everything=False)
                return original[name](self, *args, **kwargs)

            return call

        RDSBackend.stop_db_cluster = cluster_call("stop")
        RDSBackend.start_db_cluster = cluster_call("start")
        RDSBackend.stop_db_instance = instance_call("stop")
        RDSBackend.start_db_instance = instance_call("start")
        RDSBackend.describe_db_clusters = describing("describe_db_clusters")
        RDSBackend.describe_db_instances = describing("describe_db_instances")
        _installed = True
