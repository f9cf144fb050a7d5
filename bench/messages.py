"""A deterministic stream of mixed English and Korean requests for the parser benchmark.

Pure (no I/O): ``generate(n, seed)`` returns ``n`` one-line texts shaped like what people post in
a request channel: plain asks in both languages, pasted controller and kubelet errors, RDS and
sysctl questions, and chatter that is not a request. Pod names and addresses vary from text to
text, as in a real channel, so no cache of the parser's sees the same pasted error twice. Used by
``bench.parse``.
"""

from __future__ import annotations

import random

NAMESPACES = ("cloudon", "web", "payments", "amazon-cloudwatch", "kube-system", "batch-jobs", "team-a")
NAMES = ("cloudon-ingress", "api", "checkout", "worker", "frontend", "metrics-gw")
DBS = ("portal", "billing-db", "orders-aurora", "analytics")
IMAGES = (
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app/api:1.4.2",
    "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300032.2b361",
    "docker.io/library/nginx:1.27",
    "ghcr.io/acme/worker:sha-9f2c1e0",
)

TEMPLATES = (
    "can't delete ingress {name} in {ns}",
    "{ns} 네임스페이스 {name} 삭제가 안돼요",
    "ingress {name} stuck deleting in {ns} for 3 days, finalizer never goes away",
    "{ns} 에서 {name} 인그레스가 안 지워져요 ㅠㅠ",
    "show pods in {ns}",
    "{ns} 네임스페이스 파드 목록 보여줘",
    "pods -A",
    "pod {pod} in {ns} is ImagePullBackOff, image {image}",
    "{ns} 의 {pod} 파드가 이미지를 못 받아와요 ErrImagePull",
    'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"{image}": failed to resolve reference "{image}": failed to do request: Head "https://{host}/v2/": '
    "dial tcp {ip}:443: i/o timeout",
    "Reconciler error: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/"
    "AmazonEKSLoadBalancerControllerRole/1700000000 is not authorized to perform: "
    "elasticloadbalancing:DeleteLoadBalancer on resource: "
    "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/k8s-{ns}-abc/def because no "
    "identity-based policy allows the elasticloadbalancing:DeleteLoadBalancer action",
    "stop {db} every night at 21:00 and start it at 08:00 on weekdays",
    "{db} DB 평일 밤 9시에 멈추고 아침 8시에 켜주세요",
    "aurora {db} StopDBInstance fails: InvalidParameterCombination: aurora-mysql DB instances are not "
    "eligible for stopping and starting",
    'pod {name} in {ns} rejected: SysctlForbidden: forbidden sysctl: "net.ipv4.tcp_keepalive_intvl" not allowlisted',
    "{ns} 파드에 net.ipv4.tcp_keepalive_time 설정하고 싶어요",
    "help",
    "도움말",
    "thanks, that worked!",
    "점심 뭐 먹을까요?",
    "restart {ns}/{pod} please",
)


def generate(n: int, seed: int = 8) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        image = rng.choice(IMAGES)
        text = rng.choice(TEMPLATES).format(
            ns=rng.choice(NAMESPACES),
            name=rng.choice(NAMES),
            db=rng.choice(DBS),
            image=image,
            host=image.split("/", 1)[0],
            pod=f"{rng.choice(NAMES)}-{rng.getrandbits(20):05x}-{rng.getrandbits(20):05x}",
            ip=f"52.95.{rng.randrange(256)}.{rng.randrange(256)}",
        )
        out.append(text)
    return out


def korean_share(texts: list[str]) -> float:
    """Fraction of texts with Hangul in them (the mix the benchmark reports)."""
    has = sum(1 for t in texts if any("\uac00" <= ch <= "\ud7a3" for ch in t))
    return has / len(texts) if texts else 0.0
