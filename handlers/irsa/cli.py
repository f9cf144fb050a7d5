"""Offline policy checks: ``chatops check-trust`` and ``chatops check-permission``.

Wired into the ``chatops`` command by ``bot.cli``; used by people who paste a policy, by
tests and by benchmarks. No cloud access. A policy file may be a raw policy document, the
output of ``aws iam get-role`` (its ``AssumeRolePolicyDocument``), of ``aws iam
get-policy-version`` (its ``Document``) or a URL-encoded document. Prints one JSON object;
exit status 0 when the question was answered (whatever the answer), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from handlers.irsa.permissions import PolicySource, evaluate_permission
from handlers.irsa.trust import DEFAULT_AUDIENCE, evaluate_trust


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # raise instead of sys.exit so callers get an exit code back
        raise ValueError(message)


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
    parser.add_argument("--policy", required=True)
    parser.add_argument("--subject", required=True)
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE)
    parser.add_argument("--provider", default=None)
    try:
        args = parser.parse_args(argv)
        verdict = evaluate_trust(load_policy(args.policy), args.subject, args.audience, args.provider)
    except (ValueError, OSError) as exc:
        return _fail(stdout, str(exc))
    _emit(stdout, verdict.to_json())
    return 0


def _context(pairs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--context expects KEY=VALUE, got {pair!r}")
        out.setdefault(key, []).append(value)
    return out


def check_permission_main(argv: list[str], stdout: TextIO) -> int:
    """``check-permission --policy FILE [...] --action SVC:Action --resource ARN [--context K=V ...]``."""
    parser = _Parser(prog="chatops check-permission", description="Do identity policies allow an action?")
    parser.add_argument("--policy", action="append", required=True)
    parser.add_argument("--boundary", default=None, help="a permissions boundary policy file")
    parser.add_argument("--action", required=True)
    parser.add_argument("--resource", required=True)
    parser.add_argument("--context", action="append", default=[])
    try:
        args = parser.parse_args(argv)
        policies = [PolicySource(Path(p).name, load_policy(p)) for p in args.policy]
        boundary = (
            PolicySource(Path(args.boundary).name, load_policy(args.boundary), "boundary")
            if args.boundary
            else None
        )
        verdict = evaluate_permission(policies, args.action, args.resource, _context(args.context), boundary)
    except (ValueError, OSError) as exc:
        return _fail(stdout, str(exc))
    _emit(stdout, verdict.to_json())
    return 0
