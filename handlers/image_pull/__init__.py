"""Pods stuck in ErrImagePull / ImagePullBackOff: diagnose down to the subnet and fix.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``. Modules: ``collect`` (batched
I/O), ``network`` + ``rules`` (pure VPC path analysis), ``analyse`` + ``explain`` (grouping and
words), ``plan`` + ``plan_network`` + ``steps`` (fix plans), ``operations`` +
``operations_more`` (apply/read/revert), ``verify`` (wait for replacements), ``diagnoser``.
"""

from __future__ import annotations

from handlers.base import Feature
from handlers.image_pull.diagnoser import ImagePullDiagnoser, triage_call_counts
from handlers.image_pull.health import SECTION
from handlers.image_pull.operations import DefaultRoute, SecurityGroupRule443, VpcDnsAttributes, VpcEndpoint
from handlers.image_pull.operations_more import (
    DeletePods,
    PullThroughCacheRule,
    RolePolicyAttachment,
    WorkloadImage,
)

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
FEATURE = Feature(name="image_pull", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,))

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS", "ImagePullDiagnoser", "triage_call_counts"]
