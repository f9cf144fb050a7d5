"""Plan step constructors for image-pull fixes, and what ``verify`` is told to watch.

Pure; called by ``plan`` and ``plan_network``. Each constructor takes the live state from the
evidence (``before``) and builds the ``PlanStep`` for one operation in ``operations_vpc``,
``operations_registry`` or ``operations_workloads`` with ``after`` in the exact shape that operation reads back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.domain import Msg, PlanStep
from handlers.image_pull.model import FailingPod
from handlers.image_pull.operations_registry import ATTACH, PTC_RULE
from handlers.image_pull.operations_vpc import ENDPOINT, ROUTE, SG_RULE, VPC_DNS
from handlers.image_pull.operations_workloads import DELETE_PODS, IMAGE


def endpoint(vpc_id: str, service: str, before: dict[str, Any], after: dict[str, Any]) -> PlanStep:
    short = ".".join(service.split(".")[3:]) or service  # com.amazonaws.REGION.ecr.dkr -> ecr.dkr
    if not before.get("exists"):
        kind = after["type"]
        if kind == "Interface":
            text = Msg(
                f"Create interface endpoint {short} (private DNS on) in {', '.join(after['subnet_ids'])} "
                f"with security group {', '.join(after['security_group_ids'])}",
                f"인터페이스 엔드포인트 {short} 생성 (프라이빗 DNS 켬, "
                f"서브넷 {', '.join(after['subnet_ids'])}, "
                f"보안 그룹 {', '.join(after['security_group_ids'])})",
            )
        else:
            text = Msg(
                f"Create gateway endpoint {short} on route table(s) {', '.join(after['route_table_ids'])}",
                f"게이트웨이 엔드포인트 {short} 생성 (라우팅 테이블 {', '.join(after['route_table_ids'])})",
            )
    elif after.get("route_table_ids") != before.get("route_table_ids"):
        added = sorted(set(after["route_table_ids"]) - set(before["route_table_ids"]))
        text = Msg(
            f"Attach the {short} gateway endpoint to route table(s) {', '.join(added)}",
            f"{short} 게이트웨이 엔드포인트를 라우팅 테이블 {', '.join(added)}에 연결",
        )
    else:
        text = Msg(f"Turn on private DNS for the {short} endpoint", f"{short} 엔드포인트의 프라이빗 DNS 켜기")
    return PlanStep(ENDPOINT, {"vpc_id": vpc_id, "service": service}, before, after, text)


def vpc_dns(vpc_id: str, before: dict[str, bool], after: dict[str, bool]) -> PlanStep:
    return PlanStep(
        VPC_DNS,
        {"vpc_id": vpc_id},
        before,
        after,
        Msg(
            f"Turn on enableDnsSupport and enableDnsHostnames on VPC {vpc_id} (private DNS of the "
            "interface endpoints needs both)",
            f"VPC {vpc_id}의 enableDnsSupport, enableDnsHostnames 켜기 (인터페이스 엔드포인트 프라이빗 "
            "DNS에 둘 다 필요)",
        ),
    )


def default_route(route_table_id: str, current: str, nat_id: str) -> PlanStep:
    verb = Msg("Add", "추가") if not current else Msg(f"Replace ({current})", f"교체 ({current})")
    return PlanStep(
        ROUTE,
        {"route_table_id": route_table_id},
        {"target": current},
        {"target": nat_id},
        Msg(
            f"{verb.en} default route 0.0.0.0/0 -> {nat_id} in {route_table_id}",
            f"{route_table_id}에 기본 경로 0.0.0.0/0 -> {nat_id} {verb.ko}",
        ),
    )


def sg_rule(group_id: str, direction: str, cidr: str = "", source_group_id: str = "") -> PlanStep:
    params: dict[str, Any] = {"group_id": group_id, "direction": direction}
    peer = source_group_id or cidr
    if source_group_id:
        params["source_group_id"] = source_group_id
    else:
        params["cidr"] = cidr
    ko_dir = "아웃바운드" if direction == "egress" else "인바운드"
    return PlanStep(
        SG_RULE,
        params,
        {"present": False},
        {"present": True},
        Msg(
            f"Allow TCP 443 {direction} {'to' if direction == 'egress' else 'from'} {peer} on {group_id}",
            f"{group_id}에 TCP 443 {ko_dir} 허용 ({peer})",
        ),
    )


def attach_policy(role: str, policy_arn: str) -> PlanStep:
    short = policy_arn.rsplit("/", 1)[-1]
    return PlanStep(
        ATTACH,
        {"role": role, "policy_arn": policy_arn},
        {"attached": False},
        {"attached": True},
        Msg(f"Attach {short} to role {role}", f"역할 {role}에 {short} 연결"),
    )


def ptc_rule(prefix: str, upstream: str, credential_arn: str) -> PlanStep:
    params = {"prefix": prefix, "upstream": upstream}
    if credential_arn:
        params["credential_arn"] = credential_arn
    cred = Msg(
        f" with credential {credential_arn.rsplit(':', 1)[-1]}" if credential_arn else "",
        f" (자격 증명 {credential_arn.rsplit(':', 1)[-1]})" if credential_arn else "",
    )
    return PlanStep(
        PTC_RULE,
        params,
        {"exists": False, "upstream": ""},
        {"exists": True, "upstream": upstream},
        Msg(
            f"Create ECR pull-through cache rule {prefix}/ -> {upstream}{cred.en}",
            f"ECR pull-through cache 규칙 생성 {prefix}/ -> {upstream}{cred.ko}",
        ),
    )


def set_image(namespace: str, kind: str, name: str, container: str, old: str, new: str) -> PlanStep:
    return PlanStep(
        IMAGE,
        {"namespace": namespace, "kind": kind, "name": name, "container": container},
        {"image": old},
        {"image": new},
        Msg(
            f"Set {kind}/{name} in {namespace}, container {container}: {old} -> {new}",
            f"{namespace}의 {kind}/{name} 컨테이너 {container} 이미지 변경: {old} -> {new}",
        ),
    )


def deletable(pods: Iterable[FailingPod]) -> list[FailingPod]:
    """Pods a controller will recreate (a bare pod deleted is gone; it retries the pull by itself)."""
    return [p for p in pods if p.controller_uid]


def delete_pods(pods: Iterable[FailingPod]) -> PlanStep:
    keep = deletable(pods)
    listed = sorted({(p.namespace, p.name, p.uid) for p in keep})
    names = ", ".join(f"{ns}/{n}" for ns, n, _ in listed[:5]) + (" …" if len(listed) > 5 else "")
    return PlanStep(
        DELETE_PODS,
        {"pods": [list(p) for p in listed]},
        {"pods": [list(p) for p in listed]},
        {"pods": []},
        Msg(
            f"Delete {len(listed)} failing pod(s) so their controllers recreate them: {names}",
            f"컨트롤러가 다시 만들도록 실패한 파드 {len(listed)}개 삭제: {names}",
        ),
    )


def watch_entry(pods: Iterable[FailingPod], image: str = "") -> dict[str, Any]:
    pods = list(pods)
    owner = pods[0].owner
    return {
        "namespace": pods[0].namespace,
        "owner": str(owner) if owner else pods[0].name,
        "controller_uids": sorted({p.controller_uid for p in pods if p.controller_uid}),
        "selector": dict(owner.selector) if owner and image else {},
        "old_uids": sorted({p.uid for p in pods}),
        "count": len({p.uid for p in pods}),
        "image": image,
    }


def verify_replacements(pods: Iterable[FailingPod]) -> dict[str, Any]:
    """Watch the replacements of deleted pods, per namespace and controller."""
    by_controller: dict[tuple[str, str], list[FailingPod]] = {}
    for pod in deletable(pods):
        by_controller.setdefault((pod.namespace, pod.controller_uid), []).append(pod)
    return {"watch": [watch_entry(v) for _, v in sorted(by_controller.items())]}
