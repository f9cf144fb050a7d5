"""Read an AWS authorization error out of pasted text: what kind, which role, action, resource.

Called by ``bot.parsing.parse`` and directly by the IRSA / ingress diagnosers when they read
controller events and logs. Pure; every pattern is compiled at import.

The message formats are AWS's own (IAM "access denied error messages", STS
``AssumeRoleWithWebIdentity`` errors) as they appear through the Go, Python, Java and JS SDKs;
real samples with their sources are in ``tests/fixtures/parsing/aws_errors.jsonl``.
"""

from __future__ import annotations

import re

# Any of these (in the lowercased text) means it carries an AWS authorization failure worth reading.
_TRIGGERS = (
    "accessdenied", "unauthorizedoperation", "invalididentitytoken", "webidentityerr",
    "not authorized to perform",
    "incorrect token audience", "no openidconnect provider found",
    "is not authorized to access this resource",
    "with an explicit deny", "explicitdeny",
)
_IMPLICIT_TRIGGER = re.compile(r"because no [a-z -]{3,40} allows")
_OIDC_MISSING = re.compile(r"No OpenIDConnect provider found in your account for\s+([^\s\"'\\,;)]+)", re.I)
_AUDIENCE = re.compile(r"Incorrect token audience", re.I)
_TRUST = re.compile(
    r"Not authorized to perform:?\s+sts:AssumeRoleWithWebIdentity"
    r"|WebIdentityErr:[^\n]{0,200}?(?:\n\s*caused by:\s*)?AccessDenied"
    r"|AssumeRoleWithWebIdentity operation:\s*Not authorized",
    re.I,
)
_EXPLICIT = re.compile(
    r"with an explicit deny(?:\s+in\s+(?:an?\s+)?(identity-based|permissions boundary|service control"
    r"|resource-based|session|resource control)(?:\s+policy)?)?",
    re.I,
)
_IMPLICIT = re.compile(
    r"because no (identity-based|permissions boundary|service control|resource-based|session"
    r"|resource control|VPC endpoint)(?: policy)? allows",
    re.I,
)
_SOURCES = {
    "identity-based": "identity", "permissions boundary": "boundary", "service control": "scp",
    "resource-based": "resource", "session": "session", "resource control": "rcp",
    "vpc endpoint": "vpc_endpoint",
}
_DECODED = re.compile(r"\"explicitDeny\\?\"\s*:\s*(true|false)", re.I)  # also inside escaped JSON
_CODE = re.compile(r"\b(AccessDeniedException|AccessDenied|UnauthorizedOperation|InvalidIdentityToken)\b")
_PRINCIPAL = re.compile(r"User:\s*(arn:aws[a-z-]*:(?:sts|iam)::[^\s\"',]+)")
_ASSUMED = re.compile(r"arn:aws[a-z-]*:sts::(\d{12}|[^:\s]*):assumed-role/([^/\s\"',]+)(?:/([^\s\"',\\]+))?")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|[^:\s]*):role/((?:[^/\s\"',\\]+/)*)([^/\s\"',\\]+)")
_USER_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|[^:\s]*):user/(?:[^/\s\"',]+/)*([^/\s\"',\\]+)")
_ACTION = re.compile(r"not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)", re.I)
_ACTION_JSON = re.compile(r"\"action\\?\"\s*:\s*\\?\"([a-z0-9-]+:[A-Za-z0-9*]+)")
_RESOURCE = re.compile(r"on resource:?\s+(\S+)", re.I)
_RESOURCE_JSON = re.compile(r"\"resource\\?\"\s*:\s*\\?\"([^\"\\]+)")
_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
_TRAILING = "\"'.,;:)]}\\"


def _strip(value: str) -> str:
    """Drop punctuation a log wrapped around a value; keep closing brackets that are balanced."""
    while value and value[-1] in _TRAILING:
        closer = value[-1]
        opener = {")": "(", "]": "[", "}": "{"}.get(closer)
        if opener and value.count(opener) >= value.count(closer):
            break
        value = value[:-1]
    return value


def _kind(text: str, low: str) -> tuple[str, dict[str, str]]:
    # Each pattern is tried only when its key phrase is present: case-insensitive regexes are slow.
    m = _OIDC_MISSING.search(text) if "no openidconnect provider" in low else None
    if m:
        return "oidc_provider_missing", {"issuer": m.group(1).rstrip(".,;:'\"")}
    if "incorrect token audience" in low:
        return "token_audience", {}
    if "assumerolewithwebidentity" in low and _TRUST.search(text):
        return "trust_policy", {}
    m = _EXPLICIT.search(text) if "explicit deny" in low else None
    if m:
        return "explicit_deny", ({"deny_source": _SOURCES[m.group(1).lower()]} if m.group(1) else {})
    m = _IMPLICIT.search(text) if "because no" in low else None
    if m:
        return "permission_missing", {"missing_in": _SOURCES[m.group(1).lower()]}
    m = _DECODED.search(text) if "explicitdeny" in low else None  # `aws sts decode-authorization-message`
    if m:
        return ("explicit_deny", {}) if m.group(1).lower() == "true" else ("permission_missing", {})
    return "other", {}


def _role(text: str, low: str, resource: str) -> dict[str, str]:
    """The principal's role (name, account, session), preferring the ``User:`` ARN."""
    m = _PRINCIPAL.search(text) if "user:" in low else None
    candidates = [m.group(1)] if m else []
    candidates.append(text)
    for source in candidates:
        a = _ASSUMED.search(source) if "assumed-role/" in source else None
        if a:
            out = {"role": a.group(2), "account": a.group(1)}
            if a.group(3):
                out["session"] = _strip(a.group(3))
            return out
        u = _USER_ARN.search(source) if source is not text and ":user/" in source else None
        if u:
            return {"user": _strip(u.group(2)), "account": u.group(1)}
    if ":role/" not in text:
        return {}
    for r in _ROLE_ARN.finditer(text):
        arn = r.group(0)
        if resource and arn in resource:
            continue  # that role is what was acted on (iam:PassRole), not who acted
        return {"role": _strip(r.group(3)), "account": r.group(1), "role_arn": _strip(arn)}
    return {}


def parse_aws_error(text: str) -> dict[str, str] | None:
    """The AWS authorization error in ``text``, or None if there is none.

    Returns ``{"kind", "role", "action", "resource"}`` (empty string when unknown) plus, when
    present: ``deny_source`` (explicit denies: identity|boundary|scp|resource|session),
    ``missing_in`` (implicit denies), ``issuer`` (missing OIDC provider), ``account``,
    ``session``, ``user``, ``role_arn`` and ``code`` (AccessDenied, UnauthorizedOperation, ...).
    """
    if not text:
        return None
    low = text.lower()
    if not any(t in low for t in _TRIGGERS) and not ("because no" in low and _IMPLICIT_TRIGGER.search(low)):
        return None
    kind, extra = _kind(text, low)
    action = ""
    m = _ACTION.search(text) if "authorized to perform" in low else None
    m = m or (_ACTION_JSON.search(text) if '"action' in text else None)
    if m:
        action = m.group(1)
    elif kind == "trust_policy" or kind in ("oidc_provider_missing", "token_audience"):
        action = "sts:AssumeRoleWithWebIdentity"
    m = _RESOURCE.search(text) if "on resource" in low else None
    m = m or (_RESOURCE_JSON.search(text) if '"resource' in text else None)
    resource = _strip(m.group(1)) if m else ""
    out: dict[str, str] = {"kind": kind, "role": "", "action": action, "resource": resource}
    out.update(_role(text, low, resource))
    out.update(extra)
    code = _CODE.search(text) if ("accessdenied" in low or "unauthorizedoperation" in low
                                  or "invalididentitytoken" in low) else None
    if code:
        out["code"] = code.group(1)
    if not out.get("account"):
        acct = _ACCOUNT.search(resource) if resource else None
        if acct:
            out["account"] = acct.group(1)
    return {k: v for k, v in out.items() if v or k in ("kind", "role", "action", "resource")}


def aws_confidence(err: dict[str, str] | None) -> float:
    """How sure the reading of ``err`` (a ``parse_aws_error`` result, or None) is."""
    return 1.0
