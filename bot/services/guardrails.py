"""Central safety rules every plan passes before it is proposed and again before it is applied.

Diagnosers have their own checks; these hold whatever a diagnoser proposed: IAM roles outside
the configured allow-list are never changed, and trust policies are never widened to a wildcard
subject or given a new principal.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from typing import Any

from bot.domain import FixPlan
from handlers.irsa.guardrails import check_trust_change

ROLE_PARAM_KEYS = ("role_name", "role")


def _principals(doc: Any) -> set[str]:
    found: set[str] = set()
    for stmt in (doc or {}).get("Statement", []) if isinstance(doc, dict) else []:
        principal = stmt.get("Principal")
        if isinstance(principal, str):
            found.add(principal)
        elif isinstance(principal, dict):
            for kind, vals in principal.items():
                for v in [vals] if isinstance(vals, str) else vals:
                    found.add(f"{kind}:{v}")
    return found


def _subjects(doc: Any) -> set[str]:
    out: set[str] = set()
    for stmt in (doc or {}).get("Statement", []) if isinstance(doc, dict) else []:
        for _op, conds in (stmt.get("Condition") or {}).items():
            for key, vals in conds.items():
                if key.endswith(":sub"):
                    out.update([vals] if isinstance(vals, str) else vals)
    return out


def trust_widening(before: Any, after: Any) -> list[str]:
    """Reasons a trust-policy change widens access beyond adding exact subjects."""
    if isinstance(before, str):
        before = json.loads(before)
    if isinstance(after, str):
        after = json.loads(after)
    reasons = []
    new_principals = _principals(after) - _principals(before)
    if new_principals:
        reasons.append(f"adds principal(s) {sorted(new_principals)}")
    if any("*" in p for p in _principals(after)):
        reasons.append("wildcard principal")
    added = _subjects(after) - _subjects(before)
    if any("*" in s or "?" in s for s in added):
        reasons.append(f"wildcard subject {sorted(s for s in added if '*' in s or '?' in s)}")
    return reasons


def _policy(value: Any) -> Any:
    """The policy document inside a step state (the state may wrap it, e.g. ``{"policy": {...}}``)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, dict) and "Statement" not in value:
        for inner in value.values():
            if isinstance(inner, dict | str) and _policy(inner).get("Statement") is not None:
                return _policy(inner)
    return value if isinstance(value, dict) else {}


def plan_violations(plan: FixPlan, role_patterns: Iterable[str]) -> list[str]:
    patterns = tuple(role_patterns) or ("*",)
    reasons: list[str] = []
    for step in plan.steps:
        for key in ROLE_PARAM_KEYS:
            role = step.params.get(key)
            if isinstance(role, str) and role:
                name = role.rsplit("/", 1)[-1]
                if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    reasons.append(f"role {name} is outside the allowed patterns {list(patterns)}")
        if "trust" in step.op:
            reasons.extend(trust_widening(_policy(step.before), _policy(step.after)))
            reasons.extend(check_trust_change(step.before, step.after))
    return sorted(set(reasons))
