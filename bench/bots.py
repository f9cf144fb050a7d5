"""The bot under benchmark as operators run it: ``chatops serve`` and ``chatops worker`` processes.

Used by ``bench.ack`` and ``bench.crash``. ``BotConfig`` holds what every process of one bot shares
(its database, the stand-ins' URLs, the signing secret, the settings that differ from the defaults);
``serve`` starts ``chatops serve`` on a free loopback port and waits for ``/healthz``; ``worker``
starts ``chatops worker``. Each process reads its settings from the environment as in a Deployment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from bench.procs import peak_rss_mb
from bench.stand_ins import BENCH_CHANNEL
from sandbox.aws import SANDBOX_REGION
from sandbox.runtime import OPS, OPS2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class BotConfig:
    secret: str
    database_url: str
    announce: dict  # the stand-ins' announcement (bench.stand_ins)
    extra: dict[str, str] = field(default_factory=dict)  # settings of this run (WORKER_THREADS, ...)

    def env(self, **overrides: str) -> dict[str, str]:
        region = SANDBOX_REGION
        return {
            **os.environ,
            "AWS_ENDPOINT_URL": self.announce["moto"],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.announce["slack_api"],
            "DATABASE_URL": self.database_url,
            "KUBE_HOST": self.announce["kube"],
            "CLUSTER_NAME": "bench",
            "REQUEST_CHANNELS": BENCH_CHANNEL,
            "APPROVER_USER_IDS": f"{OPS},{OPS2}",
            "ROLE_ALLOW_PATTERNS": "eks-*",
            "AWS_MAX_ATTEMPTS": "2",
            "LOG_LEVEL": "ERROR",
            **self.extra,
            **overrides,
        }


class BotProcess:
    """One ``chatops`` process; ``url`` is set for ``serve``."""

    def __init__(self, args: list[str], env: dict[str, str], url: str = "") -> None:
        self.url = url
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.proc.pid)

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"chatops exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"chatops at {self.url} was not healthy within {timeout:.0f}s")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish or release anything."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM, as a pod is stopped; its exit code (None when it had to be killed)."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def migrate(config: BotConfig) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "migrate"],
        env=config.env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def serve(config: BotConfig, **overrides: str) -> BotProcess:
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    bot = BotProcess(args, config.env(**overrides), url=f"http://127.0.0.1:{port}")
    try:
        bot.wait_healthy()
    except BaseException:
        bot.stop(5)
        raise
    return bot


def worker(config: BotConfig, threads: int, **overrides: str) -> BotProcess:
    return BotProcess(["worker", "--threads", str(threads)], config.env(**overrides))
