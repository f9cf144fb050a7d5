"""A replica SIGKILLed between a step's AWS write and its outcome: the next start tells the truth, offers an undo.

A two-step IAM plan (tag the role, then change its description) is approved by a signed click on a
replica running in a process of its own (``apply_crash_child``), whose tag operation SIGKILLs the
process right after moto accepted the write. Step 1 is then live, its intent row has no outcome and
no audit row says it was applied; step 2 never started. A new replica's start-up reconciliation
must record step 1 as applied with what is live and step 2 as not applied, tell the thread, audit
both, mark the plan failed, and propose an undo plan for step 1 only, which an approver's click
applies, restoring the role's tags in moto.

The in-process tests cover the other ends: the intent row is committed before the write starts,
and a process killed after the intent but before the write leaves a step that counts as not applied
(nothing to undo).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cloud.aws import Aws
from bot.domain import Diagnosis, FixPlan, Msg, PlanStep, Risk
from bot.services.startup import on_start
from bot.store.repo import Repo
from sandbox.aws import SANDBOX_REGION
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from tests.faults.harness import Replica, add_people, make_settings, new_secret, store_plan, thread_texts
from tests.faults.ops import RoleDescription, RoleTag
from tests.polling import wait

ROOT = Path(__file__).resolve().parents[2]
ROLE = "faults-crash"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
TAG = PlanStep(
    RoleTag.name,
    {"role_name": ROLE, "key": "team"},
    {"value": None},
    {"value": "platform"},
    Msg("Tag the role team=platform", "역할에 team=platform 태그"),
)
DESCRIBE = PlanStep(
    RoleDescription.name,
    {"role_name": ROLE},
    {"description": "before"},
    {"description": "after"},
    Msg("Describe the role", "역할 설명 변경"),
)
PLAN = FixPlan(
    "fault_test", Msg("Tag and describe the role", "역할 태그와 설명"), (TAG, DESCRIBE), Risk.LOW, f"role/{ROLE}"
)


@pytest.fixture
def world(moto_sandbox, db_url):
    moto_sandbox.reset()
    iam = Aws(region=SANDBOX_REGION, max_attempts=1).client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST), Description="before")
    slack = SlackStandIn()
    slack.start()
    add_people(slack)
    settings = make_settings(db_url, slack, new_secret())
    try:
        yield settings, slack, iam
    finally:
        slack.stop()


def _replica(settings, tag_op=None) -> Replica:
    replica = Replica(settings)
    for op in (tag_op or RoleTag(), RoleDescription()):
        replica.services.operations[op.name] = op
    return replica


def _propose(settings):
    """Store the plan and post it with its buttons, as the diagnosis would, from a short-lived replica."""
    setup = _replica(settings)
    try:
        req, row = store_plan(setup, PLAN)
        (ts,) = setup.services.thread.diagnosis(req, Diagnosis("fault_test", PLAN.target, Msg("h", "h")), [row])
        setup.services.repo.set_plan_fields(row.id, message_ts=ts)
        row = replace(row, message_ts=ts)
    finally:
        setup.bot.engine.dispose()
    return req, row


def _approve(driver: SlackDriver, repo: Repo, plan, done) -> None:
    """Click Approve as one approver, and as a second one if the plan turns out to need two."""
    for user in (OPS, OPS2):
        assert (
            driver.block_action(
                "approve_plan", str(plan.id), user=user, channel=REQUEST_CHANNEL, message_ts=plan.message_ts
            ).status_code
            == 200
        )
        need_more = wait(
            lambda u=user: (
                ("done" if done() else None)
                or ("more" if u in repo.approvers(plan.id) and repo.get_plan(plan.id).status == "proposed" else None)
            ),
            timeout=60,
            what=f"{user}'s approval to be taken",
        )
        if need_more == "done":
            return
    raise AssertionError("two approvals did not apply the plan")


def _tag(iam) -> str | None:
    return next((t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"] if t["Key"] == "team"), None)


def _description(iam) -> str | None:
    return iam.get_role(RoleName=ROLE)["Role"].get("Description")


def test_sigkill_between_the_aws_write_and_its_outcome_is_reconciled_and_undone(world, tmp_path):
    settings, slack, iam = world
    req, plan = _propose(settings)
    stderr = (tmp_path / "child.stderr").open("w")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.apply_crash_child",
            settings.database_url,
            slack.base_url,
            settings.slack_signing_secret,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    try:
        url = child.stdout.readline().strip()
        assert url.startswith("http"), (tmp_path / "child.stderr").read_text()
        observer = _replica(settings)  # not started: only its view of the shared database
        repo = observer.services.repo
        _approve(SlackDriver(url, settings.slack_signing_secret), repo, plan, lambda: child.poll() is not None)
        wait(lambda: child.poll() is not None, timeout=60, what="the replica to die at its first write")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        stderr.close()
    assert child.returncode == -signal.SIGKILL
    observer.bot.engine.dispose()

    # what the killed replica left: step 1 written in AWS, an intent row with no outcome, no audit of it
    assert (_tag(iam), _description(iam)) == ("platform", "before")
    restarted = _replica(settings).start(slack.response_url)
    try:
        repo = restarted.services.repo
        assert repo.get_plan(plan.id).status == "applying"
        assert [(r.step_index, r.state, r.observed) for r in repo.step_runs(plan.id)] == [(0, "intent", None)]
        assert "applied" not in [r.kind for r in repo.audit_rows(plan_id=plan.id)]

        # the next start; the dead replica is known dead, so no grace period
        report = on_start(restarted.bot, grace=timedelta(0))
        assert report.reconciled == 1
        settled = repo.get_plan(plan.id)
        assert settled.status == "failed"
        assert [(s["step"], s["verdict"], s["live"]) for s in settled.result["steps"]] == [
            (1, "applied", {"value": "platform"}),
            (2, "not_applied", {"description": "before"}),
        ]
        runs = repo.step_runs(plan.id)
        assert [(r.step_index, r.state, r.live) for r in runs] == [
            (0, "applied", {"value": "platform"}),
            (1, "not_applied", {"description": "before"}),
        ]
        assert runs[0].started_at is not None and runs[1].started_at is None
        assert all(r.reconciled_at is not None for r in runs)
        audit = [(r.kind, r.after) for r in repo.audit_rows(plan_id=plan.id) if r.actor == "reconciler"]
        assert audit == [("applied", {"value": "platform"}), ("failed", {"description": "before"})]

        text = "\n".join(thread_texts(slack, req))
        assert "restarted while applying this plan" in text
        assert "1. Tag the role team=platform: applied" in text
        assert "2. Describe the role: not applied" in text

        # an undo plan for step 1 only, posted with its buttons, needing approval like the original
        (undo,) = repo.plans_with_status("proposed")
        assert undo.reverts_plan_id == plan.id and settled.result["undo_plan_id"] == undo.id
        assert (undo.risk, undo.approvals_needed) == (plan.risk, plan.approvals_needed)
        assert [(s["op"], s["before"], s["after"]) for s in undo.steps] == [
            (RoleTag.name, {"value": "platform"}, {"value": None})
        ]
        assert undo.message_ts and f"proposed as plan #{undo.id}" in text
        assert any(
            m.ts == undo.message_ts and "approve_plan" in json.dumps(m.blocks)
            for m in slack.thread(req.channel, req.thread_ts)
        )
        assert _tag(iam) == "platform"  # nothing undone without an approval

        # the requester cannot approve the undo either
        assert (
            restarted.driver.block_action(
                "approve_plan", str(undo.id), user=DEV, channel=REQUEST_CHANNEL, message_ts=undo.message_ts
            ).status_code
            == 200
        )
        wait(
            lambda: any(r.kind == "refused" and r.actor == DEV for r in repo.audit_rows(plan_id=undo.id)),
            what="the requester's approval of the undo to be refused",
        )
        assert repo.get_plan(undo.id).status == "proposed" and _tag(iam) == "platform"

        _approve(
            restarted.driver,
            repo,
            undo,
            lambda: repo.get_plan(undo.id).status not in ("proposed", "approved", "applying"),
        )
        assert repo.get_plan(undo.id).status == "applied"
        assert (_tag(iam), _description(iam)) == (None, "before")  # step 1's before, step 2 never touched
        assert [r.state for r in repo.step_runs(undo.id)] == ["applied"]
    finally:
        restarted.stop()


class _Killed(BaseException):
    """Stands for the process dying: nothing after it in the bot runs (no ``except Exception``)."""


class _KilledBeforeWrite(RoleTag):
    def __init__(self, repo_of) -> None:
        self.repo_of = repo_of
        self.intent_seen: list = []

    def apply(self, ctx, step):
        # another session sees the intent already: it was committed before the write
        self.intent_seen = [(r.step_index, r.state) for r in self.repo_of().step_runs(self.plan_id)]
        raise _Killed


def test_intent_is_committed_before_the_write_and_a_step_killed_before_it_counts_as_not_applied(world):
    settings, slack, iam = world
    req, plan = _propose(settings)
    replica = _replica(settings)
    op = _KilledBeforeWrite(lambda: Repo(replica.services.repo.sessions))
    op.plan_id = plan.id
    replica.services.operations[op.name] = op
    try:
        with pytest.raises(_Killed):
            replica.bot.deps.plans.approve(plan.id, OPS)
        assert op.intent_seen == [(0, "intent")]
        assert replica.services.repo.get_plan(plan.id).status == "applying"
        replica.services.operations[op.name] = RoleTag()
        assert on_start(replica.bot, grace=timedelta(0)).reconciled == 1
        repo = replica.services.repo
        settled = repo.get_plan(plan.id)
        assert settled.status == "failed"
        assert [s["verdict"] for s in settled.result["steps"]] == ["not_applied", "not_applied"]
        assert "undo_plan_id" not in settled.result and repo.plans_with_status("proposed") == []
        assert [r.state for r in repo.step_runs(plan.id)] == ["not_applied", "not_applied"]
        text = "\n".join(thread_texts(slack, req))
        assert "1. Tag the role team=platform: not applied" in text and "undo plan" not in text
        assert (_tag(iam), _description(iam)) == (None, "before")
        assert repo.get_request(req.id).state == "done"
    finally:
        replica.bot.engine.dispose()


def test_apply_records_each_steps_outcome(world):
    settings, slack, iam = world
    req, plan = _propose(settings)
    replica = _replica(settings)
    try:
        assert replica.bot.deps.plans.approve(plan.id, OPS).ok
        repo = replica.services.repo
        assert repo.get_plan(plan.id).status == "applied"
        runs = repo.step_runs(plan.id)
        assert [(r.state, r.observed) for r in runs] == [
            ("applied", {"value": "platform"}),
            ("applied", {"description": "after"}),
        ]
        assert all(r.started_at <= r.finished_at for r in runs)
        assert [r.kind for r in repo.audit_rows(plan_id=plan.id)].count("applied") == 2
    finally:
        replica.bot.engine.dispose()


class _RefusedDescription(RoleDescription):
    name = "faults.iam_role_description_refused"

    def apply(self, ctx, step):
        raise RuntimeError("AWS refused the write")


def test_a_failed_write_is_recorded_and_the_applied_step_rolled_back(world):
    settings, slack, iam = world
    refused = PlanStep(_RefusedDescription.name, DESCRIBE.params, DESCRIBE.before, DESCRIBE.after, DESCRIBE.description)
    replica = _replica(settings)
    replica.services.operations[_RefusedDescription.name] = _RefusedDescription()
    try:
        req, plan = store_plan(replica, FixPlan(PLAN.kind, PLAN.title, (TAG, refused), Risk.LOW, PLAN.target))
        replica.bot.deps.plans.approve(plan.id, OPS)
        repo = replica.services.repo
        assert repo.get_plan(plan.id).status == "failed"
        runs = repo.step_runs(plan.id)
        assert [r.state for r in runs] == ["rolled_back", "failed"]
        assert "AWS refused the write" in runs[1].error
        assert (_tag(iam), _description(iam)) == (None, "before")
    finally:
        replica.bot.engine.dispose()
