"""RDS and Aurora stop/start schedules: the diagnoser and its plan operations.

``DIAGNOSER`` answers intent ``rds_schedule`` (``/ops rds ...``); ``OPERATIONS`` are ``rds.stop``
and ``rds.start``. The schedule and override steps (``rds.schedule.upsert``,
``rds.override.add``) are implemented by the bot layer in ``bot.scheduler.plan_ops``.
"""

from handlers.base import Feature
from handlers.rds.diagnoser import DIAGNOSER
from handlers.rds.operations import OPERATIONS

FEATURE = Feature(name="rds", diagnosers=(DIAGNOSER,), operations=OPERATIONS)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
