"""The image_pull feature as the registry lists it: ``FEATURE`` and the parts it is made of
(imported by ``handlers.image_pull`` on first use)."""

from __future__ import annotations

from handlers.base import Feature
from handlers.image_pull.diagnoser import ImagePullDiagnoser, triage_call_counts
from handlers.image_pull.health import SECTION
from handlers.image_pull.operations_registry import PullThroughCacheRule, RolePolicyAttachment
from handlers.image_pull.operations_vpc import DefaultRoute, SecurityGroupRule443, VpcDnsAttributes, VpcEndpoint
from handlers.image_pull.operations_workloads import DeletePods, WorkloadImage
from handlers.image_pull.signals import SIGNALS

DIAGNOSER = ImagePullDiagnoser()
OPERATIONS = (
    VpcEndpoint(),
    VpcDnsAttributes(),
    DefaultRoute(),
    SecurityGroupRule443(),
    RolePolicyAttachment(),
    PullThroughCacheRule(),
    WorkloadImage(),
    DeletePods(),
)
FEATURE = Feature(name="image_pull", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,), signals=SIGNALS)

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS", "ImagePullDiagnoser", "triage_call_counts"]
