"""Child processes of the benchmark: start one, read the JSON line it announces, ask it for stats, stop it.

Used by ``bench.ack``. ``peak_rss_mb`` reads ``VmHWM`` (the peak resident set) from
``/proc/<pid>/status`` on Linux.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


class Child:
    """``python -m MODULE ARGS`` with pipes; ``announce`` is the first JSON line it printed."""

    def __init__(self, module: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.proc.wait(10)
            raise RuntimeError(f"{module} exited with {self.proc.returncode} before announcing itself")
        self.announce: dict[str, Any] = json.loads(line)

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.proc.pid)

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout)


def peak_rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
