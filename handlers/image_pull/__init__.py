"""Pods stuck in ErrImagePull / ImagePullBackOff: diagnose down to the subnet and fix.

``handlers.registry`` lists ``DIAGNOSER`` and ``OPERATIONS``. Modules: ``collect`` (batched
I/O), ``network`` + ``rules`` (pure VPC path analysis), ``analyse`` + ``explain`` (grouping and
words), ``plan`` + ``plan_network`` + ``steps`` (fix plans), ``operations`` +
``operations_more`` (apply/read/revert), ``verify`` (wait for replacements), ``diagnoser``.
"""

from __future__ import annotations

from handlers.image_pull.diagnoser import ImagePullDiagnoser, triage_call_counts
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

__all__ = ["DIAGNOSER", "OPERATIONS", "ImagePullDiagnoser", "triage_call_counts"]
