"""From evidence to a diagnosis: what happened to the pod, why, and the one change to propose. Pure.

Called by ``handlers.sysctl.diagnoser`` with ``collect.Evidence`` (tests pass evidence built from
fixture files). Recognises pods the kubelet rejected (``status.reason: SysctlForbidden``), pods Pod
Security admission refused (``FailedCreate ... violates PodSecurity ... forbidden sysctls``) and pods
that run without getting what they wanted; ``advice`` supplies the version-aware reasons. At most one
plan is proposed, for the first thing in the way; node group roll-outs are never plans (files only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.domain import Diagnosis, Finding, FixPlan, Msg, PlanStep, Risk, Severity
from bot.korean import attach
from handlers.sysctl import advice as advice_mod
from handlers.sysctl import knowledge
from handlers.sysctl.collect import Evidence
from handlers.sysctl.facts import sysctls_of

KIND = "sysctl"
NAMESPACE_LABEL = "sysctl.namespace_label"
WORKLOAD_SYSCTLS = "sysctl.workload_sysctls"
RECREATE_POD = "sysctl.recreate_pod"
_PSA_REFUSAL = re.compile(r'violates PodSecurity "([^"]+)": .*?forbidden sysctls \(([^)]*)\)')


def sysctl_list(pairs: Mapping[str, str]) -> list[dict[str, str]]:
    """The normalised shape plans use for a set of sysctls: sorted by name (order has no meaning)."""
    return [{"name": k, "value": str(v)} for k, v in sorted(pairs.items())]


def _status(pod: Mapping[str, Any]) -> tuple[str, str, str]:
    status = pod.get("status") or {}
    return status.get("phase", ""), status.get("reason", ""), status.get("message", "")


def _evidence_findings(ev: Evidence) -> list[Finding]:
    target = f"{ev.namespace}/{ev.pod_name}"
    found: list[Finding] = []
    if ev.pod is not None:
        phase, reason, message = _status(ev.pod)
        node = (ev.pod.get("spec") or {}).get("nodeName", "")
        if reason == "SysctlForbidden":
            found.append(
                Finding(
                    "sysctl.rejected.kubelet",
                    Severity.ERROR,
                    Msg(
                        f"The kubelet on {node or 'its node'} rejected {target} (SysctlForbidden)",
                        f"{node or '노드'}의 kubelet 이 {attach(target, '를')} 거부했습니다 (SysctlForbidden)",
                    ),
                    (Msg.same(message),) if message else (),
                    target=target,
                )
            )
        elif phase == "Running":
            asked = ", ".join(f"{n}={v}" for n, v in sysctls_of(ev.pod.get("spec")))
            found.append(
                Finding(
                    "sysctl.running",
                    Severity.OK,
                    Msg(
                        f"{target} is Running with {asked or 'no sysctls'}",
                        f"{attach(target, '는')} {asked or 'sysctl 없이'} Running 상태입니다",
                    ),
                    target=target,
                )
            )
            if ev.workload is not None and sysctls_of(ev.workload.template_spec) != sysctls_of(ev.pod.get("spec")):
                found.append(
                    Finding(
                        "sysctl.spec_drift",
                        Severity.WARNING,
                        Msg(
                            f"{ev.workload.kind} {ev.workload.name} now asks for other sysctls than "
                            f"{target} runs with; the pod has not been replaced yet",
                            f"{ev.workload.kind} {ev.workload.name}의 sysctl 이 실행 중인 {attach(target, '와')} "
                            "다릅니다. 파드가 아직 교체되지 않았습니다",
                        ),
                        target=target,
                    )
                )
        else:
            found.append(
                Finding(
                    "sysctl.pod_state",
                    Severity.INFO,
                    Msg.same(f"{target}: {phase or 'Unknown'} {reason}".strip()),
                    target=target,
                )
            )
    for event in ev.events:
        m = _PSA_REFUSAL.search(event.get("message") or "")
        if m:
            involved = (event.get("involvedObject") or {}).get("name", "")
            found.append(
                Finding(
                    "sysctl.rejected.psa",
                    Severity.ERROR,
                    Msg(
                        f"Pod Security admission ({m.group(1)}) refuses the pods of {involved}: "
                        f"forbidden sysctls {m.group(2)}",
                        f"Pod Security admission({m.group(1)})이 {involved}의 파드 생성을 거부합니다: "
                        f"금지된 sysctl {m.group(2)}",
                    ),
                    (Msg.same(event.get("message", "")),),
                    target=involved,
                    count=int(event.get("count") or 1),
                )
            )
            break
    return found


def _verify_spec(ev: Evidence, requested: Mapping[str, str]) -> dict[str, Any]:
    base: dict[str, Any] = {"namespace": ev.namespace, "sysctls": dict(requested)}
    if ev.workload is not None and ev.workload.selector:
        return {
            **base,
            "selector": dict(ev.workload.selector),
            "workload": f"{ev.workload.kind}/{ev.workload.name}",
        }
    return {**base, "pod": ev.pod_name}


def _psa_plan(ev: Evidence, fix: tuple[str, str, str], requested: Mapping[str, str]) -> FixPlan:
    namespace, old, new = fix
    label = knowledge.PSA_ENFORCE_VERSION
    step = PlanStep(
        NAMESPACE_LABEL,
        {"namespace": namespace, "label": label},
        {"value": old},
        {"value": new},
        Msg(
            f"Namespace {namespace}: {label} {old} -> {new}",
            f"네임스페이스 {namespace}: {label} {old} -> {new}",
        ),
    )
    return FixPlan(
        KIND,
        Msg(
            f"Move the Pod Security pin of {namespace} from {old} to {new}",
            f"{namespace}의 Pod Security 고정 버전을 {old}에서 {attach(new, '로')} 변경",
        ),
        (step,),
        Risk.MEDIUM,
        f"namespace/{namespace}",
        _verify_spec(ev, requested),
    )


def _recreate_plan(ev: Evidence, requested: Mapping[str, str]) -> FixPlan:
    assert ev.pod is not None
    phase, reason, _ = _status(ev.pod)
    target = f"{ev.namespace}/{ev.pod_name}"
    step = PlanStep(
        RECREATE_POD,
        {"namespace": ev.namespace, "name": ev.pod_name},
        {"uid": ev.pod["metadata"].get("uid", ""), "phase": phase, "reason": reason},
        {"uid": "(new pod)", "phase": "Running", "reason": ""},
        Msg(
            f"Recreate pod {target} from its own spec (the kubelet never retries a rejected pod)",
            f"파드 {attach(target, '를')} 같은 spec으로 다시 생성 (kubelet은 거부한 파드를 재시도하지 않습니다)",
        ),
    )
    return FixPlan(
        KIND,
        Msg(
            f"Recreate {target} now that its node allows the sysctls",
            f"노드가 sysctl을 허용하므로 {target} 재생성",
        ),
        (step,),
        Risk.LOW,
        target,
        _verify_spec(ev, requested),
    )


def _keepalive_plan(ev: Evidence, add: Mapping[str, str]) -> FixPlan:
    assert ev.workload is not None
    wl = ev.workload
    current = dict(sysctls_of(wl.template_spec))  # what the operation will read back
    after = {**current, **add}
    step = PlanStep(
        WORKLOAD_SYSCTLS,
        {"namespace": ev.namespace, "kind": wl.kind, "name": wl.name},
        {"sysctls": sysctl_list(current)},
        {"sysctls": sysctl_list(after)},
        Msg(
            f"{wl.kind} {ev.namespace}/{wl.name}: add " + ", ".join(f"{k}={v}" for k, v in add.items()),
            f"{wl.kind} {ev.namespace}/{wl.name}: 추가 " + ", ".join(f"{k}={v}" for k, v in add.items()),
        ),
    )
    return FixPlan(
        KIND,
        Msg(
            f"Make keepalive probes start before the 350 s idle timeout ({wl.name})",
            f"350초 유휴 제한 전에 keepalive probe 가 시작되도록 설정 ({wl.name})",
        ),
        (step,),
        Risk.LOW,
        f"{wl.kind.lower()}/{ev.namespace}/{wl.name}",
        _verify_spec(ev, after),
    )


def _headline(target: str, advice: advice_mod.Advice, found: list[Finding]) -> Msg:
    codes = [f.code for f in found]
    order = (
        "sysctl.psa.version_pinned",
        "sysctl.psa.forbidden",
        "sysctl.node_level",
        "sysctl.host_namespace",
        "sysctl.invalid_name",
        "sysctl.kubelet_lagging",
        "sysctl.kernel_too_old",
        "sysctl.safe_after_upgrade",
        "sysctl.unsafe",
        "sysctl.keepalive.time_missing",
        "sysctl.keepalive.value",
    )
    for code in order:
        if code in codes:
            first = found[codes.index(code)]
            return Msg(f"{target}: {first.title.en}", f"{target}: {first.title.ko}")
    return Msg(f"{target}: the sysctls are allowed here", f"{target}: 이 sysctl 들은 허용됩니다")


def analyse(ev: Evidence) -> Diagnosis:
    advice = advice_mod.advise(ev.facts)
    found = _evidence_findings(ev) + list(advice.findings)
    requested = ev.facts.requested()
    target = f"{ev.namespace}/{ev.pod_name}" if ev.pod_name else ", ".join(requested) or "sysctl"
    admitted = all(v.kind == advice_mod.SAFE and not v.psa for v in advice.verdicts) and bool(advice.verdicts)
    plans: tuple[FixPlan, ...] = ()
    if advice.psa_fix is not None:
        plans = (_psa_plan(ev, advice.psa_fix, requested),)
    elif admitted and ev.pod is not None and _status(ev.pod)[1] == "SysctlForbidden" and ev.workload is None:
        plans = (_recreate_plan(ev, requested),)
    elif admitted and ev.workload is not None:
        missing = next((f for f in advice.findings if f.code == "sysctl.keepalive.time_missing"), None)
        if missing is not None:
            plans = (_keepalive_plan(ev, missing.data["add"]),)
    return Diagnosis(KIND, target, _headline(target, advice, found), tuple(found), plans)
