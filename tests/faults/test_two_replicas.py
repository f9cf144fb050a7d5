"""Fifty approve clicks on one plan, spread over two app replicas sharing one PostgreSQL: applied once.

Two bots built by the real composition root, each with its own engine and its own uvicorn server,
share one fresh PostgreSQL database (``tests.pg.fresh_database``), one Kubernetes stand-in and one
Slack stand-in, as two replicas behind a load balancer would. Clicks alternate between replicas
and between the two approvers, all at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.store.migrate import upgrade
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.worlds.pods import seed_pod_restart_world
from tests.faults.harness import Replica, add_people, make_settings, new_secret, thread_texts
from tests.polling import wait

CLICKS = 50


@pytest.fixture
def replicas(moto_sandbox):
    from tests.pg import fresh_database

    moto_sandbox.reset()
    with fresh_database() as url:
        upgrade(url)
        kube, slack = KubeStandIn(), SlackStandIn()
        kube.start()
        slack.start()
        add_people(slack)
        settings = make_settings(url, slack, new_secret(), kube_url=kube.url, verify_wait_seconds=10.0)
        pair = [Replica(settings, kube_url=kube.url).start(slack.response_url) for _ in range(2)]
        try:
            yield pair, kube, slack
        finally:
            for replica in pair:
                replica.stop()
            slack.stop()
            kube.stop()


def test_fifty_clicks_on_two_replicas_apply_the_plan_exactly_once(replicas):
    (a, b), kube, slack = replicas
    assert a.bot.engine is not b.bot.engine and a.url != b.url
    facts = seed_pod_restart_world(kube)
    resp = a.driver.slash(
        f"restart cloudon/{facts['stuck']}",
        user=DEV,
        channel=REQUEST_CHANNEL,
        response_url=slack.response_url("cmd"),
    )
    assert resp.status_code == 200
    repo = a.services.repo
    plan = wait(
        lambda: next((p for p in repo.plans_with_status("proposed") if p.message_ts), None),
        what="a proposed plan with its message",
    )
    kube.reset_requests()

    def click(i: int) -> int:
        replica, user = (a, b)[i % 2], (OPS, OPS2)[(i // 2) % 2]
        return replica.driver.block_action(
            "approve_plan", str(plan.id), user=user, channel=REQUEST_CHANNEL, message_ts=plan.message_ts
        ).status_code

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        codes = list(pool.map(click, range(CLICKS)))
    assert codes == [200] * CLICKS

    def settled():
        kinds = [r.kind for r in b.services.repo.audit_rows(plan_id=plan.id)]
        return kinds if ("verified" in kinds or "verify_failed" in kinds) else None

    kinds = wait(settled, what="the plan to be applied and verified")
    assert b.services.repo.get_plan(plan.id).status == "applied"
    assert [m for m, path in kube.requests if m == "DELETE"] == ["DELETE"]
    assert kinds.count("applied") == 1
    assert kinds.count("approved") == 1  # one decision, whichever replica and approver won
    req = repo.get_request(plan.request_id)
    # the audit row is written before the thread is told (the log must never lose a step): wait for the reply
    wait(lambda: any(t.startswith(f"✅ #{plan.id} ") for t in thread_texts(slack, req)), what="the ✅ reply")
    assert sum(t.startswith(f"✅ #{plan.id} ") for t in thread_texts(slack, req)) == 1
    assert sum(t.startswith(f"⏳ #{plan.id} ") for t in thread_texts(slack, req)) == 1
    # every losing click (all but the winner) was told, privately, that nothing more was done
    wait(lambda: len(slack.ephemerals()) >= CLICKS - 1, what="an answer to every losing click")
    assert len(slack.ephemerals()) == CLICKS - 1
