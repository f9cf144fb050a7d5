"""The IRSA feature's ``chatops`` sub-commands: the offline trust and permission checks
(``handlers.irsa.cli``), which need no cloud access."""

from __future__ import annotations

from handlers.base import Tool
from handlers.irsa.cli import check_permission_main, check_trust_main

TOOLS = (
    Tool(
        "check-trust",
        "does a trust policy admit a service account? exit 0 admitted, 1 not, 2 bad input",
        check_trust_main,
    ),
    Tool(
        "check-permission",
        "do identity policies allow an action? exit 0 allowed, 1 denied, 2 bad input",
        check_permission_main,
    ),
)
