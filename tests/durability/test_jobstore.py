"""``JobStore`` on SQLite and PostgreSQL: enqueue once, claim in order under a lease, renew, release, bury.

Time is the store's ``now``, a clock the test moves, so a lease lapses without anyone waiting.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.store.db import make_engine
from bot.store.jobs import JobCounts, JobStore
from bot.store.models import JobRow

LEASE = timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(db_url, clock):
    engine = make_engine(db_url)
    yield JobStore(engine, now=clock)
    engine.dispose()


def _row(store: JobStore, job_id: int) -> JobRow:
    with store.engine.connect() as conn:
        return conn.execute(select(JobRow).where(JobRow.id == job_id)).one()


def test_the_same_delivery_enqueued_twice_is_one_job(store):
    first = store.enqueue("run_ops", "run_ops:trigger:1", {"n": 1}, max_attempts=3)
    again = store.enqueue("run_ops", "run_ops:trigger:1", {"n": 2}, max_attempts=3)
    assert isinstance(first, int) and again is None
    with store.engine.connect() as conn:
        assert conn.execute(select(JobRow.id, JobRow.payload)).all() == [(first, {"n": 1})]


def test_claims_take_the_oldest_due_job_first_and_a_delayed_retry_waits(store, clock):
    ids = [store.enqueue("k", f"key:{n}", {}, max_attempts=3) for n in range(3)]
    first = store.claim("a", LEASE)
    assert (first.id, first.attempts) == (ids[0], 1)
    assert store.retry_or_fail(first, "a", "boom", delay=timedelta(seconds=10)) == "queued"
    assert [store.claim("a", LEASE).id for _ in range(2)] == ids[1:]  # the retry is not due yet
    assert store.claim("a", LEASE) is None
    clock.advance(11)
    again = store.claim("b", LEASE)
    assert (again.id, again.attempts) == (ids[0], 2)
    assert _row(store, ids[0]).error == "boom"


def test_a_lapsed_lease_is_claimed_again_with_one_more_attempt_and_the_old_holder_loses_it(store, clock):
    job_id = store.enqueue("k", "key", {}, max_attempts=3)
    held = store.claim("a", LEASE)
    clock.advance(29)
    assert store.claim("b", LEASE) is None  # the lease still holds
    clock.advance(2)
    taken = store.claim("b", LEASE)
    assert (taken.id, taken.attempts) == (job_id, 2)
    assert _row(store, job_id).lease_owner == "b"
    assert store.renew("a", [job_id], LEASE) == set()  # the old holder's heartbeat no longer holds it
    assert store.finish(held, "a") is False and store.state_of(job_id) == "running"
    assert store.finish(taken, "b") is True and store.state_of(job_id) == "done"


def test_renew_by_the_holder_extends_the_lease_and_by_another_owner_does_nothing(store, clock):
    job_id = store.enqueue("k", "key", {}, max_attempts=3)
    store.claim("a", LEASE)
    until = _row(store, job_id).lease_until
    clock.advance(20)
    assert store.renew("b", [job_id], LEASE) == set()
    assert _row(store, job_id).lease_until == until
    assert store.renew("a", [job_id], LEASE) == {job_id}
    assert _row(store, job_id).lease_until == until + timedelta(seconds=20)
    clock.advance(25)  # past the first lease, within the renewed one
    assert store.claim("b", LEASE) is None


def test_release_queues_the_job_at_once_without_using_up_an_attempt(store, clock):
    job_id = store.enqueue("k", "key", {}, max_attempts=1)
    job = store.claim("a", LEASE)
    assert store.release(job, "b") is False  # not b's to give back
    assert store.release(job, "a") is True
    row = _row(store, job_id)
    assert (row.state, row.lease_owner, row.lease_until) == ("queued", None, None)
    assert row.max_attempts - row.attempts == 1  # its one attempt is still there
    again = store.claim("b", LEASE)
    # the next run is a retry (it resumes what the released one began), with the attempt still allowed
    assert again.id == job_id and again.attempts == 2 and again.max_attempts == 2
    clock.advance(31)  # and when that attempt's holder vanishes too, the job has no attempt left
    assert store.claim("c", LEASE) is None and [j.id for j in store.bury_lapsed()] == [job_id]


def test_bury_lapsed_fails_an_exhausted_job_exactly_once(db_url, store, clock):
    job_id = store.enqueue("k", "key", {}, max_attempts=2)
    store.claim("a", LEASE)
    clock.advance(31)
    assert store.claim("b", LEASE).attempts == 2  # the last attempt
    assert store.bury_lapsed() == []  # b's lease holds
    clock.advance(31)
    assert store.claim("c", LEASE) is None  # lapsed, but no attempt left
    # several pools' heartbeats look at once, each on its own engine: one of them gets the job
    others = [JobStore(make_engine(db_url), now=clock) for _ in range(4)]
    found: list[list[int]] = []
    start = threading.Barrier(len(others))

    def look(other: JobStore) -> None:
        start.wait(30)
        found.append([job.id for job in other.bury_lapsed()])

    threads = [threading.Thread(target=look, args=(other,)) for other in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for other in others:
        other.engine.dispose()
    assert sorted(found) == [[], [], [], [job_id]]
    row = _row(store, job_id)
    assert (row.state, row.attempts, row.lease_owner) == ("failed", 2, None)
    assert "stopped without finishing" in row.error
    assert store.bury_lapsed() == [] and store.claim("c", LEASE) is None


def test_a_failed_last_attempt_fails_the_job(store):
    job_id = store.enqueue("k", "key", {}, max_attempts=1)
    job = store.claim("a", LEASE)
    assert store.retry_or_fail(job, "b", "not b's", timedelta(0)) == ""
    assert store.retry_or_fail(job, "a", "boom", timedelta(0)) == "failed"
    assert (store.state_of(job_id), _row(store, job_id).error) == ("failed", "boom")
    assert store.claim("a", LEASE) is None


def test_counts_show_the_queue_by_state(store, clock):
    assert store.counts() == JobCounts(0, 0, 0, 0, 0.0)
    ids = [store.enqueue("k", f"key:{n}", {}, max_attempts=2) for n in range(5)]
    clock.advance(10)
    done = store.claim("a", LEASE)
    assert done.id == ids[0] and store.finish(done, "a")
    assert store.claim("a", LEASE).id == ids[1]  # its holder vanishes
    clock.advance(31)
    failing = store.claim("b", LEASE)  # taken again: its last attempt, which fails
    assert (failing.id, failing.attempts) == (ids[1], 2)
    assert store.retry_or_fail(failing, "b", "boom", timedelta(0)) == "failed"
    assert store.claim("b", LEASE).id == ids[2]
    assert [store.state_of(i) for i in ids] == ["done", "failed", "running", "queued", "queued"]
    assert store.counts() == JobCounts(queued=2, running=1, failed=1, retried=1, oldest_queued_seconds=41.0)
