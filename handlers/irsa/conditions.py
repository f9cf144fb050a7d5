"""IAM policy ``Condition`` blocks, evaluated offline. Pure: no I/O.

Shared by the trust-policy evaluator (``trust``) and the identity-policy evaluator
(``permissions``). Follows the IAM User Guide's condition rules: operators in a block are
ANDed, keys under an operator are ANDed, values for one key are ORed (a negated operator such
as ``StringNotEquals`` is true only when no value matches); condition *keys* are
case-insensitive, values are case-sensitive unless the operator says ``IgnoreCase``; a key
missing from the request context makes a positive operator false and a negated one true;
``...IfExists`` is true when the key is missing; ``ForAllValues:`` is true for a missing key
and ``ForAnyValue:`` false. ``StringEquals`` treats ``*`` literally (only ``StringLike``
globs), which is a classic trust-policy mistake, so a failed match notes it.
Not evaluated: policy variables (``${aws:username}``) and ``Binary*``; such a condition fails
with a note saying so.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.cloud.policy_doc import as_list

Context = Mapping[str, tuple[str, ...]]

_NEGATED = {
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
}


@dataclass(frozen=True)
class FailedCondition:
    """One ``operator: {key: values}`` test that did not hold, with what the request had."""

    operator: str
    key: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]
    note: str = ""

    @property
    def base_operator(self) -> str:
        return split_operator(self.operator)[1]

    def __str__(self) -> str:
        got = ", ".join(self.actual) if self.actual else "(key not present)"
        text = f"{self.operator} {self.key} = [{', '.join(self.expected)}] does not match {got}"
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class ConditionResult:
    ok: bool
    failed: tuple[FailedCondition, ...] = ()


def normalise_context(context: Mapping[str, object] | None) -> dict[str, tuple[str, ...]]:
    """Request context with lower-cased keys and tuple values (keys are case-insensitive in IAM)."""
    return {str(k).lower(): tuple(as_list(v)) for k, v in (context or {}).items()}


def split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ``("ForAnyValue", "StringLike", True)``."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    return qualifier, base.removesuffix("IfExists") if if_exists else base, if_exists


@lru_cache(maxsize=1024)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard match: ``*`` any run of characters, ``?`` one character, nothing else special."""
    return bool(_glob(pattern, ignore_case).match(value))


def arn_like(pattern: str, value: str) -> bool:
    """``ArnLike``: each of the six colon-separated parts is matched on its own, with wildcards."""
    if pattern == "*":
        return True
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return glob_match(pattern, value)
    return all(glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> datetime:
    if text.isdigit():
        return datetime.fromtimestamp(int(text))
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _match_one(base: str, expected: str, actual: str) -> bool:
    """Does ``actual`` satisfy the positive form of ``base`` against one policy value?"""
    if base in ("StringEquals", "StringNotEquals"):
        return expected == actual
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return expected.lower() == actual.lower()
    if base in ("StringLike", "StringNotLike"):
        return glob_match(expected, actual)
    if base in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return arn_like(expected, actual)
    if base == "Bool":
        return expected.lower() == actual.lower()
    if base.startswith("Numeric"):
        a, e = _number(actual), _number(expected)
        return {
            "NumericEquals": a == e,
            "NumericNotEquals": a == e,
            "NumericLessThan": a < e,
            "NumericLessThanEquals": a <= e,
            "NumericGreaterThan": a > e,
            "NumericGreaterThanEquals": a >= e,
        }[base]
    if base.startswith("Date"):
        a, e = _date(actual), _date(expected)
        return {
            "DateEquals": a == e,
            "DateNotEquals": a == e,
            "DateLessThan": a < e,
            "DateLessThanEquals": a <= e,
            "DateGreaterThan": a > e,
            "DateGreaterThanEquals": a >= e,
        }[base]
    if base in ("IpAddress", "NotIpAddress"):
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    raise KeyError(base)


def _single(base: str, expected: Sequence[str], actual: str) -> bool:
    hit = any(_match_one(base, e, actual) for e in expected)
    return not hit if base in _NEGATED else hit


def _wildcard_note(base: str, expected: Sequence[str], actual: Sequence[str]) -> str:
    if base != "StringEquals":
        return ""
    for e in expected:
        if ("*" in e or "?" in e) and any(glob_match(e, a) for a in actual):
            return f"`{e}` would match under StringLike, but StringEquals compares it literally"
    return ""


def evaluate_one(operator: str, key: str, expected_raw: object, context: Context) -> FailedCondition | None:
    """Evaluate one ``operator: {key: values}`` test; None when it holds."""
    qualifier, base, if_exists = split_operator(operator)
    expected = as_list(expected_raw)
    actual = context.get(key.lower())
    present = bool(actual)
    if base == "Null":
        want_absent = any(e.lower() == "true" for e in expected)
        ok = (not present) if want_absent else present
        return None if ok else FailedCondition(operator, key, tuple(expected), tuple(actual or ()))
    if any("${" in e for e in expected):
        return FailedCondition(
            operator, key, tuple(expected), tuple(actual or ()), "policy variables are not evaluated offline"
        )
    if not present:
        if if_exists or qualifier == "ForAllValues" or (base in _NEGATED and qualifier != "ForAnyValue"):
            return None
        return FailedCondition(operator, key, tuple(expected), ())
    assert actual is not None
    try:
        if qualifier == "ForAllValues":
            ok = all(_single(base, expected, a) for a in actual)
        elif base in _NEGATED and qualifier != "ForAnyValue":
            ok = all(_single(base, expected, a) for a in actual)
        else:
            ok = any(_single(base, expected, a) for a in actual)
    except KeyError:
        return FailedCondition(
            operator, key, tuple(expected), tuple(actual), f"operator {base} is not evaluated offline"
        )
    except ValueError as exc:
        return FailedCondition(operator, key, tuple(expected), tuple(actual), f"cannot compare: {exc}")
    if ok:
        return None
    return FailedCondition(
        operator, key, tuple(expected), tuple(actual), _wildcard_note(base, expected, actual)
    )


def evaluate_conditions(
    block: Mapping[str, Mapping[str, object]] | None, context: Context
) -> ConditionResult:
    """Evaluate a whole ``Condition`` block against a normalised context (see ``normalise_context``)."""
    failed = []
    for operator, tests in (block or {}).items():
        for key, expected in (tests or {}).items():
            problem = evaluate_one(operator, key, expected, context)
            if problem is not None:
                failed.append(problem)
    return ConditionResult(not failed, tuple(failed))
