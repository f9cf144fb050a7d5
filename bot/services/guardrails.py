"""Central safety rules every plan passes before it is proposed and again before it is applied.

Diagnosers have their own checks; these hold whatever a diagnoser proposed:

* every IAM role a step names anywhere (a ``role_name`` / ``role`` parameter, or a role ARN in
  its parameters, ``before`` or ``after``, such as a service-account annotation) must match the
  configured allow-list (``ROLE_ALLOW_PATTERNS``; empty allows none);
* every trust policy a step writes may only add exact ``sub`` / ``aud`` values (no wildcard
  subject, no new principal, only ``sts.amazonaws.com`` as a new audience);
* every permission policy a step writes must stay within a known reference policy: no wildcard
  actions, no IAM, STS, KMS, Secrets Manager or Organizations actions;
* a managed policy may be attached only if it is one of the few AWS-managed policies a
  component's documentation asks for (``MANAGED_POLICIES``).

The trust and permission rules come from the feature that knows IAM (``registry.policy_rules``);
with no such feature every policy write is refused. Policy documents are recognised by shape (a
mapping with ``Statement``), wherever in the step they are; a single-object ``Statement`` is read
as IAM reads it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bot.cloud.policy_doc import as_document, is_policy_document, statements_of
from bot.domain import FixPlan, PlanStep
from handlers import registry
from handlers.base import PolicyRules

ROLE_PARAM_KEYS = ("role_name", "role")
ROLE_ARN = re.compile(
    r"arn:aws[a-z-]*:(?:iam::\d{12}:role/(?:[\w+=,.@-]+/)*|sts::\d{12}:assumed-role/)"
    r"([\w+=,.@-]+)"
)
POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]+")
# AWS-managed policies a step may attach: what the Amazon EKS User Guide's "Amazon EKS node IAM
# role" page lists for pulling images from ECR.
MANAGED_POLICIES = frozenset({"AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly"})


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _documents(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every policy document inside a step state (also when it is JSON text)."""
    if isinstance(value, str) and '"Statement"' in value:
        doc = as_document(value)
        if is_policy_document(doc):
            yield doc
        return
    if is_policy_document(value):
        yield value
        return
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _documents(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _documents(v)


def roles_named(step: PlanStep) -> set[str]:
    names = {
        str(step.params[k]).rsplit("/", 1)[-1]
        for k in ROLE_PARAM_KEYS
        if isinstance(step.params.get(k), str) and step.params.get(k)
    }
    for text in _strings([dict(step.params), step.before, step.after]):
        names.update(m.group(1) for m in ROLE_ARN.finditer(text))
    return names


def _is_trust(doc: Mapping[str, Any]) -> bool:
    return any("Principal" in s or "NotPrincipal" in s for s in statements_of(doc))


NO_RULES = "no feature judges IAM policies in this build, so the bot writes none"


def _policy_reasons(step: PlanStep, doc: Mapping[str, Any], rules: PolicyRules | None) -> list[str]:
    if rules is None:
        return [f"policy document: {NO_RULES}"]
    if _is_trust(doc) or "trust" in step.op:
        return [f"trust policy: {r}" for r in rules.trust_change(next(_documents(step.before), {}), doc)]
    return [f"permission policy: {r}" for r in rules.permission(doc)]


def _managed_attachments(step: PlanStep) -> list[str]:
    reasons = []
    for text in _strings([dict(step.params), step.after]):
        for arn in POLICY_ARN.findall(text):
            account, name = arn.split(":")[4], arn.rsplit("/", 1)[-1]
            if account != "aws" or name not in MANAGED_POLICIES:
                reasons.append(f"attaches managed policy {arn}, which is not one the bot may attach")
    return reasons


def step_violations(step: PlanStep, role_patterns: Iterable[str]) -> list[str]:
    patterns = tuple(role_patterns)
    reasons: list[str] = []
    for name in sorted(roles_named(step)):
        if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            reasons.append(f"role {name} is outside the allowed patterns {list(patterns)}")
    rules = registry.policy_rules()
    for doc in _documents(step.after):
        reasons.extend(_policy_reasons(step, doc, rules))
    reasons.extend(_managed_attachments(step))
    return reasons


def plan_violations(plan: FixPlan, role_patterns: Iterable[str]) -> list[str]:
    patterns = tuple(role_patterns)
    reasons: list[str] = []
    for index, step in enumerate(plan.steps):
        reasons.extend(f"step {index + 1}: {r}" for r in step_violations(step, patterns))
    return sorted(set(reasons))
