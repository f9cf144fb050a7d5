"""Everyday pod commands: list pods, show a pod's events, restart a pod.

``/ops pods [NAMESPACE|-A]`` (not-ready pods first), ``/ops events NAMESPACE/POD`` and
``/ops restart NAMESPACE/POD``. Restarting deletes a pod that has an owning controller so the
controller recreates it; it is a plan that goes through approval like every other fix.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, Finding, FixPlan, Msg, PlanStep, Request, Risk, Severity, Verification
from bot.korean import attach, josa
from handlers import events as k8s_events
from handlers.base import CommandSpec
from handlers.target import namespace_or_all, namespaced_name

DELETE_POD = "k8s.delete_pod"


def pod_ready(pod: Mapping[str, Any]) -> bool:
    conds = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def pod_status_word(pod: Mapping[str, Any]) -> str:
    """What ``kubectl get pods`` shows in STATUS: a waiting/terminated reason, else the phase."""
    status = pod.get("status") or {}
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        for key in ("waiting", "terminated"):
            reason = (state.get(key) or {}).get("reason")
            if reason:
                return str(reason)
    return str(status.get("reason") or status.get("phase") or "Unknown")


def _age(ts: str | None, now: datetime) -> str:
    if not ts:
        return "?"
    start = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    secs = max(0, int((now - start).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def pods_table(pods: list[Mapping[str, Any]], now: datetime) -> tuple[tuple[str, ...], ...]:
    """Rows for the pods table, not-ready pods first, then by namespace and name."""
    rows = []
    for pod in sorted(pods, key=lambda p: (pod_ready(p), p["metadata"].get("namespace", ""), p["metadata"]["name"])):
        meta, status = pod["metadata"], pod.get("status") or {}
        statuses = status.get("containerStatuses") or []
        ready = sum(1 for c in statuses if c.get("ready"))
        total = len((pod.get("spec") or {}).get("containers") or statuses) or len(statuses)
        restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
        rows.append(
            (
                meta.get("namespace", ""),
                meta["name"],
                f"{ready}/{total}",
                pod_status_word(pod),
                str(restarts),
                _age(meta.get("creationTimestamp"), now),
                (pod.get("spec") or {}).get("nodeName", "") or "",
            )
        )
    return (("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"), *rows)


def controller_of(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def missing_pod(ns: str, name: str, pods: list[Mapping[str, Any]]) -> errors.UsageError:
    """What to tell someone who named a pod that does not exist: its workload's pods now, if any."""
    stem = name.rsplit("-", 1)[0] + "-" if "-" in name else name
    same = [f"{p['metadata']['name']} ({pod_status_word(p)})" for p in pods if p["metadata"]["name"].startswith(stem)][
        :5
    ]
    if same:
        now = ", ".join(same)
        return errors.UsageError(
            f"There is no pod {ns}/{name}; it may have been replaced. Pods of the same workload now: {now}.",
            f"{ns}/{name} 파드가 없습니다 (교체되었을 수 있습니다). 같은 워크로드의 현재 파드: {now}.",
        )
    return errors.UsageError(
        f"There is no pod {ns}/{name}; `pods {ns}` lists the {len(pods)} pods there.",
        f"{ns}/{name} 파드가 없습니다. `pods {ns}` {josa(ns, '로')} 그곳의 파드 {len(pods)}개를 볼 수 있습니다.",
    )


class DeletePod:
    """Operation: delete one pod (its controller recreates it). Not reversible.

    A deleted pod is not gone at once: with a grace period (30 s unless the pod says otherwise) it
    stays readable, with the same uid and ``metadata.deletionTimestamp`` set, until the kubelet has
    stopped it (Kubernetes docs, "Pod Lifecycle" / "Termination of Pods"; kubernetes/kubernetes
    pkg/registry/core/pod/strategy.go ``CheckGracefulDelete``). Being deleted counts as deleted, and
    so does a pod of the same name with another uid (a StatefulSet's replacement).
    """

    name = DELETE_POD
    min_risk = Risk.LOW
    reversible = False

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        try:
            pod = ctx.kube.core.json("read_namespaced_pod", params["name"], params["namespace"])
        except errors.NotFound:
            return {"exists": False}
        meta = pod["metadata"]
        if meta.get("deletionTimestamp") or (params.get("uid") and meta.get("uid") != params["uid"]):
            return {"exists": False}
        return {"exists": True, "uid": meta["uid"]}

    def read_step(self, ctx: ClusterContext, step: PlanStep) -> Any:
        """``read`` for a stored step: the uid comes from ``before`` when the params lack it."""
        uid = step.params.get("uid") or (step.before or {}).get("uid", "")
        return self.read(ctx, {**step.params, **({"uid": uid} if uid else {})})

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        uid = step.params.get("uid") or (step.before or {}).get("uid", "")
        body = {"preconditions": {"uid": uid}} if uid else None
        try:  # the uid precondition keeps a replacement of the same name from being deleted
            ctx.kube.core.delete_namespaced_pod(step.params["name"], step.params["namespace"], body=body)
        except (errors.NotFound, errors.Conflict):
            pass  # gone already, or replaced: what the step wanted
        return self.read_step(ctx, step)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return None


class PodsDiagnoser:
    name = "pods"
    intents = ("pods", "pod_events", "pod_restart")
    intent_labels = {"pods": Msg("List pods", "파드 목록")}
    needs_kubernetes = True
    commands = (
        CommandSpec(
            "pods",
            "pods [NAMESPACE|-A]",
            Msg("List pods, not-ready first.", "파드 목록 (준비 안 된 파드 먼저)."),
            "pods",
            namespace_or_all,
        ),
        CommandSpec(
            "events",
            "events NAMESPACE/POD",
            Msg("Show a pod's status and recent events.", "파드 상태와 최근 이벤트를 보여줍니다."),
            "pod_events",
            namespaced_name("pod"),
        ),
        CommandSpec(
            "restart",
            "restart NAMESPACE/POD",
            Msg(
                "Delete a pod so its controller recreates it (needs approval).",
                "컨트롤러가 다시 만들도록 파드를 삭제합니다 (승인 필요).",
            ),
            "pod_restart",
            namespaced_name("pod"),
        ),
    )

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        if request.intent == "pod_events":
            return self._events(ctx, request)
        if request.intent == "pod_restart":
            return self._restart(ctx, request)
        return self._list(ctx, request)

    def _list(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ns = request.entities.get("namespace", "")
        if ns in ("", "*"):
            items = ctx.kube.core.json("list_pod_for_all_namespaces")["items"]
            where = Msg("all namespaces", "전체 네임스페이스")
        else:
            items = ctx.kube.core.json("list_namespaced_pod", ns)["items"]
            where = Msg.same(ns)
        not_ready = sum(1 for p in items if not pod_ready(p))
        headline = Msg(
            f"{len(items)} pods in {where.en}, {not_ready} not ready",
            f"{where.ko}: 파드 {len(items)}개, 준비 안 됨 {not_ready}개",
        )
        finding = Finding(
            "pods.list",
            Severity.WARNING if not_ready else Severity.OK,
            headline,
            target=ns or "*",
            table=pods_table(items, ctx.clock()),
            count=len(items),
        )
        return Diagnosis(self.name, ns or "*", headline, (finding,))

    def _read_pod(self, ctx: ClusterContext, ns: str, name: str) -> dict[str, Any]:
        """The pod; a pod that is gone (often replaced by its controller) is told with what is there now."""
        try:
            return ctx.kube.core.json("read_namespaced_pod", name, ns)
        except errors.NotFound:
            pods = ctx.kube.core.json("list_namespaced_pod", ns)["items"]
            raise missing_pod(ns, name, pods) from None

    def _events(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ns, name = request.entities["namespace"], request.entities["pod"]
        pod = self._read_pod(ctx, ns, name)
        events = ctx.kube.core.json("list_namespaced_event", ns, field_selector=f"involvedObject.name={name}")["items"]
        events = k8s_events.by_time(events)
        rows = [("LAST SEEN", "TYPE", "REASON", "MESSAGE")]
        for e in events[-20:]:
            rows.append(
                (
                    _age(k8s_events.last_seen(e), ctx.clock()),
                    e.get("type", ""),
                    e.get("reason", ""),
                    (e.get("message") or "")[:300],
                )
            )
        status = pod_status_word(pod)
        headline = Msg(
            f"{ns}/{name} is {status}; {len(events)} events", f"{ns}/{name} 상태 {status}, 이벤트 {len(events)}건"
        )
        sev = Severity.OK if pod_ready(pod) else Severity.WARNING
        finding = Finding("pods.events", sev, headline, target=f"{ns}/{name}", table=tuple(rows))
        return Diagnosis(self.name, f"{ns}/{name}", headline, (finding,))

    def _restart(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ns, name = request.entities["namespace"], request.entities["pod"]
        target = f"{ns}/{name}"
        pod = self._read_pod(ctx, ns, name)
        owner = controller_of(pod)
        status = pod_status_word(pod)
        if pod["metadata"].get("deletionTimestamp"):
            since = pod["metadata"]["deletionTimestamp"]
            headline = Msg(
                f"{target} is already being deleted (Terminating, gone by {since}); nothing to restart",
                f"{attach(target, '는')} 이미 삭제 중입니다 (Terminating, {since}까지 종료): 재시작할 것이 없습니다",
            )
            finding = Finding("pods.restart.terminating", Severity.INFO, headline, target=target)
            return Diagnosis(self.name, target, headline, (finding,))
        if owner is None:
            headline = Msg(
                f"{target} has no controller: deleting it would not bring it back",
                f"{attach(target, '는')} 컨트롤러가 없어 삭제하면 다시 생성되지 않습니다",
            )
            finding = Finding("pods.restart.no_owner", Severity.WARNING, headline, target=target)
            return Diagnosis(self.name, target, headline, (finding,))
        owner_desc = f"{owner['kind']}/{owner['name']}"
        headline = Msg(
            f"{target} ({status}) is owned by {owner_desc}; deleting it makes a new one",
            f"{target}({status}){josa(target, '는')} {attach(owner_desc, '가')} 관리하는 파드라 "
            f"삭제하면 새 파드가 "
            "생성됩니다",
        )
        finding = Finding("pods.restart.owned", Severity.INFO, headline, target=target, data={"owner": owner_desc})
        uid = pod["metadata"]["uid"]
        # the owner's other pods now: a replacement is a pod none of these is (a ready sibling is not one)
        siblings = sorted(
            p["metadata"]["uid"]
            for p in ctx.kube.core.json("list_namespaced_pod", ns)["items"]
            if (controller_of(p) or {}).get("uid") == owner.get("uid") and p["metadata"]["uid"] != uid
        )
        step = PlanStep(
            DELETE_POD,
            {"namespace": ns, "name": name, "uid": uid},
            {"exists": True, "uid": uid},
            {"exists": False},
            Msg(
                f"Delete pod {target} ({owner_desc} recreates it)",
                f"파드 {target} 삭제 ({attach(owner_desc, '가')} 다시 생성)",
            ),
        )
        plan = FixPlan(
            self.name,
            Msg(f"Restart {target}", f"{target} 재시작"),
            (step,),
            Risk.LOW,
            target,
            verify={
                "namespace": ns,
                "owner_uid": owner.get("uid", ""),
                "owner_name": owner["name"],
                "old_uid": uid,
                "sibling_uids": siblings,
            },
        )
        return Diagnosis(self.name, target, headline, (finding,), (plan,))

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        v = plan.verify
        deadline = time.monotonic() + ctx.wait_seconds
        last = "no replacement pod yet"
        while True:
            pods = ctx.kube.core.json("list_namespaced_pod", v["namespace"])["items"]
            for pod in pods:
                ref = controller_of(pod)
                if (
                    not ref
                    or pod["metadata"]["uid"] == v["old_uid"]
                    or pod["metadata"]["uid"] in v.get("sibling_uids", ())
                ):
                    continue
                if ref.get("uid") != v["owner_uid"] and ref.get("name") != v["owner_name"]:
                    continue
                name = pod["metadata"]["name"]
                if pod_ready(pod):
                    return Verification(
                        ok=True,
                        message=Msg(
                            f"new pod {name} is Running and ready", f"새 파드 {attach(name, '가')} Running, 준비 완료"
                        ),
                    )
                last = f"new pod {name} is {pod_status_word(pod)}"
            if time.monotonic() >= deadline:
                return Verification(
                    ok=False, message=Msg(f"not ready in time: {last}", f"제한 시간 내 준비되지 않음: {last}")
                )
            time.sleep(ctx.poll_seconds)


DIAGNOSER = PodsDiagnoser()
OPERATIONS = (DeletePod(),)
