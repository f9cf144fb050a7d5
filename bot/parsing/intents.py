"""Decide what a request is about, from the errors pasted in it, phrases, and signal families.

Called by ``bot.parsing.parse`` only. Pure. Pasted errors and error codes decide first. Then one
table of phrase signals per intent is checked in a fixed priority (a pasted pull error wins over
the word "pod"; a denied ingress delete wins over a generic access-denied), and its reading is
checked against the object/action/state families of ``bot.parsing.evidence``: agreement stands,
a known precedence decides a disagreement, and any other disagreement is asked (``WEAK``).

Signals are mostly literal phrases looked up in the lowercased text (``in`` is far faster than
a regular expression with many alternatives); the few that need a pattern are gated on a
literal first. That keeps ``chatops parse --jsonl`` well above 10,000 messages a second.
"""

from __future__ import annotations

import re

from bot.parsing import evidence, symptoms
from bot.parsing.confidence import NOTHING, PHRASE, STRUCTURAL, WEAK
from bot.parsing.signal import Signal

INTENTS = (
    "ingress_delete_denied",
    "irsa_access_denied",
    "image_pull",
    "rds_schedule",
    "sysctl",
    "pods",
    "help",
    "other",
)


# What kubelet, containerd and the registries print: a pull failure by structure.
IMAGE_PULL = Signal(
    (
        "imagepullbackoff",
        "errimagepull",
        "invalidimagename",
        "failed to pull",
        "back-off pulling image",
        "pull access denied",
        "failed to get sandbox image",
        "manifest unknown",
        "toomanyrequests",
        "no matching manifest",
        "cannotpullcontainer",
        "imageinspecterror",
        "errimageneverpull",
    ),
)
# What people write about pulling: a phrase, read against the families like any other.
IMAGE_PULL_SAID = Signal(
    (
        "can't pull",
        "cant pull",
        "cannot pull",
        "unable to pull",
        "won't pull",
        "image pull",
        "pulling image",
        "pulling the image",
        "pull image",
        "pull the image",
        "이미지 풀",
        "이미지풀",
        "이미지 pull",
    ),
    re.compile(
        r"이미지[^\n]{0,12}(?:못|안\s*(?:돼|되|받|가져|내려)|실패|에러|오류|풀)"
        r"|(?:pull|풀)[^\n]{0,6}(?:실패|안\s*(?:돼|되)|에러|오류)"
    ),
    ("이미지", "실패", "에러", "오류"),
)
SYSCTL = Signal(
    (
        "sysctl",
        "keepalive",
        "keep-alive",
        "tcp_fin_timeout",
        "net.ipv4.",
        "net.ipv6.",
        "net.core.",
        "net.netfilter.",
        "kernel.shm",
        "kernel.msg",
        "kernel.sem",
        "somaxconn",
        "커널 파라미터",
        "커널파라미터",
        "킵얼라이브",
        "킵 얼라이브",
    )
)
INGRESS = Signal(("ingress", "ing/", "인그레스", "load balancer", "loadbalancer"), re.compile(r"\balb\b"), ("alb",))
DELETE = Signal(
    (
        "delet",
        "remov",
        "finaliz",
        "terminat",
        "stuck",
        "won't go away",
        "삭제",
        "지워",
        "지우",
        "제거",
        "안 없어",
        "안없어",
    )
)
DENIED = Signal(
    (
        "accessdenied",
        "not authorized",
        "unauthorizedoperation",
        "permission",
        "forbidden",
        "denied",
        "webidentityerr",
        "invalididentitytoken",
        "권한",
        "거부",
        "irsa",
    )
)
IRSA = Signal(
    (
        "irsa",
        "assumerolewithwebidentity",
        "webidentityerr",
        "invalididentitytoken",
        "role-arn",
        "service account role",
        "serviceaccount role",
        "openidconnect",
        "oidc",
        "pod identity",
        "trust policy",
        "trust relationship",
        "신뢰 정책",
        "신뢰정책",
        "신뢰 관계",
        "신뢰관계",
        "not authorized to perform",
    ),
    # "IAM 권한" alone is how-to talk ("grant pods access"); a failure word makes it a denial.
    re.compile(
        r"(?:iam|aws)[^\n]{0,20}(?:권한|permission)[^\n]{0,30}?"
        r"(?:거부|실패|없|오류|에러|안 ?돼|안 ?되|denied|missing|error|fail|lack)"
    ),
    ("권한", "permission"),
)
DB = Signal(
    (
        "aurora",
        "database",
        "mysql",
        "postgres",
        "디비",
        "데이터베이스",
        "오로라",
        "not eligible for stopping",
        "stopdbinstance",
        "stopdbcluster",
        "autostop",
        "db_cluster",
        "db_instance",
        "dbcluster",
        "dbinstance",
    ),
    re.compile(r"\brds\b|\bdbs?\b"),
    ("rds", "db"),
)
_CLOCK = re.compile(r"\bstop|\bstart|\bat \d{1,2}(?::\d\d)?\s*(?:am|pm)?\b|\b\d{1,2}:\d\d\b")
SCHEDULE = Signal(
    (
        "schedul",
        "night",
        "weekend",
        "cron",
        "business hours",
        "office hours",
        "autostop",
        "not eligible for stopping",
        "every day",
        "every evening",
        "every weekday",
        "꺼",
        "켜",
        "끄",
        "중지",
        "정지",
        "시작",
        "스케줄",
        "예약",
        "밤",
        "야간",
        "주말",
        "퇴근",
        "출근",
        "자동",
    ),
    _CLOCK,
    ("stop", "start", "at ", ":"),
)
SCHEDULE_VERB = Signal(("꺼", "켜", "끄", "중지", "정지", "schedul"), re.compile(r"\bstop|\bstart"), ("stop", "start"))
TIME_WORD = Signal(
    ("night", "weekend", "every ", "cron", "밤", "야간", "주말", "퇴근", "시에"),
    re.compile(r"\bat \d{1,2}|\b\d{1,2}:\d\d\b"),
    ("at ", ":"),
)
K8S_OBJECT = Signal(("pod", "파드", "포드", "node", "노드", "deployment", "디플로이", "container", "컨테이너"))
PODS = Signal(
    (),
    re.compile(
        r"\b(?:get|list|show|display|see|view)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:running\s+)?"
        r"(?:[a-z0-9-]+\s+)?(?:pods?|po)\b"
        r"|\bpods?\s+(?:in|on|of|for|list|status)\b|\bpod list|\bkubectl\s+get\s+(?:pods?|po)\b"
        r"|(?:파드|포드|pod)\S*\s*(?:목록|리스트|list|보여|조회|확인|상태|현황)"
        r"|(?:all|every) pods|\bpods -a\b|\bwhat pods\b|\bwhich pods\b|\bpods\??$"
    ),
    (
        "get po",
        "list",
        "show",
        "display",
        "see ",
        "view",
        "pods in",
        "pods on",
        "pods of",
        "pods for",
        "pod list",
        "pods status",
        "all pods",
        "every pod",
        "pods -a",
        "what pods",
        "which pods",
        "pods?",
        "pods",
        "목록",
        "리스트",
        "보여",
        "조회",
        "확인",
        "상태",
        "현황",
    ),
)
HELP = re.compile(
    r"^\s*(?:help|\?|도움말|도움|도와줘|사용법|명령어|commands?|usage|what can you do"
    r"|how do i use (?:this|you)|뭐\s*(?:할\s*수|하는)|무엇을\s*할\s*수)"
    r"[\s?!.요]*(?:있어|있나요|있어요|있니|해|줘|주세요|보여줘)?[\s?!.요]*$"
)
HELP_ANYWHERE = Signal(("what can you do", "도움말", "사용법"), re.compile(r"\bhelp\b"), ("help",))


def classify(low: str, aws_error: dict[str, str] | None) -> str:
    """The intent of a cleaned, lowercased message, given the AWS error found in it, if any."""
    return read(low, aws_error)[0]


# Phrase readings that need their family pairing (README labelling rules): an Ingress that only
# is to be removed, or a role that is only being set up, is a task, not the symptom; an image
# "pull policy" is a setting, not a pull.
_NEEDS_STATE = ("ingress_delete_denied", "irsa_access_denied", "image_pull")


def read(low: str, aws_error: dict[str, str] | None) -> tuple[str, float]:
    """The intent and how sure it is (``bot.parsing.confidence``).

    Pasted errors and error codes decide first (``STRUCTURAL``). Otherwise the phrase rules below
    and the signal families of ``bot.parsing.evidence`` are both read: when they agree the reading
    stands; when the families pair up a different intent, the one known to take precedence wins;
    when neither is known to, or a phrase reading lacks the state its intent needs, the bot asks.
    """
    if not low.strip():
        return "other", NOTHING
    intent, sure = _phrases(low, aws_error)
    if sure >= STRUCTURAL:
        return intent, sure
    found = evidence.found(low)
    families = evidence.read(low, found)
    if families is None or (families.task and intent not in _NEEDS_STATE and sure >= PHRASE):
        if intent in _NEEDS_STATE and sure >= PHRASE and aws_error is None:
            return intent, WEAK
        return intent, sure
    if sure < PHRASE or intent == "other":  # the phrase rules found nothing specific
        return families.intent, families.confidence
    if intent == families.intent:
        return intent, min(sure, families.confidence)
    if intent in families.pairs:
        return intent, sure if families.confidence >= PHRASE else WEAK
    if not families.pairs:  # a set-up task, or only objects the bot does not look after
        if intent in _NEEDS_STATE and aws_error is None:
            return ("other", PHRASE) if families.task else (intent, WEAK)
        return intent, sure
    if evidence.beats(families.intent, intent) and families.confidence >= PHRASE:
        return families.intent, PHRASE
    if evidence.beats(intent, families.intent):
        return intent, sure
    return intent, WEAK  # the phrase and the families disagree and neither is known to win: ask


def _phrases(low: str, aws_error: dict[str, str] | None) -> tuple[str, float]:
    """The reading of the literal phrase and pattern rules alone."""
    if IMAGE_PULL(low):
        return "image_pull", STRUCTURAL
    if IMAGE_PULL_SAID(low):
        return "image_pull", PHRASE
    if SYSCTL(low):
        return "sysctl", STRUCTURAL
    ingress = INGRESS(low)
    action = (aws_error or {}).get("action", "")
    if ingress or action.startswith("elasticloadbalancing:"):
        deleting = DELETE(low) or ":Delete" in action
        if deleting and (ingress or aws_error is not None) and not symptoms.CONTROLLER_REMOVED.search(low):
            return "ingress_delete_denied", STRUCTURAL if aws_error is not None else PHRASE
    if symptoms.PULL_SYMPTOM(low):  # "CannotPullContainer AccessDenied" is about the image, not the pod's role
        return "image_pull", PHRASE
    informative = aws_error is not None and aws_error.get("kind") not in ("unclear", "other")
    if informative and aws_error.get("user") and not symptoms.WORKLOAD(low):
        return "other", PHRASE  # an IAM user (a person, the console, a CLI) was denied, not a workload
    if informative and not (
        aws_error.get("role") or aws_error.get("action") or aws_error.get("user") or symptoms.WORKLOAD(low) or IRSA(low)
    ):
        return "irsa_access_denied", WEAK  # an error code named in prose, with no principal and no workload
    if informative or IRSA(low):
        return "irsa_access_denied", STRUCTURAL if informative else PHRASE
    if ingress and DENIED(low):
        return "irsa_access_denied", WEAK
    if SCHEDULE(low) and (DB(low) or (SCHEDULE_VERB(low) and TIME_WORD(low) and not K8S_OBJECT(low))):
        return "rds_schedule", PHRASE
    if PODS(low):
        return "pods", PHRASE
    if len(low) < 80 and HELP.match(low):
        return "help", STRUCTURAL
    if symptoms.IRSA_SYMPTOM(low) or (aws_error is not None and symptoms.WORKLOAD(low)):
        return "irsa_access_denied", PHRASE
    if symptoms.REGISTRY_AUTH(low):
        return "image_pull", PHRASE
    if symptoms.POD_SYMPTOM(low):
        return "pods", PHRASE
    if (len(low) < 80 and HELP_ANYWHERE(low)) or symptoms.HELP_ASK(low):
        return "help", PHRASE
    if symptoms.DEBUG_APP(low):
        return "pods", WEAK
    if aws_error is not None or any(w in low for w in symptoms.DOMAIN_WORDS):
        return "other", WEAK  # it is about the bot's areas, but no rule says which: ask
    return "other", PHRASE
