"""Schedule times in the requester's own time zone, from Slack's users.info ``tz``."""

from __future__ import annotations

import json
import time

from bot.services.directory import Directory
from sandbox.runtime import DEV, Sandbox
from sandbox.worlds.rds import seed_rds_world


def test_directory_reads_the_time_zone_slack_gives_and_says_nothing_when_it_cannot():
    users = {"U1": {"team_id": "T1", "tz": "Europe/London"}, "U2": {"team_id": "T1"}}
    directory = Directory(user_info=lambda user: users[user])
    assert (directory.zone("U1"), directory.zone("U2")) == ("Europe/London", "")
    assert Directory().zone("U1") == ""  # no users.info at all: no zone, and no refusal


def _proposal_text(sandbox: Sandbox, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [
            t for t in (json.dumps(m.blocks, ensure_ascii=False) for m in sandbox.slack.messages()) if "ACTION" in t
        ]
        if texts:
            return texts[-1]
        time.sleep(0.05)
    raise AssertionError("no schedule proposal was posted")


def test_the_schedule_proposal_shows_the_requesters_own_time_beside_the_schedules(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox, settings_overrides={"default_timezone": "UTC"}) as sandbox:
        seed_rds_world(sandbox.aws)
        sandbox.slack.add_user(DEV, "dev-kim", locale="en-US", tz="Europe/London")
        sandbox.slash('rds schedule billing-db stop "0 20 * * 1-5" start "0 8 * * 1-5" tz=Asia/Seoul', user=DEV)
        text = _proposal_text(sandbox)
    assert "YOUR TIME (Europe/London)" in text
    assert "20:00 KST" in text and "11:00 GMT" in text  # 20:00 in Seoul is 11:00 in London in winter
