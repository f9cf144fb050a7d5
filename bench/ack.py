"""What users feel: time to answer and ack latency at 20 concurrent users, the bare-Bolt ack baseline, a crash.

Called by ``bench.run``. Besides this process: the stand-ins (``bench.stand_ins``: moto, Kubernetes
with the 5,000-pod image-pull world and the pod-restart world, Slack), the bot as it is deployed
(``bench.bots``), and afterwards the bare Bolt app (``bench.serve_sandbox``). This process only plays
the users.

1. ``CLIENTS`` users in a loop for ``USERS_SECONDS`` (``bench.users``) against ``chatops serve`` with
   ``WORKER_THREADS=0`` and one ``chatops worker`` (4 threads) answering, the chart's layout for busy
   clusters, on a fresh PostgreSQL database (``bench.database``; ``users_database`` says which
   database it was): ``time_to_answer_*`` (signed command to the first diagnosis message in the request's
   thread), ``ack_*`` (client side), ``serve_rss_mb`` and ``worker_rss_mb`` (each process's
   ``VmHWM``). Then ``INPROCESS_SECONDS`` of the same against ``chatops serve`` alone, its own 4
   worker threads answering, on SQLite (the embedded default): the same figures, prefixed
   ``inprocess_``.
2. The bare app under the same number of clients sending at the rate the users did (paced: each
   client pauses a random time after each ack): ``bare_bolt_ack_*``. ``ack_p99_vs_bare`` is the
   bot's ack p99 over the bare app's, for information: the bot's acks share the process with its
   diagnoses, the bare app has none.
3. The crash run (``bench.crash``): ``crash_*``.
"""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import bots
from bench.crash import measure_crash
from bench.database import split_database
from bench.load import percentile, run_load
from bench.procs import Child
from bench.stand_ins import BENCH_CHANNEL
from bench.users import figures, run_users

CLIENTS = 20
USERS_SECONDS = 150.0
INPROCESS_SECONDS = 60.0
BARE_SECONDS = 30.0


def measure_ack() -> dict[str, Any]:
    secret = secrets.token_hex(16)
    world = Child("bench.stand_ins")
    tmp = tempfile.mkdtemp(prefix="chatops-bench-")
    out: dict[str, Any] = {"ack_clients": CLIENTS, "users_seconds": USERS_SECONDS, "pods": world.announce["pods"]}
    try:
        # the deployment the chart recommends for busy clusters: serving pods ack, worker pods answer,
        # on PostgreSQL as the chart requires
        with split_database(Path(tmp)) as (database_url, kind):
            split = _users(bots.BotConfig(secret, database_url, world.announce), world, split=True)
        split["users_database"] = kind
        ours, rate = split.pop("users_rate_acks"), split.pop("users_rate")
        out.update(split)
        # everything in one process (the embedded default): its acks share the interpreter with diagnoses
        one = _users(bots.BotConfig(secret, f"sqlite:///{Path(tmp) / 'one.db'}", world.announce), world, split=False)
        out.update({f"inprocess_{key}": value for key, value in one.items() if not key.startswith("users_rate")})
        out.update(_bare(secret, world, ours, rate))
        started = time.monotonic()
        out.update(measure_crash(world, secret))
        out["bench_crash_seconds"] = round(time.monotonic() - started, 1)
        out["ack_slack_calls"] = world.ask("stats")["slack_calls"]
    finally:
        world.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _users(config: bots.BotConfig, world: Child, *, split: bool) -> dict[str, Any]:
    """The users' loop against ``chatops serve``: with ``split``, ``WORKER_THREADS=0`` and one
    ``chatops worker`` of 4 threads answering; otherwise serve's own 4 worker threads."""
    bots.migrate(config)
    seconds_wanted = USERS_SECONDS if split else INPROCESS_SECONDS
    server = bots.serve(config, WORKER_THREADS="0") if split else bots.serve(config)
    worker = bots.worker(config, 4) if split else None
    out: dict[str, Any] = {}
    try:
        started = time.monotonic()
        outcomes = run_users(
            server.url,
            config.secret,
            config.database_url,
            lambda: world.ask(f"threads {BENCH_CHANNEL}"),
            CLIENTS,
            seconds_wanted,
        )
        seconds = time.monotonic() - started
        out["serve_rss_mb"] = server.peak_rss_mb()
        if worker is not None:
            out["worker_rss_mb"] = worker.peak_rss_mb()
    finally:
        out["serve_exit_code"] = server.stop()
        if worker is not None:
            out["worker_exit_code"] = worker.stop()
    out.update(figures(outcomes, seconds))
    out["bench_users_seconds"] = round(seconds, 1)
    out["users_rate_acks"] = [o.ack_ms for o in outcomes]
    out["users_rate"] = len(outcomes) / seconds
    return out


def _bare(secret: str, world: Child, ours: list[float], rate: float) -> dict[str, Any]:
    """The bare app at the users' command rate, from as many clients; the bot's p99 over its p99."""
    bare = Child("bench.serve_sandbox", "--secret", secret, "--slack-api", world.announce["slack_api"])
    try:
        think = CLIENTS / max(rate, 0.1)
        per_client = max(int(BARE_SECONDS / think), 10)
        result = run_load(bare.announce["url"], secret, CLIENTS, per_client, think=think)
    finally:
        bare.stop()
    theirs = list(result.latencies_ms)
    return {
        "bare_bolt_ack_p50_ms": round(percentile(theirs, 50), 1),
        "bare_bolt_ack_p99_ms": round(percentile(theirs, 99), 1),
        "bare_bolt_requests": len(theirs),
        "bare_bolt_non_200": sum(n for code, n in result.statuses.items() if code != 200),
        "ack_p99_vs_bare": round(_p99_ratio(ours, theirs), 2) if ours else None,
        "ack_p99_vs_bare_ci90": ratio_interval(ours, theirs) if ours else None,
    }


def _p99_ratio(ours: Sequence[float], theirs: Sequence[float]) -> float:
    return percentile(ours, 99) / max(percentile(theirs, 99), 0.001)


def ratio_interval(ours: list[float], theirs: list[float], resamples: int = 1000, seed: int = 0) -> list[float]:
    """90% bootstrap interval of ``p99(ours) / p99(theirs)``: how far the ratio itself can move.

    It treats samples as independent, which slow spells of the machine are not, so it is a lower
    bound on the uncertainty.
    """
    rng = random.Random(seed)
    ratios = sorted(
        _p99_ratio(rng.choices(ours, k=len(ours)), rng.choices(theirs, k=len(theirs))) for _ in range(resamples)
    )
    return [round(ratios[int(0.05 * resamples)], 2), round(ratios[int(0.95 * resamples) - 1], 2)]
