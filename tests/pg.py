"""PostgreSQL for tests: TEST_DATABASE_URL, else a throwaway server, else skip (fail if REQUIRE_POSTGRES=1).

Each user of ``fresh_database`` gets its own database (created and dropped here), so parallel
test workers and the RDS/scheduler tests never see each other's rows.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

_THROWAWAY: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_throwaway() -> str | None:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        return None
    bindir = os.path.dirname(bins[-1])
    data = tempfile.mkdtemp(prefix="chatops-pg-")
    port = _free_port()
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 and shutil.which("runuser") else []
    if run_as:
        shutil.chown(data, "postgres")
    subprocess.run(
        [*run_as, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"], check=True, capture_output=True
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-o",
            f"-p {port} -k {data} -h 127.0.0.1",
            "-l",
            f"{data}/log",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    atexit.register(_stop_throwaway, run_as, bindir, data)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def _stop_throwaway(run_as: list[str], bindir: str, data: str) -> None:
    """At the test process's exit: stop the throwaway server and delete its data directory."""
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True)
    shutil.rmtree(data, ignore_errors=True)


def admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url:
        return url
    if "url" not in _THROWAWAY:
        try:
            _THROWAWAY["url"] = _start_throwaway() or ""
        except (OSError, subprocess.CalledProcessError) as exc:
            _THROWAWAY["url"] = ""
            print(f"could not start a throwaway PostgreSQL: {exc}")
    if _THROWAWAY["url"]:
        return _THROWAWAY["url"]
    reason = "PostgreSQL not available: set TEST_DATABASE_URL or install the postgresql server binaries"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


@contextmanager
def fresh_database():
    """Yield the URL of a new, empty PostgreSQL database; drop it afterwards."""
    import psycopg

    base = make_url(admin_url())
    name = f"chatops_{uuid.uuid4().hex[:12]}"
    conninfo = base.set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
