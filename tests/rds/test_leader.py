"""Exactly one active scheduler: file lock (SQLite) and PostgreSQL advisory lock with fail-over."""

from __future__ import annotations

import os
import threading
import time

from bot.scheduler.engine import SchedulerEngine, sweep_trigger
from bot.scheduler.leader import FileLock, PgAdvisoryLock, lock_for
from tests.pg import admin_url
from tests.rds.helpers import Clock, kst


class Counter:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.n += 1


def test_file_lock_admits_one_holder(tmp_path):
    a, b = FileLock(str(tmp_path / "x.lock")), FileLock(str(tmp_path / "x.lock"))
    assert a.try_acquire() and not b.try_acquire()
    a.release()
    assert b.try_acquire() and b.still_held()
    b.release()
    assert lock_for(f"sqlite:///{tmp_path}/bot.db").path == f"{tmp_path}/bot.db.scheduler.lock"


def test_engine_runs_jobs_only_while_leader_and_catches_up_once_on_start(tmp_path):
    path = str(tmp_path / "s.lock")
    clock = Clock(kst(2026, 11, 23, 20))
    first, second = SchedulerEngine(FileLock(path), clock), SchedulerEngine(FileLock(path), clock)
    c1, c2 = Counter(), Counter()
    first.add_job("rds-sweep", c1, sweep_trigger(minutes=60))
    second.add_job("rds-sweep", c2, sweep_trigger(minutes=60))
    try:
        assert first.tick() and not second.tick()
        deadline = time.monotonic() + 5
        while c1.n == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert (c1.n, c2.n) == (1, 0)  # one immediate run on becoming leader, not a replay
        assert first.is_leader and not second.is_leader
        first.stop()
        assert second.tick() and second.is_leader
        deadline = time.monotonic() + 5
        while c2.n == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert c2.n == 1
        assert second.run_now("rds-sweep") is None and c2.n == 2
    finally:
        first.stop()
        second.stop()


def test_postgres_advisory_lock_one_leader_and_takeover():
    url = admin_url()  # TEST_DATABASE_URL or a throw-away server; skips when neither exists
    key = int.from_bytes(os.urandom(7), "big")  # a key of our own so parallel runs never collide
    a, b = PgAdvisoryLock(url, key), PgAdvisoryLock(url, key)
    first, second = SchedulerEngine(a, check_seconds=0.1), SchedulerEngine(b, check_seconds=0.1)
    c1, c2 = Counter(), Counter()
    first.add_job("job", c1, sweep_trigger(minutes=1 / 60))  # every second
    second.add_job("job", c2, sweep_trigger(minutes=1 / 60))
    try:
        first.start()
        time.sleep(0.5)
        second.start()
        time.sleep(2.2)
        assert first.is_leader and not second.is_leader
        assert a.still_held() and not b.still_held()
        assert c1.n >= 2 and c2.n == 0
        first.stop()  # releases the lock; the other replica takes over
        deadline = time.monotonic() + 5
        while not second.is_leader and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.is_leader
        ran_before = c1.n
        time.sleep(1.5)
        assert c2.n >= 1 and c1.n == ran_before
    finally:
        first.stop()
        second.stop()
        a.dispose()
        b.dispose()


def test_lost_connection_means_lost_leadership():
    url = admin_url()
    key = int.from_bytes(os.urandom(7), "big")
    lock = PgAdvisoryLock(url, key)
    engine = SchedulerEngine(lock, check_seconds=0.1)
    try:
        assert engine.tick() and engine.is_leader
        lock._conn.invalidate()  # the connection dies under us
        assert not engine.tick() and not engine.is_leader
        other = PgAdvisoryLock(url, key)
        assert other.try_acquire()  # the server freed the lock with the dead session
        other.dispose()
    finally:
        engine.stop()
        lock.dispose()
