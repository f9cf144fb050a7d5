"""Plan operations for image-pull fixes of registry access: the node role's ECR policy and the ECR
pull-through cache.

Same contract as ``handlers.image_pull.operations_vpc`` (driven by ``bot.services.apply``).
``ecr.pull_through_cache_rule`` needs ``ecr:CreatePullThroughCacheRule``; an endpoint that does
not implement it (an emulator answering HTTP 500) makes ``apply`` raise a clear
``bot.errors.CloudError`` with code ``NotImplemented`` instead of botocore's confusing parser error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from handlers.base import inverse_step

ATTACH = "iam.role_policy_attachment"
PTC_RULE = "ecr.pull_through_cache_rule"
_NOT_IMPLEMENTED_HINT = (
    "this AWS endpoint does not implement {call}, so the pull-through cache rule cannot be changed "
    "from here; create it with `aws ecr create-pull-through-cache-rule` and re-run"
)


class RolePolicyAttachment:
    """A managed policy attached to a role: ``{"attached": bool}``."""

    name = ATTACH
    min_risk = Risk.HIGH
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        iam = ctx.aws.client("iam")
        arns = [
            p["PolicyArn"]
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=params["role"])
            for p in page.get("AttachedPolicies") or []
        ]
        return {"attached": params["policy_arn"] in arns}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        iam = ctx.aws.client("iam")
        if step.after["attached"] != self.read(ctx, step.params)["attached"]:
            verb = iam.attach_role_policy if step.after["attached"] else iam.detach_role_policy
            verb(RoleName=step.params["role"], PolicyArn=step.params["policy_arn"])
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        p = step.params
        return inverse_step(
            step,
            Msg(
                f"Detach {p['policy_arn'].rsplit('/', 1)[-1]} from {p['role']}",
                f"{p['role']}에서 {p['policy_arn'].rsplit('/', 1)[-1]} 분리",
            ),
            observed_after,
        )


def unsupported_action(exc: errors.CloudError) -> bool:
    """moto answers an unimplemented action with HTTP 500 and an HTML page."""
    return isinstance(exc, errors.Unreachable) and (
        exc.code in ("500", "501", "ResponseParserError") or "not been implemented" in exc.detail
    )


class PullThroughCacheRule:
    """An ECR pull-through cache rule for ``prefix``: ``{"exists": bool, "upstream": url}``."""

    name = PTC_RULE
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        ecr = ctx.aws.client("ecr")
        try:
            rules = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=[params["prefix"]])
        except errors.NotFound:
            return {"exists": False, "upstream": ""}
        except errors.CloudError as exc:
            if unsupported_action(exc):  # cannot be listed here: the plan was made on the same answer
                return {"exists": False, "upstream": ""}
            raise
        found = (rules.get("pullThroughCacheRules") or [{}])[0]
        return {"exists": bool(found), "upstream": found.get("upstreamRegistryUrl", "")}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ecr = ctx.aws.client("ecr")
        p = step.params
        call = "ecr:CreatePullThroughCacheRule" if step.after["exists"] else "ecr:DeletePullThroughCacheRule"
        try:
            if step.after["exists"]:
                kwargs = {"ecrRepositoryPrefix": p["prefix"], "upstreamRegistryUrl": p["upstream"]}
                if p.get("credential_arn"):
                    kwargs["credentialArn"] = p["credential_arn"]
                ecr.create_pull_through_cache_rule(**kwargs)
            else:
                ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=p["prefix"])
        except errors.CloudError as exc:
            if unsupported_action(exc):
                raise errors.CloudError(call, "NotImplemented", _NOT_IMPLEMENTED_HINT.format(call=call)) from exc
            raise
        return {
            "exists": bool(step.after["exists"]),
            "upstream": p["upstream"] if step.after["exists"] else "",
        }

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return inverse_step(
            step,
            Msg(
                f"Delete the pull-through cache rule {step.params['prefix']}",
                f"pull-through cache 규칙 {step.params['prefix']} 삭제",
            ),
            observed_after,
        )
