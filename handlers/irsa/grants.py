"""Bounded grants: a permission fix may only add what a component's reference policy grants. Pure.

The reference policies are the components' official IAM policies, shipped as dated data in
``handlers/irsa/reference/`` (today only the AWS Load Balancer Controller, per partition, from
``docs/install/iam_policy*.json`` of kubernetes-sigs/aws-load-balancer-controller). A component
without a reference gets no automatic grant.

``reference_grant`` builds the grant for one denied action: the reference statements that list the
action, each narrowed to that one action and keeping the reference's own ``Resource`` and
``Condition``. ``grant_violations`` is the check the central guardrail runs on every permission
policy document a plan step would write: every ``Allow`` statement must be covered by one
reference statement (its actions listed there, its resources among the reference's, every one of
the reference's conditions kept), must not use ``NotAction`` / ``NotResource`` or wildcard
actions, and must not touch IAM, STS, KMS, Secrets Manager or Organizations, whatever a
reference says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.cloud.policy_doc import as_list, statements_of

LB_CONTROLLER = "aws-load-balancer-controller"
COMPONENTS = (LB_CONTROLLER,)
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# Services whose actions change who may do what, or reach secrets and keys: never granted.
FORBIDDEN_SERVICES = frozenset({"iam", "sts", "kms", "secretsmanager", "organizations"})
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Reference:
    component: str
    partition: str
    source: str
    last_changed: str
    policy: Mapping[str, Any]


@cache
def reference(component: str, partition: str = "aws") -> Reference | None:
    """The reference policy of ``component`` in ``partition`` (None when there is none)."""
    if component not in COMPONENTS or partition not in PARTITIONS:
        return None
    text = resources.files("handlers.irsa.reference").joinpath(f"{component}.{partition}.json").read_text()
    raw = json.loads(text)
    return Reference(component, partition, raw["source"], raw["last_changed"], raw["policy"])


def service_of(action: str) -> str:
    return action.split(":", 1)[0].lower()


def _canonical_action(action: str) -> str:
    service, _, name = action.partition(":")
    return f"{service.lower()}:{name.lower()}"


def _lists_action(stmt: Mapping[str, Any], action: str) -> bool:
    wanted = _canonical_action(action)
    return any(_canonical_action(a) == wanted for a in as_list(stmt.get("Action")))


def reference_grant(component: str, partition: str, action: str) -> dict[str, Any] | None:
    """The policy document granting ``action`` as the component's reference grants it, or None.

    None when the component has no reference, the reference does not list the action, or the
    action belongs to a service the bot never grants.
    """
    ref = reference(component, partition)
    if ref is None or not _ACTION.match(action) or service_of(action) in FORBIDDEN_SERVICES:
        return None
    statements = []
    for stmt in statements_of(ref.policy):
        if stmt.get("Effect") != "Allow" or "NotAction" in stmt or not _lists_action(stmt, action):
            continue
        grant: dict[str, Any] = {"Effect": "Allow", "Action": [action], "Resource": stmt.get("Resource")}
        if stmt.get("Condition"):
            grant["Condition"] = stmt["Condition"]
        statements.append(grant)
    if not statements:
        return None
    for index, stmt in enumerate(statements):
        stmt["Sid"] = f"ChatOpsReference{index}"
    return {"Version": "2012-10-17", "Statement": statements}


def _same_conditions(required: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Every condition of the reference statement is in the written one, with the same values."""
    for operator, tests in (required or {}).items():
        written = (given or {}).get(operator) or {}
        for key, values in (tests or {}).items():
            match = next((v for k, v in written.items() if k.lower() == key.lower()), None)
            if match is None or sorted(as_list(match)) != sorted(as_list(values)):
                return False
    return True


def _covered(stmt: Mapping[str, Any]) -> bool:
    actions = as_list(stmt.get("Action"))
    resources_ = set(as_list(stmt.get("Resource")))
    for component in COMPONENTS:
        for partition in PARTITIONS:
            ref = reference(component, partition)
            if ref is None:
                continue
            for candidate in statements_of(ref.policy):
                if candidate.get("Effect") != "Allow" or "NotAction" in candidate:
                    continue
                if not all(_lists_action(candidate, a) for a in actions):
                    continue
                if not resources_ <= set(as_list(candidate.get("Resource"))):
                    continue
                if _same_conditions(candidate.get("Condition") or {}, stmt.get("Condition") or {}):
                    return True
    return False


def grant_violations(document: Any) -> list[str]:
    """Why writing this permission policy would grant more than a reference allows (empty: fine)."""
    reasons: list[str] = []
    for index, stmt in enumerate(statements_of(document)):
        if stmt.get("Effect") != "Allow":
            continue
        where = f"statement {index}"
        if "NotAction" in stmt or "NotResource" in stmt:
            reasons.append(f"{where}: NotAction / NotResource grants everything not listed")
            continue
        actions = as_list(stmt.get("Action"))
        if not actions or not as_list(stmt.get("Resource")):
            reasons.append(f"{where}: an Allow needs explicit actions and resources")
            continue
        wild = [a for a in actions if "*" in a or "?" in a]
        if wild:
            reasons.append(f"{where}: wildcard action(s) {wild}")
        forbidden = sorted({a for a in actions if service_of(a) in FORBIDDEN_SERVICES})
        if forbidden:
            reasons.append(f"{where}: grants {forbidden}, which the bot never grants")
        if not wild and not forbidden and not _covered(stmt):
            reasons.append(
                f"{where}: grants {actions} on {as_list(stmt.get('Resource'))}, "
                "beyond every reference policy the bot knows"
            )
    return reasons
