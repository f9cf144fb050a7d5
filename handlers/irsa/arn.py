"""ARN and name helpers for the IRSA diagnoser. Pure: no I/O.

Used by the evaluators (``trust``, ``permissions``), ``collect``, ``analyse`` and ``plan`` to
turn role names, role ARNs and assumed-role session ARNs into one role name, a cluster's OIDC
issuer URL into its IAM provider ARN and condition-key prefix, and a namespace plus service
account into the ``sub`` claim EKS puts in the projected token.
"""

from __future__ import annotations

from dataclasses import dataclass

WEB_IDENTITY_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class Arn:
    """``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`` split into its six parts."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn:
    parts = text.strip().split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {text!r}")
    return Arn(*parts[1:])


def is_arn(text: str) -> bool:
    return text.strip().startswith("arn:") and text.count(":") >= 5


def role_name_from(text: str) -> str:
    """The role name in a role name, a role ARN (with a path) or an assumed-role session ARN."""
    text = text.strip()
    if not is_arn(text):
        return text.rsplit("/", 1)[-1]
    arn = parse_arn(text)
    if arn.service == "sts" and arn.resource.startswith("assumed-role/"):
        return arn.resource.split("/")[1]
    if arn.service == "iam" and arn.resource.startswith("role/"):
        return arn.resource.rsplit("/", 1)[-1]
    raise ValueError(f"not a role ARN: {text!r}")


def role_arn(account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role/{name}"


def issuer_host(issuer: str) -> str:
    """``https://oidc.eks.REGION.amazonaws.com/id/ID`` -> ``oidc.eks.REGION.amazonaws.com/id/ID``."""
    host = issuer.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
    return host.rstrip("/")


def provider_arn(account: str, issuer: str, partition: str = "aws") -> str:
    """The IAM OIDC provider ARN that must exist for ``issuer``."""
    return f"arn:{partition}:iam::{account}:oidc-provider/{issuer_host(issuer)}"


def provider_host(arn: str) -> str:
    """The condition-key prefix of an OIDC provider ARN (its URL without the scheme)."""
    parsed = parse_arn(arn)
    if not parsed.resource.startswith("oidc-provider/"):
        raise ValueError(f"not an OIDC provider ARN: {arn!r}")
    return parsed.resource.removeprefix("oidc-provider/")


def is_oidc_provider_arn(text: str) -> bool:
    try:
        provider_host(text)
    except ValueError:
        return False
    return True


def sa_subject(namespace: str, service_account: str) -> str:
    return f"{WEB_IDENTITY_PREFIX}{namespace}:{service_account}"


def parse_subject(subject: str) -> tuple[str, str]:
    """``system:serviceaccount:NS:SA`` -> ``(NS, SA)``; ValueError for anything else."""
    if not subject.startswith(WEB_IDENTITY_PREFIX) or subject.count(":") != 3:
        raise ValueError(f"not a service account subject: {subject!r}")
    ns, sa = subject.removeprefix(WEB_IDENTITY_PREFIX).split(":")
    if not ns or not sa:
        raise ValueError(f"not a service account subject: {subject!r}")
    return ns, sa
