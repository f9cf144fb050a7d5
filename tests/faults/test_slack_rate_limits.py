"""Slack answers 429 with Retry-After in the middle of a burst of thread updates.

Through the real app over HTTP (``Sandbox``): six requests at once, then an approval, while the
Slack stand-in rate-limits ``chat.postMessage`` and ``chat.update`` (HTTP 429, ``Retry-After: 1``).
Every message must land exactly once, and each thread must read in the order things happened.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.store.records import RequestRecord
from sandbox.runtime import REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def _bot_thread(sandbox: Sandbox, req) -> list:
    return sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)


def _failures(sandbox: Sandbox) -> list[str]:
    """What the audit log says about failed diagnoses (for assertion messages)."""
    return [row.summary for row in sandbox.repo.audit_rows() if row.kind == "diagnosis_failed"]


def _settled_requests(sandbox: Sandbox, count: int) -> list[RequestRecord]:
    """All requests, oldest first, once ``count`` exist and none is still diagnosing (some sleep out a
    Retry-After). One more than ``count`` is read, so a request too many is seen."""

    def settled() -> list[RequestRecord] | None:
        requests = list(reversed(sandbox.repo.latest_requests(limit=count + 1)))
        return requests if len(requests) == count and all(r.state != "diagnosing" for r in requests) else None

    return wait(settled, 90, f"{count} requests to leave 'diagnosing'", interval=0.1)


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
    # every request settles before the approval: a read of the pod the restart deletes must not race it
    requests = _settled_requests(sandbox, len(texts))
    assert all(r.state == "done" for r in requests if r.intent in ("pods", "pod_events")), [
        (r.id, r.text, r.state, _failures(sandbox)) for r in requests
    ]
    restart = next(r for r in requests if r.intent == "pod_restart")
    plan = sandbox.repo.plans_for_request(restart.id)[0]
    sandbox.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    sandbox.slack.fail_next("chat.update", status=429, retry_after=1, times=2)
    sandbox.click("approve_plan", plan.id, message_ts=plan.message_ts)
    sandbox.wait_plan_status(plan.id, ("applied",), timeout=90)

    limited = [c for c in sandbox.slack.calls if c.response.get("error") == "ratelimited"]
    assert len(limited) == 11  # every injected 429 was met, then retried after Retry-After
    requests = _settled_requests(sandbox, len(texts))

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
