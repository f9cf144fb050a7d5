"""``chatops_plans{status}``: plans by status, counted in the database when ``/metrics`` is scraped.

A gauge read at scrape time rather than counters of transitions: plans change status in every
replica and in every worker, and a killed replica's plan is settled by
another one's start, so no single process sees every transition; the table is where they all meet.
The query is one ``GROUP BY`` over an indexed column (``ix_plans_status``). Every status is reported,
zero included, so an alert on ``chatops_plans{status="applying"} > 0`` needs no ``absent()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.domain import PlanStatus
from bot.store.jobs import JobStore
from bot.store.models import PlanRow

log = logging.getLogger(__name__)


class PlanStatusCollector(Collector):
    """Collects ``chatops_plans`` from the engine ``engine()`` returns (read on every scrape)."""

    def __init__(self, engine: Callable[[], Engine]):
        self._engine = engine

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily("chatops_plans", "Plans by status (from the database)", labels=["status"])]

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily("chatops_plans", "Plans by status (from the database)", labels=["status"])
        try:
            with self._engine().connect() as conn:
                rows = conn.execute(select(PlanRow.status, func.count()).group_by(PlanRow.status)).all()
        except SQLAlchemyError as exc:  # the database is down: no sample (/readyz says so), never a 500
            log.warning("plans by status not read for /metrics", extra={"error": type(exc).__name__})
            return []
        counts = {str(status): 0 for status in PlanStatus}
        counts.update({str(status): int(n) for status, n in rows})
        for status, n in sorted(counts.items()):
            family.add_metric([status], n)
        return [family]


class JobCollector(Collector):
    """``chatops_jobs{state}``, ``chatops_jobs_retried`` and ``chatops_jobs_oldest_queued_seconds``,
    counted in the jobs table on every scrape (the table is where every process's jobs meet)."""

    def __init__(self, jobs: Callable[[], JobStore]):
        self._jobs = jobs

    def _families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "chatops_jobs", "Jobs by state: queued, running, failed (from the database)", labels=["state"]
            ),
            GaugeMetricFamily(
                "chatops_jobs_retried", "Jobs claimed more than once (a worker died or an attempt failed)"
            ),
            GaugeMetricFamily("chatops_jobs_oldest_queued_seconds", "Age of the oldest job waiting for a worker"),
        )

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        try:
            counts = self._jobs().counts()
        except SQLAlchemyError as exc:  # the database is down: no sample (/readyz says so), never a 500
            log.warning("jobs not counted for /metrics", extra={"error": type(exc).__name__})
            return []
        by_state, retried, oldest = self._families()
        for state, n in (("queued", counts.queued), ("running", counts.running), ("failed", counts.failed)):
            by_state.add_metric([state], n)
        retried.add_metric([], counts.retried)
        oldest.add_metric([], counts.oldest_queued_seconds)
        return [by_state, retried, oldest]
