"""Trust-policy evaluator: does a role's trust policy admit a Kubernetes service account? Pure.

Called by ``analyse`` (on the live policy ``collect`` read), by ``cli.check_trust_main``
(``chatops check-trust``) and by the sandbox's fake load balancer controller. Two mechanisms:

* IRSA: ``sts:AssumeRoleWithWebIdentity`` by the ``Federated`` OIDC provider principal, with
  the token's claims as condition keys ``<issuer host>:sub`` and ``<issuer host>:aud``.
* EKS Pod Identity: ``sts:AssumeRole`` (+ ``sts:TagSession``) by the service principal
  ``pods.eks.amazonaws.com``, with session tags such as ``aws:RequestTag/kubernetes-namespace``.

An applicable ``Deny`` wins over any ``Allow``. Each statement's outcome is kept so callers can
say exactly which link failed (principal, action, ``sub``, ``aud``) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.cloud.policy_doc import as_document, statements_of  # noqa: F401  (re-exported for plan_identity)
from handlers.irsa.arn import is_oidc_provider_arn, parse_subject, provider_host
from handlers.irsa.conditions import (
    FailedCondition,
    action_like,
    as_list,
    evaluate_conditions,
    normalise_context,
)
from handlers.irsa.iam_validate import check_document

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
DEFAULT_AUDIENCE = "sts.amazonaws.com"


@dataclass(frozen=True)
class TrustStatement:
    """How one statement of the trust policy fared for the subject."""

    index: int
    sid: str
    effect: str
    principal_ok: bool
    action_ok: bool
    failed: tuple[FailedCondition, ...]
    provider: str = ""
    sub_values: tuple[str, ...] = ()
    aud_values: tuple[str, ...] = ()

    @property
    def applies(self) -> bool:
        return self.principal_ok and self.action_ok and not self.failed

    def failed_claims(self) -> tuple[str, ...]:
        """Which token claims (``sub``, ``aud``, or the raw key) failed."""
        return tuple(f.key.rsplit(":", 1)[-1].lower() if ":" in f.key else f.key for f in self.failed)


@dataclass(frozen=True)
class TrustVerdict:
    admitted: bool
    statement: int | None
    reasons: tuple[str, ...]
    statements: tuple[TrustStatement, ...] = ()
    mechanism: str = "irsa"

    def to_json(self) -> dict[str, Any]:
        return {"admitted": self.admitted, "statement": self.statement, "reasons": list(self.reasons)}


def checked_statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a trust policy; ``PolicyError`` when it is malformed (``iam_validate``)."""
    doc = as_document(document)
    return check_document(doc, name="trust policy", trust=True) if "Statement" in doc else []


def principals_of(stmt: Mapping[str, Any]) -> dict[str, list[str]]:
    """``Principal`` as ``{kind: [values]}``; a bare ``"*"`` becomes ``{"*": ["*"]}``."""
    principal = stmt.get("Principal")
    if principal is None:
        return {}
    if isinstance(principal, str):
        return {"*": [principal]}
    return {str(kind): as_list(values) for kind, values in principal.items()}


def _action_ok(stmt: Mapping[str, Any], wanted: tuple[str, ...]) -> bool:
    """Does the statement cover the mechanism's main action (``wanted[0]``)?"""
    if "NotAction" in stmt:
        return not any(action_like(p, wanted[0]) for p in as_list(stmt["NotAction"]))
    return any(action_like(p, wanted[0]) for p in as_list(stmt.get("Action")))


def _claim_values(stmt: Mapping[str, Any], host: str, claim: str) -> tuple[str, tuple[str, ...]]:
    key = f"{host}:{claim}".lower()
    for operator, tests in (stmt.get("Condition") or {}).items():
        for k, values in (tests or {}).items():
            if k.lower() == key:
                return operator, tuple(as_list(values))
    return "", ()


def _irsa_statement(
    index: int, stmt: Mapping[str, Any], subject: str, audience: str | None, provider: str | None
) -> TrustStatement:
    principals = principals_of(stmt)
    federated = [p for p in principals.get("Federated", []) if is_oidc_provider_arn(p)]
    wildcard = "*" in principals.get("*", []) or "*" in principals.get("AWS", [])
    candidates = [p for p in federated if provider is None or p == provider]
    chosen = candidates[0] if candidates else (federated[0] if federated else (provider or ""))
    principal_ok = bool(candidates) or wildcard
    host = provider_host(chosen) if is_oidc_provider_arn(chosen) else ""
    # a token without an audience has no ``aud`` key at all (None is "missing" to normalise_context)
    context = normalise_context({f"{host}:sub": subject, f"{host}:aud": audience or None} if host else {})
    result = evaluate_conditions(stmt.get("Condition"), context)
    _sub_op, sub_values = _claim_values(stmt, host, "sub")
    _aud_op, aud_values = _claim_values(stmt, host, "aud")
    return TrustStatement(
        index,
        str(stmt.get("Sid", "")),
        str(stmt.get("Effect", "")),
        principal_ok,
        _action_ok(stmt, (WEB_IDENTITY_ACTION,)),
        result.failed,
        chosen,
        sub_values,
        aud_values,
    )


def _explain(st: TrustStatement, subject: str, provider: str | None) -> list[str]:
    where = f"statement {st.index}" + (f" ({st.sid})" if st.sid else "")
    if not st.principal_ok:
        found = st.provider or "no OIDC provider"
        return [f"{where}: principal is {found}, not the cluster's provider {provider}"]
    if not st.action_ok:
        return [f"{where}: does not allow {WEB_IDENTITY_ACTION}"]
    out = []
    for f in st.failed:
        claim = f.key.rsplit(":", 1)[-1].lower()
        if claim == "sub":
            out.append(
                f"{where}: {f.operator} {f.key} = [{', '.join(f.expected)}] does not include {subject}"
                + (f" ({f.note})" if f.note else "")
            )
        else:
            out.append(f"{where}: {f}")
    return out


def _verdict(statements: list[TrustStatement], reasons_for: Any, mechanism: str) -> TrustVerdict:
    denies = [s for s in statements if s.effect == "Deny" and s.applies]
    if denies:
        return TrustVerdict(
            admitted=False,
            statement=denies[0].index,
            reasons=(f"statement {denies[0].index}: explicit Deny applies",),
            statements=tuple(statements),
            mechanism=mechanism,
        )
    allows = [s for s in statements if s.effect == "Allow" and s.applies]
    if allows:
        return TrustVerdict(
            admitted=True,
            statement=allows[0].index,
            reasons=(f"statement {allows[0].index} admits the subject",),
            statements=tuple(statements),
            mechanism=mechanism,
        )
    reasons: list[str] = []
    for s in statements:
        if s.effect == "Allow":
            reasons.extend(reasons_for(s))
    return TrustVerdict(
        admitted=False,
        statement=None,
        reasons=tuple(reasons or ["no Allow statement in the trust policy"]),
        statements=tuple(statements),
        mechanism=mechanism,
    )


def evaluate_trust(
    document: Mapping[str, Any] | None,
    subject: str,
    audience: str | None = DEFAULT_AUDIENCE,
    provider: str | None = None,
) -> TrustVerdict:
    """Would ``sts:AssumeRoleWithWebIdentity`` with this token (``sub``/``aud``) be admitted?

    ``audience`` None (or empty) is a token without ``aud``: the key is missing from the context.

    ``provider`` is the cluster's IAM OIDC provider ARN; without it any OIDC provider principal
    counts (``chatops check-trust`` without ``--provider``).
    """
    parse_subject(subject)  # ValueError for a malformed subject
    statements = [
        _irsa_statement(i, s, subject, audience, provider) for i, s in enumerate(checked_statements(document))
    ]
    verdict = _verdict(statements, lambda s: _explain(s, subject, provider), "irsa")
    if verdict.admitted:
        st = statements[verdict.statement or 0]
        if not st.aud_values:
            verdict = TrustVerdict(
                admitted=True,
                statement=verdict.statement,
                reasons=(
                    *verdict.reasons,
                    f"statement {st.index} does not check the aud claim (recommended: sts.amazonaws.com)",
                ),
                statements=verdict.statements,
            )
    return verdict


def evaluate_pod_identity_trust(
    document: Mapping[str, Any] | None, namespace: str, service_account: str, cluster_arn: str = ""
) -> TrustVerdict:
    """Would EKS Pod Identity (``pods.eks.amazonaws.com``) be admitted for this service account?"""
    context = normalise_context(
        {
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account,
            **({"aws:RequestTag/eks-cluster-arn": cluster_arn} if cluster_arn else {}),
        }
    )
    statements = []
    for i, stmt in enumerate(checked_statements(document)):
        services = principals_of(stmt).get("Service", [])
        result = evaluate_conditions(stmt.get("Condition"), context)
        statements.append(
            TrustStatement(
                i,
                str(stmt.get("Sid", "")),
                str(stmt.get("Effect", "")),
                POD_IDENTITY_SERVICE in services,
                _action_ok(stmt, POD_IDENTITY_ACTIONS),
                result.failed,
                POD_IDENTITY_SERVICE if POD_IDENTITY_SERVICE in services else "",
            )
        )

    def explain(s: TrustStatement) -> list[str]:
        if not s.principal_ok:
            return [f"statement {s.index}: principal is not the service {POD_IDENTITY_SERVICE}"]
        if not s.action_ok:
            return [f"statement {s.index}: does not allow sts:AssumeRole"]
        return [f"statement {s.index}: {f}" for f in s.failed]

    return _verdict(statements, explain, "pod_identity")
