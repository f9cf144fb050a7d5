"""Test-only extension of moto's ECR: the pull-through cache rule API, which moto 5.2 lacks.

Models AWS behaviour: ``CreatePullThroughCacheRule`` stores one rule per repository prefix
(``PullThroughCacheRuleAlreadyExistsException`` on a duplicate), ``DescribePullThroughCacheRules``
lists them (``PullThroughCacheRuleNotFoundException`` for an unknown prefix asked for), and
``DeletePullThroughCacheRule`` removes one. moto's server runs in the test process, so adding
the actions to its response class makes them answer over HTTP. Used as a context manager.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ecr.responses import ECRResponse

_RULES: dict[tuple[str, str], dict[str, dict]] = {}
_ACTIONS = (
    "create_pull_through_cache_rule",
    "describe_pull_through_cache_rules",
    "delete_pull_through_cache_rule",
)


def _rules(resp: ECRResponse) -> dict[str, dict]:
    return _RULES.setdefault((resp.current_account, resp.region), {})


def _create(self: ECRResponse) -> ActionResult:
    prefix = self._get_param("ecrRepositoryPrefix")
    rules = _rules(self)
    if prefix in rules:
        raise JsonRESTError(
            "PullThroughCacheRuleAlreadyExistsException",
            f"A pull-through cache rule with the prefix '{prefix}' already exists.",
        )
    rule = {
        "ecrRepositoryPrefix": prefix,
        "upstreamRegistryUrl": self._get_param("upstreamRegistryUrl"),
        "registryId": self.current_account,
        "createdAt": datetime.now(UTC).timestamp(),
    }
    if self._get_param("credentialArn"):
        rule["credentialArn"] = self._get_param("credentialArn")
    rules[prefix] = rule
    return ActionResult(dict(rule))


def _describe(self: ECRResponse) -> ActionResult:
    rules = _rules(self)
    wanted = self._get_param("ecrRepositoryPrefixes") or list(rules)
    missing = [p for p in wanted if p not in rules]
    if missing:
        raise JsonRESTError(
            "PullThroughCacheRuleNotFoundException",
            f"The pull-through cache rule with the prefix '{missing[0]}' does not exist.",
        )
    return ActionResult({"pullThroughCacheRules": [rules[p] for p in wanted]})


def _delete(self: ECRResponse) -> ActionResult:
    prefix = self._get_param("ecrRepositoryPrefix")
    rule = _rules(self).pop(prefix, None)
    if rule is None:
        raise JsonRESTError(
            "PullThroughCacheRuleNotFoundException",
            f"The pull-through cache rule with the prefix '{prefix}' does not exist.",
        )
    return ActionResult(rule)


@contextmanager
def pull_through_cache_api():
    for name, fn in zip(_ACTIONS, (_create, _describe, _delete), strict=True):
        setattr(ECRResponse, name, fn)
    try:
        yield _RULES
    finally:
        for name in _ACTIONS:
            delattr(ECRResponse, name)
        _RULES.clear()
