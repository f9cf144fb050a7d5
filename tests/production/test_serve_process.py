"""``chatops serve`` and ``chatops worker`` as operators run them: real processes over real HTTP, one
SQLite database between them.

The serving process has ``WORKER_THREADS=0``: it verifies, acks and queues a job row, and is not ready
while no worker pool runs anywhere. A ``chatops worker`` started afterwards (without the signing secret)
claims the queued job and posts the answer to the Slack stand-in; the server is ready from then on. The
leader-gated scheduler runs in both processes and one of them leads (its RDS sweep announces a tagged
database). SIGTERM ends the worker with status 0 and removes its pool from ``job_workers``, so the
server is not ready again; SIGTERM then ends the server and releases the scheduler's lock.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from sandbox.aws import SANDBOX_REGION
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from sandbox.worlds.pods import seed_pod_restart_world
from sandbox.worlds.rds import seed_rds_world
from tests.polling import pid_running, wait
from tests.spine.metrics_scrape import value

ROOT = Path(__file__).resolve().parents[2]
REPORTS = "C0REPORTS"
SECRET = "serve-process-secret"
NO_WORKER = "no job worker is running"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _readyz(url: str) -> tuple[int, str]:
    try:
        answer = httpx.get(url + "/readyz", timeout=5)
    except httpx.HTTPError:
        return 0, ""
    return answer.status_code, answer.text


def _flock_holder(path: str) -> int | None:
    """The pid /proc/locks names for the flock on ``path`` (Linux), or None if nobody holds it."""
    inode = os.stat(path).st_ino
    with open("/proc/locks", encoding="ascii") as fh:
        for line in fh:
            fields = line.split()
            if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
                return int(fields[4])
    return None


def bot_env(database_url: str, slack: SlackStandIn, kube: KubeStandIn, **extra: str) -> dict[str, str]:
    """The environment of ``chatops serve`` and ``chatops worker`` against the stand-ins."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_API_URL": slack.base_url,
        "DATABASE_URL": database_url,
        "KUBE_HOST": kube.url,
        "CLUSTER_NAME": "prod",
        "AWS_REGION": SANDBOX_REGION,
        "REQUEST_CHANNELS": REQUEST_CHANNEL,
        "ROLE_ALLOW_PATTERNS": "eks-*",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, stderr=subprocess.PIPE, text=True
    )


def stop(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    """SIGTERM, then the exit status and the end of stderr."""
    process.send_signal(signal.SIGTERM)
    status = process.wait(timeout)
    return status, process.stderr.read()[-2000:]


def test_a_separate_worker_process_answers_what_a_serving_process_with_no_threads_acked(
    moto_sandbox, kube_stand_in: KubeStandIn, tmp_path, aws
):
    slack = SlackStandIn()
    slack.start()
    for user, name in ((DEV, "dev-kim"), (OPS, "ops-lee")):
        slack.add_user(user, name)
    slack.add_channel(REQUEST_CHANNEL, "eks-requests")
    facts = seed_pod_restart_world(kube_stand_in)
    seed_rds_world(aws)  # a member tagged autostop=yes: the sweep announces its cluster for adoption
    db = tmp_path / "chatops.db"
    database_url = f"sqlite:///{db}"
    port, health_port = _free_port(), _free_port()
    shared = {"REPORT_CHANNEL": REPORTS, "APPROVER_USER_IDS": OPS, "SHUTDOWN_GRACE_SECONDS": "10"}
    server_env = bot_env(database_url, slack, kube_stand_in, SLACK_SIGNING_SECRET=SECRET, WORKER_THREADS="0", **shared)
    # the worker receives nothing from Slack: it runs without the signing secret
    worker_env = bot_env(database_url, slack, kube_stand_in, WORKER_THREADS="2", **shared)
    worker_env.pop("SLACK_SIGNING_SECRET", None)
    url, worker_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{health_port}"
    server = start(["serve", "--migrate", "--host", "127.0.0.1", "--port", str(port)], server_env, tmp_path)
    worker = None
    engine = create_engine(database_url)
    try:
        wait(lambda: _get(url + "/healthz") == 200, 90, "the server to answer")
        status, body = _readyz(url)
        assert status == 503 and NO_WORKER in body  # acks would never be answered: not ready

        driver = SlackDriver(url, SECRET, response_url_for=slack.response_url)
        assert driver.slash(f"pods {facts['namespace']}", user=DEV, channel=REQUEST_CHANNEL).status_code == 200
        with engine.connect() as conn:
            assert conn.execute(text("SELECT state FROM jobs")).scalars().all() == ["queued"]  # nobody claims it
        assert value(httpx.get(url + "/metrics", timeout=5).text, "chatops_jobs", state="queued") == 1

        worker = start(["worker", "--host", "127.0.0.1", "--health-port", str(health_port)], worker_env, tmp_path)
        wait(
            lambda: any(facts["stuck"] in (m.text or "") + str(m.blocks) for m in slack.messages(REQUEST_CHANNEL)),
            90,
            "the pods answer, posted by the worker process",
        )
        wait(lambda: _readyz(url)[0] == 200, 60, "the server to be ready once a worker pool reports")
        assert _readyz(worker_url)[0] == 200

        def finished_by_the_worker() -> str:
            scrape = httpx.get(worker_url + "/metrics", timeout=5).text
            return scrape if value(scrape, "chatops_jobs_finished_total", outcome="done") >= 1 else ""

        scrape = wait(finished_by_the_worker, 60, "the worker to count the job done")
        assert value(scrape, "chatops_time_to_answer_seconds_count") >= 1
        with engine.connect() as conn:
            assert conn.execute(text("SELECT state FROM jobs")).scalars().all() == ["done"]
            (owner,) = conn.execute(text("SELECT owner FROM job_workers")).scalars().all()
        assert owner.split(":")[1] == str(worker.pid)  # the only pool is the worker's: the server has none
        assert value(httpx.get(url + "/metrics", timeout=5).text, "chatops_jobs_finished_total", outcome="done") == 0

        wait(
            lambda: any("portal" in (m.text or "") for m in slack.messages(REPORTS)),
            90,
            "the scheduler's sweep announcing the tagged cluster",
        )
        lock = f"{db}.scheduler.lock"
        assert wait(lambda: _flock_holder(lock), 30, "the scheduler lock") in {server.pid, worker.pid}

        status, err = stop(worker)
        assert status == 0, err  # its own shutdown ran, not the signal's default
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM job_workers")).scalar() == 0  # the pool said it is gone
        status, body = _readyz(url)
        assert status == 503 and NO_WORKER in body

        status, err = stop(server)
        assert status == 0, err
        assert not pid_running(server.pid) and _flock_holder(lock) is None  # another replica can lead now
    finally:
        engine.dispose()
        for process in (server, worker):
            if process is not None and process.poll() is None:
                process.kill()
        slack.stop()
