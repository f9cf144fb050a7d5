"""ECR pull-through cache rules, which moto's ECR leaves out, added to the in-process moto server.

moto 5.2 answers ``CreatePullThroughCacheRule`` and the other pull-through cache actions with
"not implemented". Here they are imitated thinly, after the Amazon ECR API Reference
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html,
``API_DescribePullThroughCacheRules.html``, ``API_DeletePullThroughCacheRule.html``) and the
shapes of botocore's ``ecr`` service model (``botocore/data/ecr/2015-09-21/service-2.json``,
botocore 1.44): request members, response members and the error codes each operation lists.

* ``CreatePullThroughCacheRule`` (``ecrRepositoryPrefix``, ``upstreamRegistryUrl``, optional
  ``registryId``, ``upstreamRegistry``, ``credentialArn``) stores a rule and answers it with
  ``createdAt``. A second rule for the same prefix is ``PullThroughCacheRuleAlreadyExistsException``
  ("A pull through cache rule with these settings already exists for the private registry").
  The prefix must match the model's pattern and be 2 to 30 characters (``InvalidParameterException``
  otherwise); "There is always an assumed / applied to the end of the prefix", so ``docker-hub``
  and ``docker-hub/`` are one rule. The upstream URL must be one the API reference lists
  (``UPSTREAMS``; ``UnsupportedUpstreamRegistryException`` otherwise). Upstreams that need a
  Secrets Manager secret (Docker Hub, GitHub, Azure, GitLab, Chainguard: ECR User Guide, "Sync an
  upstream registry with an Amazon ECR private registry",
  https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html) refuse a rule
  without ``credentialArn``; a ``credentialArn`` that names no secret of the account and region is
  ``SecretNotFoundException``.
* ``DescribePullThroughCacheRules`` lists the registry's rules, only those of
  ``ecrRepositoryPrefixes`` when given (a named prefix with no rule is
  ``PullThroughCacheRuleNotFoundException``, an error the operation lists), paged by
  ``maxResults`` (1 to 1000, default 100) and ``nextToken``.
* ``DeletePullThroughCacheRule`` removes the rule and answers what it was; an unknown prefix is
  ``PullThroughCacheRuleNotFoundException``.

The error codes are the ones the API reference lists; the messages, but for the duplicate's
(the reference's description of that exception), are this imitation's own.

Rules live on moto's ECR backend object, so ``/moto-api/reset`` forgets them with the rest of
ECR. ``install()`` adds the actions to moto's ECR response class once; ``MotoSandbox.start`` calls
it. What an image pull through a rule does is the world's business (``sandbox.worlds``), not this
module's.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

# upstreamRegistry -> (URL pattern, needs a Secrets Manager secret). The URLs are the ones the API
# reference gives for upstreamRegistryUrl; the secret column is the ECR User Guide's list above.
UPSTREAMS: dict[str, tuple[str, bool]] = {
    "ecr-public": (r"public\.ecr\.aws", False),
    "k8s": (r"registry\.k8s\.io", False),
    "quay": (r"quay\.io", False),
    "docker-hub": (r"registry-1\.docker\.io", True),
    "github-container-registry": (r"ghcr\.io", True),
    "azure-container-registry": (r"[a-z0-9-]+\.azurecr\.io", True),
    "gitlab-container-registry": (r"registry\.gitlab\.com", True),
    "chainguard": (r"cgr\.dev", True),
    "ecr": (r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?", False),
}
# PullThroughCacheRuleRepositoryPrefix in the service model (min 2, max 30).
PREFIX = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*/?|ROOT)$")
DEFAULT_PAGE, MAX_PAGE = 100, 1000

_lock = threading.Lock()
_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import ServiceException

    return ServiceException(code, message)


def upstream_of(url: str) -> str:
    """The ``upstreamRegistry`` name of ``url`` (scheme and trailing slash ignored), or ""."""
    host = re.sub(r"^https?://", "", url.strip()).rstrip("/")
    return next((name for name, (pattern, _) in UPSTREAMS.items() if re.fullmatch(pattern, host)), "")


def _key(prefix: str) -> str:
    return prefix if prefix == "ROOT" else prefix.rstrip("/")


def _check_prefix(prefix: Any) -> str:
    if not isinstance(prefix, str) or not 2 <= len(prefix) <= 30 or not PREFIX.match(prefix):
        raise _error(
            "InvalidParameterException",
            f"Invalid parameter at 'ecrRepositoryPrefix' failed to satisfy constraint: {prefix!r} must be "
            "2 to 30 characters of lowercase letters, digits, '.', '_', '-' and '/'",
        )
    return _key(prefix)


def _rules(backend: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(registry id, prefix) -> rule; kept on the backend so that moto's reset clears it."""
    with _lock:
        return backend.__dict__.setdefault("_pull_through_cache_rules", {})


def _secret_exists(account: str, region: str, arn: str) -> bool:
    from moto.secretsmanager.models import secretsmanager_backends

    try:
        secretsmanager_backends[account][region].describe_secret(arn)
    except Exception:  # noqa: BLE001 - moto's ResourceNotFoundException and its kin: no such secret
        return False
    return True


def _answer(rule: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: rule[k] for k in keys if rule.get(k) is not None}


RULE_KEYS = (
    "ecrRepositoryPrefix",
    "upstreamRegistryUrl",
    "createdAt",
    "registryId",
    "credentialArn",
    "upstreamRegistry",
    "updatedAt",
)


def create(response: Any) -> Any:
    from moto.core.responses import ActionResult

    prefix = _check_prefix(response._get_param("ecrRepositoryPrefix"))
    url = str(response._get_param("upstreamRegistryUrl") or "")
    registry = response._get_param("registryId") or response.current_account
    upstream = upstream_of(url)
    named = response._get_param("upstreamRegistry")
    if not upstream or (named and named != upstream):
        raise _error(
            "UnsupportedUpstreamRegistryException",
            f"The upstream registry {url!r} is not supported for pull through cache rules",
        )
    credential = response._get_param("credentialArn")
    if UPSTREAMS[upstream][1] and not credential:
        raise _error(
            "InvalidParameterException", f"A credentialArn is required for the upstream registry {upstream} ({url})"
        )
    if credential and not _secret_exists(response.current_account, response.region, credential):
        raise _error("SecretNotFoundException", f"The secret {credential} was not found")
    rules = _rules(response.ecr_backend)
    with _lock:
        if (registry, prefix) in rules:
            raise _error(
                "PullThroughCacheRuleAlreadyExistsException",
                "A pull through cache rule with these settings already exists for the private registry",
            )
        rule = {
            "ecrRepositoryPrefix": prefix,
            "upstreamRegistryUrl": url,
            "createdAt": datetime.now(UTC),
            "registryId": registry,
            "upstreamRegistry": upstream,
            "credentialArn": credential,
        }
        rules[(registry, prefix)] = rule
    return ActionResult(
        _answer(
            rule,
            "ecrRepositoryPrefix",
            "upstreamRegistryUrl",
            "createdAt",
            "registryId",
            "upstreamRegistry",
            "credentialArn",
        )
    )


def describe(response: Any) -> Any:
    from moto.core.responses import ActionResult

    registry = response._get_param("registryId") or response.current_account
    wanted = response._get_param("ecrRepositoryPrefixes")
    size = int(response._get_param("maxResults") or DEFAULT_PAGE)
    if not 1 <= size <= MAX_PAGE:
        raise _error("InvalidParameterException", f"maxResults must be between 1 and {MAX_PAGE}")
    rules = _rules(response.ecr_backend)
    with _lock:
        mine = sorted((r for (reg, _), r in rules.items() if reg == registry), key=lambda r: r["ecrRepositoryPrefix"])
    if wanted:
        keys = [_check_prefix(p) for p in wanted]
        missing = [k for k in keys if all(r["ecrRepositoryPrefix"] != k for r in mine)]
        if missing:
            raise _error(
                "PullThroughCacheRuleNotFoundException",
                f"The pull through cache rule with prefix '{missing[0]}' does not exist "
                f"in the registry with id '{registry}'",
            )
        mine = [r for r in mine if r["ecrRepositoryPrefix"] in keys]
    start = int(response._get_param("nextToken") or 0)
    page = mine[start : start + size]
    out: dict[str, Any] = {"pullThroughCacheRules": [_answer(r, *RULE_KEYS) for r in page]}
    if start + size < len(mine):
        out["nextToken"] = str(start + size)
    return ActionResult(out)


def delete(response: Any) -> Any:
    from moto.core.responses import ActionResult

    prefix = _check_prefix(response._get_param("ecrRepositoryPrefix"))
    registry = response._get_param("registryId") or response.current_account
    rules = _rules(response.ecr_backend)
    with _lock:
        rule = rules.pop((registry, prefix), None)
    if rule is None:
        raise _error(
            "PullThroughCacheRuleNotFoundException",
            f"The pull through cache rule with prefix '{prefix}' does not exist in the registry with id '{registry}'",
        )
    return ActionResult(
        _answer(rule, "ecrRepositoryPrefix", "upstreamRegistryUrl", "createdAt", "registryId", "credentialArn")
    )


def install() -> None:
    """Add the pull-through cache actions to moto's ECR responses (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.ecr.responses import ECRResponse

    ECRResponse.create_pull_through_cache_rule = create
    ECRResponse.describe_pull_through_cache_rules = describe
    ECRResponse.delete_pull_through_cache_rule = delete
    _installed = True
