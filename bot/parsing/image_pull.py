"""Classify an image pull failure: why it failed, which registry, which image.

Called by ``bot.parsing.parse`` and by the image-pull diagnoser on the kubelet events it
collects. Pure; a table of precompiled patterns, first match wins. The wording differs between
dockershim, containerd and CRI-O; ``tests/fixtures/parsing/pull_errors.jsonl`` holds real
messages of each, with the public issue each came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.parsing import confidence, pull_causes

CAUSES = (
    "network_unreachable",
    "auth",
    "not_found",
    "rate_limited",
    "dns",
    "platform",
    "invalid_reference",
    "disk",
    "tls",
    "sandbox",
    "other",
    "unclear",
)
# Images that cannot be references at all: a URL, a template placeholder, upper case in the
# repository path (distribution/reference allows upper case only in the host name).
_BAD_IMAGE = re.compile(
    r'(?:image|pull(?:ing)?)\s+"((?:https?://|[^"\s]*[<>{}$])[^"\s]*)"'
    r'|(?:image|pull(?:ing)?)\s+"[^"/\s]*(?:\.[^"/\s]*|:\d+)/[^"\s]*[A-Z][^"\s]*"'
)


def _cause(message: str) -> tuple[str, str, float]:
    """The cause, the phrase of ``message`` that shows it (in the message's own case), and the confidence."""
    low = message.lower()
    found = pull_causes.innermost(low)
    same_length = len(low) == len(message)
    if found.tier == 0:
        bad = _BAD_IMAGE.search(message) if "image" in low or "pull" in low else None
        if bad:
            return "invalid_reference", bad.group(0), confidence.PHRASE
        sure = pull_causes.about_a_pull(low)
        return "unclear", "", confidence.PHRASE if sure else confidence.NOTHING
    detail = message[found.start : found.end] if same_length else low[found.start : found.end]
    level = {
        pull_causes.STRONG: confidence.STRUCTURAL,
        pull_causes.WEAK: confidence.PHRASE,
        pull_causes.WRAPPER: confidence.PHRASE,
    }[found.tier]
    return found.cause, detail, level


_QUOTED_IMAGE = re.compile(
    r"(?:Failed to pull image|failed to pull and unpack image|failed to pull image|Back-off pulling image"
    r"|Pulling image|pulling image|failed to resolve reference|failed to get sandbox image"
    r"|failed pulling image|couldn't parse image reference|Failed to apply default image tag"
    r"|Failed to inspect image|PullImage|image)"
    r"\s+\"([^\"\s]+)"
)
# "image nginx:1.25", "docker pull repo/app:1", "docker://quay.io/x": only references with a tag, digest or
# path count, so ordinary words after "image" or "pull" are never taken for images.
_BARE_IMAGE = re.compile(
    r"(?:\bimage[=:]?\s*|--image[=\s]+|\bpull(?:ing)?\s+(?:the\s+)?|docker://"
    r"|failed to resolve ref(?:erence)?\s+)"
    r"([A-Za-z0-9][\w.-]*(?:[:/@][\w./:@-]+))"
)
_CRIO_MANIFEST = re.compile(r"reading manifest (\S+) in ([A-Za-z0-9][A-Za-z0-9._/:-]*[A-Za-z0-9])")
_DENIED_FOR = re.compile(
    r"(?:pull access denied for|(?<!matching )manifest for) ([A-Za-z0-9][A-Za-z0-9._/:@-]*[A-Za-z0-9])"
)
_DESCRIBE_IMAGE = re.compile(r"^\s*Image:\s+(\S+)", re.M)
_V2_URL = re.compile(
    r"https?://([A-Za-z0-9.-]+(?::\d+)?)/v2/([A-Za-z0-9._/-]+?)/(?:manifests|blobs)/([A-Za-z0-9._:-]+)"
)
_V2_HOST = re.compile(r"https?://([A-Za-z0-9.-]+(?::\d+)?)/v[12]/")
_LOOKUP_HOST = re.compile(r"lookup ([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Account ids are often redacted in pasted messages (XXXX, 1111), so any token is accepted there.
_ECR = re.compile(r"^([0-9a-z*]+)\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
_STARPORT = re.compile(r"prod-([a-z0-9-]+)-starport-layer-bucket")

DOCKER_HUB_HOSTS = frozenset(
    {
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "registry.hub.docker.com",
    }
)
PUBLIC_HOSTS = frozenset(
    {
        "quay.io",
        "ghcr.io",
        "gcr.io",
        "k8s.gcr.io",
        "registry.k8s.io",
        "mcr.microsoft.com",
        "registry.gitlab.com",
        "docker.elastic.co",
        "nvcr.io",
        "registry.access.redhat.com",
        "registry.redhat.io",
        "cgr.dev",
        "public.ecr.aws",
    }
)


@dataclass(frozen=True)
class PullClassification:
    """Why a pull failed (``cause``, one of ``CAUSES``), from where, and the phrase that said so."""

    cause: str
    registry: str = ""
    registry_kind: str = ""
    image: str = ""
    ecr_account: str = ""
    ecr_region: str = ""
    detail: str = ""
    confidence: float = confidence.NOTHING
    sandbox: bool = False

    def __str__(self) -> str:
        return f"{self.cause}: {self.image or self.registry or '?'} ({self.detail or 'no detail'})"

    def to_json(self) -> dict[str, str]:
        """The ``image_pull`` object of the ``chatops parse`` contract."""
        return {
            "cause": self.cause,
            "registry": self.registry,
            "registry_kind": self.registry_kind,
            "image": self.image,
        }


def _host_kind(host: str) -> str:
    if host in DOCKER_HUB_HOSTS:
        return "docker_hub"
    if host == "public.ecr.aws":
        return "ecr_public"
    if _ECR.match(host):
        return "ecr_private"
    if host in PUBLIC_HOSTS:
        return "public_other"
    return "private_other"


def registry_of(image: str) -> tuple[str, str]:
    """The registry host of an image reference and its kind.

    Follows the Docker reference rules: the first path component is a host only if it has a
    dot or a port or is ``localhost``; otherwise the image lives on Docker Hub (``busybox`` and
    ``library/busybox`` are both ``docker.io``). Docker Hub aliases collapse to ``docker.io``.
    Kinds: ``ecr_private``, ``ecr_public``, ``docker_hub``, ``public_other``, ``private_other``.
    """
    ref = image.strip().split("://", 1)[-1]
    first, sep, _ = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host = first.lower()
    else:
        host = "docker.io"
    if host in DOCKER_HUB_HOSTS:
        host = "docker.io"
    return host, _host_kind(host)


def find_image(message: str) -> str:
    """The first image reference in a kubelet event, describe output, runtime error or sentence."""
    m = _QUOTED_IMAGE.search(message)
    if m and m.group(1).rstrip(":.,"):
        return m.group(1).rstrip(":.,")
    m = _CRIO_MANIFEST.search(message)
    if m:
        tag = m.group(1)
        return f"{m.group(2)}@{tag}" if tag.startswith("sha256:") else f"{m.group(2)}:{tag}"
    m = _DENIED_FOR.search(message) or _DESCRIBE_IMAGE.search(message) or _BARE_IMAGE.search(message)
    if m:
        return m.group(1).rstrip(":.,")
    m = _V2_URL.search(message)
    if m:
        host, repo, ref = m.groups()
        ref = ref.rstrip(":.")
        return f"{host}/{repo}@{ref}" if ref.startswith("sha256:") else f"{host}/{repo}:{ref}"
    return ""


def _registry_without_image(message: str) -> tuple[str, str]:
    m = _V2_HOST.search(message) or _LOOKUP_HOST.search(message)
    if m:
        host = m.group(1).lower()
        host = "docker.io" if host in DOCKER_HUB_HOSTS else host
        return host, _host_kind(host)
    return "", ""


# A cluster's failing pods mostly repeat a few kubelet messages (the same image, the same cause), so
# the classifications of short messages are kept: a triage of thousands of pods classifies each
# distinct message once. Long pasted logs are classified afresh (they rarely repeat, and the cache
# should stay small: at most ``CACHED_MESSAGES`` messages of ``CACHED_LENGTH`` characters).
CACHED_LENGTH = 2_000
CACHED_MESSAGES = 1_024


def classify_pull_error(message: str) -> PullClassification:
    """Classify one pull failure message (a kubelet event, describe output, or a pasted log)."""
    message = message or ""
    if len(message) <= CACHED_LENGTH:
        return _classify_short(message)
    return _classify(message)


@lru_cache(maxsize=CACHED_MESSAGES)
def _classify_short(message: str) -> PullClassification:
    return _classify(message)


def _classify(message: str) -> PullClassification:
    cause, detail, sure = _cause(message)
    image = find_image(message)
    if image:
        registry, kind = registry_of(image)
    else:
        registry, kind = _registry_without_image(message)
    account = region = ""
    ecr = _ECR.match(registry)
    if ecr:
        account, region = ecr.groups()
    elif not registry:
        star = _STARPORT.search(message)
        if star:  # ECR serves layers from this S3 bucket; the account is not in the URL
            kind, region = "ecr_private", star.group(1)
    low = message.lower()
    sandbox = "sandbox" in low or "pause:" in low or "/pause@" in low
    return PullClassification(cause, registry, kind, image, account, region, detail, sure, sandbox)
