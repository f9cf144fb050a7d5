"""Everyday pod commands (``commands``: ``/ops pods``, ``/ops events``, ``/ops restart``) and the
health report's catch-all section of pods not ready for too long (``health``)."""

from handlers.base import Feature
from handlers.pods.commands import DELETE_POD, DIAGNOSER, OPERATIONS, DeletePod, PodsDiagnoser
from handlers.pods.health import SECTION

FEATURE = Feature(name="pods", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,))

__all__ = ["DELETE_POD", "DIAGNOSER", "FEATURE", "OPERATIONS", "DeletePod", "PodsDiagnoser"]
