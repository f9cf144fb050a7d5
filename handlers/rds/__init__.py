"""RDS and Aurora stop/start schedules: the diagnoser and its plan operations.

``DIAGNOSER`` answers intent ``rds_schedule`` (``/ops rds ...``); ``OPERATIONS`` are ``rds.stop``
and ``rds.start`` (``handlers.rds.operations``) and the schedule and override steps
``rds.schedule.upsert`` and ``rds.override.add`` (``handlers.rds.schedule_ops``), which write the
bot's tables through the store the composition root puts in ``ctx.ports``.
"""

from handlers.base import Feature
from handlers.rds.diagnoser import DIAGNOSER
from handlers.rds.inputs import build_ports
from handlers.rds.operations import OPERATIONS as DATABASE_OPERATIONS
from handlers.rds.schedule_ops import OPERATIONS as SCHEDULE_OPERATIONS

OPERATIONS = (*DATABASE_OPERATIONS, *SCHEDULE_OPERATIONS)

FEATURE = Feature(
    name="rds",
    diagnosers=(DIAGNOSER,),
    operations=OPERATIONS,
    ports=build_ports,
    migrations="handlers.rds.migrations",
)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
