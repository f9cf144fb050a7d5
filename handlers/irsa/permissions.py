"""Identity-policy evaluator: is ACTION on RESOURCE allowed for a role's policies? Pure.

Used by ``analyse`` when ``iam:SimulatePrincipalPolicy`` is not available (and always, to
explain a denial), by ``cli.check_permission_main`` (``chatops check-permission``) and by the
sandbox's fake load balancer controller. It follows the IAM evaluation logic for one account
and identity-based policies: an applicable ``Deny`` (in any policy or in the permissions
boundary) wins; otherwise the request needs an applicable ``Allow`` in an identity policy AND,
when a permissions boundary is set, in the boundary. ``Action``/``NotAction`` match
case-insensitively with ``*``/``?`` wildcards in the action name only
(``conditions.action_like``); ``Resource``/``NotResource`` match like ``ArnLike`` after policy
variables are resolved (``iam_variables``; a pattern whose variable has no value matches
nothing). Malformed documents raise ``PolicyError`` (``iam_validate``). Conditions are
evaluated by ``conditions`` against the given context (for example
``aws:ResourceTag/elbv2.k8s.aws/cluster``). SCPs, resource policies and session policies are
outside what this sees.

Allow statements whose action and resource match but whose conditions fail are returned as
``near_misses``: they are how the diagnosis tells "the load balancer lacks the tag the
official policy requires" from "no statement grants the action at all".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.cloud.policy_doc import as_document
from handlers.irsa.conditions import (
    FailedCondition,
    action_like,
    arn_like,
    as_list,
    evaluate_conditions,
    normalise_context,
)
from handlers.irsa.iam_validate import check_document
from handlers.irsa.iam_variables import resolve

ALLOWED = "allowed"
IMPLICIT_DENY = "implicit_deny"
EXPLICIT_DENY = "explicit_deny"
RESOURCE_TAG_PREFIX = "aws:resourcetag/"


@dataclass(frozen=True)
class PolicySource:
    """One policy document and where it came from (``kind`` is ``identity`` or ``boundary``)."""

    name: str
    document: Mapping[str, Any]
    kind: str = "identity"


@dataclass(frozen=True)
class StatementRef:
    policy: str
    index: int
    sid: str = ""
    kind: str = "identity"

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "index": self.index, "sid": self.sid or None, "kind": self.kind}

    def __str__(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.policy} statement {self.index}{sid}"


@dataclass(frozen=True)
class NearMiss:
    """An Allow statement that matches the action and resource but whose conditions failed."""

    ref: StatementRef
    failed: tuple[FailedCondition, ...]

    def missing_resource_tags(self) -> dict[str, tuple[str, ...]]:
        """Tag keys the resource would need (with the values the policy accepts; () means any)."""
        tags: dict[str, tuple[str, ...]] = {}
        for f in self.failed:
            if not f.key.lower().startswith(RESOURCE_TAG_PREFIX):
                return {}  # some other condition failed too: a tag alone would not help
            tag = f.key[len(RESOURCE_TAG_PREFIX) :]
            if f.base_operator == "Null":
                if any(e.lower() == "true" for e in f.expected):
                    return {}
                tags[tag] = ()
            elif f.base_operator in ("StringEquals", "StringLike", "StringEqualsIgnoreCase") and not f.actual:
                tags[tag] = f.expected
            else:
                return {}
        return tags


@dataclass(frozen=True)
class PermissionVerdict:
    decision: str
    statement: StatementRef | None
    reasons: tuple[str, ...]
    near_misses: tuple[NearMiss, ...] = ()
    boundary_blocks: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "statement": self.statement.to_json() if self.statement else None,
            "reasons": list(self.reasons),
        }


def action_matches(pattern: str, action: str) -> bool:
    return action_like(pattern, action)


def resource_matches(pattern: str, resource: str) -> bool:
    return pattern == "*" or arn_like(pattern, resource)


def _patterns(stmt: Mapping[str, Any], name: str, context: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The statement's resource patterns with variables resolved; unresolvable ones are dropped."""
    multi = getattr(context, "multivalued", ())
    out = []
    for p in as_list(stmt.get(name)):
        r = resolve(p, context, multi)
        if r is not None:
            out.append(r)
    return out


def _covers(stmt: Mapping[str, Any], action: str, resource: str, context: Mapping[str, tuple[str, ...]]) -> bool:
    if "NotAction" in stmt:
        action_ok = not any(action_matches(p, action) for p in as_list(stmt["NotAction"]))
    else:
        action_ok = any(action_matches(p, action) for p in as_list(stmt.get("Action")))
    if "NotResource" in stmt:
        patterns = _patterns(stmt, "NotResource", context)
        # a NotResource whose every pattern has an unresolved variable matches nothing
        resource_ok = bool(patterns) and not any(resource_matches(p, resource) for p in patterns)
    else:
        resource_ok = any(resource_matches(p, resource) for p in _patterns(stmt, "Resource", context))
    return action_ok and resource_ok


def _statements(document: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    doc = as_document(document)
    return check_document(doc, name=name) if "Statement" in doc else []


def _scan(policy: PolicySource, action: str, resource: str, context: Mapping[str, tuple[str, ...]]):
    """(applicable allows, applicable denies, near misses) of one policy."""
    allows, denies, misses = [], [], []
    for index, stmt in enumerate(_statements(policy.document, policy.name)):
        if not _covers(stmt, action, resource, context):
            continue
        ref = StatementRef(policy.name, index, str(stmt.get("Sid", "")), policy.kind)
        result = evaluate_conditions(stmt.get("Condition"), context)
        effect = str(stmt.get("Effect", ""))
        if result.ok:
            (denies if effect == "Deny" else allows).append(ref)
        elif effect == "Allow":
            misses.append(NearMiss(ref, result.failed))
    return allows, denies, misses


def evaluate_permission(
    policies: Sequence[PolicySource],
    action: str,
    resource: str,
    context: Mapping[str, object] | None = None,
    boundary: PolicySource | None = None,
) -> PermissionVerdict:
    """The decision for one request, with the statement that decided it and the reasons."""
    ctx = normalise_context(context)
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    misses: list[NearMiss] = []
    for policy in policies:
        a, d, m = _scan(policy, action, resource, ctx)
        allows += a
        denies += d
        misses += m
    b_allows: list[StatementRef] = []
    if boundary is not None:
        b_allows, b_denies, _ = _scan(PolicySource(boundary.name, boundary.document, "boundary"), action, resource, ctx)
        denies += b_denies
    if denies:
        where = "the permissions boundary" if denies[0].kind == "boundary" else "an identity-based policy"
        return PermissionVerdict(
            EXPLICIT_DENY,
            denies[0],
            (f"explicit deny in {where}: {denies[0]}",),
            tuple(misses),
            denies[0].kind == "boundary",
        )
    if not allows:
        reasons = [f"no identity-based policy allows the {action} action on {resource}"]
        reasons += [f"{m.ref} would allow it but its condition failed: {f}" for m in misses for f in m.failed]
        return PermissionVerdict(IMPLICIT_DENY, None, tuple(reasons), tuple(misses))
    if boundary is not None and not b_allows:
        return PermissionVerdict(
            IMPLICIT_DENY,
            None,
            (f"{allows[0]} allows it, but no permissions boundary allows the {action} action",),
            tuple(misses),
            boundary_blocks=True,
        )
    return PermissionVerdict(ALLOWED, allows[0], (f"allowed by {allows[0]}",), tuple(misses))


def resource_tag_context(tags: Mapping[str, str]) -> dict[str, str]:
    """A resource's tags as the ``aws:ResourceTag/KEY`` context keys policies test."""
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}
