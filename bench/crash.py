"""The crash run: a job worker killed mid-work, and every acked request still answered exactly once.

Called by ``bench.ack`` with the stand-ins it started. A ``chatops serve`` process with
``WORKER_THREADS=0`` acks ``REQUESTS`` commands (so each is a job row); a separate ``chatops worker``
runs them. Once ``KILL_AFTER`` requests are answered the worker gets SIGKILL (its running jobs keep
their leases until they lapse, ``JOB_LEASE_SECONDS``), the serving process is restarted, and a new
worker is started; the run then polls the bot's database and the Slack stand-in until every acked
request's thread holds a diagnosis, or ``DEADLINE`` passes.

Figures: ``crash_acked``, ``crash_answered`` (requests whose thread got a diagnosis message),
``crash_duplicates`` (threads that got more than one), ``crash_jobs_retried`` (jobs claimed more
than once: those the killed worker held), ``crash_jobs_failed`` and ``crash_recovery_seconds`` (from
the kill to the last answer). Every command names a target of its own, so none is linked to
another's thread.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import bots
from bench.procs import Child
from bench.stand_ins import BENCH_CHANNEL
from sandbox.slack_driver import SlackDriver

REQUESTS = 40
KILL_AFTER = 8
LEASE_SECONDS = "3"
WORKER_THREADS = 4
DEADLINE = 300.0


def commands(n: int) -> list[str]:
    """``n`` commands: one team's image pulls (each team once, so none is linked to another's thread),
    then pod listings (read-only requests are never linked) of a namespace, a team, or every pod."""
    pulls = [f"pull team-{k}" for k in range(10)] + ["pull amazon-cloudwatch"]
    pods = ["pods cloudon", "pods -A", *(f"pods team-{k}" for k in range(10))]
    return (pulls + [pods[i % len(pods)] for i in range(n)])[:n]


def sqlite_path(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///")


def diagnoses(database: str, triggers: list[str], world: Child) -> dict[str, int]:
    """Diagnosis messages in the thread of each trigger's request (requests not created yet: absent)."""
    with sqlite3.connect(database, timeout=30) as db:
        rows = db.execute("SELECT once_key, thread_ts FROM requests WHERE once_key IS NOT NULL").fetchall()
    thread_of = {key.removeprefix("trigger:"): ts for key, ts in rows if ts}
    threads = world.ask(f"threads {BENCH_CHANNEL}")
    return {t: threads.get(thread_of[t], {}).get("diagnoses", 0) for t in triggers if t in thread_of}


def _unfinished(database: str) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()[0]


def _job_counts(database: str) -> tuple[int, int]:
    with sqlite3.connect(database, timeout=30) as db:
        retried = db.execute("SELECT COUNT(*) FROM jobs WHERE attempts > 1").fetchone()[0]
        failed = db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'failed'").fetchone()[0]
    return retried, failed


def measure_crash(world: Child, secret: str) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="chatops-bench-crash-")
    config = bots.BotConfig(
        secret,
        f"sqlite:///{Path(tmp) / 'bench.db'}",
        world.announce,
        {"JOB_LEASE_SECONDS": LEASE_SECONDS, "SHUTDOWN_GRACE_SECONDS": "5"},
    )
    bots.migrate(config)
    seen: dict[str, int] = {}
    running: list[bots.BotProcess] = []
    try:
        server = bots.serve(config, WORKER_THREADS="0")
        running.append(server)
        worker = bots.worker(config, WORKER_THREADS)
        running.append(worker)
        driver = SlackDriver(server.url, secret, http=httpx.Client(timeout=30.0))
        acked, texts = [], {}
        for text in commands(REQUESTS):
            trigger = driver.new_trigger_id()
            if driver.slash(text, channel=BENCH_CHANNEL, trigger_id=trigger).status_code == 200:
                acked.append(trigger)
                texts[trigger] = text
        database = sqlite_path(config.database_url)

        def answered() -> int:
            seen.update(diagnoses(database, acked, world))
            return sum(1 for n in seen.values() if n > 0)

        deadline = time.monotonic() + DEADLINE
        while answered() < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.1)
        worker.kill()
        killed_at = time.monotonic()
        server.stop()
        server = bots.serve(config, WORKER_THREADS="0")
        running.append(server)
        worker = bots.worker(config, WORKER_THREADS)
        running.append(worker)
        while answered() < len(acked) and time.monotonic() < deadline:
            time.sleep(0.5)
        recovery = time.monotonic() - killed_at
        while _unfinished(database) and time.monotonic() < deadline:  # a late second answer would show now
            time.sleep(0.5)
        answered()
        retried, failed = _job_counts(database)
    finally:
        for proc in running:
            proc.stop(15)
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "crash_requests": REQUESTS,
        "crash_acked": len(acked),
        "crash_answered": sum(1 for n in seen.values() if n > 0),
        "crash_duplicates": sum(1 for n in seen.values() if n > 1),
        "crash_duplicate_commands": sorted(texts[t] for t, n in seen.items() if n > 1),
        "crash_jobs_retried": retried,
        "crash_jobs_failed": failed,
        "crash_recovery_seconds": round(recovery, 1),
        "crash_lease_seconds": float(LEASE_SECONDS),
    }
