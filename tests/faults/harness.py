"""Small builders for the fault and abuse tests: a bot replica on real HTTP, and a plan put in its database.

``Replica`` is one app instance: the real composition root (``bot.bootstrap.build``) with its own
engine, served by uvicorn (``BackgroundServer``), signed requests from ``SlackDriver``. Several
replicas can share one database, one Kubernetes stand-in and one Slack stand-in, as replicas
behind a load balancer do. ``store_plan`` records a request and a proposed plan exactly as
``RequestService`` would after a diagnoser proposed it, so a test can put any plan (a "fake
diagnoser's" plan) in front of ``PlanService`` / ``ApplyService``.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.bootstrap import Bot, build
from bot.cloud.aws import Aws
from bot.cloud.kube import Kube
from bot.domain import FixPlan, Lang
from bot.http import build_http_app
from bot.services.contexts import SingleClusterContexts
from bot.services.core import msg_to_dict, step_to_dict
from bot.settings import Settings
from bot.store.records import PlanRecord, RequestRecord
from sandbox.aws import SANDBOX_REGION
from sandbox.http_server import BackgroundServer
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, STRANGER
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver

NO_KUBE = "http://127.0.0.1:9"  # the discard port: a test without a cluster fails fast if it calls one


def make_settings(
    database_url: str, slack: SlackStandIn, secret: str, kube_url: str = "", **overrides: Any
) -> Settings:
    values: dict[str, Any] = dict(
        slack_bot_token="xoxb-faults",
        slack_signing_secret=secret,
        slack_api_url=slack.base_url,
        database_url=database_url,
        aws_region=SANDBOX_REGION,
        cluster_name="prod",
        kube_host=kube_url,
        request_channels=REQUEST_CHANNEL,
        approver_user_ids=f"{OPS},{OPS2}",
        verify_wait_seconds=3.0,
        role_allow_patterns="AmazonEKS*,eks-*,faults-*",
    )
    values.update(overrides)
    return Settings(**values)


def add_people(slack: SlackStandIn) -> None:
    slack.add_user(DEV, "dev-kim", locale="ko-KR")
    slack.add_user(OPS, "ops-lee")
    slack.add_user(OPS2, "ops-park")
    slack.add_user(STRANGER, "someone")
    slack.add_channel(REQUEST_CHANNEL, "eks-requests")


class Replica:
    """One app instance over HTTP. ``aws`` defaults to boto3's own endpoint configuration (moto)."""

    def __init__(self, settings: Settings, aws: Aws | None = None, kube_url: str = "") -> None:
        aws = aws or Aws(region=SANDBOX_REGION, max_attempts=1)
        contexts = SingleClusterContexts(
            settings, aws_factory=lambda: aws, kube_factory=lambda: Kube.from_host(kube_url or NO_KUBE)
        )
        self.settings = settings
        self.bot: Bot = build(settings, contexts=contexts)
        self.server = BackgroundServer(build_http_app(self.bot))
        self.url = ""
        self.driver: SlackDriver | None = None

    def start(self, response_url_for: Any = None) -> Replica:
        self.bot.workers.start()  # the job workers that answer what this replica acks
        self.url = self.server.start()
        self.driver = SlackDriver(self.url, self.settings.slack_signing_secret, response_url_for=response_url_for)
        return self

    @property
    def services(self):
        return self.bot.deps.services

    def stop(self) -> None:
        self.server.stop()
        self.bot.workers.stop(grace=10)
        self.bot.engine.dispose()


def new_secret() -> str:
    return secrets.token_hex(16)


def store_plan(
    replica_or_bot: Replica | Bot, plan: FixPlan, user: str = DEV, channel: str = REQUEST_CHANNEL
) -> tuple[RequestRecord, PlanRecord]:
    """Record a request with an open thread and ``plan`` as proposed, the way ``RequestService`` does."""
    bot = replica_or_bot.bot if isinstance(replica_or_bot, Replica) else replica_or_bot
    svc = bot.deps.services
    now = svc.clock()
    req = svc.repo.add_request(
        user_id=user,
        channel=channel,
        thread_ts="",
        status_ts="",
        lang=str(Lang.EN),
        text="fault test",
        intent="fault_test",
        entities={},
        target=f"prod|{plan.kind}",
        cluster="prod",
        state="diagnosing",
        created_at=now,
    )
    thread_ts, status_ts = svc.thread.open(req)
    svc.repo.update_request(req.id, thread_ts=thread_ts, status_ts=status_ts, state="open")
    req = replace(req, thread_ts=thread_ts, status_ts=status_ts)
    row = svc.repo.add_plan(
        request_id=req.id,
        kind=plan.kind,
        title=msg_to_dict(plan.title),
        target=plan.target,
        risk=str(plan.risk),
        status="proposed",
        steps=[step_to_dict(s) for s in plan.steps],
        verify=dict(plan.verify),
        requested_by=user,
        created_at=now,
        expires_at=now + timedelta(minutes=30),
        approvals_needed=1,
        message_ts="",
        version=0,
    )
    return req, row


def thread_texts(slack: SlackStandIn, req: RequestRecord) -> list[str]:
    return [m.text or "" for m in slack.thread(req.channel, req.thread_ts)]
