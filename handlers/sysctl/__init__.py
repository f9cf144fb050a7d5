"""Sysctl and TCP keepalive requests: version-aware diagnosis and generated node configuration.

``FEATURE`` (listed by ``handlers.registry``) holds ``DIAGNOSER`` and ``OPERATIONS``.
Modules: ``knowledge`` (Kubernetes' sysctl rules by version), ``facts`` (records), ``keepalive``
(why and which values), ``advice`` (decisions), ``nodeconfig`` + ``eksctl_schema`` (generated
node configuration), ``collect`` (I/O), ``al2_eol`` (Amazon Linux 2 end of support), ``analyse``
(evidence -> diagnosis), ``operations`` (plan steps), ``diagnoser`` (the entry point).
"""

from handlers.base import Feature
from handlers.sysctl.diagnoser import DIAGNOSER
from handlers.sysctl.health import SECTION
from handlers.sysctl.operations import OPERATIONS

FEATURE = Feature(name="sysctl", diagnosers=(DIAGNOSER,), operations=OPERATIONS, health=(SECTION,))

__all__ = ["DIAGNOSER", "FEATURE", "OPERATIONS"]
