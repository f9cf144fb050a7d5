"""``make bench`` (``python -m bench.run``): measure everything, write ``bench/results.json``, print it.

One flat JSON object. Figures (``bench.ack``): ``time_to_answer_p50_ms`` / ``time_to_answer_p99_ms``
(a signed slash command to the first diagnosis message in its thread) and ``ack_p50_ms`` /
``ack_p99_ms`` at 20 concurrent users against ``chatops serve`` acking and a ``chatops worker``
answering (the same with serve's own worker threads prefixed ``inprocess_``), ``ack_p99_vs_bare``
(for information), ``serve_rss_mb`` (same run), the crash run's ``crash_acked`` / ``crash_answered`` /
``crash_duplicates`` (``bench.crash``); ``parse_msgs_per_s``
(``bench.parse``), the parser's quality on the corpus's frozen test part (``bench.parse_quality``:
accuracies, ``wrong_confident_rate``, ``asked_rate``), and the diagnosers' call counts
(``bench.diagnosers``). Figures that cannot be measured are null with a ``<name>_note``. The
machine's load average is recorded too: the figures are wall-clock and mean little on a machine
that is busy with other work.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.ack import measure_ack
from bench.diagnosers import measure_diagnosers
from bench.parse import measure_parse
from bench.parse_quality import measure_parse_quality

RESULTS = Path(__file__).with_name("results.json")
TARGETS = {
    "ack_p99_ms": 100.0,
    "crash_duplicates": 0,
    "parse_msgs_per_s": 10_000,
    "serve_rss_mb": 200.0,
    "wrong_confident_rate": 0.03,
    "asked_rate": 0.15,
}
# Parser quality on the corpus's frozen test part (``bench.parse_quality``): at least these.
AT_LEAST = {
    "parse_msgs_per_s": 10_000,
    "pull_cause_accuracy": 0.95,
    "aws_kind_accuracy": 0.95,
    "intent_accuracy_en": 0.90,
    "intent_accuracy_ko": 0.90,
}


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    """``<figure>_ok`` per target: None when the figure is missing."""
    out: dict[str, bool | None] = {}
    for key, limit in {**TARGETS, **AT_LEAST}.items():
        value = results.get(key)
        if value is None:
            out[f"{key}_ok"] = None
        elif key in AT_LEAST:
            out[f"{key}_ok"] = value >= AT_LEAST[key]
        else:
            out[f"{key}_ok"] = value <= limit
    acked, answered = results.get("crash_acked"), results.get("crash_answered")
    out["crash_answered_ok"] = None if acked is None or answered is None else answered == acked
    return out


def main() -> int:
    started = time.monotonic()
    results: dict[str, Any] = {
        "bench_cpus": os.cpu_count(),
        "bench_python": platform.python_version(),
        "bench_loadavg_1m_before": round(os.getloadavg()[0], 2),
    }
    for name, measure in (
        ("serving", measure_ack),
        ("parse", measure_parse),
        ("parse_quality", measure_parse_quality),
        ("diagnosers", measure_diagnosers),
    ):
        part_started = time.monotonic()
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        results.update(measure())
        results[f"bench_{name}_seconds"] = round(time.monotonic() - part_started, 1)
    results.update(verdicts(results))
    results["bench_loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    results["bench_seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
