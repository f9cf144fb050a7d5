"""What people write and paste about image pulls, for the core parser: the image and pull words, what
kubelet, containerd and the registries print (a pull failure by structure), what people say about
pulling, and when a reading is an image pull. Pure; composed into ``bot.parsing.vocabulary``."""

from __future__ import annotations

import re

from bot.parsing.confidence import PHRASE, STRUCTURAL
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals

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

PHRASES = (
    ("docker hub", "image"),
    ("pull request", "pull_request"),
    ("pull policy", "pull_request"),
)
KOREAN = (
    ("가져오", "pull"),
    ("가져올", "pull"),
    ("가져와", "pull"),
    ("받아오", "pull"),
    ("받아와", "pull"),
    ("내려받", "pull"),
)


def pairs(f: frozenset[str]) -> bool:
    """An image or registry with a pull or a failure, or a failed pull (not a pull request or policy)."""
    state = "failing" in f or "stuck" in f or "denied" in f
    pull = "pull" in f and "pull_request" not in f
    return ("image" in f and (pull or state)) or (pull and "failing" in f)


def _pull(low: str, _aws: AwsError) -> Reading | None:
    """A pull failure as the runtime prints it, or pulling as people say it."""
    if IMAGE_PULL(low):
        return "image_pull", STRUCTURAL
    return ("image_pull", PHRASE) if IMAGE_PULL_SAID(low) else None


def _symptom(low: str, _aws: AwsError) -> Reading | None:
    # "CannotPullContainer AccessDenied" is about the image, not the pod's role
    return ("image_pull", PHRASE) if PULL_SYMPTOM(low) else None


def _registry_auth(low: str, _aws: AwsError) -> Reading | None:
    return ("image_pull", PHRASE) if REGISTRY_AUTH(low) else None


SIGNALS = Signals(
    families={"image": IMAGE, "pull": PULL},
    phrases=PHRASES,
    korean=KOREAN,
    pairings=(Pairing("image_pull", 10, pairs, frozenset({"pods", "irsa_access_denied", "help"}), needs_state=True),),
    rules=(
        PhraseRule(10, _pull),
        PhraseRule(50, _symptom),
        PhraseRule(140, _registry_auth),
    ),
    in_scope=frozenset({"image", "pull"}),
    other_topics=frozenset({"image"}),
    domain_words=("ecr", "image", "이미지"),
)
