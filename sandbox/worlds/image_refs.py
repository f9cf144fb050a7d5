"""Image references as the sandbox's container runtime reads them: registry host, repository, tag.

The rules follow the reference grammar of ``distribution/reference`` (``normalize.go`` and
``reference.go`` @ v0.6.0): the first path component is a registry host only when it contains a
``.`` or a ``:`` or is ``localhost``; otherwise the image is on Docker Hub (``docker.io``) and a
single-component name gets the ``library/`` namespace; a missing tag means ``latest``; ``@digest``
is kept apart. The kind of registry comes from the host: private ECR hosts are
``ACCOUNT.dkr.ecr.REGION.amazonaws.com`` (Amazon ECR User Guide, "Private registry concepts":
https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_ECR = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


@dataclass(frozen=True)
class Ref:
    host: str
    repository: str
    tag: str = "latest"
    digest: str = ""

    @property
    def ecr_account(self) -> str:
        m = _ECR.match(self.host)
        return m.group(1) if m else ""

    @property
    def ecr_region(self) -> str:
        m = _ECR.match(self.host)
        return m.group(2) if m else ""

    @property
    def is_private_ecr(self) -> bool:
        return bool(_ECR.match(self.host))


def parse(image: str) -> Ref:
    """``nginx`` -> docker.io, library/nginx, latest; ``host:5000/a/b:t@sha256:x`` keeps all four."""
    name, _, digest = image.strip().partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = DOCKER_HUB, name
    tag = ""
    if ":" in path.rsplit("/", 1)[-1]:
        path, tag = path.rsplit(":", 1)
    if host == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return Ref(host, path, tag or ("" if digest else "latest"), digest)
