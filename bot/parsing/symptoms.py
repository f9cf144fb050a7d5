"""Requests that describe a symptom instead of pasting an error, in English and Korean.

Called by ``bot.parsing.intents`` only, after the pasted-error signals found nothing. Pure.
People write "the pod stays Pending", "failing to pull the pause image from ECR", "파드가 계속
대기 상태에 머물러요", "Pod에서 SDK가 실패하는 이유": an object (a pod, an image, a role) and what
happens to it. Each rule pairs an object word with a state or failure word near it, in both
the formal register (documentation headings, ``~하는 경우``) and the chat register (``안 떠요``),
so the same symptom reads alike however it is phrased. The readings here are weaker than a
pasted error: they carry ``PHRASE`` or ``WEAK`` confidence.
"""

from __future__ import annotations

import re

from bot.parsing.signal import Signal

# Korean particles follow an English word with no space ("Pod가"), so no \b after it.
_POD = r"(?:\bpods?(?![a-z])|파드|포드|\bpo\b)"
# Another object between the pod and the verb is what the verb is about ("파드가 쓰는 시크릿 목록").
_GAP = r"(?:(?!시크릿|secret|노드|\bnode|디플로이먼트|deployment|configmap|컨피그맵)[^\n]){0,30}?"
_NEAR = r"[^\n.?!]{0,24}?"

# An image being pulled: "pull(ing) ... image/container/registry/ECR", "image ... pull", not a pull request.
PULL_SYMPTOM = Signal(
    (
        "cannotpullcontainer",
        "pull through cache",
        "pull-through cache",
        "pullthroughcache",
        "imagepullsecret",
        "image pull secret",
        "이미지를 못",
        "이미지가 안",
        "이미지 다운로드",
    ),
    re.compile(
        r"\bpull(?:ing|ed|s)?\b(?! requests?\b)"
        + _NEAR
        + r"(?:\bimages?\b|\bcontainers?\b|\bregistry\b|\becr\b|\bquay|docker ?hub|\blibrary/|\bfrom\b)"
        + r"|(?:\bimages?\b|\becr\b|\bregistry\b)"
        + _NEAR
        + r"\bpull(?:ing|ed|s)?\b(?! requests?\b)"
    ),
    ("pull",),
)
# A registry that refuses (ECR named with an auth failure, or a token it should have fetched).
REGISTRY_AUTH = Signal(
    (),
    re.compile(
        r"\becr\b[^\n]{0,60}?(?:401|403|unauthori[sz]ed|access keys?|credentials?|token|login)"
        r"|(?:401|403|unauthori[sz]ed|access keys?|credentials?|token|login)[^\n]{0,60}?\becr\b"
    ),
    ("ecr",),
)

# A pod in a state, or something done to a pod (list, inspect, restart, debug, run, delete).
POD_SYMPTOM = Signal(
    (
        "crashloopbackoff",
        "crashloop",
        "oomkilled",
        "이벤트 목록",
        "kubectl logs",
        "kubectl describe pod",
        "kubectl exec",
        "which pod",
        "pod and namespace",
        "containercreating",
        "evicted pod",
    ),
    re.compile(
        _POD + _GAP + r"(?:pending|running|crash|unhealthy|evicted|restart|failing|stuck|not ready"
        r"|won't start|not start|logs?\b|events?\b|debug|상태|대기|생성되지|생성이 안|올라오지|안 ?올라|안 ?떠"
        r"|실행|삭제|목록|조회|손상|재시작|로그|이벤트|디버깅|죽|멈춰|머물|뜨지)"
        r"|(?:pending|crashing|unhealthy|restart|debug|재시작|디버깅)[^\n]{0,20}?" + _POD
    ),
    ("pod", "파드", "포드", "po "),
)
DEBUG_APP = Signal(
    (
        "애플리케이션을 디버깅",
        "debug an application",
        "debugging an application",
        "application is not working",
        "애플리케이션 디버깅",
    )
)

# A pod (or its SDK) that cannot get AWS access through its service account's role.
IRSA_SYMPTOM = Signal(
    (
        "instead of the service account",
        "role of the worker node",
        "node role instead",
        "노드 역할",
        "노드의 역할",
        "서비스 어카운트의 역할",
        "서비스 계정의 역할",
    ),
    re.compile(
        r"(?:can't|cannot|can not|unable to|fail(?:s|ed|ing)? to|won't|doesn't|not)\s+(?:\w+\s+){0,2}assume"
        r"|assum(?:e|ing)\s+(?:the\s+)?(?:\w+'s\s+)?(?:\w+\s+)?role[^\n]{0,40}?(?:instead|fail|denied|error|wrong)"
        r"|(?:pod|파드|포드)[^\n]{0,12}?(?:sdk|aws cli|boto3?)[^\n]{0,12}?(?:실패|fail|error|에러|오류|denied|거부)"
        r"|(?:sdk|boto3?)[^\n]{0,20}?(?:in|inside|from) (?:the |a |my )?pod[^\n]{0,30}?(?:fail|error|denied)"
        r"|(?:roles? for service ?accounts?|\birsa\b|pod identity)[^\n]{0,160}?"
        r"(?:denied|fail|error|unable|not able|cannot|can't|거부|실패|오류|에러)"
    ),
    ("assum", "sdk", "boto", "aws cli", "service", "irsa", "pod identity"),
)

HELP_ASK = Signal(
    (
        "available commands",
        "commands available",
        "list of commands",
        "list of available commands",
        "!commands",
        "!help",
        "help command",
        "명령어 목록",
        "사용 가능한 명령",
    )
)

# The controller itself being removed is not an Ingress that will not delete.
CONTROLLER_REMOVED = re.compile(
    r"controller\s*(?:를|을)\s*(?:삭제|제거)|(?:delet|remov|uninstall)\w*\s+(?:the\s+)?(?:aws\s+)?"
    r"(?:alb\s+|load balancer\s+)?(?:ingress\s+)?controller\b"
)

# A word that belongs to one of the bot's areas: "other" with one of these is a guess, and is asked.
DOMAIN_WORDS = (
    "pod",
    "파드",
    "포드",
    "ecr",
    "image",
    "이미지",
    "iam",
    "role",
    "권한",
    "ingress",
    "인그레스",
    "alb",
    "rds",
    "aurora",
    "db",
    "sysctl",
    "kernel",
    "커널",
    "access denied",
    "accessdenied",
    "namespace",
    "네임스페이스",
    "node",
    "노드",
    "deploy",
    "배포",
    "restart",
    "재시작",
)

# Something that runs in the cluster with its own AWS identity: an AWS error it gets is an IRSA question.
WORKLOAD = Signal(
    (
        "controller",
        "컨트롤러",
        "csi",
        "driver",
        "operator",
        "external-dns",
        "external-secrets",
        "autoscaler",
        "karpenter",
        "service account",
        "serviceaccount",
        "서비스 어카운트",
        "서비스 계정",
        "pod",
        "파드",
        "포드",
        "container",
        "컨테이너",
        "deployment",
        "디플로이",
    )
)
