"""The parser's own share of the vocabulary: the bot and its help, things the bot does not look after
(namespaces, nodes, secrets, EC2, the console...), and the actions and states every area shares
(inspect, debug, delete, failing, stuck, denied). Each feature brings the rest
(``Feature.signals``). Pure."""

from __future__ import annotations

import re

from bot.parsing.confidence import PHRASE, STRUCTURAL
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals

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
HELP_LINE = re.compile(
    r"^\s*(?:help|\?|도움말|도움|도와줘|사용법|명령어|commands?|usage|what can you do"
    r"|how do i use (?:this|you)|뭐\s*(?:할\s*수|하는)|무엇을\s*할\s*수)"
    r"[\s?!.요]*(?:있어|있나요|있어요|있니|해|줘|주세요|보여줘)?[\s?!.요]*$"
)
HELP_ANYWHERE = Signal(("what can you do", "도움말", "사용법"), re.compile(r"\bhelp\b"), ("help",))
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

PHRASES = (
    ("s3 sync", "elsewhere"),
    ("bucket policy", "elsewhere"),
    ("bucket policies", "elsewhere"),
    ("버킷 정책", "elsewhere"),
    ("버킷정책", "elsewhere"),
    ("iam user", "elsewhere"),
    ("management console", "elsewhere"),
    ("not working", "failing"),
    ("not able", "failing"),
    ("falling back", "failing"),
    ("not using", "failing"),
    ("won't using", "failing"),
    ("is missing", "failing"),
    ("missing?", "failing"),
    ("set up", "setup"),
    ("how to", "setup"),
    ("how do i", "setup"),
    ("how can i", "setup"),
    ("get events", "inspect"),
    ("get logs", "inspect"),
    ("get pod", "inspect"),
    ("get pods", "inspect"),
    ("not authorized", "denied"),
    ("access denied", "denied"),
)
KOREAN = (
    ("지워", "delete"),
    ("지우", "delete"),
    ("삭제", "delete"),
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
    ("보여", "inspect"),
    ("대신", "failing"),
    ("권한이 없", "denied"),
    ("권한 없", "denied"),
    ("접근 거부", "denied"),
    ("액세스 거부", "denied"),
    ("않", "failing"),
)


def _help_pairs(f: frozenset[str]) -> bool:
    asks = "question" in f or "inspect" in f
    return ("help" in f and ("bot" in f or "commands" in f)) or (("commands" in f or "bot" in f) and asks)


def _help_line(low: str, _aws: AwsError) -> Reading | None:
    return ("help", STRUCTURAL) if len(low) < 80 and HELP_LINE.match(low) else None


def _help_asked(low: str, _aws: AwsError) -> Reading | None:
    return ("help", PHRASE) if (len(low) < 80 and HELP_ANYWHERE(low)) or HELP_ASK(low) else None


SIGNALS = Signals(
    families={
        "bot": BOT,
        "commands": COMMANDS,
        "question": QUESTION,
        "setup": SETUP,
        "context": CONTEXT,
        "elsewhere": ELSEWHERE,
        "inspect": INSPECT,
        "debug": DEBUG,
        "delete": DELETE,
        "help": HELP,
        "failing": FAILING,
        "stuck": STUCK,
        "denied": DENIED,
    },
    phrases=PHRASES,
    korean=KOREAN,
    pairings=(Pairing("help", 70, _help_pairs),),
    rules=(PhraseRule(120, _help_line), PhraseRule(160, _help_asked)),
    in_scope=frozenset({"bot", "commands"}),
    other_topics=frozenset({"elsewhere"}),
    domain_words=("namespace", "네임스페이스", "node", "노드", "deploy", "배포"),
)
