"""The smallest trust-policy edit that admits a service account. Pure: no I/O.

Called by ``plan``. It adds exact values to the ``sub`` (or ``aud``) condition of the statement
that already trusts the cluster's OIDC provider, keeping the operator (``StringEquals`` stays
``StringEquals``, ``StringLike`` stays ``StringLike``), the key's spelling, every other
statement and value, and the order of what was there. It never adds a statement or a
principal and never writes a wildcard; when no existing statement can be extended it returns
None and the diagnosis says a human must decide.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from handlers.irsa.conditions import as_list
from handlers.irsa.trust import DEFAULT_AUDIENCE, evaluate_trust, statements_of


def _claim_key(stmt: Mapping[str, Any], provider_host: str, claim: str) -> tuple[str, str] | None:
    """(operator, key as spelled) of the statement's condition on ``<host>:<claim>``."""
    wanted = f"{provider_host}:{claim}".lower()
    for operator, tests in (stmt.get("Condition") or {}).items():
        if operator.split(":")[-1].removesuffix("IfExists") not in ("StringEquals", "StringLike"):
            continue
        for key in tests or {}:
            if key.lower() == wanted:
                return operator, key
    return None


def _candidates(doc: Mapping[str, Any], subject: str, provider: str) -> list[int]:
    """Statements that trust ``provider`` for web identity and fail only on their conditions."""
    verdict = evaluate_trust(doc, subject, provider=provider)
    return [
        s.index
        for s in verdict.statements
        if s.effect == "Allow" and s.principal_ok and s.action_ok and s.provider == provider
    ]


def _append(tests: dict[str, Any], key: str, values: Sequence[str]) -> None:
    current = as_list(tests[key])
    extra = [v for v in values if v not in current]
    if extra:
        tests[key] = current + extra


def add_subjects(document: Mapping[str, Any], provider: str, subjects: Sequence[str]) -> dict[str, Any] | None:
    """``document`` with ``subjects`` added to the provider statement's ``sub`` condition, or None."""
    if any("*" in s or "?" in s for s in subjects):
        raise ValueError("subjects must be exact, without wildcards")
    host = provider.split("oidc-provider/", 1)[-1]
    doc = copy.deepcopy(dict(document))
    statements = statements_of(doc)
    for subject in subjects:
        if evaluate_trust(doc, subject, provider=provider).admitted:
            continue
        for index in _candidates(doc, subject, provider):
            found = _claim_key(statements[index], host, "sub")
            if found is None:
                continue
            operator, key = found
            _append(statements[index]["Condition"][operator], key, [subject])
            break
        if not evaluate_trust(doc, subject, provider=provider).admitted:
            return None
    return doc


def add_audience(
    document: Mapping[str, Any], provider: str, subject: str, audience: str = DEFAULT_AUDIENCE
) -> dict[str, Any] | None:
    """``document`` with ``audience`` added to the provider statement's ``aud`` condition.

    None when no statement for ``provider`` has an ``aud`` condition to extend. Call it before
    ``add_subjects``: a subject is only admitted once the audience matches too.
    """
    host = provider.split("oidc-provider/", 1)[-1]
    doc = copy.deepcopy(dict(document))
    statements = statements_of(doc)
    for index in _candidates(doc, subject, provider):
        found = _claim_key(statements[index], host, "aud")
        if found is not None:
            operator, key = found
            _append(statements[index]["Condition"][operator], key, [audience])
            return doc
    return None
