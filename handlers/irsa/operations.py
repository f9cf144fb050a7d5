"""The changes IRSA plans make, as ``handlers.base.Operation`` objects (listed in ``OPERATIONS``).

The services layer drives them: ``read`` (compared with ``PlanStep.before``; same JSON shape),
``apply`` (writes ``step.after``, returns what it reads back) and ``revert`` (the inverse step,
approved like any other). IAM writes re-check the role allow-list and the trust-policy
guardrail here as a second line of defence and raise ``GuardrailRefused``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from handlers.base import inverse_step
from handlers.irsa.arn import issuer_host
from handlers.irsa.evidence import RESTARTED_AT, ROLE_ANNOTATION
from handlers.irsa.guardrails import check_trust_change, role_refusal
from handlers.irsa.names import OP_OIDC, OP_RESTART, OP_SA_ROLE, OP_STATEMENT, OP_TAG, OP_TRUST
from handlers.workloads import TEMPLATE_KINDS, patch_workload, read_workload

MERGE_PATCH = "application/merge-patch+json"


def _guard_role(ctx: ClusterContext, role_name: str) -> None:
    reason = role_refusal(role_name, ctx.role_allow_patterns)
    if reason:
        raise errors.GuardrailRefused(reason)


def _undo(step: PlanStep, observed: Any) -> PlanStep:
    return inverse_step(step, Msg(f"Undo: {step.description.en}", f"되돌리기: {step.description.ko}"), observed)


class UpdateTrustPolicy:
    """Replace a role's trust policy (``iam:UpdateAssumeRolePolicy``)."""

    name = OP_TRUST
    min_risk = Risk.HIGH
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return ctx.aws.client("iam").get_role(RoleName=params["role_name"])["Role"]["AssumeRolePolicyDocument"]

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        _guard_role(ctx, step.params["role_name"])
        problems = check_trust_change(step.before, step.after)
        if problems:
            raise errors.GuardrailRefused("; ".join(problems))
        ctx.aws.client("iam").update_assume_role_policy(
            RoleName=step.params["role_name"], PolicyDocument=json.dumps(step.after)
        )
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return _undo(step, observed_after)


class CreateOidcProvider:
    """Create (or, reverting, delete) the IAM OIDC provider for a cluster issuer.

    No thumbprint is pinned: IAM verifies the EKS issuer against its library of trusted root
    CAs and, when ``ThumbprintList`` is omitted, fetches the thumbprint itself (IAM API
    reference, CreateOpenIDConnectProvider). ``params["thumbprints"]`` may pin them explicitly.
    """

    name = OP_OIDC
    min_risk = Risk.HIGH
    reversible = True

    def _find(self, ctx: ClusterContext, url: str) -> str:
        for p in ctx.aws.client("iam").list_open_id_connect_providers().get("OpenIDConnectProviderList", []):
            if p["Arn"].split("oidc-provider/", 1)[-1] == issuer_host(url):
                return p["Arn"]
        return ""

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        arn = self._find(ctx, params["url"])
        if not arn:
            return {"exists": False}
        info = ctx.aws.client("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        return {"exists": True, "client_ids": sorted(info.get("ClientIDList", []))}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        iam = ctx.aws.client("iam")
        if step.after.get("exists"):
            kwargs: dict[str, Any] = {
                "Url": step.params["url"],
                "ClientIDList": list(step.after["client_ids"]),
            }
            if step.params.get("thumbprints"):
                kwargs["ThumbprintList"] = list(step.params["thumbprints"])
            iam.create_open_id_connect_provider(**kwargs)
        else:
            arn = self._find(ctx, step.params["url"])
            if arn:
                iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return _undo(step, observed_after)


class TagLoadBalancer:
    """Set (or remove, when the value is None) one tag on an ELBv2 load balancer."""

    name = OP_TAG
    min_risk = Risk.HIGH
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        described = ctx.aws.client("elbv2").describe_tags(ResourceArns=[params["arn"]])["TagDescriptions"]
        tags = {t["Key"]: t["Value"] for t in (described[0]["Tags"] if described else [])}
        return {"key": params["key"], "value": tags.get(params["key"])}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        elb = ctx.aws.client("elbv2")
        value = step.after.get("value")
        if value is None:
            elb.remove_tags(ResourceArns=[step.params["arn"]], TagKeys=[step.params["key"]])
        else:
            elb.add_tags(ResourceArns=[step.params["arn"]], Tags=[{"Key": step.params["key"], "Value": value}])
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return _undo(step, observed_after)


class PutRoleInlinePolicy:
    """Write (or delete, when ``after`` is None) one inline policy of a role."""

    name = OP_STATEMENT
    min_risk = Risk.HIGH
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        try:
            return ctx.aws.client("iam").get_role_policy(
                RoleName=params["role_name"], PolicyName=params["policy_name"]
            )["PolicyDocument"]
        except errors.NotFound:
            return None

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        _guard_role(ctx, step.params["role_name"])
        iam = ctx.aws.client("iam")
        if step.after is None:
            iam.delete_role_policy(RoleName=step.params["role_name"], PolicyName=step.params["policy_name"])
        else:
            iam.put_role_policy(
                RoleName=step.params["role_name"],
                PolicyName=step.params["policy_name"],
                PolicyDocument=json.dumps(step.after),
            )
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return _undo(step, observed_after)


def _restart_patch(stamp: str | None) -> dict[str, Any]:
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


def _read_restarted_at(ctx: ClusterContext, namespace: str, kind: str, name: str) -> str | None:
    obj = read_workload(ctx, kind, namespace, name, only=TEMPLATE_KINDS)
    annotations = (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {}
    return annotations.get(RESTARTED_AT)


def _restart(ctx: ClusterContext, namespace: str, kind: str, name: str, stamp: str | None) -> None:
    """``kubectl rollout restart``: change the pod template's restartedAt annotation."""
    patch_workload(ctx, kind, namespace, name, _restart_patch(stamp), content_type=MERGE_PATCH, only=TEMPLATE_KINDS)


class SetServiceAccountRole:
    """Set a service account's ``eks.amazonaws.com/role-arn`` and restart the workloads using it.

    One operation, so that undoing it also restarts the pods after the annotation is restored.
    """

    name = OP_SA_ROLE
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        sa = ctx.kube.to_dict(ctx.kube.core.read_namespaced_service_account(params["name"], params["namespace"]))
        annotations = (sa.get("metadata") or {}).get("annotations") or {}
        return {
            "role_arn": annotations.get(ROLE_ANNOTATION),
            "restarted_at": {
                f"{k}/{n}": _read_restarted_at(ctx, params["namespace"], k, n) for k, n in params.get("workloads") or []
            },
        }

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ns = step.params["namespace"]
        ctx.kube.core.patch_namespaced_service_account(
            step.params["name"],
            ns,
            {"metadata": {"annotations": {ROLE_ANNOTATION: step.after["role_arn"]}}},
            _content_type=MERGE_PATCH,
        )
        for kind, name in step.params.get("workloads") or []:
            _restart(ctx, ns, kind, name, step.after["restarted_at"][f"{kind}/{name}"])
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        restarted = {key: stamp for key in (observed_after or step.after)["restarted_at"]}
        return PlanStep(
            self.name,
            dict(step.params),
            observed_after or step.after,
            {"role_arn": step.before["role_arn"], "restarted_at": restarted},
            Msg(f"Undo: {step.description.en}", f"되돌리기: {step.description.ko}"),
        )


class RolloutRestart:
    """Restart one workload (new pods pick up the web identity). Cannot be undone."""

    name = OP_RESTART
    min_risk = Risk.MEDIUM
    reversible = False

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return {"restarted_at": _read_restarted_at(ctx, params["namespace"], params["kind"], params["name"])}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        _restart(
            ctx,
            step.params["namespace"],
            step.params["kind"],
            step.params["name"],
            step.after["restarted_at"],
        )
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return None


OPERATIONS = (
    UpdateTrustPolicy(),
    CreateOidcProvider(),
    TagLoadBalancer(),
    PutRoleInlinePolicy(),
    SetServiceAccountRole(),
    RolloutRestart(),
)
