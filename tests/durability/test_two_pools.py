"""Two worker pools on one PostgreSQL database share the queue: each job runs exactly once, both pools work.

Each pool has its own engine (its own connections, as two processes or replicas would) and three
threads claiming at once (``FOR UPDATE SKIP LOCKED``). A run records which pool ran which job; the
first runs of each pool wait until the other pool has run one too, so both pools are proven to take
part whatever the scheduling, without any timing assumption.
"""

from __future__ import annotations

import threading

import pytest

from bot.services.workers import JobWorkers
from bot.store.db import make_engine
from bot.store.jobs import JobStore
from tests.polling import wait

JOBS = 60


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_pools_on_one_postgresql_run_every_job_exactly_once(db_url):
    engines = [make_engine(db_url), make_engine(db_url)]
    stores = [JobStore(engine) for engine in engines]
    ids = [stores[0].enqueue("probe", f"probe:{n}", {"n": n}, max_attempts=3) for n in range(JOBS)]
    ran: list[tuple[int, int]] = []  # (pool, job id), in the order the runs started
    lock = threading.Lock()
    both = threading.Event()

    def runner(pool: int):
        def run(job):
            with lock:
                ran.append((pool, job.id))
                if {p for p, _ in ran} == {0, 1}:
                    both.set()
            assert both.wait(60), "the other pool never ran a job"

        return run

    pools = [
        JobWorkers(store, run=runner(n), on_failed=lambda job: None, threads=3, poll_seconds=0.05)
        for n, store in enumerate(stores)
    ]
    try:
        for pool in pools:
            pool.start()
        wait(lambda: stores[0].counts().queued + stores[0].counts().running == 0, 90, "every job to be finished")
    finally:
        for pool in pools:
            pool.stop(grace=10)
        for engine in engines:
            engine.dispose()
    assert sorted(job for _, job in ran) == sorted(ids)  # every job ran, and none twice
    assert {pool for pool, _ in ran} == {0, 1}
    assert all(stores[0].state_of(job) == "done" for job in ids)
    assert stores[0].counts().retried == 0  # no job was claimed twice
