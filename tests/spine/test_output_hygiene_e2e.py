"""End to end through signed HTTP: what a namespace owner writes into the cluster reaches Slack as text.

Any namespace owner can create Events with any message. One that carries ``<!channel>``, a disguised
link and a mention of an admin, next to an image name with ``&``, is posted escaped in the thread:
Slack shows it as typed and nobody is notified, while the bot's own mentions still work.
"""

from __future__ import annotations

import json

import pytest

from sandbox.runtime import OPS, REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait

HOSTILE = "<!channel> <https://evil.example|click> <@U0ADMIN>"  # fits the table's column
IMAGE = 'Failed to pull image "registry.example.com/app:1.0&debug"'
RAW = ("<!channel>", "<https://evil.example|click>", "<@U0ADMIN>", "1.0&debug")


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def _posted(sandbox, thread_ts: str) -> str:
    """Every text and block the bot sent into the thread (and the status message), as one string."""
    parts = []
    for m in sandbox.slack.thread(REQUEST_CHANNEL, thread_ts):
        parts.append(m.text or "")
        parts.append(json.dumps(m.blocks or [], ensure_ascii=False))
    return "\n".join(parts)


def test_a_hostile_event_message_and_image_name_are_posted_escaped(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    pod = {"kind": "Pod", "name": facts["stuck"], "namespace": "cloudon"}
    sandbox.kube.add_event("cloudon", pod, "BackOff", HOSTILE, count=3)
    sandbox.kube.add_event("cloudon", pod, "Failed", IMAGE, count=2)

    assert sandbox.slash(f"events cloudon/{facts['stuck']}").status_code == 200
    req = sandbox.wait_request(lambda r: r.intent == "pods" or r.state in ("done", "failed"))
    assert req.state == "done", req.state
    posted = _posted(sandbox, req.thread_ts)
    for raw in RAW:
        assert raw not in posted, raw
    assert "&lt;!channel&gt;" in posted
    assert "&lt;https://evil.example|click&gt;" in posted
    assert "&lt;@U0ADMIN&gt;" in posted
    assert "registry.example.com/app:1.0&amp;debug" in posted


def test_the_bots_own_mentions_still_work_next_to_escaped_cluster_text(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.kube.add_event(
        "cloudon", {"kind": "Pod", "name": facts["stuck"], "namespace": "cloudon"}, "BackOff", HOSTILE, count=1
    )
    sandbox.slash(f"restart cloudon/{facts['stuck']}")
    req = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    plan = sandbox.repo.plans_for_request(req.id)[0]
    message = [m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.ts == plan.message_ts][0]
    blocks = json.dumps(message.blocks, ensure_ascii=False)
    mention = sandbox.bot.deps.services.approvers.mention()
    assert mention.startswith("<") and mention in blocks  # approvers, from configuration
    sandbox.click("reject_plan", plan.id, message_ts=plan.message_ts)
    sandbox.wait_plan_status(plan.id, ("rejected",))
    texts = [m.text or "" for m in sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)]
    assert any("Rejected by <@" in t for t in texts), texts  # the clicker, mentioned by the bot
    assert not any("&lt;@" in t for t in texts)


def test_a_command_that_quotes_what_was_typed_answers_it_escaped(sandbox):
    ack = sandbox.slash("restart <!channel>")  # not NAMESPACE/POD: the usage answer quotes it
    assert ack.status_code == 200
    report = sandbox.slash("report <!channel>", user=OPS)
    assert report.status_code == 200
    wait(lambda: sandbox.slack.responses, what="the report command's answer")
    answers = [ack.json()["text"], *(json.dumps(r.body, ensure_ascii=False) for r in sandbox.slack.responses)]
    assert not any("<!channel>" in a for a in answers), answers
    assert any("&lt;!channel&gt;" in a for a in answers), answers
