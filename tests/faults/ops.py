"""Plan operations used only by the fault tests, added to ``Services.operations``.

Small real IAM changes against moto (through the fault proxy when a test wants faults): a role
tag, a role description, and a role's trust policy. Each follows ``handlers.base.Operation``.
``TrustPolicy`` also records every ``apply`` call, so a test can prove a refused plan never wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep
from handlers.base import inverse_step


class RoleTag:
    name = "faults.iam_role_tag"
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        tags = ctx.aws.client("iam").list_role_tags(RoleName=params["role_name"])["Tags"]
        return {"value": next((t["Value"] for t in tags if t["Key"] == params["key"]), None)}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        iam, p = ctx.aws.client("iam"), step.params
        if step.after["value"] is None:
            iam.untag_role(RoleName=p["role_name"], TagKeys=[p["key"]])
        else:
            iam.tag_role(RoleName=p["role_name"], Tags=[{"Key": p["key"], "Value": step.after["value"]}])
        return self.read(ctx, p)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return inverse_step(step, Msg("Undo the tag", "태그 되돌리기"), observed_after)


class RoleDescription:
    name = "faults.iam_role_description"
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return {"description": ctx.aws.client("iam").get_role(RoleName=params["role_name"])["Role"].get("Description")}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ctx.aws.client("iam").update_role(RoleName=step.params["role_name"], Description=step.after["description"])
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return inverse_step(step, Msg("Undo the description", "설명 되돌리기"), observed_after)


class TrustPolicy:
    """Replace a role's trust policy (the op name contains "trust", so the central guardrail checks it)."""

    name = "faults.iam_update_trust_policy"
    reversible = True

    def __init__(self) -> None:
        self.applied: list[PlanStep] = []

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return ctx.aws.client("iam").get_role(RoleName=params["role_name"])["Role"]["AssumeRolePolicyDocument"]

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        self.applied.append(step)
        ctx.aws.client("iam").update_assume_role_policy(
            RoleName=step.params["role_name"], PolicyDocument=json.dumps(step.after)
        )
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return inverse_step(step, Msg("Restore the trust policy", "신뢰 정책 복원"), observed_after)
