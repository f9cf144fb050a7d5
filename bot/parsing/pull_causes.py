"""The innermost cause of an image pull failure, read from the error chain by structure.

Called by ``bot.parsing.image_pull.classify_pull_error`` only. Pure; literal phrases looked up
in the lowercased message, plus a few patterns tried only when their gate phrase is present.

A pull error is a chain of wrapped errors, outermost first, each link ``<context>: <inner>``::

    kubelet   Failed to pull image "X": rpc error: code = Unknown desc =          (pkg/kubelet/images)
    CRI       failed to pull and unpack image "X":                                (containerd internal/cri)
    resolver  failed to resolve reference "X": failed to do request: Head "...":  (core/remotes/docker)
    net/http  dial tcp 52.95.1.1:443: i/o timeout                                 (the cause)

So the cause is the *last* cause phrase on the line that carries the chain, not the first
phrase found. When the text holds several events or log lines, the first line with a cause
speaks for the pull (later lines are the back-off and the retries). Phrases come in tiers:

* ``STRONG``: the wording of one upstream error (a format string or error code);
* ``WEAK``: a generic error-type suffix (``: not found`` is how containerd's ``errdefs``
  prints ``ErrNotFound`` after *any* message, e.g. ``no match for platform in manifest: not
  found``), or an ambiguous wording (Docker's "pull access denied ... may require 'docker
  login'" is a 404 in the daemon's form and a 401 in containerd's);
* ``WRAPPER``: only says the pod sandbox could not be made (``RunPodSandbox``,
  ``failed to get sandbox image``): the cause ``sandbox`` when nothing more specific shows.

A stronger tier wins over a weaker one anywhere in the text. Sources of the wordings (each row
notes its own): kubernetes/kubernetes ``pkg/kubelet/images/image_manager.go``
@00a3928bde544dbb4fd046bb78439178ec37fb5a; containerd/containerd ``core/remotes/docker``
(resolver.go, authorizer.go, fetcher.go), ``core/images/handlers.go``, ``core/unpack/unpacker.go``,
``internal/cri/server`` @301026e58c619e63d09c0ec411012e54c0124b03; cri-o/cri-o vendored
``go.podman.io/image/v5`` (docker/errors.go, copy/copy.go, internal/manifest) @f954a17e;
kubernetes/cloud-provider-aws ``cmd/ecr-credential-provider/main.go`` @0185359b.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STRONG, WEAK, WRAPPER = 3, 2, 1


@dataclass(frozen=True)
class Row:
    cause: str
    tier: int
    phrases: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    gates: tuple[str, ...] = ()


def _rx(expr: str) -> re.Pattern[str]:
    return re.compile(expr)


# Table order breaks ties between matches that end at the same place: a DNS lookup that times
# out ("lookup h on 10.0.0.2:53: read udp ...: i/o timeout") is dns, not the network.
ROWS: tuple[Row, ...] = (
    Row(
        "dns",
        STRONG,
        ("no such host", "server misbehaving", "temporary failure in name resolution"),
        _rx(r"lookup \S+ on \S+:.{0,80}?i/o timeout|lookup \S+: device or resource busy"),
        ("lookup ",),
    ),
    # kubelet image_manager.go: InvalidImageName ("Failed to apply default image tag %q: %v",
    # "couldn't parse image reference %q: %v"); containerd CRI image_pull.go "failed to parse
    # image reference %q: %w"; distribution/reference "invalid reference format", "repository name
    # must be lowercase" (newer kubelets: "couldn't parse image name %q", "repository name (library/x)
    # must be lowercase"); CRI-O short-name resolution ("short-name ... did not resolve").
    Row(
        "invalid_reference",
        STRONG,
        (
            "invalidimagename",
            "invalid reference format",
            "couldn't parse image reference",
            "couldn't parse image name",
            "failed to parse image reference",
            "failed to apply default image tag",
            "repository name must be lowercase",
            "short-name resolution",
            "short name mode is enforcing",
            "did not resolve to an alias",
        ),
    ),
    # containerd unpacker.go "failed to extract layer ... : %w" wraps the filesystem error.
    Row(
        "disk",
        STRONG,
        (
            "no space left on device",
            "disk quota exceeded",
            "input/output error",
            "readlink /var/lib/docker/overlay2",
            "failed to garbage collect required amount of images",
            "imagegcfailed",
            "unexpected commit digest",
            "structure needs cleaning",
        ),
    ),
    # containerd core/images/handlers.go "no match for platform in manifest: %w"; CRI-O
    # "choosing an image from manifest list %s: %w", "no image found in manifest list for
    # architecture %q, variant %q, OS %q"; Docker "no matching manifest for linux/arm64 in the
    # manifest list entries"; the container start of a foreign binary: "exec format error"; Docker's
    # "image operating system %q cannot be used on this platform" (moby daemon/images, a Windows
    # image on a Linux engine or the reverse).
    Row(
        "platform",
        STRONG,
        (
            "no match for platform in manifest",
            "cannot be used on this platform",
            "no matching manifest for",
            "no image found in image index for",
            "no image found in manifest list for",
            "does not match the specified platform",
            "exec format error",
            "choosing an image from manifest list",
        ),
    ),
    # CRI-O docker/errors.go "too many requests to registry"; Docker Hub "toomanyrequests"; ECR
    # "ThrottlingException: Rate exceeded"; kubelet "pull QPS exceeded".
    Row(
        "rate_limited",
        STRONG,
        (
            "toomanyrequests",
            "too many requests",
            "pull rate limit",
            "rate exceeded",
            "throttlingexception",
            "pull qps exceeded",
        ),
        _rx(r"(?<![\d.])429(?![\d.])"),
        ("429",),
    ),
    Row(
        "tls",
        STRONG,
        (
            "x509:",
            "certificate signed by unknown authority",
            "certificate has expired",
            "certificate is valid for",
            "certificate is not valid for",
            "server gave http response to https client",
            "tls: failed to verify",
            "certificate verify failed",
        ),
    ),
    # containerd authorizer.go "failed to fetch oauth token: %w", "failed to fetch anonymous
    # token"; docker/errors.go (CRI-O) "unable to retrieve auth token: invalid username/password";
    # distribution errcode "authentication required"; S3 (ECR layers) <Code>AccessDenied</Code>;
    # Bottlerocket host-ctr "failed to get authorization token".
    Row(
        "auth",
        STRONG,
        (
            "no basic auth credentials",
            "authorization token has expired",
            "401 unauthorized",
            "403 forbidden",
            "unauthorized: ",
            "authentication required",
            "access to the requested resource is not authorized",
            "requested access to the resource is denied",
            "authorization failed",
            "denied: ",
            "failed to fetch oauth token",
            "failed to fetch anonymous token",
            "unable to retrieve auth token",
            "invalid username/password",
            "accessdenied",
            "http 403",
            "failed to get authorization token",
            "insufficient_scope",
            "status code 401",
            "status code 403",
        ),
        _rx(r"\b(?:status|code|http)\s*:?\s*40[13]\b|\(40[13]\)"),
        ("401", "403"),
    ),
    Row(
        "not_found",
        STRONG,
        (
            "manifest unknown",
            "name unknown",
            "not found: manifest",
            "404 not found",
            "(404)",
            "status 404",
            "no such image",
            "does not exist or no pull access",
            "is not present with pull policy of never",
            "errimageneverpull",
            "repository not found",
            "status code 404",
        ),
    ),
    # containerd CRI image_pull.go "cancel pulling image %s because of no progress in %v"; the CNI
    # failing to set up the sandbox's network, which is no pull at all (containerd CRI
    # sandbox_run.go "failed to setup network for sandbox %q: %w"; the AWS VPC CNI's "add cmd:
    # failed to assign an IP address to container"); go-containerregistry's "unsupported MediaType";
    # ecr-credential-provider parseRepoURL "%s is not a valid ECR repository URL" and "error parsing
    # image %s: %v" (a malformed credential-provider request, not the image reference).
    Row(
        "other",
        STRONG,
        (
            "because of no progress",
            "context canceled",
            "400 bad request",
            "405 method not allowed",
            "406 not acceptable",
            "acceptedmediatypes",
            "unable to convert a nil pointer",
            "unsupported media type",
            "unsupported mediatype",
            "failed to setup network for sandbox",
            "failed to assign an ip address to container",
            "invalid port",
            "is not a valid ecr repository url",
            "executable file not found",
        ),
        # the container runtime itself is down: the kubelet cannot reach its CRI socket
        _rx(r"dial unix \S+\.sock: connect: [a-z ]+"),
        ("dial unix",),
    ),
    # kubelet image_manager.go "image pull failed for %s because the registry is unavailable."
    Row(
        "network_unreachable",
        STRONG,
        (
            "i/o timeout",
            "tls handshake timeout",
            "connection refused",
            "connection reset",
            "context deadline exceeded",
            "client.timeout exceeded",
            "request canceled while waiting for connection",
            "connection timed out",
            "network is unreachable",
            "no route to host",
            "unexpected eof",
            "registry is unavailable",
            "send request failed",
            "request send failed",
            "service unavailable",
            "service temporarily unavailable",
            "502 bad gateway",
            "504 gateway timeout",
        ),
        _rx(r": eof\b|\beof$"),
        ("eof",),
    ),
    Row("not_found", WEAK, ("code = notfound",), _rx(r": not found\b"), (": not found",)),
    # containerd resolver.go "pull access denied, repository does not exist or may require
    # authorization: %w" wraps ErrInvalidAuthorization (auth); the daemon's 404 form says "(404)".
    Row("auth", WEAK, ("pull access denied", "may require authorization", "may require 'docker login'")),
    Row(
        "network_unreachable",
        WEAK,
        ("starport-layer-bucket", "exceeded maximum number of attempts"),
        _rx(r"\(5\d\d\)|\b5\d\d (?:internal server error|bad gateway)"),
        ("(5", "internal server error"),
    ),
    # containerd internal/cri/server/podsandbox/sandbox_run.go "failed to get sandbox image %q: %w".
    Row(
        "sandbox",
        WRAPPER,
        (
            "failed to get sandbox image",
            "runpodsandbox",
            "failedcreatepodsandbox",
            "failed to create pod sandbox",
            "failed to start sandbox",
            "createpodsandbox",
        ),
    ),
)

# Wording that shows the text is about a pull even when it names no cause ("unclear" is then a
# confident reading: the paste really holds only the wrapper or the back-off).
PULL_WORDS = (
    "back-off pulling image",
    "imagepullbackoff",
    "errimagepull",
    "failed to pull",
    "pulling image",
    "failed to inspect image",
    "imageinspecterror",
    "inspectfailed",
    "%w",
    "%v",
    "%s",
    "%q",
    "credential provider",
    "pull image",
    "sandbox image",
    "pull and unpack",
)


@dataclass(frozen=True)
class Cause:
    cause: str
    tier: int  # 0: nothing found
    start: int = 0
    end: int = 0


def _best_of(low: str, row: Row) -> tuple[int, int, int] | None:
    """(line, start, end) of the occurrence of ``row`` that counts: the first line it is on, the
    last occurrence on that line (the innermost link of that line's chain)."""
    best: tuple[int, int, int] | None = None
    for phrase in row.phrases:
        i = low.find(phrase)
        if i < 0:
            continue
        line_end = low.find("\n", i)
        j = low.rfind(phrase, i, line_end if line_end >= 0 else len(low))
        line = low.count("\n", 0, i)
        cand = (line, j, j + len(phrase))
        if best is None or (cand[0], -cand[2]) < (best[0], -best[2]):
            best = cand
    if row.pattern is not None and any(g in low for g in row.gates):
        for m in row.pattern.finditer(low):
            cand = (low.count("\n", 0, m.start()), m.start(), m.end())
            if best is None or (cand[0], -cand[2]) < (best[0], -best[2]):
                best = cand
    return best


def innermost(low: str) -> Cause:
    """The cause the chain in ``low`` (lowercased) ends in; tier 0 and ``unclear`` when none shows."""
    best: tuple[int, int, int, int] | None = None  # (tier, -line, end, -row)
    best_cause: Cause | None = None
    for order, row in enumerate(ROWS):
        if best is not None and row.tier < best[0]:
            break  # rows are grouped by tier, strongest first
        found = _best_of(low, row)
        if found is None:
            continue
        line, start, end = found
        key = (row.tier, -line, end, -order)
        if best is None or key > best:
            best, best_cause = key, Cause(row.cause, row.tier, start, end)
    return best_cause if best_cause is not None else Cause("unclear", 0)


def about_a_pull(low: str) -> bool:
    return any(w in low for w in PULL_WORDS)
