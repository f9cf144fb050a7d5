"""What the listeners are handed: the services they call. Built by ``bot.bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.apply import ApplyService
from bot.services.core import Services
from bot.services.plans import PlanService
from bot.services.requests import RequestService


@dataclass
class Deps:
    services: Services
    requests: RequestService
    plans: PlanService
    applier: ApplyService
    extras: dict[str, Any] = field(default_factory=dict)
