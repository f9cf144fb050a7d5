"""Safety rules for IAM changes the IRSA fixes make. Pure.

``check_trust_change(before, after)`` lists the reasons a trust-policy edit is not the narrow
kind this bot may propose: it may only add exact values to existing ``sub``/``aud``
conditions, and the only audience it may add is ``sts.amazonaws.com``. It refuses new or
changed principals, wildcard principals, wildcard values, new statements, removed conditions,
a switch from ``StringEquals`` to ``StringLike``, and an ``Effect`` turned to ``Allow``.
``plan`` calls it before proposing, ``operations`` again before writing, and the services
layer for every plan. ``role_refusal`` applies the configured role allow-list
(``ClusterContext.role_allow_patterns``, fnmatch); an empty allow-list allows no role.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from bot.cloud.policy_doc import as_document, as_list, statements_of
from handlers.irsa.trust import DEFAULT_AUDIENCE, principals_of


def _principal_set(stmt: Mapping[str, Any]) -> set[str]:
    return {f"{kind}:{v}" for kind, values in principals_of(stmt).items() for v in values}


def _conditions(stmt: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    return {
        (op, key.lower()): set(as_list(values))
        for op, tests in (stmt.get("Condition") or {}).items()
        for key, values in (tests or {}).items()
    }


def _is_wild(value: str) -> bool:
    return "*" in value or "?" in value


def _statement_reasons(i: int, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    reasons = _principal_reasons(i, old, new)
    before, after = _conditions(old), _conditions(new)
    reasons += _removed_condition_reasons(i, before, after)
    reasons += _added_condition_reasons(i, before, after)
    return reasons


def _principal_reasons(i: int, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Reasons in statement ``i`` outside its conditions: who it trusts, its effect and its actions."""
    reasons = []
    added = _principal_set(new) - _principal_set(old)
    if added:
        reasons.append(f"statement {i}: adds principal(s) {sorted(added)}")
    if any(_is_wild(p.split(":", 1)[1]) for p in added):
        reasons.append(f"statement {i}: wildcard principal")
    if str(old.get("Effect")) != str(new.get("Effect")):
        reasons.append(f"statement {i}: Effect changed from {old.get('Effect')} to {new.get('Effect')}")
    for field in ("Action", "NotAction", "NotPrincipal"):
        if set(as_list(old.get(field))) != set(as_list(new.get(field))):
            reasons.append(f"statement {i}: {field} changed")
    return reasons


def _removed_condition_reasons(
    i: int, before: dict[tuple[str, str], set[str]], after: dict[tuple[str, str], set[str]]
) -> list[str]:
    """Reasons among the conditions statement ``i`` had: removed ones, and negated ones that lost values."""
    reasons = []
    for (op, key), values in before.items():
        if (op, key) not in after:
            reasons.append(f"statement {i}: condition {op} {key} removed")
        elif not values <= after[(op, key)] and "Not" in op:
            reasons.append(f"statement {i}: values removed from {op} {key} (widens a negated condition)")
    return reasons


def _added_condition_reasons(
    i: int, before: dict[tuple[str, str], set[str]], after: dict[tuple[str, str], set[str]]
) -> list[str]:
    """Reasons among the conditions and values statement ``i`` gains."""
    reasons = []
    for (op, key), values in after.items():
        new_values = values - before.get((op, key), set())
        if (op, key) not in before:
            reasons.append(f"statement {i}: new condition {op} {key}")
        wild = sorted(v for v in new_values if _is_wild(v))
        if wild:
            what = "wildcard subject" if key.endswith(":sub") else "wildcard value(s)"
            reasons.append(f"statement {i}: {what} {wild} added to {key}")
        if new_values and not key.endswith((":sub", ":aud")):
            reasons.append(f"statement {i}: values added to {key} (only sub/aud may change)")
        odd_audiences = sorted(v for v in new_values if key.endswith(":aud") and v != DEFAULT_AUDIENCE)
        if odd_audiences:
            reasons.append(f"statement {i}: audience(s) {odd_audiences} added (only {DEFAULT_AUDIENCE} may be)")
    return reasons


def check_trust_change(before: Any, after: Any) -> list[str]:
    """Reasons the change from ``before`` to ``after`` is not allowed; empty means it is fine."""
    old, new = statements_of(as_document(before)), statements_of(as_document(after))
    reasons: list[str] = []
    if len(new) > len(old):
        reasons.append(f"adds {len(new) - len(old)} statement(s)")
    if len(new) < len(old):
        reasons.append(f"removes {len(old) - len(new)} statement(s)")
    for i, (o, n) in enumerate(zip(old, new, strict=False)):
        reasons.extend(_statement_reasons(i, o, n))
    for i, n in enumerate(new[len(old) :], start=len(old)):
        if _principal_set(n):
            reasons.append(f"statement {i}: adds principal(s) {sorted(_principal_set(n))}")
        if any(_is_wild(p.split(":", 1)[1]) for p in _principal_set(n)):
            reasons.append(f"statement {i}: wildcard principal")
    return reasons


def role_refusal(role_name: str, patterns: Iterable[str]) -> str:
    """Why ``role_name`` may not be changed under the allow-list (empty string: it may)."""
    allowed = tuple(patterns)
    if any(fnmatch.fnmatchcase(role_name, p) for p in allowed):
        return ""
    return f"role {role_name} is outside the allowed role patterns {list(allowed)}"
