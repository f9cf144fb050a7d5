"""The composition root: settings, database, clients, services and the Bolt app, built once.

Nothing connects or reads the environment at import time; entry points (``bot.cli``), the
sandbox and the tests call ``build`` with what they want.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.cloud.context import FeaturePorts, utcnow
from bot.services.apply import ApplyService
from bot.services.approvers import Approvers
from bot.services.authz import Authorizer
from bot.services.clusters import contexts_from_settings
from bot.services.core import Services
from bot.services.directory import Directory, LookupFailed
from bot.services.plans import PlanService
from bot.services.ports import ContextProvider
from bot.services.reports import ReportService
from bot.services.requests import RequestService
from bot.services.workers import JobWorkers
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.deps import Deps
from bot.slack.job_notice import tell_job_failed
from bot.slack.jobs import JobLazyRunner, replay
from bot.slack.listeners.reports import SlackReportPoster
from bot.slack.metrics import counted
from bot.slack.thread import SlackThread
from bot.store.db import make_engine, make_session_factory
from bot.store.jobs import JobStore
from bot.store.migrate import upgrade
from bot.store.repo import Repo
from handlers import registry
from handlers.base import Wiring


@dataclass
class Bot:
    settings: Settings
    engine: Engine
    client: WebClient
    deps: Deps
    app: App
    stores: Mapping[str, Any]  # each feature's store over its tables, by feature name
    jobs: JobStore  # acked work, in the database
    workers: JobWorkers  # this process's pool of job workers (started by serve, socket, worker, the sandbox)

    def http_app(self):
        """The Starlette app serving Slack's endpoint and the health and metrics routes."""
        from bot.http import build_http_app  # noqa: PLC0415 (bot.http imports this module)

        return build_http_app(self)

    def job(self, name: str, channel: str = ""):
        """A feature's scheduled job as the scheduler runs it (``rds-sweep``, say), for callers that
        drive time themselves."""
        from bot.bootstrap.scheduling import job_named  # noqa: PLC0415 (scheduling imports this module)

        return job_named(self, name, channel=channel)


def migrate(database_url: str) -> None:
    """Bring the database at ``database_url`` to the newest schema."""
    upgrade(database_url)


def make_client(settings: Settings) -> WebClient:
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers = counted(
        [
            *client.retry_handlers,
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


def directory(settings: Settings, client: WebClient) -> Directory:
    """Who is who in Slack, for the authorization checks: ``auth.test``, ``users.info``, ``conversations.info``.

    Asked on the ack path (cached), so through a client that does not sleep through rate limits:
    a lookup Slack does not answer now is a refusal ("try again"), never a guess.
    """
    lookups = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=5)
    lookups.retry_handlers = counted(lookups.retry_handlers)

    def ask(method: Callable[..., object], key: str, **kwargs: object) -> dict:
        try:
            answer = method(**kwargs)
        except Exception as exc:  # any failure to answer is "cannot say"
            raise LookupFailed(f"{type(exc).__name__}: {exc}"[:200]) from exc
        data = dict(answer.data) if hasattr(answer, "data") else dict(answer)  # type: ignore[call-overload]
        return dict(data.get(key) or {}) if key else data

    return Directory(
        auth_test=lambda: ask(lookups.auth_test, ""),
        user_info=lambda user: ask(lookups.users_info, "user", user=user, include_locale=True),
        channel_info=lambda channel: ask(lookups.conversations_info, "channel", channel=channel),
        team_id=settings.slack_team_id,
        cache_seconds=settings.lookup_cache_seconds,
    )


def build(
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    contexts: ContextProvider | None = None,
    client: WebClient | None = None,
) -> Bot:
    """Everything, wired."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    repo = Repo(sessions)
    client = client or make_client(settings)
    client.retry_handlers = counted(list(client.retry_handlers or []))  # Slack errors counted, whoever built it

    def group_members(group: str) -> list[str]:
        return list(client.usergroups_users_list(usergroup=group).get("users", []))

    approvers = Approvers(
        settings.approver_ids,
        settings.approver_usergroup,
        group_members,
        settings.usergroup_cache_seconds,
        allow_self_approval=settings.allow_self_approval,
    )
    stores = registry.stores(sessions)
    contexts = contexts or contexts_from_settings(settings, clock)
    services = Services(
        settings=settings,
        repo=repo,
        thread=SlackThread(client, approvers),
        contexts=contexts,
        approvers=approvers,
        clock=clock,
        ports=FeaturePorts(*registry.ports(Wiring(settings, stores, registry.feature_settings()))),
    )
    applier = ApplyService(services)
    authz = Authorizer(settings, approvers, directory(settings, client), contexts)
    services.user_zone = authz.directory.zone
    deps = Deps(
        services=services,
        requests=RequestService(services),
        plans=PlanService(services, applier, authz),
        applier=applier,
        reports=ReportService(services, SlackReportPoster(client)),
        authz=authz,
    )
    app = build_app(settings, client, deps)
    jobs = JobStore(engine)
    workers = JobWorkers(
        jobs,
        run=lambda job: replay(app, job),
        on_failed=lambda job: tell_job_failed(deps, client, job),
        threads=settings.worker_threads,
        lease_seconds=settings.job_lease_seconds,
    )
    # Bolt starts every lazy listener through this runner: as a job row, committed before the ack
    app.listener_runner.lazy_listener_runner = JobLazyRunner(jobs, settings.job_max_attempts, wake=workers.wake)
    return Bot(settings, engine, client, deps, app, stores, jobs, workers)
