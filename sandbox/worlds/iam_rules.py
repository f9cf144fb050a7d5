"""The IRSA worlds' own reading of IAM: would STS admit the controller, would ELB let it delete?

Written from the AWS documentation (each rule names its page), independently of the bot's
diagnoser, and only as wide as the sandbox worlds need: identity-based policies of one role, the
``Allow``/``Deny`` effects, ``Action``/``Resource`` with ``*`` and ``?`` wildcards, and the
condition operators the controller's policy and an IRSA trust policy use (``StringEquals``,
``StringLike``, ``Null``). Anything else in a policy (``NotAction``, other operators, set
operators) makes the statement count as not matching for an ``Allow`` and as matching for a
``Deny``: the world errs towards "still stuck" rather than inventing access.

Sources:
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  and .../reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html: a request is
  denied by default; an applicable ``Deny`` statement wins over any ``Allow``; without an
  applicable ``Allow`` the request is implicitly denied.
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html:
  action names are case-insensitive and may use ``*`` / ``?``.
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
  ``Resource`` ARNs may use ``*`` / ``?`` in any segment.
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html:
  ``StringEquals`` is exact and case-sensitive, ``StringLike`` allows ``*`` / ``?``; a key absent
  from the request context makes the condition false (except ``Null``); ``Null: "true"`` holds
  when the key is absent, ``"false"`` when present.
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html:
  several operators or keys in one ``Condition`` are ANDed; several values for one key are ORed.
* https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html and
  https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html: the role's
  trust policy must allow ``sts:AssumeRoleWithWebIdentity`` for the ``Federated`` principal that
  is the IAM OIDC provider of the token's issuer, and its conditions see the token's claims as
  ``<issuer host>:sub`` and ``<issuer host>:aud``; the provider itself must exist in IAM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

ALLOW, DENY = "Allow", "Deny"
STS_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
_HANDLED = {"StringEquals", "StringLike", "Null"}


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _glob(pattern: str, text: str, *, case: bool = True) -> bool:
    """``*`` any run of characters, ``?`` one character (the IAM wildcards; no ``[...]`` classes)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, 0 if case else re.IGNORECASE) is not None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(_glob(p, action, case=False) for p in patterns)


def resource_matches(patterns: Iterable[str], resource: str) -> bool:
    return any(_glob(p, resource) for p in patterns)


def _operator_holds(operator: str, key: str, wanted: list[Any], context: Mapping[str, str]) -> bool:
    values = [str(v) for v in wanted]
    if operator == "Null":
        absent = key not in context
        return any((v.lower() == "true") == absent for v in values)
    if key not in context:
        return False
    if operator == "StringEquals":
        return context[key] in values
    return any(_glob(v, context[key]) for v in values)


def conditions_hold(condition: Mapping[str, Any] | None, context: Mapping[str, str]) -> bool | None:
    """True/False; None when the block uses an operator this world does not model."""
    for operator, keys in (condition or {}).items():
        if operator not in _HANDLED or not isinstance(keys, Mapping):
            return None
        for key, wanted in keys.items():
            if not _operator_holds(operator, key, _listed(wanted), context):
                return False
    return True


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]) -> bool:
    deny = statement.get("Effect") == DENY
    if "NotAction" in statement or "NotResource" in statement:
        return deny
    if not action_matches(_listed(statement.get("Action")), action):
        return False
    if resource and not resource_matches(_listed(statement.get("Resource")), resource):
        return False
    held = conditions_hold(statement.get("Condition"), context)
    return deny if held is None else held


def decide(documents: Iterable[Mapping[str, Any]], action: str, resource: str, context: Mapping[str, str]) -> str:
    """``Allow`` or ``Deny`` for one request against identity-based policy documents."""
    allowed = False
    for doc in documents:
        for statement in _listed(doc.get("Statement")):
            if not _applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == DENY:
                return DENY
            allowed = allowed or statement.get("Effect") == ALLOW
    return ALLOW if allowed else DENY


def resource_tag_context(tags: Mapping[str, str]) -> dict[str, str]:
    """The ``aws:ResourceTag/<key>`` context keys a tagged resource contributes to a request."""
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}


def _federated(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal") or {}
    return _listed(principal.get("Federated")) if isinstance(principal, Mapping) else []


def web_identity_admitted(
    trust: Mapping[str, Any], provider_arn: str, issuer_host: str, subject: str, audience: str
) -> bool:
    """Would STS ``AssumeRoleWithWebIdentity`` accept this service account's projected token?"""
    context = {f"{issuer_host}:sub": subject, f"{issuer_host}:aud": audience}
    allowed = False
    for statement in _listed(trust.get("Statement")):
        if provider_arn not in _federated(statement):
            continue
        if not action_matches(_listed(statement.get("Action")), STS_WEB_IDENTITY):
            continue
        held = conditions_hold(statement.get("Condition"), context)
        if statement.get("Effect") == DENY and held is not False:
            return False
        allowed = allowed or (statement.get("Effect") == ALLOW and held is True)
    return allowed
