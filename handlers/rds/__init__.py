"""RDS and Aurora stop/start schedules: the diagnoser, its plan operations and the sweep.

``DIAGNOSER`` answers intent ``rds_schedule`` (``/ops rds ...``); ``OPERATIONS`` are ``rds.stop``
and ``rds.start`` (``handlers.rds.operations``) and the schedule and override steps
``rds.schedule.upsert`` and ``rds.override.add`` (``handlers.rds.schedule_ops``), which write the
feature's tables through the store in ``ctx.ports``. ``persistence`` holds those tables and the
store over them; ``migrations/`` their revisions. ``JOBS`` is the schedule sweep
(``handlers.rds.sweep_job``); ``REPORT`` the weekly schedule report (``handlers.rds.report_kind``).
"""

from handlers.base import Feature
from handlers.rds.diagnoser import DIAGNOSER
from handlers.rds.form import FORM
from handlers.rds.home import home_lines
from handlers.rds.inputs import build_ports
from handlers.rds.operations import OPERATIONS as DATABASE_OPERATIONS
from handlers.rds.persistence import build_store
from handlers.rds.report_kind import REPORT
from handlers.rds.schedule_ops import OPERATIONS as SCHEDULE_OPERATIONS
from handlers.rds.settings import RdsSettings
from handlers.rds.sweep_job import JOBS

OPERATIONS = (*DATABASE_OPERATIONS, *SCHEDULE_OPERATIONS)

FEATURE = Feature(
    name="rds",
    diagnosers=(DIAGNOSER,),
    operations=OPERATIONS,
    settings=RdsSettings,
    store=build_store,
    ports=build_ports,
    migrations="handlers.rds.migrations",
    jobs=JOBS,
    reports=(REPORT,),
    forms=(FORM,),
    home_lines=home_lines,
)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
