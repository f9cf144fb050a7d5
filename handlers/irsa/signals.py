"""What people write and paste about Ingress deletions and workload identities, for the core parser:
the ingress and identity words, AWS errors a workload gets, and when a reading is a denied Ingress
delete or an IRSA denial. Pure; composed into ``bot.parsing.vocabulary``."""

from __future__ import annotations

import re

from bot.parsing.confidence import PHRASE, STRUCTURAL, WEAK
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals
from handlers.irsa.entities import ENTITIES

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
    }
)
# A role alone is anybody's (a person's, a CI job's, another account's): it is a workload's
# identity only next to a pod or a service account.
ROLE_WORD = frozenset({"role", "roles", "역할"})
INGRESS_SAID = Signal(
    ("ingress", "ing/", "인그레스", "load balancer", "loadbalancer"), re.compile(r"\balb\b"), ("alb",)
)
DELETE_SAID = Signal(
    (
        "delet",
        "remov",
        "finaliz",
        "terminat",
        "stuck",
        "won't go away",
        # what a deletion that did not finish leaves behind (terraform destroy, helm uninstall)
        "destroy",
        "orphan",
        "left behind",
        "leftover",
        "남아",
        "삭제",
        "지워",
        "지우",
        "제거",
        "안 없어",
        "안없어",
    )
)
DENIED_SAID = Signal(
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
# The workload-identity topics: a question about one of them is a denial only when it says
# something failed (``FAILURE_SAID``); "is IRSA supported for ...?" asks how, not why it is denied.
IRSA_TOPIC = Signal(
    (
        "irsa",
        "for service accounts",  # "IAM roles for service accounts", the feature's long name
        "for service account",
        "assumerolewithwebidentity",
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
    )
)
FAILURE_SAID = Signal(
    (
        "denied",
        "deny",
        "not authorized",
        "unauthorized",
        "forbidden",
        "fail",
        "error",
        "unable",
        "cannot",
        "can't",
        "couldn't",
        "not work",
        "doesn't",
        "isn't",
        "won't",
        "not being",
        "not picking",
        "instead",
        # the pod's SDK took another identity than the one its service account names
        "ignored",
        "falls back",
        "falling back",
        "fall back",
        "despite",
        "precedence",
        "거부",
        "실패",
        "오류",
        "에러",
        "안 돼",
        "안돼",
        "안 되",
        "안되",
        "못",
        "없",
    )
)
# A web-identity failure in the words of STS or the SDKs, or a pasted denial.
IRSA = Signal(
    (
        "webidentityerr",
        "invalididentitytoken",
        "not authorized to perform",
    ),
    # "IAM 권한" alone is how-to talk ("grant pods access"); a failure word makes it a denial.
    re.compile(
        r"(?:iam|aws)[^\n]{0,20}(?:권한|permission)[^\n]{0,30}?"
        r"(?:거부|실패|없|오류|에러|안 ?돼|안 ?되|denied|missing|error|fail|lack)"
    ),
    ("권한", "permission"),
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
# The controller itself being removed is not an Ingress that will not delete.
CONTROLLER_REMOVED = re.compile(
    r"controller\s*(?:를|을)\s*(?:삭제|제거)|(?:delet|remov|uninstall)\w*\s+(?:the\s+)?(?:aws\s+)?"
    r"(?:alb\s+|load balancer\s+)?(?:ingress\s+)?controller\b"
)

PHRASES = (
    ("load balancer", "ingress"),
    ("로드 밸런서", "ingress"),
    ("service account", "identity"),
    ("pod identity", "identity"),
    ("iam role", "identity"),
    ("서비스 어카운트", "identity"),
    ("서비스 계정", "identity"),
    ("instead of", "instead"),
    ("rather than", "instead"),
)


def _state(f: frozenset[str]) -> bool:
    return "failing" in f or "stuck" in f or "denied" in f


def _ingress_pairs(f: frozenset[str]) -> bool:
    """An Ingress or load balancer that is stuck, or being deleted and failing or denied."""
    return "ingress" in f and ("stuck" in f or ("delete" in f and _state(f)))


def _irsa_pairs(f: frozenset[str]) -> bool:
    """A workload identity with a failure or denial (or the wrong role used), or a pod denied."""
    wrong_role = "instead" in f and "role_word" in f
    identity = "identity" in f or ("role_word" in f and "pod" in f)
    # a pod denied is a pod without the AWS access it needs
    return (identity and ("failing" in f or "denied" in f or wrong_role)) or ("pod" in f and "denied" in f)


def _ingress_delete(low: str, aws: AwsError) -> Reading | None:
    ingress = INGRESS_SAID(low)
    action = (aws or {}).get("action", "")
    if ingress or action.startswith("elasticloadbalancing:"):
        deleting = DELETE_SAID(low) or ":Delete" in action
        if deleting and (ingress or aws is not None) and not CONTROLLER_REMOVED.search(low):
            return "ingress_delete_denied", STRUCTURAL if aws is not None else PHRASE
    return None


def _denials(low: str, aws: AwsError) -> Reading | None:
    """An AWS denial: a person's (not a workload's), a bare error code in prose, or a workload's."""
    informative = aws is not None and aws.get("kind") not in ("unclear", "other")
    if informative and aws.get("user") and not WORKLOAD(low):
        return "other", PHRASE  # an IAM user (a person, the console, a CLI) was denied, not a workload
    if informative and not (
        aws.get("role") or aws.get("action") or aws.get("user") or WORKLOAD(low) or IRSA(low) or IRSA_TOPIC(low)
    ):
        return "irsa_access_denied", WEAK  # an error code named in prose, with no principal and no workload
    if informative or IRSA(low) or (IRSA_TOPIC(low) and FAILURE_SAID(low)):
        return "irsa_access_denied", STRUCTURAL if informative else PHRASE
    return None


def _ingress_denied(low: str, _aws: AwsError) -> Reading | None:
    return ("irsa_access_denied", WEAK) if INGRESS_SAID(low) and DENIED_SAID(low) else None


def _symptom(low: str, aws: AwsError) -> Reading | None:
    if IRSA_SYMPTOM(low) or (aws is not None and WORKLOAD(low)):
        return "irsa_access_denied", PHRASE
    return None


SIGNALS = Signals(
    entities=ENTITIES,
    families={"ingress": INGRESS, "identity": IDENTITY, "role_word": ROLE_WORD},
    phrases=PHRASES,
    pairings=(
        Pairing(
            "ingress_delete_denied",
            20,
            _ingress_pairs,
            frozenset({"irsa_access_denied", "pods", "help"}),
            needs_state=True,
        ),
        Pairing("irsa_access_denied", 40, _irsa_pairs, frozenset({"pods", "help"}), needs_state=True),
    ),
    rules=(
        PhraseRule(40, _ingress_delete),
        PhraseRule(60, _denials),
        PhraseRule(90, _ingress_denied),
        PhraseRule(130, _symptom),
    ),
    in_scope=frozenset({"ingress", "identity"}),
    other_topics=frozenset({"ingress", "identity"}),
    needs_state_objects=frozenset({"identity", "ingress"}),
    domain_words=("iam", "role", "권한", "ingress", "인그레스", "alb", "access denied", "accessdenied"),
)
