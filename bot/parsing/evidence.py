"""What a request is about, from three small families of signals: objects, actions and states.

Called by ``bot.parsing.intents`` only, for requests that pasted no error the parser reads by
structure. Pure. A request names an **object** (a pod, an image, an Ingress, a role, a database,
a kernel parameter, the bot) and either an **action** on it (restart, list, show logs, delete,
pull, stop on a schedule) or a **state** it is in (pending, stuck, failing, denied). An intent is
a pairing of the two, in English and Korean alike:

* ``pods``: a pod with an inspect/restart/debug action or a pod state;
* ``image_pull``: an image or registry with a pull action or a failure, or a failed pull;
* ``ingress_delete_denied``: an Ingress or load balancer with a delete action *and* a state
  (stuck, failing, denied) -- a plain "remove the Ingress" is a task, not this symptom;
* ``irsa_access_denied``: a workload identity (IRSA, service account, pod role) with a failure or
  a denial -- without one it is a how-to, which is ``other``;
* ``rds_schedule``: a database with stop/start or a schedule;
* ``sysctl``: a kernel parameter;
* ``help``: the bot or its commands with a help word.

Korean words are matched as stems (``bot.parsing.morph``), so ``재시작해줘``, ``재시작 부탁드립니다``
and ``재시작이 안돼요`` all carry the restart action. Objects outside the bot's areas (namespaces,
nodes, secrets, EC2, Lambda, S3 bucket policies, the console, Terraform) make a confident ``other``
when nothing in the bot's areas pairs up. When two intents pair up and neither is known to take
precedence over the other, the reading is ``WEAK`` and the bot asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing import morph
from bot.parsing.confidence import PHRASE, WEAK
from bot.parsing.text import has_hangul

# ---- objects -------------------------------------------------------------------------------
POD = frozenset(
    {
        "pod",
        "pods",
        "po",
        "파드",
        "포드",
        "container",
        "containers",
        "컨테이너",
        "deployment",
        "deployments",
        "디플로이먼트",
        "디플로이",
        "디플로",
        "replicaset",
        "statefulset",
        "daemonset",
        "workload",
        "workloads",
        "워크로드",
        "logs",
        "log",
        "로그",
        "events",
        "이벤트",
    }
)
IMAGE = frozenset(
    {
        "image",
        "images",
        "이미지",
        "registry",
        "registries",
        "레지스트리",
        "ecr",
        "dockerhub",
        "quay",
        "ghcr",
        "gcr",
        "manifest",
        "imagepullsecret",
        "imagepullsecrets",
        "도커허브",
    }
)
INGRESS = frozenset(
    {
        "ingress",
        "ingresses",
        "인그레스",
        "alb",
        "nlb",
        "elb",
        "loadbalancer",
        "loadbalancers",
        "로드밸런서",
    }
)
IDENTITY = frozenset(
    {
        "irsa",
        "serviceaccount",
        "serviceaccounts",
        "kube2iam",
        "kiam",
        "oidc",
        "assumerolewithwebidentity",
        "webidentityerr",
        "role-arn",
        "서비스어카운트",
        "역할",
        "role",
        "roles",
    }
)
DB = frozenset(
    {
        "rds",
        "aurora",
        "database",
        "databases",
        "db",
        "dbs",
        "mysql",
        "postgres",
        "postgresql",
        "데이터베이스",
        "디비",
        "오로라",
    }
)
KERNEL = frozenset({"sysctl", "sysctls", "somaxconn", "keepalive", "커널", "킵얼라이브"})
BOT = frozenset({"bot", "bots", "slackbot", "봇", "챗봇"})
COMMANDS = frozenset({"commands", "command", "명령어", "명령", "usage", "사용법"})
# Things the bot does not look after. A namespace or a cluster is where every request happens, so
# it only makes "other" when nothing pairs up (a namespace stuck Terminating); the rest are topics
# of their own, and a pod reading next to one of them is asked ("list the secrets a pod uses").
CONTEXT = frozenset({"namespace", "namespaces", "네임스페이스", "cluster", "clusters", "클러스터"})
ELSEWHERE = frozenset(
    {
        "node",
        "nodes",
        "노드",
        "nodegroup",
        "secret",
        "secrets",
        "시크릿",
        "configmap",
        "컨피그맵",
        "ec2",
        "lambda",
        "람다",
        "bucket",
        "버킷",
        "console",
        "콘솔",
        "terraform",
        "테라폼",
        "cloudformation",
        "eksctl",
        "kubeconfig",
        "upgrade",
        "업그레이드",
        "rollback",
        "롤백",
        "karpenter",
        "route53",
    }
)
# Two-word objects, found by substring.
_PHRASE_OBJECTS = (
    ("load balancer", "ingress"),
    ("로드 밸런서", "ingress"),
    ("service account", "identity"),
    ("pod identity", "identity"),
    ("iam role", "identity"),
    ("서비스 어카운트", "identity"),
    ("서비스 계정", "identity"),
    ("docker hub", "image"),
    ("kernel parameter", "kernel"),
    ("kernel parameters", "kernel"),
    ("커널 파라미터", "kernel"),
    ("커널 옵션", "kernel"),
    ("net.ipv4.", "kernel"),
    ("net.core.", "kernel"),
    ("s3 sync", "elsewhere"),
    ("bucket policy", "elsewhere"),
    ("bucket policies", "elsewhere"),
    ("버킷 정책", "elsewhere"),
    ("버킷정책", "elsewhere"),
    ("iam user", "elsewhere"),
    ("management console", "elsewhere"),
)

ROLE_WORD = frozenset({"role", "roles", "역할"})

# ---- actions -------------------------------------------------------------------------------
RESTART = frozenset(
    {
        "restart",
        "restarts",
        "restarted",
        "restarting",
        "bounce",
        "recreate",
        "rollout",
        "재시작",
        "재기동",
        "리스타트",
        "재배포",
    }
)
INSPECT = frozenset(
    {
        "list",
        "lists",
        "listing",
        "show",
        "display",
        "displays",
        "view",
        "describe",
        "status",
        "statuses",
        "check",
        "fetch",
        "retrieve",
        "목록",
        "조회",
        "확인",
        "보여",
        "보여줘",
        "보여주세요",
        "상태",
        "현황",
        "리스트",
    }
)
DEBUG = frozenset({"debug", "debugging", "troubleshoot", "troubleshooting", "디버깅", "디버그", "장애"})
DELETE = frozenset(
    {
        "delete",
        "deletes",
        "deleted",
        "deleting",
        "deletion",
        "remove",
        "removed",
        "removing",
        "removal",
        "destroy",
        "destroyed",
        "삭제",
        "지워",
        "지우",
        "제거",
        "지워지지",
    }
)
STOP_START = frozenset(
    {
        "stop",
        "stops",
        "stopped",
        "stopping",
        "start",
        "starts",
        "started",
        "shutdown",
        "중지",
        "정지",
        "종료",
        "자동종료",
        "시작",
        "꺼",
        "켜",
        "끄",
        "꺼주세요",
        "켜주세요",
    }
)
SCHEDULE = frozenset(
    {
        "schedule",
        "scheduled",
        "scheduling",
        "schedules",
        "cron",
        "nightly",
        "overnight",
        "weekend",
        "weekends",
        "weekdays",
        "스케줄",
        "스케줄링",
        "스케줄화",
        "예약",
        "야간",
        "주말",
        "평일",
        "퇴근",
        "새벽",
    }
)
PULL = frozenset(
    {
        "pull",
        "pulls",
        "pulled",
        "pulling",
        "풀",
        "가져오",
        "가져올",
        "가져와",
        "가져오지",
        "가져오는",
        "받아오",
        "받아와",
        "받아오지",
        "내려받",
    }
)
HELP = frozenset({"help", "usage", "도움말", "사용법", "도움"})
# A question about what exists ("what commands are there", "명령어 뭐 있어요").
QUESTION = frozenset(
    {
        "what",
        "which",
        "available",
        "supported",
        "support",
        "뭐",
        "무엇",
        "무엇을",
        "어떤",
        "무슨",
        "있어",
        "있나요",
        "있어요",
        "있습니까",
        "알려",
    }
)
# Setting something up: with no failure named, a how-to (README: IRSA set-up questions are "other").
SETUP = frozenset(
    {
        "setup",
        "configure",
        "configuring",
        "configuration",
        "enable",
        "grant",
        "granting",
        "give",
        "설정",
        "구성",
        "방법",
        "부여",
        "연동",
        "사용하기",
    }
)

# ---- states --------------------------------------------------------------------------------
FAILING = frozenset(
    {
        "forbidden",
        "fail",
        "fails",
        "failed",
        "failing",
        "failure",
        "error",
        "errors",
        "unable",
        "can't",
        "cannot",
        "cant",
        "won't",
        "wont",
        "doesn't",
        "didn't",
        "isn't",
        "not",
        "broken",
        "issue",
        "problem",
        "실패",
        "에러",
        "오류",
        "못",
        "안돼",
        "안되",
        "안됨",
        "안",
        "문제",
        "없",
        "없습니다",
        "없음",
        "수없",
    }
)
STUCK = frozenset(
    {
        "stuck",
        "hang",
        "hangs",
        "hanging",
        "hung",
        "terminating",
        "finalizer",
        "finalizers",
        "forever",
        "멈춤",
        "멈춰",
        "멈췄",
        "무한",
        "대기",
        "지연",
        "중단된",
    }
)
# A denial, not the word for a permission ("grant permission", "권한 부여" are how-tos).
# "forbidden" is Kubernetes RBAC's word as often as AWS's, so it is a failure, not an AWS denial.
DENIED = frozenset({"401", "denied", "accessdenied", "unauthorized", "403", "거부", "인증되지"})
POD_STATE = frozenset(
    {
        "running",
        "ready",
        "0/1",
        "succeeded",
        "completed",
        "terminating",
        "exits",
        "exited",
        "terminated",
        "restarts",
        "pending",
        "crashloopbackoff",
        "crashloop",
        "crashing",
        "oomkilled",
        "evicted",
        "containercreating",
        "unhealthy",
        "대기",
        "죽",
        "죽고",
        "뜨지",
        "올라오지",
        "재시작되는",
    }
)
# Multi-word states, found by substring.
_PHRASE_STATES = (
    ("not working", "failing"),
    ("not able", "failing"),
    ("falling back", "failing"),
    ("not using", "failing"),
    ("won't using", "failing"),
    ("is missing", "failing"),
    ("missing?", "failing"),
    ("not ready", "pod_state"),
    ("instead of", "instead"),  # with a role word: the wrong role was used
    ("rather than", "instead"),
    ("set up", "setup"),
    ("how to", "setup"),
    ("how do i", "setup"),
    ("how can i", "setup"),
    ("pull request", "pull_request"),
    ("pull policy", "pull_request"),  # a setting, not a pull
    ("get events", "inspect"),
    ("get logs", "inspect"),
    ("get pod", "inspect"),
    ("get pods", "inspect"),
    ("not authorized", "denied"),
    ("access denied", "denied"),
)
# Korean verbs and negations conjugate inside the syllable (가져올, 지워져요, 못 받아와요): these are
# found by substring, only in messages that contain Hangul.
_KO_SUBSTRINGS = (
    ("가져오", "pull"),
    ("가져올", "pull"),
    ("가져와", "pull"),
    ("받아오", "pull"),
    ("받아와", "pull"),
    ("내려받", "pull"),
    ("지워", "delete"),
    ("지우", "delete"),
    ("삭제", "delete"),
    ("재시작", "restart"),
    ("다시 시작", "restart"),
    ("상태", "pod_state"),  # a pod in some state: 파드가 running 상태이지만
    ("생성되지", "pod_state"),
    ("생성이 안", "pod_state"),
    ("재실행", "restart"),
    ("안돼", "failing"),
    ("안 돼", "failing"),
    ("안되", "failing"),
    ("안 되", "failing"),
    ("못", "failing"),
    ("실패", "failing"),
    ("없", "failing"),
    ("에러", "failing"),
    ("오류", "failing"),
    ("거부", "denied"),
    ("멈", "stuck"),
    ("무한 대기", "stuck"),
    ("안 떠", "pod_state"),
    ("안떠", "pod_state"),
    ("뜨지", "pod_state"),
    ("올라오지", "pod_state"),
    ("죽고", "pod_state"),
    ("보여", "inspect"),
    ("스케줄", "schedule"),
    ("대신", "failing"),
    ("권한이 없", "denied"),
    ("권한 없", "denied"),
    ("접근 거부", "denied"),
    ("액세스 거부", "denied"),
    ("않", "failing"),
)

# The families a word can stand for, looked up once per distinct word.
_FAMILIES = {
    "pod": POD,
    "image": IMAGE,
    "ingress": INGRESS,
    "identity": IDENTITY,
    "db": DB,
    "kernel": KERNEL,
    "role_word": ROLE_WORD,
    "bot": BOT,
    "commands": COMMANDS,
    "question": QUESTION,
    "setup": SETUP,
    "context": CONTEXT,
    "elsewhere": ELSEWHERE,
    "restart": RESTART,
    "inspect": INSPECT,
    "debug": DEBUG,
    "delete": DELETE,
    "stop_start": STOP_START,
    "schedule": SCHEDULE,
    "pull": PULL,
    "help": HELP,
    "failing": FAILING,
    "stuck": STUCK,
    "denied": DENIED,
    "pod_state": POD_STATE,
}


# Each word to the families it stands for, so a message costs one lookup per distinct word.
_WORD_FAMILIES: dict[str, tuple[str, ...]] = {}
for _name, _fam in _FAMILIES.items():
    for _w in _fam:
        _WORD_FAMILIES[_w] = (*_WORD_FAMILIES.get(_w, ()), _name)
# Multi-word phrases, tried only when their last word is in the message ("load balancer" needs
# "balancer"); phrases whose last word is not a plain word ("net.ipv4.", "missing?") are always tried.
_GATED: dict[str, tuple[tuple[str, str], ...]] = {}
_ALWAYS: list[tuple[str, str]] = []
for _phrase, _name in (*_PHRASE_OBJECTS, *_PHRASE_STATES):
    _last = _phrase.split()[-1]
    if morph.words(_last) == {_last}:
        _GATED[_last] = (*_GATED.get(_last, ()), (_phrase, _name))
    else:
        _ALWAYS.append((_phrase, _name))
del _name, _fam, _w, _phrase, _last


def found(low: str) -> frozenset[str]:
    """The family names present in a cleaned, lowercased message."""
    names: set[str] = set()
    for w in morph.words(low):
        fams = _WORD_FAMILIES.get(w)
        if fams:
            names.update(fams)
        gated = _GATED.get(w)
        if gated:
            for phrase, name in gated:
                if phrase in low:
                    names.add(name)
    for phrase, name in _ALWAYS:
        if phrase in low:
            names.add(name)
    if has_hangul(low):
        for phrase, name in _KO_SUBSTRINGS:
            if phrase in low:
                names.add(name)
    return frozenset(names)


# When both pair up, the first is what the request is about (README, corpus labelling rules):
# a pod that cannot pull is image_pull; a pod denied AWS access is irsa; a denied Ingress delete
# is ingress_delete_denied; a pod's kernel parameter is sysctl. Other pairs are asked.
_BEATS = frozenset(
    {
        ("image_pull", "pods"),
        ("image_pull", "irsa_access_denied"),
        ("image_pull", "help"),
        ("ingress_delete_denied", "irsa_access_denied"),
        ("ingress_delete_denied", "pods"),
        ("ingress_delete_denied", "help"),
        ("irsa_access_denied", "pods"),
        ("irsa_access_denied", "help"),
        ("sysctl", "pods"),
        ("sysctl", "help"),
        ("sysctl", "irsa_access_denied"),
        ("rds_schedule", "pods"),
        ("rds_schedule", "help"),
        ("pods", "help"),
    }
)


@dataclass(frozen=True)
class Reading:
    intent: str
    confidence: float
    pairs: tuple[str, ...]  # every intent whose object and action/state paired up
    task: bool = False  # "other" because an in-scope object is only being set up, with no failure


def pairs(f: frozenset[str]) -> list[str]:
    """The intents whose object pairs with an action or a state in the families ``f``, by priority."""
    out = []
    state = "failing" in f or "stuck" in f or "denied" in f
    pull = "pull" in f and "pull_request" not in f
    if ("image" in f and (pull or state)) or (pull and "failing" in f):
        out.append("image_pull")
    if "ingress" in f and ("stuck" in f or ("delete" in f and state)):
        out.append("ingress_delete_denied")
    if "kernel" in f:
        out.append("sysctl")
    wrong_role = "instead" in f and "role_word" in f
    if ("identity" in f and ("failing" in f or "denied" in f or wrong_role)) or ("pod" in f and "denied" in f):
        out.append("irsa_access_denied")  # a pod denied is a pod without the AWS access it needs
    if "db" in f and ("stop_start" in f or "schedule" in f):
        out.append("rds_schedule")
    pod_action = "restart" in f or "inspect" in f or "debug" in f or "pod_state" in f or state
    if ("pod" in f and pod_action) or ("restart" in f and not f & _NOT_A_POD_RESTART):
        out.append("pods")
    asks = "question" in f or "inspect" in f
    if ("help" in f and ("bot" in f or "commands" in f)) or (("commands" in f or "bot" in f) and asks):
        out.append("help")
    return out


_NOT_A_POD_RESTART = frozenset({"db", "elsewhere", "stop_start"})


def beats(a: str, b: str) -> bool:
    """True when a request that pairs up as both ``a`` and ``b`` is about ``a``."""
    return (a, b) in _BEATS


def read(low: str, f: frozenset[str] | None = None) -> Reading | None:
    """The intent the families point to, or None when nothing pairs up and no foreign object is named."""
    f = found(low) if f is None else f
    got = pairs(f)
    if not got:
        if "setup" in f and f & _NEEDS_STATE_OBJECTS:
            return Reading("other", PHRASE, (), task=True)
        if f & _FOREIGN and not f & _IN_SCOPE:
            return Reading("other", PHRASE, ())  # only things the bot does not look after
        return None
    for best in got:
        if all(o == best or (best, o) in _BEATS for o in got):
            if best == "pods" and f & _OTHER_TOPICS and "pod_state" not in f:
                # the pod may only be where the other topic lives; a pod state makes the pod the topic
                return Reading(best, WEAK, tuple(got))
            if best == "pods" and not f & _POD_SPECIFIC:
                # a pod with only a generic failure ("pod-to-pod traffic fails"): which pod question?
                return Reading(best, WEAK, tuple(got))
            return Reading(best, PHRASE, tuple(got))
    return Reading(got[0], WEAK, tuple(got))  # two readings, neither known to win: ask


_FOREIGN = frozenset({"elsewhere", "context"})
# An object of the bot's own areas (or an action only they take): with one unpaired, the reading
# is unsure rather than "other".
_IN_SCOPE = frozenset({"pod", "image", "ingress", "identity", "db", "kernel", "bot", "commands", "restart", "pull"})
# What makes a pod reading specific: an action on the pod, or a state only pods are in.
_POD_SPECIFIC = frozenset({"restart", "inspect", "debug", "pod_state", "question"})
# Objects whose intent needs a failure or a stuck state, not only the object (see ``pairs``).
_NEEDS_STATE_OBJECTS = frozenset({"identity", "ingress"})
# Objects of the bot's own areas (and foreign topics) that a pod reading does not account for.
_OTHER_TOPICS = frozenset({"image", "ingress", "identity", "db", "kernel", "elsewhere"})
