"""Shared pieces of the who-may-ask attacks: a sandbox per database, people, and "nothing happened" checks."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from bot.domain import Msg, PlanStep
from bot.store.models import RequestRow
from bot.store.records import AuditRecord
from sandbox.runtime import Sandbox
from tests.polling import wait

OTHER_TEAM = "T0OTHERORG"
EXTERNAL = "U_EXT"  # a person of another workspace, in a Slack Connect channel
GUEST = "U_GUEST"
SINGLE_GUEST = "U_GUEST1"
SHARED_CHANNEL = "C_SHARED"  # shared with another organisation; not a request channel
SHARED_REQUEST_CHANNEL = "C_REQ_SHARED"  # a request channel that is also shared with another organisation
OTHER_CHANNEL = "C_RANDOM"
DM = "D_DEV"


@contextmanager
def sandbox_on(database: str, moto: Any, **overrides: Any):
    """A running sandbox on SQLite or a fresh PostgreSQL database, with the attackers added."""
    moto.reset()
    if database == "sqlite":
        with Sandbox(moto=moto, settings_overrides=overrides) as sb:
            add_attackers(sb)
            yield sb
        return
    from bot.store.migrate import upgrade
    from tests.pg import fresh_database

    with fresh_database() as url:
        upgrade(url)
        with Sandbox(moto=moto, database_url=url, settings_overrides=overrides) as sb:
            add_attackers(sb)
            yield sb


def add_attackers(sb: Sandbox) -> None:
    sb.slack.add_user(EXTERNAL, "outsider", team_id=OTHER_TEAM)
    sb.slack.add_user(GUEST, "guest", is_restricted=True)
    sb.slack.add_user(SINGLE_GUEST, "single-guest", is_ultra_restricted=True, locale="ko-KR")
    sb.slack.add_channel(SHARED_CHANNEL, "partners", is_ext_shared=True)
    sb.slack.add_channel(SHARED_REQUEST_CHANNEL, "eks-requests-shared", is_ext_shared=True)
    sb.slack.add_channel(OTHER_CHANNEL, "random")


def refusals(sb: Sandbox, actor: str | None = None) -> list[AuditRecord]:
    rows = [r for r in sb.repo.audit_rows() if r.kind == "refused" and (actor is None or r.actor == actor)]
    return sorted(rows, key=lambda r: r.id)


def wait_refusal(sb: Sandbox, actor: str, action: str, reason: str) -> AuditRecord:
    def found():
        return next(
            (
                r
                for r in refusals(sb, actor)
                if (r.after or {}).get("action") == action and (r.after or {}).get("reason") == reason
            ),
            None,
        )

    return wait(found, what=f"a refused {action} ({reason}) by {actor}")


def request_count(sb: Sandbox) -> int:
    with sb.repo.sessions() as s:
        return s.scalar(select(func.count()).select_from(RequestRow)) or 0


def wait_ephemeral(sb: Sandbox, user: str, needle: str):
    return sb.slack.wait_for(lambda e: e.user == user and needle in e.text, source="ephemerals", timeout=15)


def assert_nothing_happened(sb: Sandbox, requests_before: int = 0) -> None:
    """No request row, no diagnosis, no Kubernetes read or write, no post in any channel."""
    assert request_count(sb) == requests_before
    kinds = {r.kind for r in sb.repo.audit_rows()}
    assert not kinds & {"request_received", "diagnosis_completed", "diagnosis_failed", "plan_proposed"}
    assert sb.kube.requests == []  # the cluster was never read
    assert sb.slack.calls_to("chat.postMessage") == []


def assert_refused_slash(response, needle: str) -> str:
    """A refused slash command is told in the ack itself, ephemerally."""
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral" and body["text"].startswith("🚫"), body
    assert needle in body["text"], body["text"]
    return body["text"]


class Value:
    """An in-memory live system with one operation, so a test can apply and revert plans it put there."""

    name = "test.set_value"
    reversible = True
    min_risk = "low"

    def __init__(self) -> None:
        self.value: dict = {"replicas": 1}
        self.writes = 0
        self.lock = threading.Lock()

    def read(self, ctx, params):
        return dict(self.value)

    def apply(self, ctx, step):
        with self.lock:
            self.writes += 1
            self.value = dict(step.after)
        return dict(self.value)

    def revert(self, step, observed_after):
        return PlanStep(self.name, step.params, observed_after, step.before, Msg("undo", "되돌리기"))
