"""Builders for the durability tests: stand-ins that hold a request until told, and worker processes.

``GatedKube`` and ``GatedSlack`` are the stand-ins with gates: a gate picks out some requests (a
method and path, a Web API method and its arguments), lets the first ``skip`` of them through and
holds the next ``hold`` ones until the test opens it (passing them on, as if the call reached the
server) or drops them (the server never served them). A worker held there is, for the test,
provably in the middle of that call: a diagnosis reading a pod, an apply deleting one, a thread
being updated.

``World`` is what the serving side and the workers share: the gated Slack stand-in with its people,
the gated Kubernetes stand-in seeded with the pod-restart world, and one migrated database. The serving
side is the real composition root behind uvicorn with no worker pool started (the ``chatops serve``
``WORKER_THREADS=0`` role: it verifies, acks and queues). Workers are real ``chatops worker``
processes with the same settings in their environment.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Bot, build
from bot.settings import Settings
from bot.store.models import JobRow
from sandbox.aws import SANDBOX_REGION
from sandbox.http_server import BackgroundServer
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait

ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 120.0  # a held request is let go after this even if the test forgot it
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when the thread that started it ends


class Gate:
    """Holds the requests ``matches`` picks out; see the module docstring."""

    def __init__(self, matches: Callable[..., bool], hold: int = 1, skip: int = 0):
        self.matches, self.hold, self.skip = matches, hold, skip
        self.seen = 0  # matching requests that arrived
        self.held = 0  # of those, how many were (or are) held
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._drop = False

    def visit(self, *request: Any) -> None:
        if not self.matches(*request):
            return
        with self._lock:
            self.seen += 1
            if not self.skip < self.seen <= self.skip + self.hold:
                return
            self.held += 1
        self._open.wait(HOLD_SECONDS)
        if self._drop:
            raise ConnectionAbortedError("dropped by the test: the server never served this request")

    def wait_held(self, count: int, timeout: float = 90.0) -> None:
        wait(lambda: self.held >= count, timeout, f"{count} request(s) to be held at a gate")

    def let_through(self) -> None:
        """Serve what is held (and whatever comes later) as if nothing had happened."""
        self._open.set()

    def drop(self) -> None:
        """Answer what is held with an error, without serving it (and stop holding)."""
        self._drop = True
        self._open.set()


class GatedKube(KubeStandIn):
    """The Kubernetes stand-in whose requests pass the test's gates before they are served."""

    def __init__(self) -> None:
        super().__init__()
        self.gates: list[Gate] = []

    def gate(self, method: str, path: str, hold: int = 1, skip: int = 0) -> Gate:
        """A gate for ``method`` on ``path`` (the query string aside)."""
        gate = Gate(lambda m, p: m == method and p.split("?", 1)[0] == path, hold, skip)
        self.gates.append(gate)
        return gate

    def _record(self, method: str, path: str) -> None:
        super()._record(method, path)
        for gate in list(self.gates):
            gate.visit(method, path)

    def stop(self) -> None:
        for gate in self.gates:
            gate.drop()
        super().stop()


class GatedSlack(SlackStandIn):
    """The Slack stand-in whose Web API calls pass the test's gates before they are answered or recorded,
    or, for a gate made with ``served=True``, after they were served and before the answer goes back."""

    def __init__(self) -> None:
        super().__init__()
        self.gates: list[Gate] = []
        self.answer_gates: list[Gate] = []

    def gate(self, matches: Callable[[str, dict], bool], hold: int = 1, skip: int = 0, *, served: bool = False) -> Gate:
        """A gate for the calls ``matches(method, args)`` picks out; with ``served``, the call has
        taken effect (a message is posted) when it is held, and only its answer waits."""
        gate = Gate(matches, hold, skip)
        (self.answer_gates if served else self.gates).append(gate)
        return gate

    def dispatch(self, method: str, args: dict, token: str | None) -> tuple[int, dict, dict]:
        for gate in list(self.gates):
            gate.visit(method, args)
        answer = super().dispatch(method, args, token)
        for gate in list(self.answer_gates):
            gate.visit(method, args)
        return answer

    def stop(self) -> None:
        for gate in self.gates + self.answer_gates:
            gate.drop()
        super().stop()


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL it when the test process goes away (no orphaned workers)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Worker:
    """One ``chatops worker`` process, its stderr kept in a file for failure messages."""

    def __init__(self, env: dict[str, str], log: Path, threads: int = 1):
        self.log = log
        with log.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker", "--threads", str(threads)],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                preexec_fn=_die_with_parent,
            )

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def sigkill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(30) == -signal.SIGKILL, self.tail()

    def sigterm(self, timeout: float = 60.0) -> int:
        """SIGTERM, then its exit status once it has ended."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def end(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)


@dataclass
class World:
    """See the module docstring. ``start`` serves the acking side; ``worker`` starts a worker process."""

    database_url: str
    tmp: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def start(self) -> World:
        self.kube = GatedKube()
        self.kube.start()
        self.facts = seed_pod_restart_world(self.kube)
        self.slack = GatedSlack()
        self.slack.start()
        self.slack.add_user(DEV, "dev-kim")
        self.slack.add_user(OPS, "ops-lee")
        self.slack.add_user(OPS2, "ops-park")
        self.slack.add_channel(REQUEST_CHANNEL, "eks-requests")
        self.values: dict[str, Any] = dict(
            slack_bot_token="xoxb-durability",
            slack_signing_secret="durability-secret",
            slack_api_url=self.slack.base_url,
            database_url=self.database_url,
            aws_region=SANDBOX_REGION,
            cluster_name="prod",
            kube_host=self.kube.url,
            request_channels=REQUEST_CHANNEL,
            approver_user_ids=f"{OPS},{OPS2}",
            role_allow_patterns="eks-*",
            verify_wait_seconds=5.0,
            default_language="en",
            log_level="WARNING",
            worker_threads=0,  # the serving side only acks and queues
            job_lease_seconds=3.0,
            job_max_attempts=3,
            shutdown_grace_seconds=1.0,
        )
        self.values.update(self.overrides)
        self.bot: Bot = build(Settings(**self.values))
        self.server = BackgroundServer(self.bot.http_app())
        self.driver = SlackDriver(
            self.server.start(), self.values["slack_signing_secret"], response_url_for=self.slack.response_url
        )
        return self

    def stop(self) -> None:
        for worker in self.workers:
            worker.end()
        for part in ("server", "kube", "slack"):
            if getattr(self, part, None) is not None:
                getattr(self, part).stop()
        if getattr(self, "bot", None) is not None:
            self.bot.engine.dispose()

    @property
    def repo(self):
        return self.bot.deps.services.repo

    def env(self, **changes: Any) -> dict[str, str]:
        """The worker's environment: these settings (with ``changes``) as variables, moto's endpoint too."""
        values = {**self.values, **changes}
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            **{name.upper(): str(value) for name, value in values.items()},
        }

    def worker(self, name: str, threads: int = 1, **changes: Any) -> Worker:
        worker = Worker(self.env(**changes), self.tmp / f"{name}.stderr", threads)
        self.workers.append(worker)
        return worker

    # asking, as people do --------------------------------------------------------------------
    def slash(self, text: str, user: str = DEV) -> str:
        """Send ``/ops text``; the trigger id it was sent with (Slack's identity of that delivery)."""
        trigger = self.driver.new_trigger_id()
        answer = self.driver.slash(
            text, user=user, channel=REQUEST_CHANNEL, response_url=self.slack.response_url(trigger), trigger_id=trigger
        )
        assert answer.status_code == 200, answer.text
        return trigger

    def approve(self, plan, user: str = OPS) -> None:
        answer = self.driver.block_action(
            "approve_plan", str(plan.id), user=user, channel=REQUEST_CHANNEL, message_ts=plan.message_ts
        )
        assert answer.status_code == 200, answer.text

    # looking ----------------------------------------------------------------------------------
    def jobs(self) -> list[JobRow]:
        with self.bot.engine.connect() as conn:
            return list(conn.execute(select(JobRow).order_by(JobRow.id)).all())

    def job(self, kind: str) -> Any:
        """The newest job of ``kind`` (``run_ops``, ``approve``); AssertionError when there is none."""
        found = [j for j in self.jobs() if j.kind == kind]
        assert found, f"no {kind} job among {[(j.id, j.kind, j.state) for j in self.jobs()]}"
        return found[-1]

    def request_for(self, trigger: str):
        return self.repo.request_by_once_key(f"trigger:{trigger}")

    def thread(self, req) -> list:
        return self.slack.thread(req.channel, req.thread_ts)


def has_buttons(message) -> bool:
    """A message carrying a plan's Approve button (what the diagnosis posts for each plan)."""
    return "approve_plan" in str(message.blocks or "")
