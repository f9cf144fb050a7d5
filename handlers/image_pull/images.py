"""Image references: split into host / repository / tag, and rewrite for an ECR pull-through cache.

Pure helpers for ``collect`` (which ECR repository to describe), ``plan`` (closest tags, the
rewritten reference) and the sandbox worlds. Host detection is ``bot.parsing.image_pull.registry_of``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.cloud.partition import dns_suffix
from bot.parsing.image_pull import registry_of

# Upstream registries ECR pull-through cache supports, with the prefix we give their rule.
PTC_UPSTREAMS = {
    "docker.io": ("docker-hub", "registry-1.docker.io"),
    "public.ecr.aws": ("ecr-public", "public.ecr.aws"),
    "quay.io": ("quay", "quay.io"),
    "ghcr.io": ("github", "ghcr.io"),
    "registry.k8s.io": ("k8s", "registry.k8s.io"),
    "registry.gitlab.com": ("gitlab", "registry.gitlab.com"),
}
# Upstreams whose pull-through cache rule needs a Secrets Manager credential (name prefix below).
PTC_NEEDS_CREDENTIAL = frozenset({"docker.io", "ghcr.io", "registry.gitlab.com"})
PTC_SECRET_PREFIX = "ecr-pullthroughcache/"
_VERSIONISH = re.compile(r"\d+|[a-z]+", re.I)


@dataclass(frozen=True)
class ImageRef:
    host: str
    kind: str
    repository: str
    tag: str = ""
    digest: str = ""

    def __str__(self) -> str:
        return f"{self.host}/{self.repository}" + (f"@{self.digest}" if self.digest else f":{self.tag}")


def split_image(image: str) -> ImageRef:
    """``nginx`` -> docker.io / library/nginx / latest; ``host/a/b:t@sha256:..`` keeps the digest."""
    host, kind = registry_of(image)
    ref = image.strip()
    digest = ""
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, sep, rest = ref.partition("/")
    path = rest if sep and ("." in first or ":" in first or first == "localhost") else ref
    tag = ""
    last_slash = path.rfind("/")
    colon = path.rfind(":")
    if colon > last_slash:
        path, tag = path[:colon], path[colon + 1 :]
    if host == "docker.io" and "/" not in path:
        path = f"library/{path}"
    if not tag and not digest:
        tag = "latest"
    return ImageRef(host, kind, path, tag, digest)


def ecr_host(account: str, region: str) -> str:
    """The account's private registry host; its DNS suffix is the region's partition's."""
    return f"{account}.dkr.ecr.{region}.{dns_suffix(region)}"


def pull_through_image(image: str, account: str, region: str) -> str:
    """The reference that pulls ``image`` through this account's cache rule for its registry."""
    ref = split_image(image)
    prefix = PTC_UPSTREAMS[ref.host][0]
    suffix = f"@{ref.digest}" if ref.digest else f":{ref.tag}"
    return f"{ecr_host(account, region)}/{prefix}/{ref.repository}{suffix}"


def with_tag(image: str, tag: str) -> str:
    ref = split_image(image)
    original = image.strip().split("@", 1)[0]
    base = original[: original.rfind(":")] if original.rfind(":") > original.rfind("/") else original
    return f"{base}:{tag}" if ref.repository else image


def _version_key(tag: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _VERSIONISH.findall(tag))


def closest_tags(wanted: str, existing: list[str] | tuple[str, ...], limit: int = 3) -> list[str]:
    """Existing tags most like ``wanted``: by shared version prefix, then by string similarity."""
    if not existing:
        return []
    want = _VERSIONISH.findall(wanted)

    def score(tag: str) -> tuple[int, float, tuple]:
        parts = _VERSIONISH.findall(tag)
        shared = 0
        for a, b in zip(want, parts, strict=False):
            if a != b:
                break
            shared += 1
        return (shared, difflib.SequenceMatcher(None, wanted, tag).ratio(), _version_key(tag))

    return sorted(set(existing), key=score, reverse=True)[:limit]
