"""The sysctl feature as the registry lists it: ``FEATURE`` and the parts it is made of
(imported by ``handlers.sysctl`` on first use)."""

from handlers.base import Feature
from handlers.sysctl.diagnoser import DIAGNOSER
from handlers.sysctl.health import SECTION
from handlers.sysctl.operations import OPERATIONS
from handlers.sysctl.signals import SIGNALS

FEATURE = Feature(name="sysctl", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,), signals=SIGNALS)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
