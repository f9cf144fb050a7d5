"""An encoded authorization failure message, decoded by AWS STS, and what it says.

Some AWS operations (EC2's ``UnauthorizedOperation`` among them) answer a denied call with
"Encoded authorization failure message: ...". Only ``sts:DecodeAuthorizationMessage`` turns it
into the reasons, because they "can contain privileged information that the user who requested
the operation should not see" (STS API Reference, DecodeAuthorizationMessage). The decoded
document says whether an explicit deny decided, which statements matched, the principal, the
action, the resource and the request's condition keys; its shape is the one the IAM User Guide's
example shows ("Use DecodeAuthorizationMessage with a CLI": ``allowed``, ``explicitDeny``,
``matchedStatements.items[]`` with ``statementId``, ``effect``, ``actions.items[].value``;
``context.principal.arn``, ``context.action``, ``context.resource``,
``context.conditions.items[]`` with ``key`` and ``values.items[].value``).

AWS decodes the message, so what it says is what AWS evaluated: the diagnoser uses its principal
and action to know where to look, and still reads the role and its policies live before it
proposes anything. ``decode`` is the I/O; ``parse_decoded`` is pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext

DENIED, INVALID, UNAVAILABLE = "denied", "invalid", "unavailable"


@dataclass(frozen=True)
class MatchedStatement:
    sid: str
    effect: str  # "ALLOW" or "DENY", as the decoded document writes it
    actions: tuple[str, ...]


@dataclass(frozen=True)
class DecodedFailure:
    allowed: bool
    explicit_deny: bool
    principal_arn: str
    action: str  # with its service prefix (``ec2:RunInstances``)
    resource: str
    statements: tuple[MatchedStatement, ...] = ()
    conditions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def denying(self) -> tuple[MatchedStatement, ...]:
        return tuple(s for s in self.statements if s.effect.upper() == "DENY")


def _items(node: Any) -> list[Any]:
    items = node.get("items") if isinstance(node, dict) else None
    return items if isinstance(items, list) else []


def _values(node: Any) -> tuple[str, ...]:
    return tuple(str(v.get("value", "")) for v in _items(node) if isinstance(v, dict))


def _service_of(resource: str) -> str:
    parts = resource.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def parse_decoded(text: str) -> DecodedFailure:
    """The decoded document (``DecodedMessage``, a JSON string); raises ``ValueError`` if it is not one."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("context"), dict):
        raise ValueError("not a decoded authorization message")
    context = doc["context"]
    resource = str(context.get("resource") or "")
    action = str(context.get("action") or "")
    if action and ":" not in action and _service_of(resource):
        # The example's context writes the bare operation ("RunInstances"); the statements and
        # the policy language name it with its service prefix, which the resource ARN carries.
        action = f"{_service_of(resource)}:{action}"
    statements = tuple(
        MatchedStatement(str(s.get("statementId") or ""), str(s.get("effect") or ""), _values(s.get("actions")))
        for s in _items(doc.get("matchedStatements"))
        if isinstance(s, dict)
    )
    conditions = tuple(
        (str(c.get("key") or ""), _values(c.get("values")))
        for c in _items(context.get("conditions"))
        if isinstance(c, dict)
    )
    principal = context.get("principal") if isinstance(context.get("principal"), dict) else {}
    return DecodedFailure(
        bool(doc.get("allowed")),
        bool(doc.get("explicitDeny")),
        str(principal.get("arn") or ""),
        action,
        resource,
        statements,
        conditions,
    )


def decode(ctx: ClusterContext, encoded: str) -> tuple[DecodedFailure | None, str]:
    """(what AWS decoded, "") or (None, why not): ``denied`` (the bot's role may not call
    ``sts:DecodeAuthorizationMessage``), ``invalid`` (expired, cut off or not a message) or
    ``unavailable`` (STS did not answer)."""
    try:
        answer = ctx.aws.client("sts").decode_authorization_message(EncodedMessage=encoded)
    except errors.AccessDenied:
        return None, DENIED
    except errors.InvalidRequest:
        return None, INVALID  # InvalidAuthorizationMessageException, the one error the operation lists
    except errors.CloudError:
        return None, UNAVAILABLE
    try:
        return parse_decoded(str(answer.get("DecodedMessage") or "")), ""
    except ValueError:
        return None, INVALID
