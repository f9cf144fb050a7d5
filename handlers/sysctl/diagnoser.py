"""The sysctl diagnoser: ``/ops sysctl NAMESPACE/POD``, ``/ops sysctl NAME=VALUE [NAMESPACE]`` and free text.

Listed in ``handlers.registry``; the services layer calls ``diagnose`` for intent ``sysctl`` and
``verify`` after a plan is applied. ``diagnose`` = ``collect`` (I/O) then ``analyse`` (pure);
``verify`` waits until a pod of the target runs with the requested sysctls in its spec.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, FixPlan, Msg, Request, Verification
from bot.errors import UsageError
from bot.korean import attach, josa
from handlers.base import CommandSpec
from handlers.sysctl import collect, keepalive, knowledge
from handlers.sysctl.analyse import KIND, analyse
from handlers.sysctl.facts import sysctls_of
from handlers.target import check_namespace, namespaced_name
from handlers.workloads import selector_string

USAGE = "sysctl NAMESPACE/POD | sysctl NAME=VALUE [NAMESPACE]"


def parse_args(args: list[str]) -> dict[str, str]:
    """``NAMESPACE/POD`` -> namespace, pod; ``NAME[=VALUE] [NAMESPACE]`` -> sysctl, value[, namespace]."""
    if len(args) == 1 and "/" in args[0] and "=" not in args[0] and "." not in args[0].split("/")[0]:
        return namespaced_name("pod")(args)
    if not args or len(args) > 2:
        got = " ".join(args)[:80] or "nothing"
        raise UsageError(f"expected {USAGE}, got `{got}`.", f"{USAGE} 형식이 필요합니다 (입력: `{got}`).")
    name, _, value = args[0].partition("=")
    name = knowledge.normalise_name(name)
    if not knowledge.valid_name(name):
        raise UsageError(
            f"`{name[:80]}` is not a valid sysctl name (like net.ipv4.tcp_keepalive_time).",
            f"`{name[:80]}` {josa(name[:80], '는')} 올바른 sysctl 이름이 아닙니다 (예: net.ipv4.tcp_keepalive_time).",
        )
    entities = {"sysctl": name, "value": value.strip()}
    if len(args) == 2:
        entities["namespace"] = check_namespace(args[1])
    return entities


def _question(request: Request) -> tuple[tuple[str, str], ...]:
    raw = request.entities.get("sysctl", "")
    if raw:
        name, _, value = raw.partition("=")
        return ((knowledge.normalise_name(name), request.entities.get("value", value).strip()),)
    return tuple(keepalive.RECOMMENDED.items())  # "keepalive 설정이 안 먹어요": check the usual trio


def _matching_pods(ctx: ClusterContext, v: Mapping[str, Any]) -> list[dict[str, Any]]:
    ns = v["namespace"]
    if v.get("selector"):
        selector = selector_string(v["selector"])
        return ctx.kube.to_dict(ctx.kube.core.list_namespaced_pod(ns, label_selector=selector)).get("items") or []
    items = ctx.kube.to_dict(ctx.kube.core.list_namespaced_pod(ns, field_selector=f"metadata.name={v['pod']}"))
    return items.get("items") or []


def pod_has(pod: Mapping[str, Any], wanted: Mapping[str, str]) -> bool:
    """Running, and its spec carries every wanted sysctl with the wanted value."""
    if (pod.get("status") or {}).get("phase") != "Running" or (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    have = dict(sysctls_of(pod.get("spec")))
    return all(have.get(k) == str(val) for k, val in wanted.items())


class SysctlDiagnoser:
    name = KIND
    intents = ("sysctl",)
    intent_labels = {"sysctl": Msg("sysctl / keepalive", "sysctl/keepalive")}
    needs_kubernetes = True
    commands = (
        CommandSpec(
            "sysctl",
            USAGE,
            Msg(
                "Why a pod cannot use a sysctl (TCP keepalive and others), or whether you may set one.",
                "파드가 sysctl(TCP keepalive 등)을 못 쓰는 이유, 또는 설정 가능 여부를 알려줍니다.",
            ),
            "sysctl",
            parse_args,
        ),
    )

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ents = request.entities
        if ents.get("pod") and ents.get("namespace"):
            evidence = collect.collect_pod(ctx, ents["namespace"], ents["pod"])
        else:
            evidence = collect.collect_question(ctx, _question(request), ents.get("namespace", ""))
        return analyse(evidence)

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        v = plan.verify
        wanted = dict(v.get("sysctls") or {})
        what = v.get("workload") or f"pod {v.get('pod', '')}"
        deadline = time.monotonic() + ctx.wait_seconds
        last = "no pod yet"
        while True:
            pods = _matching_pods(ctx, v)
            for pod in pods:
                if pod_has(pod, wanted):
                    name = pod["metadata"]["name"]
                    shown = ", ".join(f"{k}={val}" for k, val in sorted(wanted.items()))
                    return Verification(
                        ok=True,
                        message=Msg(
                            f"{v['namespace']}/{name} is Running with {shown}",
                            f"{v['namespace']}/{attach(name, '가')} {attach(shown, '로')} Running 입니다",
                        ),
                    )
            if pods:
                status = pods[-1].get("status") or {}
                state = status.get("reason") or status.get("phase") or "Unknown"
                last = f"{pods[-1]['metadata']['name']} is {state}"
            if time.monotonic() >= deadline:
                return Verification(
                    ok=False,
                    message=Msg(
                        f"{what} has no Running pod with the sysctls yet: {last}",
                        f"{what}에 sysctl 이 적용된 Running 파드가 아직 없습니다: {last}",
                    ),
                )
            time.sleep(ctx.poll_seconds)


DIAGNOSER = SysctlDiagnoser()
