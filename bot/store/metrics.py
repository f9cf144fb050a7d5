"""``chatops_plans{status}``: plans by status, counted in the database when ``/metrics`` is scraped.

A gauge read at scrape time rather than counters of transitions: plans change status in every
replica, in the lazy workers and in the scheduler process, and a killed replica's plan is settled by
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
