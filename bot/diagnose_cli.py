"""``chatops diagnose TEXT``: the same parsing and diagnosis as in Slack, printed to a terminal.

Runs against the configured AWS profile and kubeconfig. It proposes but never applies:
applying stays in Slack, behind approval.
"""

from __future__ import annotations

import json
from typing import TextIO

from bot import errors
from bot.domain import Lang, Request
from bot.services.commands import parse_command
from bot.services.contexts import SingleClusterContexts
from bot.services.core import step_to_dict
from bot.services.failures import describe_failure, new_ref
from bot.settings import Settings
from handlers import registry


def run(text: str, settings: Settings, out: TextIO) -> int:
    try:
        cmd = parse_command(text)
    except errors.UsageError as exc:
        out.write(f"usage error: {exc.message}\n")
        return 2
    if cmd.kind != "request":
        out.write("nothing to diagnose; try a problem description or a command such as `pods -A`\n")
        return 2
    diagnoser = registry.diagnoser_for(cmd.intent)
    if diagnoser is None:
        out.write(f"no diagnoser handles intent {cmd.intent}\n")
        return 2
    ctx = SingleClusterContexts(settings).get(cmd.cluster)
    request = Request(cmd.intent, cmd.entities, text, Lang(cmd.lang), "terminal", cmd.aws_error, cmd.image_pull)
    try:
        diagnosis = diagnoser.diagnose(ctx, request)
    except errors.ChatOpsError as exc:
        out.write(describe_failure(exc, new_ref())(cmd.lang) + "\n")
        return 1
    lang = cmd.lang
    out.write(f"{diagnosis.headline(lang)}\n")
    for f in diagnosis.findings:
        out.write(f"  [{f.severity}] {f.code}: {f.title(lang)}\n")
        for e in f.evidence:
            out.write(f"      - {e(lang)}\n")
    for i, plan in enumerate(diagnosis.plans, 1):
        out.write(f"plan {i}: {plan.title(lang)} (risk {plan.risk}); apply it from Slack after approval\n")
        for step in plan.steps:
            out.write(json.dumps(step_to_dict(step), ensure_ascii=False, indent=2) + "\n")
    return 0
