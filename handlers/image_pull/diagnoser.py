"""The image-pull diagnoser: ``/ops pull NAMESPACE[/POD]``, ``/ops pull -A``, intent ``image_pull``.

Listed in ``handlers.registry`` and driven by ``bot.services``: ``diagnose`` collects (batched),
groups failing pods by (image, cause, subnet), walks the network path, and proposes fixes;
``verify`` waits for the pods recreated after the fix. ``triage_call_counts`` gives ``make
bench`` the API call counts of one whole triage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, Finding, FixPlan, Msg, Request, Severity, Verification
from bot.errors import UsageError
from bot.parsing.image_pull import PullClassification, classify_pull_error
from handlers.base import CommandSpec
from handlers.image_pull.analyse import PullGroup, finding_for, group_failures, headline
from handlers.image_pull.collect import collect
from handlers.image_pull.plan import plan_fixes
from handlers.image_pull.verify import wait_for_endpoints, wait_for_replacements
from handlers.target import check_name, check_namespace


def parse_pull_args(args: list[str]) -> dict[str, str]:
    """``-A`` | ``NAMESPACE`` | ``NAMESPACE/POD``."""
    if args in (["-A"], ["--all-namespaces"]):
        return {"namespace": "*"}
    if len(args) != 1:
        got = " ".join(args)[:80] or "nothing"
        raise UsageError(
            f"expected NAMESPACE, NAMESPACE/POD or -A, got `{got}`.",
            f"NAMESPACE, NAMESPACE/POD 또는 -A 가 필요합니다 (입력: `{got}`).",
        )
    ns, sep, pod = args[0].partition("/")
    if sep and (not pod or "/" in pod):
        raise UsageError(
            f"expected NAMESPACE/POD, got `{args[0][:80]}`.",
            f"NAMESPACE/POD 형식이 필요합니다 (입력: `{args[0][:80]}`).",
        )
    out = {"namespace": check_namespace(ns)}
    if pod:
        out["pod"] = check_name(pod, "pod")
    return out


def _only_image(groups: list[PullGroup], request: Request) -> list[PullGroup]:
    """A pasted error names one image: keep its groups when the scope was not given explicitly."""
    image = (request.image_pull or {}).get("image") or request.entities.get("image", "")
    if not image or request.entities.get("pod"):
        return groups
    matching = [g for g in groups if g.image == image or g.image.endswith("/" + image) or image in g.image]
    return matching or groups


class ImagePullDiagnoser:
    name = "image_pull"
    intents = ("image_pull",)
    intent_labels = {"image_pull": Msg("Image pull failing", "이미지 pull 실패")}
    needs_kubernetes = True
    commands = (
        CommandSpec(
            "pull",
            "pull NAMESPACE[/POD] | pull -A",
            Msg(
                "Why pods cannot pull their image (ErrImagePull / ImagePullBackOff), down to the subnet, with a fix.",
                "파드가 이미지를 못 가져오는 이유(ErrImagePull / ImagePullBackOff)를 서브넷까지 추적하고 "
                "수정안을 제안합니다.",
            ),
            "image_pull",
            parse_pull_args,
        ),
    )

    def __init__(self, classify: Callable[[str], PullClassification] = classify_pull_error):
        self.classify = classify

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        ns = request.entities.get("namespace", "")
        namespace = None if ns in ("", "*") else ns
        evidence = collect(ctx, namespace, request.entities.get("pod", ""), self.classify)
        groups = _only_image(group_failures(evidence, self.classify), request)
        findings = tuple(finding_for(g, evidence) for g in groups)
        plans = plan_fixes(evidence, groups)
        if not groups:
            head = headline([], evidence.scope, evidence.pods_seen)
            findings = (Finding("image_pull.none", Severity.OK, head, target=evidence.scope, count=evidence.pods_seen),)
            return Diagnosis(self.name, evidence.scope, head, findings)
        return Diagnosis(
            self.name, evidence.scope, headline(groups, evidence.scope, evidence.pods_seen), findings, plans
        )

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        watch = list(plan.verify.get("watch") or [])
        if not watch:
            return Verification(ok=True, message=Msg("applied; no pods to watch", "적용 완료, 확인할 파드가 없습니다"))
        deadline = time.monotonic() + ctx.wait_seconds
        endpoints = list(plan.verify.get("endpoints") or [])
        retried = False
        if endpoints:
            ready, retried = wait_for_endpoints(ctx, endpoints, deadline)
            if not ready:
                names = ", ".join(sorted(e["service"].split(".", 3)[-1] for e in endpoints))
                return Verification(
                    ok=False,
                    message=Msg(
                        f"the new VPC endpoint(s) ({names}) did not become available within the wait",
                        f"대기 시간 안에 새 VPC 엔드포인트({names})가 available 상태가 되지 않았습니다",
                    ),
                    pending=True,
                )
        return wait_for_replacements(ctx, watch, deadline, retried=retried)


def triage_call_counts(ctx: ClusterContext, namespace: str | None = None) -> dict[str, Any]:
    """Run one triage and report its API calls: ``pull_triage_kube_calls``, ``pull_triage_ec2_calls``,
    ``pull_triage_seconds`` (for ``make bench``). Resets the context's counters first."""
    ctx.kube.counter.reset()
    ctx.aws.counter.reset()
    started = time.perf_counter()
    diagnosis = ImagePullDiagnoser().diagnose(ctx, Request("image_pull", {"namespace": namespace or "*"}))
    seconds = time.perf_counter() - started
    return {
        "pull_triage_kube_calls": ctx.kube.counter.total("k8s:"),
        "pull_triage_ec2_calls": ctx.aws.counter.total("ec2:"),
        "pull_triage_aws_calls": ctx.aws.counter.total(),
        "pull_triage_seconds": round(seconds, 3),
        "pull_triage_failing_pods": sum(f.count for f in diagnosis.findings if f.code != "image_pull.none"),
    }
