"""Reading IAM policy documents the way IAM does. Pure: no I/O.

IAM accepts ``Statement`` as a list of statements or as one statement object, and ``Action``,
``Resource``, condition values and principals as a string or a list of strings (IAM User Guide,
"IAM JSON policy element reference": Statement, Action, Resource, Condition). Every reader of a
policy document in the bot goes through these helpers, so a valid single-object ``Statement``
never crashes one of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def as_list(value: object) -> list[str]:
    """A policy field that may be one string or a list of them, as a list of strings."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def as_document(value: Any) -> Mapping[str, Any]:
    """A policy document given as a mapping or as JSON text; anything else is an empty document."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, Mapping) else {}


def statements_of(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a policy document: a single-object ``Statement`` becomes a list of one."""
    raw = as_document(document).get("Statement", [])
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, list | tuple):
        return [s for s in raw if isinstance(s, Mapping)]
    return []


def is_policy_document(value: Any) -> bool:
    """True for a mapping that carries a ``Statement`` (a trust or permission policy)."""
    return isinstance(value, Mapping) and "Statement" in value
