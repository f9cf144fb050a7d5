"""Refuse malformed IAM policy documents with a clear message before evaluating them. Pure.

The grammar is the IAM User Guide's "IAM JSON policy element reference"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html) and
"Grammar of the IAM JSON policy language"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
``Statement`` is one statement object or a list of them; ``Effect`` is ``Allow`` or ``Deny``
and required; ``Action``/``NotAction``, ``Resource``/``NotResource`` and
``Principal``/``NotPrincipal`` are mutually exclusive pairs; ``Action``/``Resource`` are a
string or a list of strings; ``Condition`` is ``{operator: {key: value or [values]}}`` with an
operator from "Condition operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
optionally qualified by ``ForAllValues:``/``ForAnyValue:`` and suffixed ``IfExists`` (not on
``Null``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_COMPARISONS = ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        *(f"Numeric{c}" for c in _COMPARISONS),
        *(f"Date{c}" for c in _COMPARISONS),
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)
QUALIFIERS = frozenset({"", "ForAllValues", "ForAnyValue"})
_PAIRS = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))


class PolicyError(ValueError):
    """A policy document IAM would not accept; the message says which element and why."""


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool) and value is not None


def _strings(where: str, name: str, value: object) -> None:
    if isinstance(value, str):
        return
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return
    raise PolicyError(f"{where}: {name} must be a string or a list of strings, got {type(value).__name__}")


def check_operator(operator: str) -> tuple[str, str, bool]:
    """``(qualifier, base, if_exists)`` of a known operator; PolicyError for an unknown one."""
    qualifier, _, base = str(operator).rpartition(":")
    if_exists = base.endswith("IfExists") and base != "IfExists"
    core = base.removesuffix("IfExists") if if_exists else base
    if qualifier not in QUALIFIERS:
        raise PolicyError(f"unknown condition set operator {qualifier!r} in {operator!r}")
    if core not in OPERATORS or (core == "Null" and if_exists):
        raise PolicyError(f"unknown condition operator {operator!r}")
    return qualifier, core, if_exists


def check_condition(where: str, block: object) -> None:
    if block is None:
        return
    if not isinstance(block, Mapping):
        raise PolicyError(f"{where}: Condition must be an object, got {type(block).__name__}")
    for operator, tests in block.items():
        check_operator(operator)
        if not isinstance(tests, Mapping):
            raise PolicyError(f"{where}: Condition {operator} must map keys to values, got {type(tests).__name__}")
        for key, value in tests.items():
            values = value if isinstance(value, list) else [value]
            if not all(_is_scalar(v) for v in values):
                raise PolicyError(f"{where}: Condition {operator} {key} values must be strings, numbers or booleans")


def check_statement(where: str, stmt: object, *, trust: bool = False) -> None:
    if not isinstance(stmt, Mapping):
        raise PolicyError(f"{where}: a Statement must be an object, got {type(stmt).__name__}")
    if "Effect" not in stmt:
        raise PolicyError(f"{where}: Effect is missing (Allow or Deny)")
    if stmt["Effect"] not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be Allow or Deny, got {stmt['Effect']!r}")
    for a, b in _PAIRS:
        if a in stmt and b in stmt:
            raise PolicyError(f"{where}: {a} and {b} cannot be used together")
    if "Action" not in stmt and "NotAction" not in stmt:
        raise PolicyError(f"{where}: Action or NotAction is required")
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        if name in stmt:
            _strings(where, name, stmt[name])
    check_condition(where, stmt.get("Condition"))


def check_document(document: Any, *, name: str = "policy", trust: bool = False) -> list[Mapping[str, Any]]:
    """The statements of a valid document; PolicyError for a malformed one."""
    if not isinstance(document, Mapping):
        raise PolicyError(f"{name}: a policy document must be a JSON object")
    raw = document.get("Statement")
    if raw is None:
        raise PolicyError(f"{name}: Statement is missing")
    statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(statements, list):
        raise PolicyError(f"{name}: Statement must be an object or a list of objects")
    for index, stmt in enumerate(statements):
        if not isinstance(stmt, Mapping):
            raise PolicyError(f"{name} statement {index}: a Statement must be an object or a list of objects")
        check_statement(f"{name} statement {index}", stmt, trust=trust)
    return list(statements)
