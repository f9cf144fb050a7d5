"""IAM policy ``Condition`` blocks, and the action/ARN wildcard matchers, evaluated offline. Pure.

Shared by the trust-policy evaluator (``trust``) and the identity-policy evaluator
(``permissions``). Rules, from the IAM User Guide:

* Condition operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  operators in a block are ANDed, keys under an operator are ANDed, values for one key are ORed
  (a negated operator such as ``StringNotEquals`` is true only when no value matches). A key
  missing from the request context makes a positive operator false and a negated one true;
  ``...IfExists`` is true when the key is missing; ``Null`` tests presence. Condition *keys*
  are case-insensitive, values case-sensitive unless the operator says ``IgnoreCase``.
  ``StringEquals`` treats ``*`` literally (only ``StringLike`` globs), a classic trust-policy
  mistake, so a failed match notes it. Numbers are integers or decimals (as JSON strings or
  numbers); dates are read by ``iam_dates``. A value that is not a number / date / address
  makes that test not hold, with a note.
* Set operators (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
  ``ForAllValues:`` is true when the key is missing or its value set is empty, ``ForAnyValue:``
  false.
* Policy variables in condition values are resolved by ``iam_variables``; a value whose variable
  has no value (and no default) matches nothing.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from bot.cloud.policy_doc import as_list
from handlers.irsa.iam_dates import parse_date
from handlers.irsa.iam_validate import PolicyError, check_operator
from handlers.irsa.iam_variables import QUESTION, STAR, literal, resolve

__all__ = ["PolicyError", "as_list"]

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
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class RequestContext(dict):
    """Lower-cased context keys to value tuples; ``multivalued`` names the keys given as lists."""

    multivalued: frozenset[str] = frozenset()


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


def normalise_context(context: Mapping[str, object] | None) -> RequestContext:
    """Request context with lower-cased keys and tuple values (keys are case-insensitive in IAM).

    A list value is a multivalued key (``[]`` is present but empty); a scalar is single-valued;
    ``None`` means the key is missing.
    """
    out = RequestContext()
    multi = set(getattr(context, "multivalued", ()))
    for k, v in (context or {}).items():
        if v is None:
            continue
        key = str(k).lower()
        out[key] = tuple(as_list(v))
        if isinstance(v, list | tuple):
            multi.add(key)
    out.multivalued = frozenset(multi)
    return out


def split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ``("ForAnyValue", "StringLike", True)``."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    return qualifier, base.removesuffix("IfExists") if if_exists else base, if_exists


def _piece(c: str, star: str, question: str) -> str:
    if c == "*":
        return star
    if c == "?":
        return question
    return re.escape(literal(c))


@lru_cache(maxsize=2048)
def _glob(pattern: str, *, ignore_case: bool, star: str = ".*", question: str = ".") -> re.Pattern[str]:
    body = "".join(_piece(c, star, question) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard match: ``*`` any run of characters, ``?`` one character, nothing else special."""
    return bool(_glob(pattern, ignore_case=ignore_case).match(value))


def action_like(pattern: str, action: str) -> bool:
    """``Action`` matching: case-insensitive, wildcards only in the action name.

    IAM User Guide, Action element
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
    the prefix and action name are case-insensitive; ``*``/``?`` may be used for "all actions of
    a service" (``s3:*``) or "as part of the action name" (``iam:*AccessKey*``). A wildcard in
    the service prefix is not a documented form, so ``s*:GetObject`` matches nothing.
    """
    if pattern == "*":
        return True
    p_service, sep, p_name = pattern.partition(":")
    a_service, _, a_name = action.partition(":")
    if not sep or "*" in p_service or "?" in p_service:
        return False
    return p_service.lower() == a_service.lower() and glob_match(p_name, a_name, ignore_case=True)


def arn_like(pattern: str, value: str) -> bool:
    """ARN matching for ``Resource`` and ``Arn*`` operators, segment by segment.

    IAM User Guide, Resource element, "Using wildcards in resource ARNs"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
    wildcards work within the colon-separated segments; a ``*`` that is the last character of
    the pattern's last segment "can expand to match beyond the colon boundaries". So in the
    first five segments neither ``*`` nor ``?`` matches a colon; the sixth (resource) segment
    may itself contain colons and slashes and is matched as a whole.
    """
    if pattern == "*":
        return True
    values = value.split(":", 5)
    if len(values) < 6:
        return glob_match(pattern, value)
    parts = pattern.split(":", 5)
    if len(parts) == 6:
        first = all(
            _glob(p, ignore_case=False, star="[^:]*", question="[^:]").match(v)
            for p, v in zip(parts[:5], values[:5], strict=True)
        )
        return first and glob_match(parts[5], values[5])
    last = parts[-1]
    if not last.endswith("*"):
        return False
    n = len(parts) - 1
    if not all(
        _glob(p, ignore_case=False, star="[^:]*", question="[^:]").match(v)
        for p, v in zip(parts[:n], values[:n], strict=True)
    ):
        return False
    head = _glob(last[:-1], ignore_case=False, star="[^:]*", question="[^:]").pattern.removesuffix("$")
    return bool(re.match(head + ".*$", ":".join(values[n:]), re.DOTALL))


def _number(text: str) -> Decimal:
    if not _NUMBER.match(text.strip()):
        raise ValueError(f"{text!r} is not a number")
    return Decimal(text.strip())


def _date(text: str):
    parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date or epoch time")
    return parsed


def _compare(base: str, prefix: str, a, e) -> bool:
    return {
        "Equals": a == e,
        "NotEquals": a == e,
        "LessThan": a < e,
        "LessThanEquals": a <= e,
        "GreaterThan": a > e,
        "GreaterThanEquals": a >= e,
    }[base.removeprefix(prefix)]


def _match_one(base: str, expected: str, actual: str) -> bool:
    """Does ``actual`` satisfy the positive form of ``base`` against one (pattern-form) value?"""
    if base.startswith(("String", "Arn")) or base == "Bool":
        return _match_text(base, expected, actual)
    return _match_typed(base, expected, actual)


def _match_text(base: str, expected: str, actual: str) -> bool:
    """``_match_one`` for the operators that compare the value as text: String*, Arn* and Bool."""
    if base in ("StringEquals", "StringNotEquals"):
        return literal(expected) == actual
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return literal(expected).lower() == actual.lower()
    if base in ("StringLike", "StringNotLike"):
        return glob_match(expected, actual)
    if base.startswith("Arn"):
        return arn_like(expected, actual)
    if base == "Bool":
        return literal(expected).lower() == actual.lower()
    raise PolicyError(f"unknown condition operator {base!r}")


def _match_typed(base: str, expected: str, actual: str) -> bool:
    """``_match_one`` for the operators that read the value as a number, a date, an address or bytes."""
    if base.startswith("Numeric"):
        return _compare(base, "Numeric", _number(actual), _number(literal(expected)))
    if base.startswith("Date"):
        return _compare(base, "Date", _date(actual), _date(literal(expected)))
    if base in ("IpAddress", "NotIpAddress"):
        return ipaddress.ip_address(actual.strip()) in ipaddress.ip_network(literal(expected).strip(), strict=False)
    if base == "BinaryEquals":
        try:
            return base64.b64decode(literal(expected), validate=True) == base64.b64decode(actual, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"not base64: {exc}") from exc
    raise PolicyError(f"unknown condition operator {base!r}")


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


def _resolved(expected: list[str], context: Context) -> list[str]:
    multi = getattr(context, "multivalued", ())
    out = []
    for e in expected:
        r = resolve(e, context, multi)
        if r is not None:
            out.append(r)
    return out


def evaluate_one(operator: str, key: str, expected_raw: object, context: Context) -> FailedCondition | None:
    """Evaluate one ``operator: {key: values}`` test; None when it holds."""
    qualifier, base, if_exists = check_operator(operator)
    expected = as_list(expected_raw)
    actual = context.get(str(key).lower())
    present = bool(actual)
    shown = tuple(expected)
    if base == "Null":
        want_absent = any(e.lower() == "true" for e in expected)
        ok = (not present) if want_absent else present
        return None if ok else FailedCondition(operator, key, shown, tuple(actual or ()))
    if not present:
        if if_exists or qualifier == "ForAllValues" or (base in _NEGATED and qualifier != "ForAnyValue"):
            return None
        return FailedCondition(operator, key, shown, ())
    assert actual is not None
    values = _resolved(expected, context)
    if not values:
        return FailedCondition(
            operator, key, shown, tuple(actual), "a policy variable here has no value in the request"
        )
    try:
        if qualifier == "ForAllValues" or (base in _NEGATED and qualifier != "ForAnyValue"):
            ok = all(_single(base, values, a) for a in actual)
        else:
            ok = any(_single(base, values, a) for a in actual)
    except (ValueError, ArithmeticError) as exc:
        if isinstance(exc, PolicyError):
            raise
        return FailedCondition(operator, key, shown, tuple(actual), f"cannot compare: {exc}")
    if ok:
        return None
    return FailedCondition(operator, key, shown, tuple(actual), _wildcard_note(base, values, actual))


def evaluate_conditions(block: Mapping[str, Mapping[str, object]] | None, context: Context) -> ConditionResult:
    """Evaluate a whole ``Condition`` block against a normalised context (see ``normalise_context``)."""
    if block is not None and not isinstance(block, Mapping):
        raise PolicyError(f"Condition must be an object, got {type(block).__name__}")
    failed = []
    for operator, tests in (block or {}).items():
        if not isinstance(tests, Mapping):
            raise PolicyError(f"Condition {operator} must map keys to values, got {type(tests).__name__}")
        for key, expected in tests.items():
            problem = evaluate_one(operator, key, expected, context)
            if problem is not None:
                failed.append(problem)
    return ConditionResult(not failed, tuple(failed))


__all__ += ["STAR", "QUESTION"]
