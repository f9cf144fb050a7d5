"""A worker SIGKILLed while telling a second asker that their request is handled in an open thread.

Two people ask about the same pod. The first ask is answered (a plan awaits approval); the second
is linked to that thread: a reply there mentions the asker and the asker gets an ephemeral pointer.
Worker A is held at that reply and SIGKILLed, once before Slack posted it and once after. Worker B
retries the job: the link is told exactly once either way, and the job is done.
"""

from __future__ import annotations

import pytest

from bot.slack.thread import LINKED_EVENT
from sandbox.runtime import OPS
from tests.polling import wait

POD = "restart cloudon/api-7d9f8-zz81m"


def _links(world, req) -> list:
    return [m for m in world.thread(req) if "asked about this too" in (m.text or "")]


# each moment on one of the two databases (the claims and leases under it are tested on both elsewhere)
@pytest.mark.parametrize(
    "db_url, posted",
    [("sqlite", False), ("postgresql", True)],
    ids=["sqlite-before-slack-posted-it", "postgresql-after-slack-posted-it"],
    indirect=["db_url"],
)
def test_sigkill_while_linking_tells_the_link_once(world, posted):
    first_ask = world.slash(POD)
    first = world.worker("a")
    wait(lambda: world.job("run_ops").state == "done", 90, "the first ask to be answered", 0.1)
    req = world.request_for(first_ask)
    assert req.state == "open", first.tail()

    gate = world.slack.gate(
        lambda method, args: method == "chat.postMessage" and LINKED_EVENT in str(args), served=posted
    )
    world.slash(POD, user=OPS)
    gate.wait_held(1)
    assert len(_links(world, req)) == (1 if posted else 0)
    first.sigkill()
    gate.drop()

    second = world.worker("b")
    wait(lambda: world.job("run_ops").state == "done", 90, "the linked ask's job to be finished by B", 0.1)
    job = world.job("run_ops")
    assert (job.state, job.attempts) == ("done", 2), second.tail()
    (link,) = _links(world, req)
    assert f"<@{OPS}>" in link.text
    assert [r.id for r in world.repo.latest_requests()] == [req.id]  # no request of its own
    pointers = [e for e in world.slack.ephemerals(OPS) if f"#{req.id}" in e.text]
    assert len(pointers) == (0 if posted else 1)  # after the reply mentioned them, no second pointer
