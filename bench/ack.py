"""Ack latency and serving memory: the bot against a bare Bolt app, same load, same run.

Called by ``bench.run``. Three processes besides this one: the stand-ins (``bench.stand_ins``),
the bare app and the real bot (both ``bench.serve_sandbox``). This process only generates load
(``bench.load``). For the bot, every ack triggers a lazy ``pods -A`` diagnosis (in a worker
process, as ``chatops serve`` runs with ``LAZY_WORKERS``); the figures are taken while those run.

Two shapes of load, both from 20 concurrent clients: *paced* (each client pauses a random time,
0.5 s on average, after each ack, so about 40 commands a second arrive independently: a very
busy workspace, faster than the diagnoses can keep up with) gives ``ack_*``; *burst* (no pause at
all, hundreds of commands a second, every client always waiting for an ack) gives ``burst_ack_*``.

The two apps are measured in ``ROUNDS`` alternating rounds and each figure pools the rounds, so a
slow minute of the machine falls on both and a p99 rests on more than a handful of samples. After
each round of the bot the run waits until every diagnosis it triggered has finished, so the bare
app is never measured while the bot's diagnoses still run; ``serve_rss_mb`` (the bot process's
``VmHWM``) covers the whole load. ``*_vs_bare_round<N>`` gives each round's ratio on its own, which
shows how much a single short run of this benchmark swings on the machine it ran on.

The stand-ins play Slack, AWS and the Kubernetes API, which in production are other machines. On a
small benchmark machine they would take CPU from the process under test, so they run at idle
priority (``bot.supervisor.yield_cpu_to_acks``, as the bot's own workers do).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Sequence
from typing import Any

from bench.load import LoadResult, percentile, run_load
from bench.procs import Child
from sandbox.aws import SANDBOX_REGION

CLIENTS = 20
THINK_SECONDS = 0.5
ROUNDS = 5
WARM_UP_PER_CLIENT = 2


def _aws_env(moto_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": SANDBOX_REGION,
        "AWS_REGION": SANDBOX_REGION,
    }


def _wait_diagnoses(server: Child, expected: int, timeout: float) -> tuple[dict[str, int], float]:
    started = time.monotonic()
    while True:
        states = server.ask("stats")
        finished = sum(n for state, n in states.items() if state != "diagnosing")
        if finished >= expected or time.monotonic() - started > timeout:
            return states, time.monotonic() - started
        time.sleep(0.2)


class _Pooled:
    """Latencies and status codes of one app under one shape, over all rounds."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.rounds: list[tuple[float, ...]] = []
        self.statuses: dict[int, int] = {}
        self.seconds = 0.0

    def add(self, result: LoadResult) -> None:
        self.latencies.extend(result.latencies_ms)
        self.rounds.append(result.latencies_ms)
        for code, n in result.statuses.items():
            self.statuses[code] = self.statuses.get(code, 0) + n
        self.seconds += result.seconds

    def ms(self, pct: float) -> float:
        return round(percentile(self.latencies, pct), 1)


def measure_ack(
    per_client: int = 20, drain_timeout: float = 180.0, serve_module: str = "bench.serve_sandbox"
) -> dict[str, Any]:
    secret = secrets.token_hex(16)
    world = Child("bench.stand_ins", "--idle")
    slack_api = world.announce["slack_api"]
    response_url = slack_api.removesuffix("/api/") + "/response/bench"
    pooled = {(app, shape): _Pooled() for app in ("bare", "full") for shape in ("paced", "burst")}
    drains: list[float] = []
    servers: list[Child] = []
    try:
        bare = Child("bench.serve_sandbox", "--mode", "bare", "--secret", secret, "--slack-api", slack_api)
        servers.append(bare)
        full = Child(
            serve_module,
            "--mode",
            "full",
            "--secret",
            secret,
            "--slack-api",
            slack_api,
            "--kube",
            world.announce["kube"],
            env=_aws_env(world.announce["moto"]),
        )
        servers.append(full)
        for server in (bare, full):  # warm-up, not counted
            run_load(server.announce["url"], secret, CLIENTS, WARM_UP_PER_CLIENT, response_url=response_url)
        expected = CLIENTS * WARM_UP_PER_CLIENT
        states, _ = _wait_diagnoses(full, expected, drain_timeout)
        for round_no in range(ROUNDS):
            order = (("bare", bare), ("full", full)) if round_no % 2 == 0 else (("full", full), ("bare", bare))
            for app, server in order:
                url = server.announce["url"]
                pooled[app, "paced"].add(
                    run_load(
                        url,
                        secret,
                        CLIENTS,
                        per_client,
                        response_url=response_url,
                        think=THINK_SECONDS,
                        seed=round_no + 1,
                    )
                )
                pooled[app, "burst"].add(run_load(url, secret, CLIENTS, per_client, response_url=response_url))
                if app == "full":
                    expected += 2 * CLIENTS * per_client
                    states, drain = _wait_diagnoses(full, expected, drain_timeout)
                    drains.append(drain)
        rss = full.peak_rss_mb()
        slack = world.ask("stats")
    finally:
        for server in servers:
            server.stop()
        world.stop()
    return _figures(pooled, states, drains, rss, slack)


def _figures(
    pooled: dict[tuple[str, str], _Pooled],
    states: dict[str, int],
    drains: list[float],
    rss: float | None,
    slack: dict[str, int],
) -> dict[str, Any]:
    paced, burst = pooled["full", "paced"], pooled["full", "burst"]
    bare_paced, bare_burst = pooled["bare", "paced"], pooled["bare", "burst"]
    out: dict[str, Any] = {
        "ack_p50_ms": paced.ms(50),
        "ack_p99_ms": paced.ms(99),
        "bare_bolt_ack_p50_ms": bare_paced.ms(50),
        "bare_bolt_ack_p99_ms": bare_paced.ms(99),
        "burst_ack_p50_ms": burst.ms(50),
        "burst_ack_p99_ms": burst.ms(99),
        "burst_bare_bolt_ack_p50_ms": bare_burst.ms(50),
        "burst_bare_bolt_ack_p99_ms": bare_burst.ms(99),
        "ack_clients": CLIENTS,
        "ack_think_ms": int(THINK_SECONDS * 1000),
        "ack_rounds": ROUNDS,
        "ack_requests_per_shape": len(paced.latencies),
        "ack_paced_commands_per_s": round(len(paced.latencies) / paced.seconds, 1),
        "ack_non_200": sum(n for p in pooled.values() for code, n in p.statuses.items() if code != 200),
        "ack_diagnoses_done": states.get("done", 0),
        "ack_diagnoses_not_done": sum(n for state, n in states.items() if state != "done"),
        "ack_drain_seconds": round(max(drains, default=0.0), 1),
        "ack_slack_calls": slack["slack_calls"],
        "serve_rss_mb": rss,
    }
    for prefix, bot, bare in (("", paced, bare_paced), ("burst_", burst, bare_burst)):
        ratio = out[f"{prefix}ack_p99_ms"] / max(out[f"{prefix}bare_bolt_ack_p99_ms"], 0.001)
        out[f"{prefix}ack_p99_vs_bare"] = round(ratio, 2)
        out[f"{prefix}ack_p99_vs_bare_ci90"] = ratio_interval(bot.latencies, bare.latencies)
        # The same ratio in each round alone (400 samples a side): how far one run's figure can swing.
        for n, (ours, theirs) in enumerate(zip(bot.rounds, bare.rounds, strict=True), start=1):
            out[f"{prefix}ack_p99_vs_bare_round{n}"] = round(_p99_ratio(ours, theirs), 2)
    return out


def _p99_ratio(ours: Sequence[float], theirs: Sequence[float]) -> float:
    return percentile(ours, 99) / max(percentile(theirs, 99), 0.001)


def ratio_interval(ours: list[float], theirs: list[float], resamples: int = 1000, seed: int = 0) -> list[float]:
    """90% bootstrap interval of ``p99(ours) / p99(theirs)``: how far the pooled ratio itself can move.

    It treats samples as independent, which slow spells of the machine are not, so it is a lower
    bound on the uncertainty; the per-round ratios show the swing between whole rounds.
    """
    rng = random.Random(seed)
    ratios = sorted(
        _p99_ratio(rng.choices(ours, k=len(ours)), rng.choices(theirs, k=len(theirs))) for _ in range(resamples)
    )
    return [round(ratios[int(0.05 * resamples)], 2), round(ratios[int(0.95 * resamples) - 1], 2)]
