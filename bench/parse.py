"""Parser throughput: ``chatops parse --jsonl`` as a subprocess over generated messages, wall time.

Called by ``bench.run``. The figure includes the command's start-up, as an operator piping a
file through it would see. The output is checked (one JSON object per input line) so a crash or
a short read cannot pass as speed. The command runs ``RUNS`` times and the figure is the fastest
run: other work on the machine can only slow a run down, so the fastest is the one it disturbed
least (as ``timeit`` reports); every run's figure is in ``parse_msgs_per_s_runs``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.messages import generate, korean_share

MESSAGES = 20_000
RUNS = 3


def _chatops() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "chatops")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "bot.cli"]


def _run(cmd: list[str], texts: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    with tempfile.TemporaryFile("w+b") as fh:
        fh.write(("\n".join(texts) + "\n").encode())
        fh.seek(0)
        started = time.perf_counter()
        proc = subprocess.run(cmd, stdin=fh, capture_output=True)
        return proc, time.perf_counter() - started


def _problem(proc: subprocess.CompletedProcess, lines: list[str], n: int) -> str:
    if proc.returncode == 0 and len(lines) == n:
        return ""
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return f"exited {proc.returncode} with {len(lines)} lines for {n} inputs: {err[-1] if err else ''}"[:300]


def measure_parse(n: int = MESSAGES) -> dict[str, Any]:
    """Throughput of ``chatops parse --jsonl``; if that entry point fails, of the same command run as
    ``python -m bot.cli parse --jsonl``, with ``parse_msgs_per_s_note`` saying so."""
    texts = generate(n)
    out: dict[str, Any] = {"parse_messages": n, "parse_korean_share": round(korean_share(texts), 2)}
    cmd = [*_chatops(), "parse", "--jsonl"]
    proc, seconds = _run(cmd, texts)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    problem = _problem(proc, lines, n)
    if problem:
        cmd = [sys.executable, "-m", "bot.cli", "parse", "--jsonl"]
        proc, seconds = _run(cmd, texts)
        lines = proc.stdout.decode("utf-8", "replace").splitlines()
        fallback = _problem(proc, lines, n)
        module = "`python -m bot.cli parse --jsonl`"
        then = f"{module} also failed: {fallback}" if fallback else f"measured through {module} instead"
        out["parse_msgs_per_s_note"] = f"`chatops parse --jsonl` {problem}; {then}"
        if fallback:
            out["parse_msgs_per_s"] = None
            return out
    intents: dict[str, int] = {}
    for line in lines:
        intent = json.loads(line)["intent"]
        intents[intent] = intents.get(intent, 0) + 1
    runs = [seconds]
    for _ in range(RUNS - 1):
        again, took = _run(cmd, texts)
        if _problem(again, again.stdout.decode("utf-8", "replace").splitlines(), n):
            break  # only runs with complete output count
        runs.append(took)
    out["parse_msgs_per_s"] = round(n / min(runs))
    out["parse_msgs_per_s_runs"] = [round(n / took) for took in runs]
    out["parse_seconds"] = round(min(runs), 2)
    out["parse_other_share"] = round(intents.get("other", 0) / n, 2)
    return out
