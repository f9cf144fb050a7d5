"""The running sandbox: moto, the Kubernetes and Slack stand-ins, and the real app over HTTP.

``Sandbox`` starts everything on loopback, migrates a database, builds the bot through the real
composition root, serves it with uvicorn and signs requests with ``SlackDriver``. The demo and
the end-to-end tests drive it as people would: a developer asks, an ops engineer clicks.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.bootstrap import Bot, build, migrate
from bot.settings import Settings
from sandbox.aws import SANDBOX_ACCOUNT, SANDBOX_REGION, MotoSandbox, WorldAws
from sandbox.http_server import BackgroundServer
from sandbox.kube_api import KubeStandIn
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver

DEV, OPS, OPS2, STRANGER = "U_DEV", "U_OPS", "U_OPS2", "U_STRANGER"
REQUEST_CHANNEL = "C_REQ"
OPS_CHANNEL, REPORTS_CHANNEL = "C_OPS", "C0REPORTS"


class SandboxClock:
    """A controllable clock: real time plus an offset that scenarios and tests can advance."""

    def __init__(self, start: datetime | None = None):
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        if start is not None:
            self._offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta

    def set(self, when: datetime) -> None:
        with self._lock:
            self._offset = when - datetime.now(UTC)


@dataclass
class Sandbox:
    database_url: str = ""
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    moto: MotoSandbox | None = None
    clock: SandboxClock = field(default_factory=SandboxClock)

    def start(self) -> Sandbox:
        """Start everything; on a failure part-way, stop what was started and raise."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Sandbox:
        self._own_moto = self.moto is None
        self._tmp = ""
        if self.moto is None:
            self.moto = MotoSandbox()
            self.moto.start()
        self.moto.export()
        self.kube = KubeStandIn(clock=self.clock)  # the cluster lives on the same clock as the bot
        self.kube.start()
        self.slack = SlackStandIn()
        self.slack.start()
        self.slack.add_user(DEV, "dev-kim", locale="ko-KR")
        self.slack.add_user(OPS, "ops-lee")
        self.slack.add_user(OPS2, "ops-park")
        self.slack.add_user(STRANGER, "someone")
        self.slack.add_channel(REQUEST_CHANNEL, "eks-requests")
        self.slack.add_channel(OPS_CHANNEL, "eks-ops")
        self.slack.add_channel(REPORTS_CHANNEL, "eks-reports")
        self.slack.mark_strict()  # like Slack: a channel nobody created does not exist
        if not self.database_url:  # a database of its own, removed with its directory by stop()
            self._tmp = tempfile.mkdtemp(prefix="chatops-sandbox-")
        url = self.database_url or f"sqlite:///{os.path.join(self._tmp, 'chatops.db')}"
        migrate(url)
        self.secret = secrets.token_hex(16)
        values = dict(
            slack_bot_token="xoxb-sandbox",
            slack_signing_secret=self.secret,
            slack_api_url=self.slack.base_url,
            database_url=url,
            aws_region=SANDBOX_REGION,
            cluster_name="prod",
            kube_host=self.kube.url,
            request_channels=REQUEST_CHANNEL,
            approver_user_ids=f"{OPS},{OPS2}",
            verify_wait_seconds=20.0,
            role_allow_patterns="AmazonEKS*,eks-*,*-node-role,*NodeInstanceRole*",
            aws_max_attempts=2,
            # the sandbox's team works in Seoul, in Korean: its schedules and notices say so explicitly
            default_timezone="Asia/Seoul",
            default_language="ko",
        )
        values.update(self.settings_overrides)
        self.settings = Settings(**values)
        # the world's own clients; the bot reaches the same moto server through its own
        self.aws = WorldAws(SANDBOX_REGION)
        self.bot: Bot = build(self.settings, clock=self.clock)
        ctx = self.bot.deps.services.contexts.get()  # the cached context every piece of work copies
        ctx.account_id = SANDBOX_ACCOUNT
        ctx.poll_seconds = 0.1
        self.ctx = ctx
        self.bot.workers.start()  # the job workers that answer what the server acks, as `chatops serve` runs them
        self.server = BackgroundServer(self.bot.http_app())
        self.url = self.server.start()
        self.driver = SlackDriver(self.url, self.secret, response_url_for=self.slack.response_url)
        return self

    def stop(self) -> None:
        """Stop what ``start`` started and remove the sandbox's temporary directory."""
        for part in ("server", "slack", "kube"):
            obj = getattr(self, part, None)
            if obj is not None:
                obj.stop()
        if getattr(self, "bot", None) is not None:
            self.bot.workers.stop(grace=30.0)
            self.bot.engine.dispose()
        if getattr(self, "_own_moto", False) and self.moto is not None:
            self.moto.stop()
        if getattr(self, "_tmp", ""):
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = ""

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # worlds ---------------------------------------------------------------------------------
    def seed(self, world: str) -> dict[str, Any]:
        """Seed the world called ``world`` (see ``sandbox.worlds.catalogue.WORLDS``); its facts."""
        from sandbox.worlds.catalogue import seed

        return seed(self, world)

    # people ---------------------------------------------------------------------------------
    @property
    def repo(self):
        return self.bot.deps.services.repo

    def thread(self, request) -> list:
        """The messages of ``request``'s thread, as people in the channel see them."""
        return self.slack.thread(request.channel, request.thread_ts)

    def latest_plan(self, request_id: int):
        """The newest plan proposed for ``request_id``; AssertionError when there is none."""
        plans = self.repo.plans_for_request(request_id)
        if not plans:
            raise AssertionError(f"request #{request_id} proposed no plan")
        return plans[-1]

    def approve(self, plan_id: int, user: str = OPS, second: str = OPS2, timeout: float = 60.0):
        """Approve as ``user`` (and as ``second`` when the plan needs two) and wait for its outcome."""
        plan = self.repo.get_plan(plan_id)
        self.click("approve_plan", plan_id, user=user, message_ts=plan.message_ts)
        if plan.approvals_needed > 1:
            self.wait_approvals(plan_id, 1)
            self.click("approve_plan", plan_id, user=second, message_ts=plan.message_ts)
        return self.wait_plan_status(plan_id, ("applied", "failed"), timeout=timeout)

    def slash(self, text: str, user: str = DEV, channel: str = REQUEST_CHANNEL):
        return self.driver.slash(text, user=user, channel=channel, response_url=self.slack.response_url("cmd"))

    def say(self, text: str, user: str = DEV, channel: str = REQUEST_CHANNEL, thread_ts: str | None = None):
        message = self.slack.add_message(channel, text, user, thread_ts=thread_ts)  # what people see
        self.driver.message(text, user=user, channel=channel, ts=message.ts, thread_ts=thread_ts)
        return message.ts

    def click(
        self, action_id: str, value: int | str, user: str = OPS, channel: str = REQUEST_CHANNEL, message_ts: str = "0"
    ):
        return self.driver.block_action(action_id, str(value), user=user, channel=channel, message_ts=message_ts)

    def wait_request(self, predicate=None, timeout: float = 20.0):
        """The newest request row matching ``predicate`` once it has left 'diagnosing'."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for row in self.repo.latest_requests():
                if (predicate is None or predicate(row)) and row.state != "diagnosing":
                    return row
            time.sleep(0.05)
        raise AssertionError("no matching request finished in time")

    def _thread_told(self, plan) -> bool:
        """True once the plan's thread carries the reply for its final state (what people see)."""
        final = {
            "applied": ("✅", "⚠️"),
            "failed": ("❌", "⚠️"),
            "rejected": ("🚫",),
            "expired": ("⌛",),
            "reverted": ("↩️",),
        }.get(plan.status)
        if final is None:
            return True
        req = self.repo.get_request(plan.request_id)
        replies = self.slack.thread(req.channel, req.thread_ts) if req else []
        return any((m.text or "").startswith(f"{icon} #{plan.id} ") for m in replies for icon in final)

    def wait_approvals(self, plan_id: int, count: int, timeout: float = 20.0) -> list[str]:
        """The approvers of ``plan_id`` once at least ``count`` approvals are recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            approvers = self.repo.approvers(plan_id)
            if len(approvers) >= count:
                return approvers
            time.sleep(0.05)
        raise AssertionError(f"plan {plan_id} has {len(self.repo.approvers(plan_id))} approvals, wanted {count}")

    def wait_plan_status(self, plan_id: int, statuses: tuple[str, ...], timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            plan = self.repo.get_plan(plan_id)
            if plan is not None and plan.status in statuses and self._thread_told(plan):
                return plan
            time.sleep(0.05)
        plan = self.repo.get_plan(plan_id)
        raise AssertionError(f"plan {plan_id} is {plan.status if plan else None}, wanted {statuses}")
