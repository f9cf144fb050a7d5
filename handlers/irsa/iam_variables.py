"""IAM policy variables (``${aws:username}``) in ``Resource``, ``NotResource`` and condition values. Pure.

IAM User Guide, "IAM policy elements: Variables and tags",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html:

* ``${key}`` is replaced by the value of the single-valued context key ``key`` (keys are
  case-insensitive); a multivalued key cannot be a variable ("Single-valued vs. multivalued
  context keys", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
* A variable that cannot be resolved makes the value it is in match nothing ("Policy variables
  with no value"), unless it has a default: ``${aws:PrincipalTag/team, 'none'}``.
* ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$`` ("Special characters").

A resolved value is returned in *pattern form*: literal ``*`` / ``?`` (from the escapes or
from a substituted context value) are replaced by private-use placeholders, so wildcard
matchers see them as plain characters. ``literal`` turns pattern form back into text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

STAR, QUESTION = "\ue000", "\ue001"
_VARIABLE = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_DEFAULT = re.compile(r"^(?P<key>[^,']+?)\s*,\s*'(?P<default>(?:[^']|'')*)'$")


def _protect(text: str) -> str:
    return text.replace("*", STAR).replace("?", QUESTION)


def literal(pattern: str) -> str:
    """Pattern form back to the characters it stands for."""
    return pattern.replace(STAR, "*").replace(QUESTION, "?")


def resolve(text: str, context: Mapping[str, tuple[str, ...]], multivalued: Collection[str] = ()) -> str | None:
    """``text`` with its variables replaced (pattern form), or None when one cannot be resolved."""
    failed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal failed
        body = match.group(1)
        if body in ("*", "?"):
            return STAR if body == "*" else QUESTION
        if body == "$":
            return "$"
        default = _DEFAULT.match(body)
        key = (default.group("key") if default else body).strip().lower()
        values = context.get(key)
        if values is not None and len(values) == 1 and key not in multivalued:
            return _protect(values[0])
        if default:
            return _protect(default.group("default").replace("''", "'"))
        failed = True
        return ""

    out = _VARIABLE.sub(replace, text)
    return None if failed else out
