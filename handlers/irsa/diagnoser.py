"""The IRSA / IAM-OIDC diagnoser: ``/ops ingress``, ``/ops irsa``, ``/ops iam`` and pasted errors.

Listed in ``handlers.registry`` through ``handlers.irsa.DIAGNOSER``. ``diagnose`` is
collect (I/O) -> analyse (pure) -> plan_fix (pure). ``verify`` re-runs the diagnosis after a
plan was applied; for a stuck ingress it first waits (up to ``ctx.wait_seconds``, polling every
``ctx.poll_seconds``) for the controller to remove its finalizer and the ingress to go, and
otherwise reports what still blocks it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, FixPlan, Msg, Request, Severity, Verification
from bot.korean import attach, josa
from handlers.base import CommandSpec
from handlers.irsa.analyse import analyse
from handlers.irsa.arn import role_name_from
from handlers.irsa.collect import collect
from handlers.irsa.evidence import Evidence
from handlers.irsa.names import KIND
from handlers.irsa.plan import plan_fix
from handlers.target import namespaced_name

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def parse_role(args: list[str]) -> dict[str, str]:
    """``/ops iam ROLE_NAME`` (a role ARN is accepted too)."""
    if len(args) != 1:
        got = " ".join(args)[:80] or "nothing"
        raise errors.UsageError(
            f"expected one ROLE_NAME, got `{got}`.", f"역할 이름 하나가 필요합니다 (입력: `{got}`)."
        )
    try:
        name = role_name_from(args[0])
    except ValueError:
        name = ""
    if not _ROLE_NAME.match(name):
        raise errors.UsageError(
            f"`{args[0][:80]}` is not a valid IAM role name.",
            f"`{args[0][:80]}` {josa(args[0][:80], '는')} 올바른 IAM 역할 이름이 아닙니다.",
        )
    return {"name": name}


def _verify_spec(request: Request, ev: Evidence) -> dict[str, Any]:
    entities = dict(request.entities)
    if ev.ingress is not None:
        entities.update(namespace=ev.ingress.namespace, name=ev.ingress.name)
    return {
        "intent": request.intent,
        "entities": entities,
        "aws_error": dict(request.aws_error) if request.aws_error else None,
        "ingress": ev.ingress.target if ev.ingress is not None else "",
    }


def _blockers(diagnosis: Diagnosis) -> list[Msg]:
    return [
        f.title for f in diagnosis.findings if f.severity == Severity.ERROR and not f.code.startswith("irsa.ingress.")
    ]


class IrsaDiagnoser:
    name = KIND
    intents = ("ingress_delete_denied", "irsa_access_denied")
    intent_labels = {
        "ingress_delete_denied": Msg("Ingress won't delete", "Ingress 삭제 안 됨"),
        "irsa_access_denied": Msg("IAM / IRSA access denied", "IAM/IRSA 권한 오류"),
    }
    needs_kubernetes = True
    commands = (
        CommandSpec(
            "ingress",
            "ingress NAMESPACE/NAME",
            Msg(
                "Why an ingress will not delete: walks its finalizer, the load balancer controller's "
                "identity (IRSA), the OIDC provider, trust policy and permissions.",
                "Ingress 가 삭제되지 않는 원인 진단: finalizer, 로드밸런서 컨트롤러의 IRSA, OIDC provider, "
                "신뢰 정책과 권한을 차례로 확인합니다.",
            ),
            "ingress_delete_denied",
            namespaced_name("name"),
        ),
        CommandSpec(
            "irsa",
            "irsa NAMESPACE/SERVICEACCOUNT",
            Msg(
                "Check a service account's IAM role chain (annotation, OIDC provider, trust policy, pods).",
                "서비스 어카운트의 IAM 역할 연결(어노테이션, OIDC provider, 신뢰 정책, 파드)을 점검합니다.",
            ),
            "irsa_access_denied",
            namespaced_name("service_account"),
        ),
        CommandSpec(
            "iam",
            "iam ROLE_NAME",
            Msg(
                "Check an IAM role's trust policy against the service accounts that use it.",
                "IAM 역할의 신뢰 정책을 그 역할을 쓰는 서비스 어카운트 기준으로 점검합니다.",
            ),
            "irsa_access_denied",
            parse_role,
        ),
    )

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ev = collect(ctx, request)
        analysis = analyse(ev)
        plans, extra = plan_fix(
            ev, analysis, ctx.role_allow_patterns, ctx.clock(), ctx.cluster_name, _verify_spec(request, ev)
        )
        return Diagnosis(self.name, ev.target, analysis.headline, analysis.findings + extra, plans)

    def _rerun(self, ctx: ClusterContext, spec: dict[str, Any]) -> Diagnosis:
        return self.diagnose(ctx, Request(spec["intent"], spec["entities"], aws_error=spec.get("aws_error")))

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        spec = dict(plan.verify)
        if spec.get("ingress"):
            return self._wait_for_ingress(ctx, spec)
        diagnosis = self._rerun(ctx, spec)
        blockers = _blockers(diagnosis)
        if not blockers:
            return Verification(
                ok=True,
                message=Msg(
                    f"Re-checked {diagnosis.target}: every link of the chain is fine",
                    f"{diagnosis.target} 재진단: 모든 연결 고리가 정상입니다",
                ),
            )
        return Verification(
            ok=False,
            message=Msg(
                "Still broken: " + "; ".join(b.en for b in blockers),
                "아직 문제 있음: " + "; ".join(b.ko for b in blockers),
            ),
        )

    def _wait_for_ingress(self, ctx: ClusterContext, spec: dict[str, Any]) -> Verification:
        ns, name = spec["entities"]["namespace"], spec["entities"]["name"]
        started = time.monotonic()
        deadline = started + ctx.wait_seconds
        finalizers: list[str] = []
        while True:
            try:
                obj = ctx.kube.to_dict(ctx.kube.networking.read_namespaced_ingress(name, ns))
            except errors.NotFound:
                secs = max(1, round(time.monotonic() - started))
                return Verification(
                    ok=True,
                    message=Msg(
                        f"Finalizer removed; ingress {ns}/{name} deleted ({secs} s)",
                        f"finalizer 제거, Ingress {ns}/{name} 삭제 완료 ({secs}초)",
                    ),
                )
            finalizers = list((obj.get("metadata") or {}).get("finalizers") or [])
            if time.monotonic() >= deadline:
                break
            time.sleep(ctx.poll_seconds)
        blockers = _blockers(self._rerun(ctx, spec))
        if blockers:
            return Verification(
                ok=False,
                message=Msg(
                    f"Ingress {ns}/{name} is still there; blocked by: " + "; ".join(b.en for b in blockers),
                    f"Ingress {ns}/{attach(name, '가')} 아직 남아 있습니다. 원인: " + "; ".join(b.ko for b in blockers),
                ),
            )
        waiting = ", ".join(finalizers) or "none"
        return Verification(
            ok=False,
            message=Msg(
                f"The IAM chain is fixed but ingress {ns}/{name} is still there after "
                f"{ctx.wait_seconds:.0f} s (finalizers: {waiting}); the controller may "
                "still be retrying",
                f"IAM 연결은 정상이지만 {ctx.wait_seconds:.0f}초 후에도 "
                f"Ingress {ns}/{attach(name, '가')} 남아 있습니다 (finalizer: {waiting}). "
                "컨트롤러가 재시도 중일 수 있습니다",
            ),
            pending=True,
        )


DIAGNOSER = IrsaDiagnoser()
