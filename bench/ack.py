"""Ack latency and serving memory: the bot against a bare Bolt app, same load, same run.

Called by ``bench.run``. Three processes besides this one: the stand-ins (``bench.stand_ins``),
then the bare app and the real bot in turn (``bench.serve_sandbox``). This process only
generates load (``bench.load``). For the bot, every ack triggers a lazy ``pods -A`` diagnosis;
the figures are taken while those run, and the run waits until all of them have finished
so ``serve_rss_mb`` (the bot process's ``VmHWM``) covers the whole load.

Two shapes of load, both from 20 concurrent clients: *paced* (each client waits ``THINK_SECONDS``
after each ack, about 40 commands a second in all: a very busy workspace, and a rate the
diagnoses keep up with) gives ``ack_*``; *burst* (no pause at all, hundreds of commands a second,
the diagnoses queue up behind the acks) gives ``burst_ack_*``. Each shape is run against the bare
app and the bot in the same run.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from bench.load import LoadResult, percentile, run_load
from bench.procs import Child
from bot.sandbox.aws import SANDBOX_REGION

CLIENTS = 20
THINK_SECONDS = 0.5


def _aws_env(moto_url: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": SANDBOX_REGION, "AWS_REGION": SANDBOX_REGION}


def _load(server: Child, secret: str, per_client: int, response_url: str) -> tuple[LoadResult, LoadResult]:
    """Warm up, then the paced load, then the burst; returns (paced, burst)."""
    url = server.announce["url"]
    run_load(url, secret, CLIENTS, 2, response_url=response_url)  # warm-up, not counted
    paced = run_load(url, secret, CLIENTS, per_client, response_url=response_url, think=THINK_SECONDS)
    burst = run_load(url, secret, CLIENTS, per_client, response_url=response_url)
    return paced, burst


def _wait_diagnoses(server: Child, expected: int, timeout: float) -> tuple[dict[str, int], float]:
    started = time.monotonic()
    while True:
        states = server.ask("stats")
        finished = sum(n for state, n in states.items() if state != "diagnosing")
        if finished >= expected or time.monotonic() - started > timeout:
            return states, time.monotonic() - started
        time.sleep(0.2)


def measure_ack(per_client: int = 20, drain_timeout: float = 90.0,
                serve_module: str = "bench.serve_sandbox") -> dict[str, Any]:
    secret = secrets.token_hex(16)
    world = Child("bench.stand_ins")
    response_url = world.announce["slack_api"].removesuffix("/api/") + "/response/bench"
    try:
        bare = Child("bench.serve_sandbox", "--mode", "bare", "--secret", secret, "--slack-api",
                     world.announce["slack_api"])
        try:
            bare_paced, bare_burst = _load(bare, secret, per_client, response_url)
        finally:
            bare.stop()
        full = Child(serve_module, "--mode", "full", "--secret", secret, "--slack-api",
                     world.announce["slack_api"], "--kube", world.announce["kube"],
                     env=_aws_env(world.announce["moto"]))
        try:
            paced, burst = _load(full, secret, per_client, response_url)
            states, drain = _wait_diagnoses(full, CLIENTS * (2 * per_client + 2), drain_timeout)
            rss = full.peak_rss_mb()
        finally:
            full.stop()
        slack = world.ask("stats")
    finally:
        world.stop()
    out: dict[str, Any] = {
        "ack_p50_ms": _ms(paced, 50), "ack_p99_ms": _ms(paced, 99),
        "bare_bolt_ack_p50_ms": _ms(bare_paced, 50), "bare_bolt_ack_p99_ms": _ms(bare_paced, 99),
        "burst_ack_p50_ms": _ms(burst, 50), "burst_ack_p99_ms": _ms(burst, 99),
        "burst_bare_bolt_ack_p50_ms": _ms(bare_burst, 50), "burst_bare_bolt_ack_p99_ms": _ms(bare_burst, 99),
        "ack_clients": CLIENTS, "ack_think_ms": int(THINK_SECONDS * 1000),
        "ack_requests_per_shape": len(paced.latencies_ms),
        "ack_paced_commands_per_s": round(len(paced.latencies_ms) / paced.seconds, 1),
        "ack_non_200": sum(n for r in (paced, burst, bare_paced, bare_burst) for code, n in r.statuses.items()
                           if code != 200),
        "ack_diagnoses_done": states.get("done", 0),
        "ack_diagnoses_not_done": sum(n for state, n in states.items() if state != "done"),
        "ack_drain_seconds": round(drain, 1),
        "ack_slack_calls": slack["slack_calls"],
        "serve_rss_mb": rss,
    }
    for prefix in ("", "burst_"):
        ratio = out[f"{prefix}ack_p99_ms"] / max(out[f"{prefix}bare_bolt_ack_p99_ms"], 0.001)
        out[f"{prefix}ack_p99_vs_bare"] = round(ratio, 2)
    return out


def _ms(result: LoadResult, pct: float) -> float:
    return round(percentile(result.latencies_ms, pct), 1)
