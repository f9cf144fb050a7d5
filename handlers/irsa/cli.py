"""Offline policy checks: ``chatops check-trust`` and ``chatops check-permission``.

Wired into the ``chatops`` command by ``bot.cli``; used by people who paste a policy, by
tests and by benchmarks. No cloud access. A policy file may be a raw policy document, the
output of ``aws iam get-role`` (its ``AssumeRolePolicyDocument``), of ``aws iam
get-policy-version`` (its ``Document``) or a URL-encoded document. Prints one JSON object;
the exit status is the answer, so a CI step can gate on it: 0 admitted / allowed, 1 not admitted /
denied (implicitly or explicitly), 2 for bad input (including a malformed policy:
``iam_validate.PolicyError`` is a ``ValueError``).
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from handlers.irsa.permissions import ALLOWED, PolicySource, evaluate_permission
from handlers.irsa.trust import DEFAULT_AUDIENCE, evaluate_trust

CONTEXT_HELP = (
    "a request context key, repeatable: KEY=VALUE is a single-valued key; KEY=[] is a multivalued "
    "key that is present but empty; KEY=[a] or KEY=[a,b] is a multivalued key with those values; "
    "giving the same KEY twice makes it multivalued. Keys not given are missing from the request."
)


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(add_help=False, **kwargs)
        self.add_argument("-h", "--help", action="store_true", help="show this help and exit")

    def error(self, message: str):  # raise instead of sys.exit so callers get an exit code back
        raise ValueError(message)


def _parse(parser: _Parser, argv: list[str], stdout: TextIO) -> argparse.Namespace | None:
    """Parsed arguments, or None after printing ``--help`` to ``stdout``."""
    if "-h" in argv or "--help" in argv:
        stdout.write(parser.format_help())
        return None
    return parser.parse_args(argv)


def load_policy(path: str) -> Mapping[str, Any]:
    text = Path(path).read_text(encoding="utf-8").strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = urllib.parse.unquote(text)
    doc = json.loads(text)
    if isinstance(doc, Mapping) and "Role" in doc:
        doc = doc["Role"].get("AssumeRolePolicyDocument", {})
    if isinstance(doc, Mapping) and "PolicyVersion" in doc:
        doc = doc["PolicyVersion"].get("Document", {})
    if isinstance(doc, str):
        doc = json.loads(urllib.parse.unquote(doc))
    if not isinstance(doc, Mapping) or "Statement" not in doc:
        raise ValueError(f"{path}: not an IAM policy document (no Statement)")
    return doc


def _emit(stdout: TextIO, payload: Mapping[str, Any]) -> None:
    stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _fail(stdout: TextIO, message: str) -> int:
    _emit(stdout, {"error": message})
    return 2


def check_trust_main(argv: list[str], stdout: TextIO) -> int:
    """``check-trust --policy FILE --subject system:serviceaccount:NS:SA [--audience A] [--provider ARN]``."""
    parser = _Parser(prog="chatops check-trust", description="Does a trust policy admit a service account?")
    parser.add_argument(
        "--policy",
        required=True,
        metavar="FILE",
        help="the role's trust policy: a policy document, `aws iam get-role` output or URL-encoded",
    )
    parser.add_argument(
        "--subject", required=True, help="the token's sub claim: system:serviceaccount:NAMESPACE:SERVICEACCOUNT"
    )
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE, help=f"the token's aud (default {DEFAULT_AUDIENCE})")
    parser.add_argument("--no-audience", action="store_true", help="the token has no aud claim (the key is missing)")
    parser.add_argument(
        "--provider",
        default=None,
        metavar="ARN",
        help="the OIDC provider ARN the token comes from (default: any the policy names)",
    )
    try:
        args = _parse(parser, argv, stdout)
        if args is None:
            return 0
        audience = None if args.no_audience else args.audience
        verdict = evaluate_trust(load_policy(args.policy), args.subject, audience, args.provider)
    except (ValueError, OSError) as exc:
        return _fail(stdout, str(exc))
    _emit(stdout, verdict.to_json())
    return 0 if verdict.admitted else 1


def _values(value: str) -> str | list[str]:
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        return [v.strip() for v in inner.split(",")] if inner else []
    return value


def parse_context(pairs: list[str]) -> dict[str, str | list[str]]:
    """``--context`` pairs as a request context (see ``CONTEXT_HELP``)."""
    out: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--context expects KEY=VALUE, KEY=[] or KEY=[a,b], got {pair!r}")
        parsed = _values(value)
        if key in out:
            before = out[key]
            head = before if isinstance(before, list) else [before]
            out[key] = [*head, *(parsed if isinstance(parsed, list) else [parsed])]
        else:
            out[key] = parsed
    return out


def check_permission_main(argv: list[str], stdout: TextIO) -> int:
    """``check-permission --policy FILE [...] --action SVC:Action --resource ARN [--context K=V ...]``."""
    parser = _Parser(prog="chatops check-permission", description="Do identity policies allow an action?")
    parser.add_argument(
        "--policy",
        action="append",
        required=True,
        metavar="FILE",
        help="an identity policy file (repeatable): a document or `aws iam get-policy-version` output",
    )
    parser.add_argument("--boundary", default=None, help="a permissions boundary policy file")
    parser.add_argument(
        "--action",
        required=True,
        metavar="SERVICE:ACTION",
        help="the action asked for, e.g. elasticloadbalancing:DeleteLoadBalancer",
    )
    parser.add_argument("--resource", required=True, metavar="ARN", help="the resource ARN the action is on")
    parser.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help=CONTEXT_HELP)
    try:
        args = _parse(parser, argv, stdout)
        if args is None:
            return 0
        policies = [PolicySource(Path(p).name, load_policy(p)) for p in args.policy]
        boundary = (
            PolicySource(Path(args.boundary).name, load_policy(args.boundary), "boundary") if args.boundary else None
        )
        verdict = evaluate_permission(policies, args.action, args.resource, parse_context(args.context), boundary)
    except (ValueError, OSError) as exc:
        return _fail(stdout, str(exc))
    _emit(stdout, verdict.to_json())
    return 0 if verdict.decision == ALLOWED else 1
