"""The rds feature as the registry lists it: ``FEATURE`` and the parts it is made of
(imported by ``handlers.rds`` on first use)."""

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
from handlers.rds.signals import SIGNALS
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
    signals=SIGNALS,
    home_lines=home_lines,
)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
