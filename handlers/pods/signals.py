"""What people write about pods, for the core parser: pod, restart and pod-state words, listing
phrases, pod symptoms in English and Korean, and when a reading is about pods. Pure; composed into
``bot.parsing.vocabulary``."""

from __future__ import annotations

import re

from bot.parsing.confidence import PHRASE, WEAK
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals

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
        "crashed",
        "크래시",
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
# Korean particles follow an English word with no space ("Pod가"), so no \b after it.
# Korean particles follow an English word with no space ("Pod가"), so no \b after it.
_POD = r"(?:\bpods?(?![a-z])|파드|포드|\bpo\b)"
# Another object between the pod and the verb is what the verb is about ("파드가 쓰는 시크릿 목록").
_GAP = r"(?:(?!시크릿|secret|노드|\bnode|디플로이먼트|deployment|configmap|컨피그맵)[^\n]){0,30}?"
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

PHRASES = (("not ready", "pod_state"),)
KOREAN = (
    ("재시작", "restart"),
    ("다시 시작", "restart"),
    ("상태", "pod_state"),
    ("생성되지", "pod_state"),
    ("생성이 안", "pod_state"),
    ("재실행", "restart"),
    ("안 떠", "pod_state"),
    ("안떠", "pod_state"),
    ("뜨지", "pod_state"),
    ("올라오지", "pod_state"),
    ("죽고", "pod_state"),
)

# What makes a pod reading specific: an action on the pod, or a state only pods are in.
POD_SPECIFIC = frozenset({"restart", "inspect", "debug", "pod_state", "question"})
# A restart of these is not a pod's ("restart the database", "stop and start the instance").
NOT_A_POD_RESTART = frozenset({"db", "elsewhere", "stop_start"})


def pairs(f: frozenset[str]) -> bool:
    state = "failing" in f or "stuck" in f or "denied" in f
    pod_action = "restart" in f or "inspect" in f or "debug" in f or "pod_state" in f or state
    return ("pod" in f and pod_action) or ("restart" in f and not f & NOT_A_POD_RESTART)


def settle(f: frozenset[str], vocabulary) -> float:
    if f & vocabulary.other_topics and "pod_state" not in f:
        return WEAK  # the pod may only be where the other topic lives; a pod state makes the pod the topic
    if not f & POD_SPECIFIC:
        return WEAK  # a pod with only a generic failure ("pod-to-pod traffic fails"): which pod question?
    return PHRASE


def _listing(low: str, _aws: AwsError) -> Reading | None:
    return ("pods", PHRASE) if PODS(low) else None


def _symptom(low: str, _aws: AwsError) -> Reading | None:
    return ("pods", PHRASE) if POD_SYMPTOM(low) else None


def _debugging(low: str, _aws: AwsError) -> Reading | None:
    return ("pods", WEAK) if DEBUG_APP(low) else None


SIGNALS = Signals(
    families={"pod": POD, "restart": RESTART, "pod_state": POD_STATE},
    phrases=PHRASES,
    korean=KOREAN,
    pairings=(Pairing("pods", 60, pairs, frozenset({"help"}), settle=settle),),
    rules=(PhraseRule(110, _listing), PhraseRule(150, _symptom), PhraseRule(170, _debugging)),
    in_scope=frozenset({"pod", "restart"}),
    domain_words=("pod", "파드", "포드", "restart", "재시작"),
)
