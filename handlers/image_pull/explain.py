"""The words: bilingual titles and evidence lines for image-pull findings.

Pure; called by ``handlers.image_pull.analyse`` (finding titles and evidence) and ``plan``
(blocker wording in plan titles). Kept apart so the analysis reads as logic, not prose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import Msg
from bot.korean import attach, josa
from handlers.image_pull.network import Blocker

if TYPE_CHECKING:
    from handlers.image_pull.analyse import PullGroup
    from handlers.image_pull.model import Evidence

_KIND = {
    "ecr_private": Msg("private ECR", "프라이빗 ECR"),
    "ecr_public": Msg("ECR Public", "ECR Public"),
    "docker_hub": Msg("Docker Hub", "Docker Hub"),
    "public_other": Msg("a public registry", "공개 레지스트리"),
    "private_other": Msg("a private registry", "프라이빗 레지스트리"),
}


def clip(text: str, limit: int = 400) -> str:
    """Shorten a kubelet message keeping its end, where containerd puts the actual error."""
    if len(text) <= limit:
        return text
    head = limit // 4
    return f"{text[:head]} … {text[-(limit - head - 3) :]}"


def blocker(b: Blocker) -> Msg:
    d = b.data
    texts = {
        "route.no_default": Msg(
            f"route table {d.get('route_table_id')} has no default route (0.0.0.0/0)",
            f"라우팅 테이블 {d.get('route_table_id')}에 기본 경로(0.0.0.0/0)가 없습니다",
        ),
        "route.blackhole": Msg(
            f"the default route in {d.get('route_table_id')} is a blackhole",
            f"{d.get('route_table_id')}의 기본 경로가 blackhole 상태입니다",
        ),
        "nat.not_available": Msg(
            f"NAT gateway {d.get('nat_gateway_id')} is {d.get('state')}",
            f"NAT 게이트웨이 {d.get('nat_gateway_id')} 상태가 {d.get('state')} 입니다",
        ),
        "nat.subnet_no_igw": Msg(
            f"NAT gateway {d.get('nat_gateway_id')}'s subnet {d.get('subnet_id')} has no route to an internet gateway",
            f"NAT 게이트웨이 {d.get('nat_gateway_id')}의 서브넷 {d.get('subnet_id')}에 "
            "인터넷 게이트웨이 경로가 없습니다",
        ),
        "igw.no_public_ip": Msg(
            "the subnet routes to an internet gateway but the node has no public IP",
            "서브넷이 인터넷 게이트웨이로 라우팅되지만 노드에 퍼블릭 IP가 없습니다",
        ),
        "sg.egress_443": Msg(
            f"node security groups {', '.join(d.get('group_ids') or [])} do not allow egress 443 "
            f"to {d.get('cidr')} ({d.get('towards')})",
            f"노드 보안 그룹 {attach(', '.join(d.get('group_ids') or []), '이')} {d.get('cidr')} "
            f"({d.get('towards')}) 로의 443 아웃바운드를 허용하지 않습니다",
        ),
        "nacl.egress_443": Msg(
            f"network ACL {d.get('network_acl_id')} denies outbound 443 to {d.get('cidr')}",
            f"네트워크 ACL {attach(d.get('network_acl_id'), '가')} {d.get('cidr')} 로의 443 아웃바운드를 거부합니다",
        ),
        "nacl.ingress_ephemeral": Msg(
            f"network ACL {d.get('network_acl_id')} denies the replies (ephemeral ports "
            f"1024-65535) from {d.get('cidr')}",
            f"네트워크 ACL {attach(d.get('network_acl_id'), '가')} {d.get('cidr')}에서 오는 응답"
            "(임시 포트 1024-65535)을 거부합니다",
        ),
        "route.uninspectable": Msg(
            f"the egress route of {d.get('route_table_id')} for {d.get('destination')} goes to "
            f"{d.get('target')}: the bot cannot inspect the path behind it",
            f"{d.get('route_table_id')}의 {d.get('destination')} 송신 경로가 {attach(d.get('target'), '로')} "
            "갑니다: 봇은 그 뒤의 경로를 점검할 수 없습니다",
        ),
        "vpc.dns_attributes": Msg(
            f"VPC {d.get('vpc_id')} has enableDnsSupport={d.get('dns_support')}, "
            f"enableDnsHostnames={d.get('dns_hostnames')}: private DNS of interface endpoints needs both on",
            f"VPC {d.get('vpc_id')}의 enableDnsSupport={d.get('dns_support')}, "
            f"enableDnsHostnames={d.get('dns_hostnames')}: 인터페이스 엔드포인트의 프라이빗 DNS는 둘 다 켜져야 합니다",
        ),
        "endpoint.not_available": Msg(
            f"endpoint {d.get('endpoint_id')} ({d.get('service')}) is {d.get('state')}, not yet available",
            f"엔드포인트 {d.get('endpoint_id')}({d.get('service')}){josa(d.get('endpoint_id'), '가')} "
            f"{d.get('state')} 상태로 "
            "아직 사용할 수 없습니다",
        ),
        "endpoint.missing": Msg(
            f"no VPC endpoint {d.get('service')}", f"VPC 엔드포인트 {attach(d.get('service'), '가')} 없습니다"
        ),
        "endpoint.no_private_dns": Msg(
            f"endpoint {d.get('endpoint_id')} ({d.get('service')}) has private DNS off",
            f"엔드포인트 {d.get('endpoint_id')} ({d.get('service')})의 프라이빗 DNS 가 꺼져 있습니다",
        ),
        "endpoint.sg_blocks": Msg(
            f"endpoint {d.get('endpoint_id')} ({d.get('service')}) security groups do not admit 443 from the node",
            f"엔드포인트 {d.get('endpoint_id')} ({d.get('service')}) 보안 그룹이 노드의 443 접속을 허용하지 않습니다",
        ),
        "s3.missing": Msg(
            "no S3 gateway endpoint (ECR image layers are served from S3)",
            "S3 게이트웨이 엔드포인트가 없습니다 (ECR 이미지 레이어는 S3에서 받습니다)",
        ),
        "s3.not_attached": Msg(
            f"S3 gateway endpoint {d.get('endpoint_id')} is not attached to route table {d.get('route_table_id')}",
            f"S3 게이트웨이 엔드포인트 {attach(d.get('endpoint_id'), '가')} 라우팅 테이블 "
            f"{d.get('route_table_id')}에 연결되어 있지 않습니다",
        ),
    }
    return texts.get(b.code, Msg.same(str(b)))


def title(group: PullGroup) -> Msg:
    n, img, code = len(group.pods), group.image, group.code
    kind = _KIND.get(group.registry_kind, Msg.same(group.registry_kind or "?"))
    where = group.subnet_id or "?"
    texts = {
        "image_pull.network.no_path": Msg(
            f"{n} pod(s) on subnet {where} have no network path to {kind.en} ({group.registry}) on 443",
            f"서브넷 {where}의 파드 {n}개가 {kind.ko} ({group.registry}) 443 포트로 갈 네트워크 경로가 없습니다",
        ),
        "image_pull.network.uninspectable": Msg(
            f"{n} pod(s) on subnet {where} time out pulling {img}; their egress leaves through "
            f"{group.path.uninspectable if group.path else '?'}, which the bot cannot inspect",
            f"서브넷 {where}의 파드 {n}개가 {attach(img, '를')} 받다가 시간 초과됩니다. 송신 경로가 봇이 점검할 "
            f"수 없는 "
            f"{attach(group.path.uninspectable if group.path else '?', '를')} 지납니다",
        ),
        "image_pull.network.path_open": Msg(
            f"{n} pod(s) time out pulling {img}, but the VPC path looks open",
            f"파드 {n}개가 {attach(img, '를')} 받다가 시간 초과되지만 VPC 경로는 열려 있어 보입니다",
        ),
        "image_pull.auth.node_role": Msg(
            f"the node role cannot read ECR: {n} pod(s) denied pulling {img}",
            f"노드 역할에 ECR 읽기 권한이 없어 파드 {n}개가 {attach(img, '를')} 받지 못합니다",
        ),
        "image_pull.auth.cross_account": Msg(
            f"{img} is in ECR account {group.ecr_account}: its repository policy must allow this account ({n} pod(s))",
            f"{attach(img, '는')} ECR 계정 {group.ecr_account}에 있어 리포지토리 정책이 이 계정을 "
            f"허용해야 합니다 (파드 {n}개)",
        ),
        "image_pull.auth.pull_secret": Msg(
            f"{group.registry} needs credentials: {n} pod(s) have no working imagePullSecrets",
            f"{attach(group.registry, '는')} 인증이 필요합니다: 파드 {n}개에 유효한 imagePullSecrets 가 없습니다",
        ),
        "image_pull.not_found.tag": Msg(
            f"tag `{img.rsplit(':', 1)[-1]}` does not exist in its ECR repository ({n} pod(s))",
            f"ECR 리포지토리에 태그 `{img.rsplit(':', 1)[-1]}` {josa(img.rsplit(':', 1)[-1], '가')} 없습니다 "
            f"(파드 {n}개)",
        ),
        "image_pull.not_found.repository": Msg(
            f"the ECR repository of {img} does not exist ({n} pod(s))",
            f"{img}의 ECR 리포지토리가 없습니다 (파드 {n}개)",
        ),
        "image_pull.rate_limited": Msg(
            f"{kind.en} rate-limits pulls of {img} ({n} pod(s))",
            f"{attach(kind.ko, '가')} {img} 풀을 제한하고 있습니다 (파드 {n}개)",
        ),
    }
    return texts.get(
        code,
        Msg(
            f"{n} pod(s) cannot pull {img}: {group.cause}",
            f"파드 {n}개가 {attach(img, '를')} 가져오지 못합니다: {group.cause}",
        ),
    )


def evidence(group: PullGroup, ev: Evidence) -> list[Msg]:
    lines = [Msg.same(f"kubelet: {clip(group.message)}")]
    lines.append(
        Msg(
            f"classified as {group.cause} ({group.detail or 'no matching phrase'}); registry {group.registry or '?'}",
            f"원인 분류: {group.cause} ({group.detail or '일치 문구 없음'}), 레지스트리 {group.registry or '?'}",
        )
    )
    if group.nodes:
        nodes = ", ".join(group.nodes[:5]) + (" …" if len(group.nodes) > 5 else "")
        lines.append(
            Msg(
                f"nodes: {nodes} in subnet {group.subnet_id or '?'}",
                f"노드: {nodes} (서브넷 {group.subnet_id or '?'})",
            )
        )
    path = group.path
    if path is not None:
        lines.append(Msg(f"route table {path.route_table_id or '?'}", f"라우팅 테이블 {path.route_table_id or '?'}"))
        if path.reachable:
            lines.append(Msg(f"path open via {path.via}", f"{path.via} 경유 경로가 열려 있음"))
        lines += [blocker(b) for b in path.internet + path.endpoints]
        if not path.endpoints_apply and not path.reachable and not path.uninspectable:
            lines.append(
                Msg(
                    "VPC endpoints cannot serve this registry and an ECR pull-through cache is no way around "
                    "NAT: the first pull of each image through a cache needs a NAT path (ECR User Guide, "
                    "VPC endpoints). Give the subnet a NAT path, or copy the image into a private ECR "
                    "repository in this region and pull it through ECR VPC endpoints",
                    "VPC 엔드포인트로는 이 레지스트리에 갈 수 없고 ECR pull-through cache 도 NAT를 대신하지 "
                    "못합니다: 캐시를 통한 각 이미지의 첫 pull 에는 NAT 경로가 필요합니다 (ECR 사용 설명서, VPC "
                    "엔드포인트). 서브넷에 NAT 경로를 주거나, 이미지를 이 리전의 private ECR repository로 "
                    "복사해 ECR VPC 엔드포인트로 받으세요",
                )
            )
        if path.uninspectable:
            lines.append(far_side(path.uninspectable, group.registry))
    return lines


def far_side(target: str, registry: str) -> Msg:
    """What to check behind an egress target the bot cannot inspect; no route change is proposed."""
    kind = target.split("-", 1)[0]
    texts = {
        "tgw": Msg(
            f"check behind transit gateway {target}: the TGW route table of this VPC's attachment sends "
            f"0.0.0.0/0 to the egress VPC, whose NAT gateway or firewall allows 443 to {registry} and "
            "routes the replies back",
            f"트랜짓 게이트웨이 {target} 뒤를 확인하세요: 이 VPC 어태치먼트의 TGW 라우팅 테이블이 "
            f"0.0.0.0/0을 egress VPC로 보내고, 그 NAT 게이트웨이나 방화벽이 {registry} 로의 443 과 응답 "
            "경로를 허용하는지",
        ),
        "vpce": Msg(
            f"check the inspection appliances behind endpoint {target} (Gateway Load Balancer / Network "
            f"Firewall): they allow 443 to {registry} and their subnet routes on to a NAT or internet gateway",
            f"엔드포인트 {target} 뒤의 검사 장비(Gateway Load Balancer / Network Firewall)가 {registry} "
            "로의 443을 허용하고, 그 서브넷이 NAT 또는 인터넷 게이트웨이로 이어지는지 확인하세요",
        ),
        "pcx": Msg(
            f"peering connection {target} does not carry traffic on to the peer's NAT or internet gateway "
            "(VPC peering has no edge-to-edge routing): check what the peer VPC does with it",
            f"피어링 연결 {attach(target, '은')} 상대 VPC의 NAT/인터넷 게이트웨이로 트래픽을 넘기지 않습니다 "
            "(엣지 간 라우팅 미지원): 상대 VPC 쪽을 확인하세요",
        ),
        "eigw": Msg(
            f"{target} only carries IPv6: the node needs an IPv6 address and {registry} must be reached "
            "over IPv6; IPv4 traffic has no way out here",
            f"{attach(target, '는')} IPv6 전용입니다: 노드에 IPv6 주소가 있고 {attach(registry, '를')} IPv6으로 "
            f"접속해야 합니다. "
            "IPv4 기본 경로는 없습니다",
        ),
    }
    return texts.get(
        kind,
        Msg(
            f"check {target} (NAT instance or appliance): source/destination check off, 443 to {registry} "
            "allowed, its own subnet routed to an internet gateway",
            f"{target} (NAT 인스턴스 또는 장비)를 확인하세요: 소스/대상 확인 해제, {registry} 로의 443 허용, "
            "그 서브넷이 인터넷 게이트웨이로 라우팅되는지",
        ),
    )


def advice(group: PullGroup, ev: Evidence) -> list[Msg]:
    """What to do when the bot has no plan it can apply itself for this group."""
    code = group.code
    if code == "image_pull.auth.cross_account":
        stmt = (
            '{"Sid":"AllowPullFromAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
            f'{ev.account_id}:root"}},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}}'
        )
        return [
            Msg(
                f"In account {group.ecr_account}, add to the repository policy: {stmt}",
                f"계정 {group.ecr_account}의 리포지토리 정책에 추가하세요: {stmt}",
            )
        ]
    if code == "image_pull.auth.pull_secret":
        return [
            Msg(
                f"Create a docker-registry secret for {group.registry} and list it in the pod's "
                "imagePullSecrets (or the service account's)",
                f"{group.registry} 용 docker-registry 시크릿을 만들어 파드(또는 서비스 어카운트)의 "
                "imagePullSecrets에 넣으세요",
            )
        ]
    if (
        code == "image_pull.rate_limited"
        and group.registry_kind == "docker_hub"
        and not any(":secret:ecr-pullthroughcache/docker-hub" in a for a in ev.ptc_secret_arns)
    ):
        return [
            Msg(
                "An ECR pull-through cache for Docker Hub needs Docker Hub credentials in Secrets Manager "
                "under `ecr-pullthroughcache/docker-hub`; create it, or add authenticated imagePullSecrets",
                "Docker Hub 용 ECR pull-through cache 에는 Secrets Manager `ecr-pullthroughcache/docker-hub` "
                "에 Docker Hub 자격 증명이 필요합니다. 만들거나, 인증된 imagePullSecrets를 추가하세요",
            )
        ]
    if code == "image_pull.network.path_open":
        return [
            Msg(
                "Routes, endpoints, security groups and network ACLs allow 443: check DNS resolution in the "
                "VPC, an HTTP proxy on the node, or the registry's status",
                "라우팅, 엔드포인트, 보안 그룹, 네트워크 ACL은 443을 허용합니다: "
                "VPC DNS, 노드의 HTTP 프록시, "
                "레지스트리 상태를 확인하세요",
            )
        ]
    if code == "image_pull.not_found.repository":
        return [
            Msg(
                f"Push the image to ECR or fix the repository name in {group.image}",
                f"이미지를 ECR에 푸시하거나 {group.image}의 리포지토리 이름을 고치세요",
            )
        ]
    return []
