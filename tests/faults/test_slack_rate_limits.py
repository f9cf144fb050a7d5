"""Slack answers 429 with Retry-After in the middle of a burst of thread updates.

Through the real app over HTTP (``Sandbox``): six requests at once, then an approval, while the
Slack stand-in rate-limits ``chat.postMessage`` and ``chat.update`` (HTTP 429, ``Retry-After: 1``).
Every message must land exactly once, and each thread must read in the order things happened.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.sandbox.runtime import REQUEST_CHANNEL, Sandbox
from bot.sandbox.worlds.pods import seed_pod_restart_world


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def _bot_thread(sandbox: Sandbox, req) -> list:
    return sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)


def test_every_message_lands_once_and_in_order_despite_429s(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=4)
    sandbox.slack.fail_next("chat.update", status=429, retry_after=1, times=3)
    texts = [
        "pods cloudon",
        "pods -A",
        "events cloudon/api-7d9f8-zz81m",
        "pods kube-system",
        "pods default",
        f"restart cloudon/{facts['stuck']}",
    ]
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        codes = list(pool.map(lambda t: sandbox.slash(t).status_code, texts))
    assert codes == [200] * len(texts)
    restart = sandbox.wait_request(lambda r: r.intent == "pod_restart", timeout=60)
    plan = sandbox.repo.plans_for_request(restart.id)[0]
    sandbox.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    sandbox.slack.fail_next("chat.update", status=429, retry_after=1, times=2)
    sandbox.click("approve_plan", plan.id, message_ts=plan.message_ts)
    sandbox.wait_plan_status(plan.id, ("applied",), timeout=90)

    limited = [c for c in sandbox.slack.calls if c.response.get("error") == "ratelimited"]
    assert len(limited) == 11  # every injected 429 was met, then retried after Retry-After
    reads = [sandbox.wait_request(lambda r, i=intent: r.intent == i, timeout=60) for intent in ("pods", "pod_events")]
    assert all(r.state == "done" for r in reads)

    from sqlalchemy import select

    from bot.store.models import RequestRow

    deadline = time.monotonic() + 90  # some requests may still be sleeping out a Retry-After
    while True:
        with sandbox.repo.sessions() as s:
            requests = list(s.scalars(select(RequestRow)))
        settled = len(requests) == len(texts) and all(r.state != "diagnosing" for r in requests)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(requests) == len(texts)
    posted = [c for c in sandbox.slack.calls if c.method == "chat.postMessage" and c.response.get("ok")]
    assert len(posted) == len(sandbox.slack.messages(REQUEST_CHANNEL))  # nothing posted twice, nothing lost
    for req in requests:
        thread = _bot_thread(sandbox, req)
        parent, replies = thread[0], thread[1:]
        assert parent.ts == req.thread_ts == req.status_ts
        assert parent.updates >= 1 and not parent.text.startswith("🔎"), parent.text  # final status shown
        assert len({m.text for m in replies}) == len(replies), [m.text for m in replies]  # no duplicates
        assert [m.ts for m in thread] == sorted(m.ts for m in thread)
        if req.id != restart.id:
            assert len(replies) == 1  # the findings
    restart_replies = [m.text for m in _bot_thread(sandbox, restart)[1:]]
    # findings and the plan, then applying, then applied: in that order, once each
    marks = [
        next(i for i, t in enumerate(restart_replies) if t.startswith(p))
        for p in (f"⏳ #{plan.id} ", f"✅ #{plan.id} ")
    ]
    assert len(restart_replies) == 4 and marks == [2, 3], restart_replies
