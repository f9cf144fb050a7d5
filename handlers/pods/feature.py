"""The pods feature as the registry lists it: ``FEATURE`` and the parts it is made of
(imported by ``handlers.pods`` on first use)."""

from handlers.base import Feature
from handlers.pods.commands import DELETE_POD, DIAGNOSER, OPERATIONS, DeletePod, PodsDiagnoser
from handlers.pods.health import SECTION
from handlers.pods.signals import SIGNALS

FEATURE = Feature(name="pods", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,), signals=SIGNALS)

__all__ = ["DELETE_POD", "DIAGNOSER", "FEATURE", "OPERATIONS", "DeletePod", "PodsDiagnoser"]
