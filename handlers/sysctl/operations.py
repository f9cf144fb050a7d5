"""Plan operations of the sysctl diagnoser: the pod-side changes the bot may make after approval.

Driven by the services layer (``bot.services.apply``): ``read`` returns exactly the shape the
plan's ``before``/``after`` use, ``apply`` writes ``after`` and returns what it reads back,
``revert`` gives the inverse step. Node group and Karpenter roll-outs are not operations: they stay
with people (the diagnosis attaches the generated configuration instead).

- ``sysctl.namespace_label``: set or remove one ``pod-security.kubernetes.io/*`` label of a namespace.
- ``sysctl.workload_sysctls``: replace ``securityContext.sysctls`` in a Deployment, StatefulSet or
  DaemonSet pod template.
- ``sysctl.recreate_pod``: delete a kubelet-rejected bare pod and create it again from its own spec.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from bot.korean import attach
from handlers.base import inverse_step
from handlers.sysctl import knowledge
from handlers.sysctl.analyse import NAMESPACE_LABEL, RECREATE_POD, WORKLOAD_SYSCTLS, sysctl_list
from handlers.sysctl.facts import sysctls_of
from handlers.workloads import TEMPLATE_KINDS, patch_workload, read_workload

MERGE_PATCH = "application/merge-patch+json"
_PSA_PREFIX = "pod-security.kubernetes.io/"


class NamespaceLabel:
    name = NAMESPACE_LABEL
    min_risk = Risk.HIGH
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        ns = ctx.kube.to_dict(ctx.kube.core.read_namespace(params["namespace"]))
        return {"value": ((ns.get("metadata") or {}).get("labels") or {}).get(params["label"])}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        label = step.params["label"]
        if not str(label).startswith(_PSA_PREFIX):
            raise errors.GuardrailRefused(f"the sysctl diagnoser only changes {_PSA_PREFIX}* labels, not {label}")
        body = {"metadata": {"labels": {label: step.after["value"]}}}  # None removes the label
        ctx.kube.core.patch_namespace(step.params["namespace"], body, _content_type=MERGE_PATCH)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        ns, label = step.params["namespace"], step.params["label"]
        return inverse_step(
            step,
            Msg(
                f"Namespace {ns}: restore {label} to {step.before['value']}",
                f"네임스페이스 {ns}: {attach(label, '를')} {attach(step.before['value'], '로')} 되돌림",
            ),
            observed_after,
        )


class WorkloadSysctls:
    name = WORKLOAD_SYSCTLS
    min_risk = Risk.MEDIUM
    reversible = True

    def _check(self, kind: str) -> None:
        if kind not in TEMPLATE_KINDS:
            raise errors.GuardrailRefused(f"cannot change sysctls of a {kind}")

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        self._check(params["kind"])
        obj = read_workload(ctx, params["kind"], params["namespace"], params["name"])
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        return {"sysctls": sysctl_list(dict(sysctls_of(spec)))}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        self._check(step.params["kind"])
        wanted = step.after["sysctls"]
        bad = [s["name"] for s in wanted if not knowledge.valid_name(s["name"])]
        if bad:
            raise errors.GuardrailRefused(f"invalid sysctl names {bad}")
        body = {"spec": {"template": {"spec": {"securityContext": {"sysctls": wanted}}}}}
        p = step.params
        patch_workload(ctx, p["kind"], p["namespace"], p["name"], body, content_type=MERGE_PATCH)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        p = step.params
        return inverse_step(
            step,
            Msg(
                f"{p['kind']} {p['namespace']}/{p['name']}: restore the previous sysctls",
                f"{p['kind']} {p['namespace']}/{p['name']}: 이전 sysctl로 되돌림",
            ),
            observed_after,
        )


def fresh_pod(pod: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest to create ``pod`` again: same spec, unbound (its node may be gone), no server fields."""
    meta = pod.get("metadata") or {}
    spec = copy.deepcopy(pod.get("spec") or {})
    spec.pop("nodeName", None)
    new_meta = {k: copy.deepcopy(meta[k]) for k in ("name", "namespace", "labels", "annotations") if meta.get(k)}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": new_meta, "spec": spec}


class RecreatePod:
    name = RECREATE_POD
    min_risk = Risk.LOW
    reversible = False

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        try:
            pod = ctx.kube.to_dict(ctx.kube.core.read_namespaced_pod(params["name"], params["namespace"]))
        except errors.NotFound:
            return {"uid": "", "phase": "", "reason": ""}
        status = pod.get("status") or {}
        return {
            "uid": pod["metadata"].get("uid", ""),
            "phase": status.get("phase", ""),
            "reason": status.get("reason", ""),
        }

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ns, name = step.params["namespace"], step.params["name"]
        pod = ctx.kube.to_dict(ctx.kube.core.read_namespaced_pod(name, ns))
        if (pod.get("metadata") or {}).get("ownerReferences"):
            raise errors.GuardrailRefused(f"{ns}/{name} has an owner; its controller recreates it")
        manifest = fresh_pod(pod)
        ctx.kube.core.delete_namespaced_pod(name, ns, grace_period_seconds=0)
        deadline = time.monotonic() + ctx.wait_seconds
        while self.read(ctx, step.params)["uid"] == pod["metadata"]["uid"]:
            if time.monotonic() >= deadline:
                raise errors.Conflict("k8s:delete_namespaced_pod", "Timeout", f"{ns}/{name} is still terminating")
            time.sleep(ctx.poll_seconds)
        ctx.kube.core.create_namespaced_pod(ns, manifest)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return None


OPERATIONS = (NamespaceLabel(), WorkloadSysctls(), RecreatePod())
