"""Long content (a big diff, a long diagnosis) is attached to the thread as a file with a short
summary in the message: Slack refuses a message whose blocks hold about 13,000 characters of text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from slack_sdk import WebClient

from bot import blockkit
from bot.domain import Diagnosis, Finding, Msg, Severity
from bot.services.approvers import Approvers
from bot.slack import attachments
from bot.slack.thread import SlackThread
from bot.store.records import PlanRecord
from sandbox import slack_checks
from sandbox.slack_api import SlackStandIn
from tests.slack.records import CHANNEL, request_record


def _plan(steps: int, diff_lines: int) -> PlanRecord:
    after = {
        "Statement": [
            {"Sid": f"S{i}", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i}/*"}
            for i in range(diff_lines)
        ]
    }
    step = {
        "op": "iam.put_role_policy",
        "params": {},
        "before": {},
        "after": after,
        "description": {"en": "Grant s3:GetObject to role app", "ko": "app 역할에 s3:GetObject 부여"},
    }
    return PlanRecord(
        id=7,
        request_id=3,
        kind="irsa",
        title={"en": "Grant access", "ko": "권한 부여"},
        target="",
        risk="high",
        status="proposed",
        steps=[step] * steps,
        verify={},
        requested_by="U0DEV",
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        decided_at=None,
        applied_at=None,
        approvals_needed=2,
        message_ts="",
        result=None,
        reverts_plan_id=None,
        version=0,
    )


def _diagnosis(findings: int) -> Diagnosis:
    return Diagnosis(
        kind="irsa",
        target="app",
        headline=Msg.same("AccessDenied for role app"),
        findings=tuple(
            Finding(
                code=f"F{i}",
                severity=Severity.ERROR,
                title=Msg.same(f"Finding {i}"),
                evidence=tuple(Msg.same(f"evidence {i}.{j} " + "e" * 200) for j in range(12)),
            )
            for i in range(findings)
        ),
    )


def _file_text(slack: SlackStandIn, name: str) -> int:
    return next(u.length for u in slack.uploads if u.filename == name)


def test_a_plan_with_a_long_diff_is_one_message_and_an_attached_file(slack):
    client = WebClient("xoxb-test", base_url=slack.base_url)
    thread = SlackThread(client, Approvers(["U0OPS"]))
    req = request_record()
    thread_ts, status_ts = thread.open(req)
    req = replace(req, thread_ts=thread_ts, status_ts=status_ts)
    plan = _plan(steps=4, diff_lines=120)
    full = attachments.plan_file(plan, "en")
    assert full is not None and full["content"].count("bucket-119") == 4  # every step's whole diff

    (ts,) = thread.diagnosis(req, _diagnosis(2), [plan])
    message = next(m for m in slack.messages(CHANNEL) if m.ts == ts)
    assert slack_checks.block_text_length(list(message.blocks)) < blockkit.BLOCK_TEXT_BUDGET
    assert message.blocks[-1]["type"] == "actions"
    assert "plan-7.txt" in json.dumps(message.blocks)
    (upload,) = [u for u in slack.uploads if u.filename == "plan-7.txt"]
    assert upload.thread_ts == req.thread_ts and upload.length == len(full["content"].encode())


def test_a_long_diagnosis_is_summarised_with_every_finding_in_the_attached_file(slack):
    client = WebClient("xoxb-test", base_url=slack.base_url)
    thread = SlackThread(client, Approvers(["U0OPS"]))
    req = request_record()
    thread_ts, status_ts = thread.open(req)
    req = replace(req, thread_ts=thread_ts, status_ts=status_ts)
    diagnosis = _diagnosis(12)  # 12 findings x 12 lines of evidence: ~30,000 characters
    thread.diagnosis(req, diagnosis, [])
    posted = [m for m in slack.messages(CHANNEL) if m.blocks][-1]
    text = json.dumps(posted.blocks)
    assert all(f"Finding {i}" in text for i in range(12)) and "diagnosis-3.txt" in text
    full = attachments.diagnosis_file(req, diagnosis)
    assert full is not None and all(f"evidence {i}.11" in full["content"] for i in range(12))
    assert _file_text(slack, "diagnosis-3.txt") == len(full["content"].encode())


def test_what_fits_stays_in_the_message_without_a_file(slack):
    client = WebClient("xoxb-test", base_url=slack.base_url)
    thread = SlackThread(client, Approvers(["U0OPS"]))
    req = request_record()
    thread_ts, status_ts = thread.open(req)
    req = replace(req, thread_ts=thread_ts, status_ts=status_ts)
    thread.diagnosis(req, _diagnosis(1), [_plan(steps=1, diff_lines=3)])
    assert slack.uploads == []
    assert "bucket-2" in json.dumps([m.blocks for m in slack.messages(CHANNEL)])
