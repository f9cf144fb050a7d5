"""LAZY_WORKERS: lazy listeners run in spawned worker processes; acks and refusals stay in the server.

Also the workers' life cycle: they end with their serving process and are replaced when they die.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bot.http import build_http_app
from bot.slack.workers import LazyWorkers
from sandbox.http_server import BackgroundServer
from sandbox.runtime import DEV, OPS, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import pid_running, wait


@contextmanager
def sandbox_with_a_worker(moto_sandbox) -> Iterator[tuple[Sandbox, LazyWorkers]]:
    """The sandbox's bot with its lazy listeners in one worker process, stopped afterwards."""
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        workers = LazyWorkers(sandbox.settings.model_dump(), 1).start()
        workers.attach(sandbox.bot.app)
        try:
            yield sandbox, workers
        finally:
            workers.stop()


def test_restart_flow_with_lazy_work_in_a_worker_process(moto_sandbox):
    with sandbox_with_a_worker(moto_sandbox) as (sandbox, _workers):
        facts = seed_pod_restart_world(sandbox.kube)
        assert sandbox.slash(f"restart cloudon/{facts['stuck']}").status_code == 200
        req = sandbox.wait_request(lambda r: r.intent == "pod_restart", timeout=60)
        plan = sandbox.repo.plans_for_request(req.id)[0]
        assert sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts).status_code == 200
        assert sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts).status_code == 200
        done = sandbox.wait_plan_status(plan.id, ("applied", "failed"), timeout=60)
        assert done.status == "applied"
        kinds = [r.kind for r in sandbox.repo.audit_rows(plan_id=plan.id)]
        assert kinds.count("refused") == 1 and kinds.count("applied") == 1 and "verified" in kinds
        assert len(sandbox.slack.ephemerals()) == 1  # the requester's refusal, told once
        # Terminating until the stand-in's kubelet has stopped it
        wait(lambda: sandbox.kube.get("Pod", "cloudon", facts["stuck"]) is None, what="the old pod to be gone")


SERVING_PROCESS = """
import sys, time
from bot.slack.workers import LazyWorkers
workers = LazyWorkers({"database_url": sys.argv[1], "slack_api_url": "http://127.0.0.1:9/api/"}, 1).start()
print(workers.processes[0].pid, flush=True)
time.sleep(120)
"""


def test_a_worker_exits_when_its_serving_process_is_killed(tmp_path):
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    parent = subprocess.Popen([sys.executable, "-c", SERVING_PROCESS, url], stdout=subprocess.PIPE, text=True)
    try:
        worker_pid = int(parent.stdout.readline())
        assert pid_running(worker_pid)
        time.sleep(3)  # let the worker build its bot and block on the queue, where it used to hang forever
        os.kill(parent.pid, signal.SIGKILL)  # no atexit, no stop(): only the worker's own watch can end it
        parent.wait(10)
        wait(lambda: not pid_running(worker_pid), 20, "the orphaned worker to exit")
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_dead_worker_is_replaced_and_the_replacement_does_the_work(moto_sandbox):
    with sandbox_with_a_worker(moto_sandbox) as (sandbox, workers):
        first = workers.processes[0].pid
        os.kill(first, signal.SIGKILL)
        wait(lambda: workers.processes[0].pid != first and workers.alive() == 1, 20, "a replacement worker")
        facts = seed_pod_restart_world(sandbox.kube)
        assert sandbox.slash(f"restart cloudon/{facts['stuck']}").status_code == 200
        req = sandbox.wait_request(lambda r: r.intent == "pod_restart", timeout=60)
        assert sandbox.repo.plans_for_request(req.id), "the replacement worker diagnosed the request"


def test_readiness_needs_a_running_worker(moto_sandbox):
    with sandbox_with_a_worker(moto_sandbox) as (sandbox, workers):
        server = BackgroundServer(build_http_app(sandbox.bot, workers))
        url = server.start()
        try:
            assert httpx.get(f"{url}/readyz").status_code == 200
            workers.stop()  # none left (and none restarted): acks would promise work nobody does
            answer = httpx.get(f"{url}/readyz")
            assert answer.status_code == 503 and "no lazy worker" in answer.text
            assert "chatops_lazy_workers_alive 0.0" in httpx.get(f"{url}/metrics").text
        finally:
            server.stop()


def test_a_worker_killed_while_waiting_for_work_leaves_nothing_its_replacement_waits_on(moto_sandbox):
    """Killed mid-wait: with a queue whose readers share a lock, the replacement would block forever."""
    with sandbox_with_a_worker(moto_sandbox) as (sandbox, workers):
        facts = seed_pod_restart_world(sandbox.kube)
        assert sandbox.slash("pods cloudon").status_code == 200
        sandbox.wait_request(lambda r: r.intent == "pods", timeout=60)  # the worker did it, and waits again
        first = workers.processes[0].pid
        os.kill(first, signal.SIGKILL)
        wait(lambda: workers.processes[0].pid != first and workers.alive() == 1, 20, "a replacement worker")
        assert sandbox.slash(f"restart cloudon/{facts['stuck']}").status_code == 200
        req = sandbox.wait_request(lambda r: r.intent == "pod_restart", timeout=60)
        assert sandbox.repo.plans_for_request(req.id), "the replacement worker diagnosed the request"
