"""A job that keeps failing ends with a message to the person who asked and a ``job_failed`` audit row.

Two ways to use up every attempt (``JOB_MAX_ATTEMPTS=2``):
- each worker that runs it dies: workers A and B are each SIGKILLed inside the diagnosis; their last
  lease lapses with no attempt left, and the next worker pool's heartbeat fails the job and tells
  the request's thread (the request its first attempt recorded), with the job's reference;
- the run itself raises each time (a pool whose run callable fails): the job is failed after its
  second attempt and, having made no request, the person is told through the command's
  response URL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.services.workers import JobWorkers
from bot.slack.job_notice import tell_job_failed
from bot.store.models import JobWorkerRow
from sandbox.runtime import DEV
from tests.polling import wait

POD = "/api/v1/namespaces/cloudon/pods/api-7d9f8-zz81m"


@pytest.fixture
def world_settings() -> dict:
    return {"job_max_attempts": 2}  # on the acking side too: a job is queued with its attempts


def _job_failed_rows(world):
    return [r for r in world.repo.audit_rows() if r.kind == "job_failed"]


def _last_beat(world):
    with world.bot.engine.connect() as conn:
        return conn.execute(select(func.max(JobWorkerRow.seen_at))).scalar()


def test_a_job_whose_worker_dies_every_attempt_is_failed_and_told_in_its_thread_once(world):
    trigger = world.slash("restart cloudon/api-7d9f8-zz81m")
    (job,) = world.jobs()
    assert job.max_attempts == 2
    gate = world.kube.gate("GET", POD, hold=2)
    for n, name in enumerate(("a", "b"), start=1):
        worker = world.worker(name)
        gate.wait_held(n)
        assert (world.job("run_ops").state, world.job("run_ops").attempts) == ("running", n)
        worker.sigkill()
    gate.drop()

    world.worker("c")  # no attempt left to claim: its heartbeat fails the job and tells the thread
    (row,) = wait(lambda: _job_failed_rows(world), 60, "the job_failed audit row", 0.1)
    ref = f"job-{job.id}"
    assert (row.ref, row.after["job"], row.after["delivery"]) == (ref, job.id, f"trigger:{trigger}")
    done = world.job("run_ops")
    assert (done.state, done.attempts) == ("failed", 2) and "stopped without finishing" in done.error
    req = world.request_for(trigger)
    assert req is not None

    def notices() -> list[str]:
        return [m.text for m in world.thread(req) if ref in (m.text or "")]

    (text,) = wait(notices, 30, "the notice in the request's thread")
    assert text.startswith(f"<@{DEV}> ⚠️ I could not finish your request: 2 attempt(s) stopped")
    # two more heartbeats of the pool (each says it is alive, then looks for jobs to fail): the
    # first one's look has ended once the second has begun, and it found nothing more to fail
    beat = _last_beat(world)
    wait(lambda: _last_beat(world) > max(beat, done.finished_at), 30, "a heartbeat after the failure")
    beat = _last_beat(world)
    wait(lambda: _last_beat(world) > beat, 30, "one more heartbeat")
    assert len(notices()) == 1 and len(_job_failed_rows(world)) == 1


def test_a_job_that_raises_every_attempt_is_failed_and_told_through_the_response_url(world):
    trigger = world.slash("pods cloudon")
    runs = []

    def run(job):
        runs.append(job.attempts)
        raise RuntimeError("the replay broke")

    bot = world.bot
    pool = JobWorkers(
        bot.jobs,
        run=run,
        on_failed=lambda job: tell_job_failed(bot.deps, bot.client, job),
        threads=1,
        poll_seconds=0.05,
        retry_delay_seconds=0.05,
    ).start()
    try:
        (row,) = wait(lambda: _job_failed_rows(world), 60, "the job_failed audit row", 0.1)
    finally:
        pool.stop(grace=10)
    (job,) = world.jobs()
    assert (job.state, job.attempts, job.error) == ("failed", 2, "RuntimeError: the replay broke")
    assert runs == [1, 2]
    assert row.ref == f"job-{job.id}" and world.repo.latest_requests() == []
    (told,) = [r for r in world.slack.responses if r.tag == trigger]
    assert f"`job-{job.id}`" in told.body["text"] and told.body.get("response_type") == "ephemeral"
