"""Read an AWS authorization error out of pasted text: what kind, which role, action, resource.

Called by ``bot.parsing.parse`` and directly by the IRSA / ingress diagnosers when they read
controller events and logs. Pure; every pattern is compiled at import.

The message formats are AWS's own (IAM "access denied error messages", STS
``AssumeRoleWithWebIdentity`` errors) as they appear through the Go, Python, Java and JS SDKs;
real samples with their sources are in ``tests/fixtures/parsing/aws_errors.jsonl``.
"""

from __future__ import annotations

import re

from bot.parsing.confidence import NOTHING, PHRASE, STRUCTURAL

# Not a policy decision: the caller had no valid credentials, or they were refused before any
# policy was read (STS/IAM error codes; EC2 ``AuthFailure``; EKS Pod Identity agent reaching EKS Auth).
_CREDENTIAL_CODES = (
    "expiredtoken",
    "invalidclienttokenid",
    "unrecognizedclientexception",
    "security token included in the request",
    "nocredentialproviders",
    "missing credentials in config",
    "idprejectedclaim",
    "authfailure",
    "subscriptionrequired",
    "allaccessdisabled",
    "credentials could not be loaded",
    "unable to fetch credentials",
    "request arn is invalid",
    "failed to refresh cached credentials",
    "unable to locate credentials",
    "signaturedoesnotmatch",
    "invalidaccesskeyid",  # S3's code for an access key it does not know (S3 API reference, Error responses)
)
_NO_CREDENTIALS = (
    *_CREDENTIAL_CODES,
    "not a valid container metadata",
    "error retrieving metadata",
    "may not be assumed by root",  # STS refuses root as a caller before any policy is read
)
# Any of these (in the lowercased text) means it carries an AWS authorization failure worth reading.
# AWS errors are read by error-code family, the same across services and SDK generations: the
# code is printed as ``An error occurred (Code) when calling ...`` (botocore), ``Code: message``
# (Go SDK v1), ``api error Code: message`` (Go SDK v2), ``CodeException`` (JS v3, Java).
_TRIGGERS = (
    "accessdenied",
    "unauthorizedoperation",
    "unauthorized operation",
    "invalididentitytoken",
    "invalid identity token",
    "webidentityerr",
    "not authorized to perform",
    "you are not authorized",
    "incorrect token audience",
    "no openidconnect provider found",
    "missing a required claim",
    "is not authorized to access this resource",
    "with an explicit deny",
    "explicitdeny",
    "missing permissions",
    *_CREDENTIAL_CODES,
    "is denied",
)
# Every trigger contains one of these: most messages are turned away after a few lookups.
_GATES = (
    "deni",
    "deny",
    "authori",
    "token",
    "credential",
    "identity",
    "missing",
    "clientexception",
    "signature",
    "authfailure",
    "subscriptionrequired",
    "allaccessdisabled",
    "request arn",
    "openidconnect",
    "audience",
    "idprejectedclaim",
    "accesskeyid",
)
_ENCODED = re.compile(r"encoded authorization failure message:?\s*([A-Za-z0-9_\-.*]+)?", re.I)
DECODE_HINT = "aws sts decode-authorization-message --encoded-message <message> --query DecodedMessage --output text"
_IMPLICIT_TRIGGER = re.compile(r"because no [a-z -]{3,40} allows")
_BARE_DENIED = re.compile(r"(?<!pull )access denied")  # Docker's "pull access denied" is a registry's word
_OIDC_MISSING = re.compile(r"No OpenIDConnect provider found in (?:your )?account(?: for\s+([^\s\"'\\,;)]+))?", re.I)
_AUDIENCE = re.compile(r"Incorrect token audience", re.I)
_TRUST = re.compile(
    r"Not authorized to perform:?\s+sts:(?:AssumeRole(?:WithWebIdentity|WithSAML)?|TagSession)\b"
    r"|explicit deny in (?:the|a|an)? ?(?:role )?trust policy"
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
    "identity-based": "identity",
    "permissions boundary": "boundary",
    "service control": "scp",
    "resource-based": "resource",
    "session": "session",
    "resource control": "rcp",
    "vpc endpoint": "vpc_endpoint",
}
_DECODED = re.compile(r"\"explicitDeny\\?\"\s*:\s*(true|false)", re.I)  # also inside escaped JSON
_CODE = re.compile(
    r"\b(AccessDeniedException|AccessDenied|UnauthorizedOperation|InvalidIdentityToken"
    r"|ExpiredTokenException|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException"
    r"|NoCredentialProviders|IDPRejectedClaim|AuthFailure|WebIdentityErr)\b"
)
_PRINCIPAL = re.compile(r"User:\s*(arn:aws[a-z-]*:(?:sts|iam)::[^\s\"',]+)")
_ASSUMED = re.compile(r"arn:aws[a-z-]*:sts::(\d{12}|[^:\s]*):assumed-role/([^/\s\"',]+)(?:/([^\s\"',\\]+))?")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|[^:\s]*):role/((?:[^/\s\"',\\]+/)*)([^/\s\"',\\]+)")
_USER_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|[^:\s]*):user/(?:[^/\s\"',]+/)*([^/\s\"',\\]+)")
_ACTION = re.compile(r"not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)", re.I)
_ACTION_JSON = re.compile(r"\"action\\?\"\s*:\s*\\?\"([a-z0-9-]+:[A-Za-z0-9*]+)")
_RESOURCE = re.compile(r"on resource:?\s+(\S+)", re.I)
_RESOURCE_JSON = re.compile(r"\"resource\\?\"\s*:\s*\\?\"([^\"\\]+)")
_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
_DEPENDENCY_REFUSED = re.compile(r"not allowed to access|access to [a-z0-9 -]{2,30} is not allowed")
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


def _kind(text: str, low: str) -> tuple[str, dict[str, str], float]:
    """The kind, its extra fields, and how sure the reading is.

    Tried from the most specific wording to the least; each pattern only when its key phrase is
    present (case-insensitive regexes are slow). Kinds and wordings: IAM User Guide,
    "Troubleshoot access denied error messages" (awsdocs/iam-user-guide
    ``doc_source/troubleshoot_access-denied.md``); STS ``AssumeRoleWithWebIdentity`` errors
    (``InvalidIdentityToken``, ``IDPRejectedClaim``, ``ExpiredTokenException``) in the STS API
    reference; EC2 ``UnauthorizedOperation`` with an encoded message to be read with
    ``aws sts decode-authorization-message`` (STS API reference, DecodeAuthorizationMessage).
    """
    return _policy_decision(text, low) or _wording(low)


def _policy_decision(text: str, low: str) -> tuple[str, dict[str, str], float] | None:
    """The kinds whose wording names the policy decision (or the missing provider) outright."""
    if "no openidconnect provider" in low:
        m = _OIDC_MISSING.search(text)
        issuer = (m.group(1) or "").rstrip(".,;:'\"") if m else ""
        return "oidc_provider_missing", ({"issuer": issuer} if issuer else {}), STRUCTURAL
    if "incorrect token audience" in low or "missing a required claim: aud" in low:
        return "token_audience", {}, STRUCTURAL
    if ("sts:" in low or "assumerolewithwebidentity" in low or "trust policy" in low) and _TRUST.search(text):
        return "trust_policy", {}, STRUCTURAL
    m = _EXPLICIT.search(text) if "explicit deny" in low else None
    if m:
        return "explicit_deny", ({"deny_source": _SOURCES[m.group(1).lower()]} if m.group(1) else {}), STRUCTURAL
    m = _IMPLICIT.search(text) if "because no" in low else None
    if m:
        return "permission_missing", {"missing_in": _SOURCES[m.group(1).lower()]}, STRUCTURAL
    m = _DECODED.search(text) if "explicitdeny" in low else None  # `aws sts decode-authorization-message`
    if m:
        return ("explicit_deny", {}, PHRASE) if m.group(1).lower() == "true" else ("permission_missing", {}, PHRASE)
    return None


def _wording(low: str) -> tuple[str, dict[str, str], float]:
    """The kind read from the error code or the SDK's wording, when no policy decision is spelled out."""
    if "webidentityerr" in low and "accessdenied" in low:
        return "trust_policy", {}, PHRASE
    if any(p in low for p in _NO_CREDENTIALS):
        return "other", {}, PHRASE
    if "unauthorizedoperation" in low or "you are not authorized to perform this operation" in low:
        return "permission_missing", {}, STRUCTURAL
    if "accessdeniedexception" in low and "authorized" not in low and _DEPENDENCY_REFUSED.search(low):
        # KMS: "The ciphertext refers to a customer master key that does not exist, does not exist
        # in this region, or you are not allowed to access."; Secrets Manager when KMS refuses it:
        # "Access to KMS is not allowed". Neither names an action or a policy.
        return "unclear", {}, PHRASE
    if (
        "not authorized to perform" in low
        or "accessdeniedexception" in low
        or "missing permissions" in low
        or "is not authorized to access this resource" in low
    ):
        return "permission_missing", {}, STRUCTURAL
    if "invalididentitytoken" in low or "invalid identity token" in low or "webidentityerr" in low:
        return "other", {}, PHRASE  # a web-identity token refused for a reason the text does not name
    if "access denied" in low or "accessdenied" in low or "is denied" in low:
        return "unclear", {}, PHRASE  # a bare "Access Denied": no action, no policy named
    return "other", {}, NOTHING


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
    if not any(g in low for g in _GATES):
        return None
    if (
        not any(t in low for t in _TRIGGERS)
        and not ("because no" in low and _IMPLICIT_TRIGGER.search(low))
        and not ("access denied" in low and _BARE_DENIED.search(low))
    ):
        return None
    kind, extra, sure = _kind(text, low)
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
    codes = _CODE.findall(text)
    if codes:  # WebIdentityErr only wraps the STS error that says why ("caused by: InvalidIdentityToken")
        out["code"] = next((c for c in codes if c != "WebIdentityErr"), codes[0])
    m = _ENCODED.search(text) if "encoded authorization failure message" in low else None
    if m:
        # STS takes up to 10,240 characters (DecodeAuthorizationMessage, EncodedMessage).
        out["encoded"] = (m.group(1) or "").strip(".")[:10240] or "..."
        out["hint"] = DECODE_HINT
    out["confidence"] = f"{sure:.2f}"
    if not out.get("account"):
        acct = _ACCOUNT.search(resource) if resource else None
        if acct:
            out["account"] = acct.group(1)
    return {k: v for k, v in out.items() if v or k in ("kind", "role", "action", "resource")}


def aws_confidence(err: dict[str, str] | None) -> float:
    """How sure the reading of ``err`` (a ``parse_aws_error`` result, or None for none found) is."""
    if err is None:
        return NOTHING
    try:
        return float(err.get("confidence", NOTHING))
    except ValueError:
        return NOTHING
