"""Repository of the spine tables: the only place that writes SQL for requests, plans, step runs and audit.

``Repo`` is the queries of each (``bot.store.request_queries``, ``plan_queries``,
``audit_queries``) over one session factory. Each method is one short transaction of its own, unless
it runs inside a unit of work (``with repo.unit() as uow: ...; uow.commit()``, ``bot.store.unit``):
then every method called in that block, in this thread, joins the unit's one transaction. What
comes back is a frozen record (``bot.store.records``), never a SQLAlchemy row.
"""

from __future__ import annotations

from bot.store.audit_queries import AuditQueries
from bot.store.plan_queries import PlanQueries
from bot.store.request_queries import RequestQueries


class Repo(RequestQueries, PlanQueries, AuditQueries):
    """Every query of the spine tables, sharing one session factory and unit of work."""
