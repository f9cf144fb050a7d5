"""The plain-text files attached to a request's thread when its message cannot hold everything:
the whole diagnosis (every finding, its evidence and table) and a plan's every step with its diff.

A file is not mrkdwn, so nothing here is escaped: it reads as the cluster and AWS wrote it. Whether a
file is needed is decided by ``bot.blockkit.fits`` and ``bot.slack.render.plan_in_file``, and
``bot.slack.render`` names the files.
"""

from __future__ import annotations

from bot.blockkit import fits
from bot.domain import Diagnosis, Msg
from bot.slack.render import (
    RISK,
    diagnosis_filename,
    full_diagnosis_blocks,
    plan_filename,
    plan_in_file,
    step_description,
    step_diff,
)
from bot.store.records import PlanRecord, RequestRecord


def diagnosis_file(req: RequestRecord, diagnosis: Diagnosis) -> dict[str, str] | None:
    """The whole diagnosis as plain text (a file: nothing in it is markup), when the message cannot hold it."""
    if fits(full_diagnosis_blocks(req, diagnosis)):
        return None
    lang = req.lang
    out = [diagnosis.headline(lang), ""]
    for f in diagnosis.findings:
        out.append(f"[{f.severity}] {f.title(lang)}" + (f" x{f.count}" if f.count > 1 else ""))
        out += [f"  - {e(lang)}" for e in f.evidence]
        if f.table:
            out += ["  " + "  ".join(str(c) for c in row) for row in f.table]
        out.append("")
    return {"filename": diagnosis_filename(req), "title": diagnosis.headline(lang)[:200], "content": "\n".join(out)}


def plan_file(plan: PlanRecord, lang: str) -> dict[str, str] | None:
    """Every step of the plan and its diff as plain text, when the plan message cannot hold them."""
    if not plan_in_file(plan, lang):
        return None
    title, risk = Msg(**plan.title)(lang), RISK.get(plan.risk, Msg.same(plan.risk))(lang)
    out = [Msg(f"Plan #{plan.id}: {title} (risk: {risk})", f"계획 #{plan.id}: {title} (위험도: {risk})")(lang), ""]
    for i, step in enumerate(plan.steps, 1):
        out += [f"{i}. {step_description(step, lang)}", f"   {step['op']}", step_diff(step), ""]
    return {"filename": plan_filename(plan), "title": title[:200], "content": "\n".join(out)}
