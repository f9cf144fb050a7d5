"""The services container and the (de)serialisation of plans between domain and store."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.cloud.context import ClusterContext, FeaturePorts
from bot.domain import AuditEvent, AuditKind, FixPlan, Msg, PlanStep, Risk
from bot.services.approvers import Approvers
from bot.services.ports import ContextProvider, ThreadPort
from bot.settings import Settings
from bot.store.records import PlanRecord, RequestRecord
from bot.store.repo import Repo
from handlers import registry
from handlers.base import Operation


@dataclass
class Services:
    """Everything services need, built once by ``bot.bootstrap``."""

    settings: Settings
    repo: Repo
    thread: ThreadPort
    contexts: ContextProvider
    approvers: Approvers
    clock: Callable[[], datetime]
    # every plan operation by name: the registry's; tests may add operations of their own
    operations: dict[str, Operation] = field(default_factory=lambda: {op.name: op for op in registry.OPERATIONS})
    ports: FeaturePorts = field(default_factory=FeaturePorts)  # each feature's stores and settings
    # the requester's own time zone (Slack's users.info ``tz``), '' if unknown; the composition root sets it
    user_zone: Callable[[str], str] = field(default=lambda user: "")

    def context(
        self, cluster: str = "", user: str = "", requester_zone: str = "", approved_by: str = ""
    ) -> ClusterContext:
        """The cluster context for this piece of work: a copy carrying the features' ports and the
        facts of this call (the requester's time zone, the plan's approvers)."""
        ctx = self.contexts.get(cluster, user)
        return replace(ctx, ports=self.ports, requester_zone=requester_zone, approved_by=approved_by)

    def operation(self, name: str) -> Operation:
        """The plan operation called ``name``; ``KeyError`` for a name no feature has."""
        try:
            return self.operations[name]
        except KeyError:
            raise KeyError(f"unknown plan operation {name!r}") from None

    def audit(
        self,
        kind: AuditKind,
        actor: str,
        summary: str,
        req: RequestRecord | None = None,
        plan: PlanRecord | None = None,
        before: Any = None,
        after: Any = None,
        ref: str = "",
    ) -> None:
        self.repo.audit(
            AuditEvent(
                kind=kind,
                actor=actor,
                summary=summary[:2000],
                request_id=req.id if req else (plan.request_id if plan else None),
                plan_id=plan.id if plan else None,
                before=jsonable(before),
                after=jsonable(after),
                channel=req.channel if req else "",
                thread_ts=req.thread_ts if req else "",
                ref=ref,
            ),
            self.clock(),
        )


def jsonable(value: Any) -> Any:
    """Round-trip through JSON so only plain data reaches the database."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def same_state(a: Any, b: Any) -> bool:
    """Two step states are the same once both are plain JSON data."""
    return jsonable(a) == jsonable(b)


def msg_to_dict(msg: Msg) -> dict[str, str]:
    return {"en": msg.en, "ko": msg.ko}


def msg_from(d: Mapping[str, str]) -> Msg:
    return Msg(d.get("en", ""), d.get("ko", d.get("en", "")))


def step_to_dict(step: PlanStep) -> dict[str, Any]:
    return {
        "op": step.op,
        "params": jsonable(dict(step.params)),
        "before": jsonable(step.before),
        "after": jsonable(step.after),
        "description": msg_to_dict(step.description),
        "risk": str(step.risk),
    }


def step_from(d: Mapping[str, Any]) -> PlanStep:
    return PlanStep(
        d["op"], d["params"], d["before"], d["after"], msg_from(d["description"]), Risk(d.get("risk", Risk.LOW))
    )


def plan_from_record(plan: PlanRecord) -> FixPlan:
    return FixPlan(
        kind=plan.kind,
        title=msg_from(plan.title),
        steps=tuple(step_from(s) for s in plan.steps),
        risk=Risk(plan.risk),
        target=plan.target,
        verify=plan.verify or {},
    )
