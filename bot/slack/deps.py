"""What the listeners are handed: the services they call. Built by ``bot.bootstrap``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import Msg
from bot.services.apply import ApplyService
from bot.services.authz import Authorizer
from bot.services.core import Services
from bot.services.plans import PlanService
from bot.services.reports import ReportService
from bot.services.requests import RequestService


@dataclass(frozen=True)
class Builtin:
    """A built-in ``/ops`` sub-command contributed by a feature (reports, rds, ...).

    ``handle(deps, cmd, command, respond)`` runs in the lazy half of the slash command; ``usage``
    lines feed ``/ops help``.
    """

    name: str
    usage: tuple[tuple[str, Msg], ...]
    handle: Callable[..., None]


@dataclass
class Deps:
    services: Services
    requests: RequestService
    plans: PlanService
    applier: ApplyService
    reports: ReportService
    authz: Authorizer | None = None  # the authorization policy's checks (bot.services.authz)
    builtins: dict[str, Builtin] = field(default_factory=dict)

    def add_builtin(self, builtin: Builtin) -> None:
        self.builtins[builtin.name] = builtin

    @property
    def authorizer(self) -> Authorizer:
        if self.authz is None:
            self.authz = Authorizer(self.services.settings, self.services.approvers, contexts=self.services.contexts)
        return self.authz

    def builtin_usage(self) -> list[tuple[str, Msg]]:
        return [line for b in self.builtins.values() for line in b.usage]
