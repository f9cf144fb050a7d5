"""Plan operations for image-pull fixes in the cluster: a workload's container image, and the pods
to delete so that their controller recreates them.

Same contract as ``handlers.image_pull.operations_vpc`` (driven by ``bot.services.apply``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from bot.korean import attach
from handlers.base import inverse_step
from handlers.workloads import TEMPLATE_KINDS, patch_workload, read_workload

IMAGE = "k8s.workload_image"
DELETE_PODS = "k8s.delete_pods"
_KINDS = TEMPLATE_KINDS | {"Pod"}


def _containers_path(kind: str, *, init: bool) -> str:
    base = "/spec" if kind == "Pod" else "/spec/template/spec"
    return f"{base}/{'initContainers' if init else 'containers'}"


class WorkloadImage:
    """The image of one container of a Deployment/DaemonSet/StatefulSet/Pod: ``{"image": ref}``."""

    name = IMAGE
    min_risk = Risk.MEDIUM
    reversible = True

    def _read_obj(self, ctx: ClusterContext, params: Mapping[str, Any]) -> dict[str, Any]:
        return read_workload(ctx, params["kind"], params["namespace"], params["name"], only=_KINDS)

    def _locate(self, obj: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[str, int, str]:
        spec = obj.get("spec") or {}
        pod_spec = spec if params["kind"] == "Pod" else (spec.get("template") or {}).get("spec") or {}
        for init in (False, True):
            for i, c in enumerate(pod_spec.get("initContainers" if init else "containers") or []):
                if c.get("name") == params["container"]:
                    return _containers_path(params["kind"], init=init), i, c.get("image", "")
        raise errors.NotFound(
            f"k8s:read_namespaced_{params['kind'].lower()}",
            "NotFound",
            f"container {params['container']} not found in {params['kind']}/{params['name']}",
        )

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return {"image": self._locate(self._read_obj(ctx, params), params)[2]}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        p = step.params
        path, index, current = self._locate(self._read_obj(ctx, p), p)
        patch = [
            {"op": "test", "path": f"{path}/{index}/image", "value": current},
            {"op": "replace", "path": f"{path}/{index}/image", "value": step.after["image"]},
        ]
        patch_workload(ctx, p["kind"], p["namespace"], p["name"], patch, only=_KINDS)
        return self.read(ctx, p)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        p = step.params
        return inverse_step(
            step,
            Msg(
                f"Set {p['kind']}/{p['name']} container {p['container']} back to {step.before['image']}",
                f"{p['kind']}/{p['name']} 컨테이너 {p['container']} 이미지를 {attach(step.before['image'], '로')} 원복",
            ),
            observed_after,
        )


class DeletePods:
    """Delete the listed pods so their controllers recreate them.

    ``params.pods`` is ``[[namespace, name, uid], ...]``.

    ``read`` returns those still present with the same uid. Deleting cannot be undone, but
    there is nothing to undo either (the controllers made new pods), so ``revert`` is a no-op
    step: this keeps the network change of the same plan revertible.
    """

    name = DELETE_PODS
    min_risk = Risk.LOW
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        wanted = [tuple(p) for p in params.get("pods") or []]
        present = []
        for ns in sorted({p[0] for p in wanted}):
            items = ctx.kube.to_dict(ctx.kube.core.list_namespaced_pod(ns)).get("items") or []
            live = {
                (ns, i["metadata"]["name"], i["metadata"].get("uid", ""))
                for i in items
                if not i["metadata"].get("deletionTimestamp")
            }
            present += [list(p) for p in wanted if p[0] == ns and p in live]
        return {"pods": sorted(present)}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        for ns, name, uid in self.read(ctx, step.params)["pods"]:
            try:
                ctx.kube.core.delete_namespaced_pod(name, ns, body={"preconditions": {"uid": uid}})
            except errors.NotFound:
                continue
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return PlanStep(
            DELETE_PODS,
            {"pods": []},
            {"pods": []},
            {"pods": []},
            Msg(
                "Nothing to undo for the deleted pods: their controllers already replaced them",
                "삭제한 파드는 되돌릴 것이 없습니다: 컨트롤러가 이미 새 파드를 만들었습니다",
            ),
        )
