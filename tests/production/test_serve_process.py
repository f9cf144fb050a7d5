"""``chatops serve`` as operators run it, with ``LAZY_WORKERS=1``: a real process tree over real HTTP.

The serving process only verifies and acks; a slash command is diagnosed by the lazy worker (the post
reaches the Slack stand-in), the scheduler runs in a child of its own (its leader lock is held by
that child, and its RDS sweep announces a tagged database), and SIGTERM ends the whole tree.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from sandbox.aws import SANDBOX_REGION
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from sandbox.worlds.pods import seed_pod_restart_world
from sandbox.worlds.rds import seed_rds_world
from tests.polling import pid_running, wait

ROOT = Path(__file__).resolve().parents[2]
REPORTS = "C0REPORTS"
SECRET = "serve-process-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawned_children(pid: int) -> set[int]:
    """Children started by multiprocessing's spawn (workers, scheduler), not its resource tracker."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
        pids = {int(p) for p in fh.read().split()}
    return {p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}


def _flock_holder(path: str) -> int | None:
    """The pid /proc/locks names for the flock on ``path`` (Linux), or None if nobody holds it."""
    inode = os.stat(path).st_ino
    with open("/proc/locks", encoding="ascii") as fh:
        for line in fh:
            fields = line.split()
            if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
                return int(fields[4])
    return None


def test_serve_with_lazy_workers_keeps_diagnoses_and_schedules_off_the_serving_process(
    moto_sandbox, kube_stand_in: KubeStandIn, tmp_path, aws
):
    slack = SlackStandIn()
    slack.start()
    for user, name in ((DEV, "dev-kim"), (OPS, "ops-lee")):
        slack.add_user(user, name)
    slack.add_channel(REQUEST_CHANNEL, "eks-requests")
    facts = seed_pod_restart_world(kube_stand_in)
    seed_rds_world(aws)  # a member tagged autostop=yes: the sweep announces its cluster for adoption
    port = _free_port()
    db = tmp_path / "chatops.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "KUBE_HOST": kube_stand_in.url,
        "CLUSTER_NAME": "prod",
        "AWS_REGION": SANDBOX_REGION,
        "REQUEST_CHANNELS": REQUEST_CHANNEL,
        "REPORT_CHANNEL": REPORTS,
        "APPROVER_USER_IDS": OPS,
        "LAZY_WORKERS": "1",
        "ROLE_ALLOW_PATTERNS": "eks-*",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--migrate", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait(lambda: _get(url + "/readyz") == 200, 60, "the server to be ready")
        driver = SlackDriver(url, SECRET, response_url_for=slack.response_url)
        answer = driver.slash(f"pods {facts['namespace']}", user=DEV, channel=REQUEST_CHANNEL)
        assert answer.status_code == 200
        wait(
            lambda: any(facts["stuck"] in (m.text or "") + str(m.blocks) for m in slack.messages(REQUEST_CHANNEL)),
            60,
            "the pods answer, posted by the lazy worker",
        )
        wait(
            lambda: any("portal" in (m.text or "") for m in slack.messages(REPORTS)),
            60,
            "the scheduler's sweep announcing the tagged cluster",
        )

        metrics = httpx.get(url + "/metrics", timeout=5).text
        assert "chatops_lazy_workers_alive 1.0" in metrics and "chatops_lazy_queue_depth" in metrics

        lock = f"{db}.scheduler.lock"
        holder = wait(lambda: _flock_holder(lock), 30, "the scheduler lock")
        children = _spawned_children(server.pid)
        assert holder != server.pid and holder in children  # the scheduler leads from a child process
        assert len(children) == 2  # and the one lazy worker is the other child

        server.send_signal(signal.SIGTERM)
        assert server.wait(40) == 0, server.stderr.read()[-2000:]  # its own shutdown ran, not the signal
        assert not any(pid_running(p) for p in children)  # and it stopped its children before exiting
        assert _flock_holder(lock) is None  # leadership released, so another replica can take over
    finally:
        if server.poll() is None:
            server.kill()
        slack.stop()


def _get(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0
